import { describe, expect, it } from 'vitest';
import { loadError, loadText } from './helpers.js';

const ROLE = {
  'roles/r/tasks/main.yml': '- { name: rt, command: /bin/true }\n',
  'roles/r/handlers/main.yml': '- { name: restart, debug: msg=x }\n- { name: other, debug: msg=y, listen: r-topic }\n',
};

describe('notify of a handler that does not exist is a load-time error', () => {
  const accepted: Array<{ name: string; play: string; files?: Record<string, string> }> = [
    {
      name: 'by name',
      play: '  tasks:\n    - { command: /bin/true, notify: h }\n  handlers:\n    - { name: h, debug: msg=x }\n',
    },
    {
      name: 'by listen topic',
      play: '  tasks:\n    - { command: /bin/true, notify: t }\n  handlers:\n    - { name: h, debug: msg=x, listen: [t] }\n',
    },
    {
      name: 'a role handler by name',
      play: '  roles: [r]\n  tasks:\n    - { command: /bin/true, notify: restart }\n',
      files: ROLE,
    },
    {
      name: 'a role handler as role : name',
      play: '  roles: [r]\n  tasks:\n    - { command: /bin/true, notify: "r : restart" }\n',
      files: ROLE,
    },
    {
      name: "a role handler's topic",
      play: '  roles: [r]\n  tasks:\n    - { command: /bin/true, notify: r-topic }\n',
      files: ROLE,
    },
    {
      name: 'an include_tasks handler by its name',
      play: '  tasks:\n    - { command: /bin/true, notify: inc }\n  handlers:\n    - { name: inc, include_tasks: h.yml }\n',
      files: { 'h.yml': '[]\n' },
    },
    {
      name: 'a templated notify (checked at run time)',
      play: '  tasks:\n    - { command: /bin/true, notify: "{{ which }}" }\n',
    },
    {
      name: 'a play with a templated handler name (known per host)',
      play: '  tasks:\n    - { command: /bin/true, notify: "restart web" }\n  handlers:\n    - { name: "restart {{ svc }}", debug: msg=x }\n',
    },
    {
      name: 'a play with include_role (its handlers come at run time)',
      play: '  tasks:\n    - include_role: { name: r }\n    - { command: /bin/true, notify: from-dynamic-role }\n',
      files: ROLE,
    },
    {
      name: 'a handler notifying another handler',
      play: '  tasks: []\n  handlers:\n    - { name: a, debug: msg=x, notify: b }\n    - { name: b, debug: msg=x }\n',
    },
  ];
  for (const c of accepted) {
    it(`accepts: ${c.name}`, async () => {
      await expect(loadText(`- hosts: all\n${c.play}`, c.files)).resolves.toBeTruthy();
    });
  }

  const rejected: Array<{
    name: string;
    play: string;
    files?: Record<string, string>;
    missing: string;
    line: number;
    col: number;
  }> = [
    {
      name: 'a task',
      play: '  tasks:\n    - command: /bin/true\n      notify: nope\n  handlers:\n    - { name: h, debug: msg=x }\n',
      missing: 'nope',
      line: 4,
      col: 15,
    },
    {
      name: 'the second entry of a list',
      play: '  tasks:\n    - command: /bin/true\n      notify:\n        - h\n        - nope\n  handlers:\n    - { name: h, debug: msg=x }\n',
      missing: 'nope',
      line: 6,
      col: 11,
    },
    {
      name: 'a block',
      play: '  tasks:\n    - block:\n        - command: /bin/true\n      notify: nope\n',
      missing: 'nope',
      line: 5,
      col: 15,
    },
    {
      name: 'an imported file, at the import',
      play: '  tasks:\n    - import_tasks: t.yml\n      notify: nope\n',
      files: { 't.yml': '- command: /bin/true\n' },
      missing: 'nope',
      line: 4,
      col: 15,
    },
    {
      name: 'a handler',
      play: '  tasks: []\n  handlers:\n    - name: a\n      debug: msg=x\n      notify: nope\n',
      missing: 'nope',
      line: 6,
      col: 15,
    },
    {
      name: "another play's handler",
      play: '  tasks:\n    - { command: /bin/true, notify: h }\n- hosts: all\n  tasks: []\n  handlers:\n    - { name: h, debug: msg=x }\n',
      missing: 'h',
      line: 3,
      col: 37,
    },
  ];
  for (const c of rejected) {
    it(`rejects: ${c.name}`, async () => {
      const e = await loadError(`- hosts: all\n${c.play}`, c.files);
      expect(e.message).toBe(
        `The requested handler '${c.missing}' was not found in either the main handlers list nor in the listening handlers list`,
      );
      expect(e.source).toMatchObject({ line: c.line, col: c.col });
    });
  }

  it('names the handlers the play has in the hint', async () => {
    const e = await loadError(
      '- hosts: all\n  roles: [r]\n  tasks:\n    - { command: /bin/true, notify: restrat }\n',
      ROLE,
    );
    expect(e.hint).toContain("'restart'");
    expect(e.hint).toContain("'r : restart'");
  });
});
