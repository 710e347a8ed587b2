import { describe, expect, it } from 'vitest';
import { loadError, loadText, tasksOf } from './helpers.js';

const HANDLERS =
  '  handlers:\n    - { name: h1, debug: msg=1 }\n    - { name: h2, debug: msg=2 }\n    - { name: h3, debug: msg=3 }\n';

describe('notify passes down from blocks and imports (as in Ansible 2.14)', () => {
  const cases: Array<{ name: string; tasks: string; files?: Record<string, string>; want: Record<string, string[]> }> =
    [
      {
        name: 'a block notify reaches its tasks',
        tasks: '    - block:\n        - { name: a, command: /bin/true }\n      notify: h1\n',
        want: { a: ['h1'] },
      },
      {
        name: "a task's own notify replaces the block's",
        tasks:
          '    - block:\n        - { name: a, command: /bin/true, notify: h2 }\n        - { name: b, command: /bin/true }\n      notify: h1\n',
        want: { a: ['h2'], b: ['h1'] },
      },
      {
        name: 'the innermost block wins',
        tasks:
          '    - block:\n        - block:\n            - { name: a, command: /bin/true }\n          notify: [h3]\n        - { name: b, command: /bin/true }\n      notify: h1\n',
        want: { a: ['h3'], b: ['h1'] },
      },
      {
        name: 'rescue and always inherit too',
        tasks:
          '    - block:\n        - { name: a, command: /bin/true }\n      rescue:\n        - { name: r, command: /bin/true }\n      always:\n        - { name: w, command: /bin/true }\n      notify: h1\n',
        want: { a: ['h1'], r: ['h1'], w: ['h1'] },
      },
      {
        name: 'import_tasks passes notify to the imported tasks',
        tasks: '    - import_tasks: t.yml\n      notify: h3\n',
        files: { 't.yml': '- { name: imported, command: /bin/true }\n' },
        want: { imported: ['h3'] },
      },
      {
        name: "import_role passes notify to the role's tasks",
        tasks: '    - import_role: { name: r }\n      notify: h2\n',
        files: { 'roles/r/tasks/main.yml': '- { name: in-role, command: /bin/true }\n' },
        want: { 'in-role': ['h2'] },
      },
    ];
  for (const c of cases) {
    it(c.name, async () => {
      const pb = await loadText(`- hosts: all\n  tasks:\n${c.tasks}${HANDLERS}`, c.files);
      const got = Object.fromEntries(tasksOf(pb.plays[0]!).map((t) => [t.name!, t.notify] as const));
      expect(got).toEqual(c.want);
    });
  }

  it("an import_role's notify does not reach the role's handlers", async () => {
    const pb = await loadText(`- hosts: all\n  tasks:\n    - import_role: { name: r }\n      notify: h2\n${HANDLERS}`, {
      'roles/r/tasks/main.yml': '- { name: in-role, command: /bin/true }\n',
      'roles/r/handlers/main.yml': '- { name: rh, debug: msg=x }\n',
    });
    expect(pb.plays[0]!.handlers.find((h) => h.name === 'rh')!.notify).toEqual([]);
  });

  for (const key of ['include_tasks: t.yml', 'include_role: { name: r }']) {
    it(`notify on ${key.split(':')[0]} is an error (Ansible: not a valid attribute)`, async () => {
      const e = await loadError(`- hosts: all\n  tasks:\n    - ${key}\n      notify: h1\n${HANDLERS}`, {
        't.yml': '[]\n',
        'roles/r/tasks/main.yml': '[]\n',
      });
      expect(e.message).toMatch(/'notify' is not allowed on include_/);
      expect(e.source).toMatchObject({ line: 4, col: 7 });
    });
  }
});
