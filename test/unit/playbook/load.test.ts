import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { parseArgString } from '../../../src/playbook/task.js';
import { allTasks, type Play } from '../../../src/playbook/types.js';

const tasksOf = (p: Play) => [
  ...allTasks([...p.sections.preTasks, ...p.sections.roles, ...p.sections.tasks, ...p.sections.postTasks]),
];
import { createTemplateEngine } from '../../../src/template/index.js';
import { writeTree } from '../../helpers/tree.js';

const engine = createTemplateEngine();

async function loadText(text: string, extra: Record<string, string> = {}) {
  const dir = writeTree({ 'site.yml': text, ...extra });
  return loadPlaybook(path.join(dir, 'site.yml'), { engine, rolesPath: [] });
}

async function loadError(text: string, extra: Record<string, string> = {}): Promise<BosunError> {
  try {
    await loadText(text, extra);
  } catch (e) {
    if (e instanceof BosunError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('loadPlaybook', () => {
  it('gives the position of each argument, the same on every call', async () => {
    const pb = await loadText(
      '- hosts: all\n  tasks:\n    - copy:\n        dest: /tmp/x\n        content: "{{ a }}"\n        mode: ["0644", x]\n',
    );
    const task = tasksOf(pb.plays[0]!)[0]!;
    const file = pb.file;
    expect(task.argPos(['content'])).toEqual({ file, line: 5, col: 19 });
    expect(task.argPos(['dest'])).toEqual({ file, line: 4, col: 15 });
    expect(task.argPos(['mode', 1])).toEqual({ file, line: 6, col: 24 });
    expect(task.argPos(['content'])).toEqual({ file, line: 5, col: 19 });
    expect(task.argPos(['mode', 1])).toEqual({ file, line: 6, col: 24 });
    expect(task.argPos([])).toEqual({ file, line: 4, col: 9 });
  });

  it('types plays, tasks, arguments and roles in order', async () => {
    const pb = await loadText(
      [
        '- name: web',
        '  hosts: [web, db]',
        '  vars: { a: 1 }',
        '  pre_tasks:',
        '    - debug: msg=first',
        '  roles:',
        '    - role: r1',
        '      p: 2',
        '      when: (eq a 1)',
        '  tasks:',
        '    - name: copy it',
        '      copy: { dest: /tmp/x, content: "hi" }',
        '      register: out',
        '    - command: ls -l /tmp creates=/tmp/x',
        '    - ansible.builtin.file: path=/tmp/d state=directory',
        '      loop: [1, 2]',
        '      when: [a, (not b)]',
        '',
      ].join('\n'),
      {
        'roles/r1/tasks/main.yml': '- name: role task\n  debug: { msg: "{{ p }}" }\n',
        'roles/r1/defaults/main.yml': 'p: 1\nq: 3\n',
      },
    );
    expect(pb.plays).toHaveLength(1);
    const play = pb.plays[0]!;
    expect(play.hosts).toBe('web:db');
    // Not given: the run's `gathering` decides (implicit: gather).
    expect(play.gatherFacts).toBeUndefined();
    expect(tasksOf(play).map((t) => t.module)).toEqual(['debug', 'debug', 'copy', 'command', 'file']);
    expect(tasksOf(play)[0]!.args).toEqual({ msg: 'first' });
    expect(tasksOf(play)[1]!.context.role?.name).toBe('r1');
    expect(tasksOf(play)[1]!.context.params?.values).toEqual({ p: 2 });
    expect(tasksOf(play)[1]!.when.map((w) => w.expr)).toEqual(['(eq a 1)']);
    expect(play.roles[0]!.defaults.values).toEqual({ p: 1, q: 3 });
    expect(tasksOf(play)[2]!.register).toBe('out');
    expect(tasksOf(play)[3]!.args).toEqual({ cmd: 'ls -l /tmp', creates: '/tmp/x' });
    expect(tasksOf(play)[4]!.args).toEqual({ path: '/tmp/d', state: 'directory' });
    expect(tasksOf(play)[4]!.loop?.value).toEqual([1, 2]);
    expect(tasksOf(play)[4]!.when.map((w) => w.expr)).toEqual(['a', '(not b)']);
    expect(tasksOf(play)[2]!.source).toMatchObject({ line: 11, col: 7 });
  });

  const cases: Array<{
    name: string;
    text: string;
    code: string;
    line: number;
    col: number;
    msg: RegExp;
    extra?: Record<string, string>;
  }> = [
    { name: 'bad YAML', text: '- hosts: all\n  tasks: [\n', code: 'YAML_SYNTAX', line: 3, col: 1, msg: /invalid YAML/ },
    {
      name: 'unknown module',
      text: '- hosts: all\n  tasks:\n    - cpy: { dest: /x }\n',
      code: 'UNKNOWN_MODULE',
      line: 3,
      col: 7,
      msg: /unknown module 'cpy'/,
    },
    {
      name: 'unknown argument',
      text: '- hosts: all\n  tasks:\n    - copy:\n        dset: /x\n        content: a\n',
      code: 'SCHEMA',
      line: 4,
      col: 9,
      msg: /unknown key 'dset'/,
    },
    {
      name: 'unknown argument with a template',
      text: '- hosts: all\n  tasks:\n    - copy:\n        dset: "{{ x }}"\n',
      code: 'MODULE_ARGS',
      line: 4,
      col: 9,
      msg: /unknown argument 'dset'/,
    },
    {
      name: 'unknown play key',
      text: '- hosts: all\n  hostz: x\n',
      code: 'SCHEMA',
      line: 2,
      col: 3,
      msg: /unknown key 'hostz' in playbook/,
    },
    {
      name: 'missing hosts',
      text: '- name: x\n  tasks: []\n',
      code: 'SCHEMA',
      line: 1,
      col: 3,
      msg: /missing the required key 'hosts'/,
    },
    {
      name: 'misspelt keyword',
      text: '- hosts: all\n  tasks:\n    - debug: msg=x\n      notfy: h\n',
      code: 'SCHEMA',
      line: 4,
      col: 7,
      msg: /unknown keyword: 'debug', 'notfy'/,
    },
    {
      name: 'unquoted template',
      text: '- hosts: all\n  tasks:\n    - debug:\n        msg: {{ x }}\n',
      code: 'YAML_SYNTAX',
      line: 4,
      col: 14,
      msg: /must be quoted/,
    },
    {
      name: 'braces in when',
      text: '- hosts: all\n  tasks:\n    - debug: msg=x\n      when: "{{ a }}"\n',
      code: 'SCHEMA',
      line: 4,
      col: 14,
      msg: /without braces/,
    },
    {
      name: 'template syntax',
      text: '- hosts: all\n  tasks:\n    - debug:\n        msg: "{{ foo "\n',
      code: 'TEMPLATE_SYNTAX',
      line: 4,
      col: 22,
      msg: /./,
    },
    {
      name: 'two modules',
      text: '- hosts: all\n  tasks:\n    - debug: msg=x\n      copy: { dest: /x }\n',
      code: 'SCHEMA',
      line: 4,
      col: 7,
      msg: /more than one module/,
    },
    {
      name: 'no module',
      text: '- hosts: all\n  tasks:\n    - name: nothing\n',
      code: 'SCHEMA',
      line: 3,
      col: 7,
      msg: /no module/,
    },
    {
      name: 'role not found',
      text: '- hosts: all\n  roles: [nope]\n',
      code: 'ROLE_NOT_FOUND',
      line: 2,
      col: 11,
      msg: /role 'nope' not found/,
    },
    {
      name: 'bad task in a role',
      text: '- hosts: all\n  roles: [r]\n',
      code: 'UNKNOWN_MODULE',
      line: 2,
      col: 3,
      msg: /unknown module 'debugg'/,
      extra: { 'roles/r/tasks/main.yml': '- name: x\n  debugg: msg=1\n' },
    },
    { name: 'empty playbook', text: '', code: 'SCHEMA', line: 1, col: 1, msg: /empty/ },
    { name: 'not a list', text: 'hosts: all\n', code: 'SCHEMA', line: 1, col: 1, msg: /expected array/ },
  ];
  for (const c of cases) {
    it(`reports ${c.name} with its position`, async () => {
      const err = await loadError(c.text, c.extra);
      expect(err.code).toBe(c.code);
      expect(err.message).toMatch(c.msg);
      expect({ line: err.source?.line, col: err.source?.col }).toEqual({ line: c.line, col: c.col });
    });
  }

  it('suggests the closest module name', async () => {
    const err = await loadError('- hosts: all\n  tasks:\n    - cpy: { dest: /x }\n');
    expect(err.hint).toBe("did you mean 'copy'?");
  });

  it('points into the role file for role errors', async () => {
    const err = await loadError('- hosts: all\n  roles: [r]\n', {
      'roles/r/tasks/main.yml': '- name: x\n  debugg: msg=1\n',
    });
    expect(err.source?.file).toMatch(/roles\/r\/tasks\/main\.yml$/);
  });

  it('keeps a plain 0644 as the string "0644"', async () => {
    const pb = await loadText('- hosts: all\n  tasks:\n    - file: { path: /x, mode: 0644 }\n');
    expect(tasksOf(pb.plays[0]!)[0]!.args['mode']).toBe('0644');
  });

  it('loads vars_files relative to the playbook', async () => {
    const pb = await loadText('- hosts: all\n  vars_files: [vars/main.yml]\n  tasks: []\n', {
      'vars/main.yml': 'a: 1\n',
    });
    expect(pb.plays[0]!.varsFiles[0]!.values).toEqual({ a: 1 });
  });
});

describe('parseArgString', () => {
  const pos = { file: 'x', line: 1, col: 1 };
  const table: Array<[string, string | undefined, Record<string, unknown>]> = [
    ['src=a dest=b', undefined, { src: 'a', dest: 'b' }],
    ['msg="hello world"', undefined, { msg: 'hello world' }],
    ['msg={{ a }} b=1', undefined, { msg: '{{ a }}', b: '1' }],
    ['ls -l /tmp', 'cmd', { cmd: 'ls -l /tmp' }],
    ['echo "a b" creates=/x', 'cmd', { cmd: 'echo "a b"', creates: '/x' }],
    ['cp {{ a }} {{ b }} creates={{ b }}', 'cmd', { cmd: 'cp {{ a }} {{ b }}', creates: '{{ b }}' }],
    ['echo x=y', 'cmd', { cmd: 'echo x=y' }],
  ];
  for (const [text, free, expected] of table) {
    it(`parses ${text}`, () => expect(parseArgString(text, free, pos)).toEqual(expected));
  }
  it('rejects a free word for modules without a free form', () => {
    expect(() => parseArgString('hello', undefined, pos)).toThrow(/expected key=value/);
  });
});
