/**
 * with_* loops, Ansible vs bosun (issue #14, "Ansible behaviours to match"):
 * the same playbook on both, same results, items, recap and files.
 * A `gap` says what bosun does differently today; the case is skipped until it matches.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.123.0.1', slots: 6 });
const items = ['changed', 'results[].item', 'results[].changed'];
const compare = { files: '/opt/diff', registered: { together: items, sequence: items, nested: items, subelements: items, indexed: items, fileglob: items } };
/** Today bosun knows loop: and with_items only. */
const unknown = (keyword: string, ansible: string): string =>
  `bosun rejects the playbook at load (ERROR [SCHEMA] task has more than one module or an unknown keyword: 'copy', '${keyword}'), `
  + `exit 1; Ansible loops over ${ansible}`;

suite.describe('with_* loops: Ansible vs bosun', () => {
  suite.case('with_together', 'loops/with-together', {
    compare, gap: unknown('with_together', 'items [1, a], [2, b], [3, c] (files a, b, c with 1=a, 2=b, 3=c)'),
  });
  suite.case('with_sequence', 'loops/with-sequence', {
    compare, gap: unknown('with_sequence', "start=1 end=7 stride=3 format=f%02d as the strings 'f01', 'f04', 'f07'"),
  });
  suite.case('with_nested', 'loops/with-nested', {
    compare, gap: unknown('with_nested', 'the 6 pairs [a, x], [a, y], [a, z], [b, x], [b, y], [b, z], first list outermost'),
  });
  suite.case('with_subelements', 'loops/with-subelements', {
    compare, gap: unknown('with_subelements', "[{name: alice}, k1], [{name: alice}, k2], [{name: bob}, k3] (the registered item's "
      + "first element no longer has the 'keys' key)"),
  });
  suite.case('with_fileglob', 'loops/with-fileglob', {
    compare, gap: unknown('with_fileglob', "the controller's files/*.txt next to the playbook (one.txt, two.txt; not three.conf), "
      + 'as absolute paths, copied to /opt/diff/'),
  });
  suite.case('with_indexed_items', 'loops/with-indexed-items', {
    compare, gap: unknown('with_indexed_items', 'items [0, red], [1, green], [2, blue]'),
  });
});
