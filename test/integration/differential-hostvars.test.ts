/**
 * hostvars, Ansible vs bosun (issue 16): a value read through `hostvars[h]`
 * renders lazily, one key at a time, in h's own context (its inventory vars,
 * facts, set_fact, -e; not the reader's play vars nor role defaults), for
 * bracket and dotted keys, nested values, loops over a group, extract and
 * whole-dict filters, self references and undefined names.
 */
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.188.0.1', slots: 4 });

const MSG = ['msg'];

suite.describe('hostvars render lazily in their own host: Ansible vs bosun', () => {
  suite.case('keys, nesting, loops, filters and undefined names', 'hostvars/lazy', {
    hosts: 2,
    groups: { g: ['h1', 'h2'] },
    extraArgs: ['-e', 'ev=extra'],
    compare: {
      registered: {
        'other x': MSG,
        'bracket key': MSG,
        nested: MSG,
        chain: MSG,
        'loop over a group': ['results[].msg'],
        extract: MSG,
        'extract a missing key': ['failed'],
        'whole dict': MSG,
        'own hostvars': MSG,
        "not the reader's play vars nor role defaults": MSG,
        'undefined in its own context stays as it was': MSG,
        'self reference': ['failed'],
        'registered value of another host': MSG,
      },
    },
  });
});
