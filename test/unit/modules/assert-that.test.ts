import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { loadText, tasksOf } from '../playbook/helpers.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

// What ansible-playbook 2.14 does with each `that:` (run side by side): null and '' hold, a boolean is itself,
// a number is its truthiness, an empty list passes.
describe('assert that: with YAML booleans, numbers and null, as Ansible', () => {
  const cases: Array<{ that: unknown; passes: boolean }> = [
    { that: [true], passes: true },
    { that: true, passes: true },
    { that: [false], passes: false },
    { that: [true, false], passes: false },
    { that: [null], passes: true },
    { that: null, passes: true },
    { that: [true, null, ''], passes: true },
    { that: [], passes: true },
    { that: [1], passes: true },
    { that: [0], passes: false },
    { that: ['yes'], passes: true },
    { that: ['off'], passes: false },
    { that: ['ok', null, true], passes: true },
  ];
  for (const c of cases) {
    it(`that: ${JSON.stringify(c.that)} ${c.passes ? 'passes' : 'fails'}`, async () => {
      const r = await h.run('assert', { that: c.that }, { vars: { ok: true } });
      expect(r.failed).toBe(!c.passes);
    });
  }

  it('a playbook with that: [true, null] loads (the schema takes them)', async () => {
    const pb = await loadText(
      '- hosts: all\n  tasks:\n    - assert:\n        that:\n          - true\n          - null\n          - (eq 1 1)\n',
    );
    expect(tasksOf(pb.plays[0]!)[0]!.args).toEqual({ that: [true, null, '(eq 1 1)'] });
  });
});
