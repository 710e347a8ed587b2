/**
 * with_* loops, Ansible vs bosun (issue #14, "Ansible behaviours to match"):
 * the same playbook on both, same results, items, recap and files.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.123.0.1', slots: 6 });
const compare = { files: '/opt/diff', registered: { together: ['changed', 'results[].item'], sequence: ['changed', 'results[].item'], nested: ['changed', 'results[].item'], subelements: ['changed', 'results[].item'], indexed: ['changed', 'results[].item'], fileglob: ['changed', 'results[].changed'] } };

suite.describe('with_* loops: Ansible vs bosun', () => {
  suite.case('with_together', 'loops/with-together', { compare });
  suite.case('with_sequence', 'loops/with-sequence', { compare });
  suite.case('with_nested', 'loops/with-nested', { compare });
  suite.case('with_subelements', 'loops/with-subelements', { compare });
  suite.case('with_fileglob', 'loops/with-fileglob', { compare });
  suite.case('with_indexed_items', 'loops/with-indexed-items', { compare });
});
