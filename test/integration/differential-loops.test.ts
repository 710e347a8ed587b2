/**
 * with_* loops, Ansible vs bosun (issue #14, "Ansible behaviours to match"):
 * the same playbook on both, same results, items, recap and files.
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.123.0.1', slots: 6 });
const items = ['changed', 'results[].item', 'results[].changed'];
const compare = {
  files: '/opt/diff',
  registered: { together: items, sequence: items, nested: items, subelements: items, indexed: items, fileglob: items },
};

suite.describe('with_* loops: Ansible vs bosun', () => {
  suite.case('with_together', 'loops/with-together', { compare });
  suite.case('with_sequence', 'loops/with-sequence', { compare });
  suite.case('with_nested', 'loops/with-nested', { compare });
  suite.case('with_subelements', 'loops/with-subelements', { compare });
  // bosun sorts the matches (docs/ansible-differences.md); Ansible gives directory order: the same items, order aside.
  suite.case('with_fileglob', 'loops/with-fileglob', {
    compare: { ...compare, sortItems: true },
    check: (r) => {
      const items = r.ansible.registered['fileglob']?.['h1']?.[0] as Record<string, unknown> | undefined;
      expect(items?.['results[].item']).toEqual([
        expect.stringMatching(/files\/one\.txt$/),
        expect.stringMatching(/files\/two\.txt$/),
      ]);
    },
  });
  suite.case('with_indexed_items', 'loops/with-indexed-items', { compare });
  // Lookups that read the run or the task's variables loop as query(name, *terms): Ansible's with_<lookup>.
  const looked = ['changed', 'results[].item', 'results[].changed', 'results[].msg'];
  suite.case(
    'with_inventory_hostnames, with_file, with_env, with_vars, with_varnames, with_template, include_tasks',
    'loops/with-lookup-plugins',
    {
      hosts: 2,
      groups: { web: ['h1', 'h2'] },
      compare: {
        files: '/opt/diff',
        registered: {
          ...Object.fromEntries(['hostnames by patterns', 'env', 'vars', 'varnames'].map((t) => [t, looked])),
          // copy's results: bosun's carry a `msg` ('file created') that Ansible's do not (issue 17, copy).
          ...Object.fromEntries(['hostnames', 'files', 'template'].map((t) => [t, looked.slice(0, 3)])),
        },
      },
    },
  );
  suite.case(
    'with_first_found (include_vars, template) and with_dict over a Jinja2 expression',
    'loops/with-first-found',
    {
      compare: {
        files: '/opt/diff',
        registered: {
          'os vars': ['changed', 'results[].ansible_facts', 'results[].ansible_included_var_files'],
          'nothing found, skipped': ['changed', 'skipped', 'results'],
          'a template found under templates': ['changed', 'results[].changed', 'results[].checksum'],
          'with_dict over a Jinja2 expression': ['changed', 'results[].item', 'results[].changed'],
        },
      },
    },
  );
});
