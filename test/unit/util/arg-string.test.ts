import { describe, expect, it } from 'vitest';
import { parseArgString, splitArgs } from '../../../src/util/arg-string.js';
import { loadError, loadText, tasksOf } from '../playbook/helpers.js';

const at = { file: 'x.yml', line: 1, col: 1 };

// Expected values are what Ansible 2.14's parse_kv gives (checked with ansible-playbook: `content="a\nb"` writes
// a newline, `regexp='\b'` is one backspace character, `\d` stays two characters).
describe('key=value strings as Ansible parse_kv reads them', () => {
  const cases: Array<{ text: string; freeForm?: string; want: Record<string, unknown> }> = [
    { text: 'src=a dest=b', want: { src: 'a', dest: 'b' } },
    { text: 'content="a\\nb" dest=/x', want: { content: 'a\nb', dest: '/x' } },
    { text: "content='x\\ty\\\\z\\u00e9\\d'", want: { content: 'x\ty\\z\u00e9\\d' } },
    { text: "regexp='\\b' replace=y", want: { regexp: '\b', replace: 'y' } },
    { text: "regexp='\\\\b'", want: { regexp: '\\b' } },
    { text: 'regexp="\\d+\\.\\s"', want: { regexp: '\\d+\\.\\s' } },
    { text: 'msg="a  b"', want: { msg: 'a  b' } },
    { text: 'msg="{{ x }} and {{ y }}" dest=/y', want: { msg: '{{ x }} and {{ y }}', dest: '/y' } },
    { text: 'msg={{ default x "a b" }}', want: { msg: '{{ default x "a b" }}' } },
    { text: 'line=a=b', want: { line: 'a=b' } },
    { text: 'msg="it\'s"', want: { msg: "it's" } },
    { text: 'msg=\'say "hi"\'', want: { msg: 'say "hi"' } },
    { text: 'msg=x"y"', want: { msg: 'x"y"' } },
    { text: 'content=\\x41\\x42', want: { content: 'AB' } },
    { text: 'echo "a\\nb" creates=/x\\ty', freeForm: 'cmd', want: { cmd: 'echo "a\\nb"', creates: '/x\ty' } },
    { text: 'echo a=b chdir=/tmp', freeForm: 'cmd', want: { cmd: 'echo a=b', chdir: '/tmp' } },
    { text: 'ls -l  "a  b" removes=/r', freeForm: 'cmd', want: { cmd: 'ls -l  "a  b"', removes: '/r' } },
    {
      text: 'cat x stdin_add_newline=false strip_empty_ends=no',
      freeForm: 'cmd',
      want: { cmd: 'cat x', stdin_add_newline: 'false', strip_empty_ends: 'no' },
    },
    { text: 'echo {{ a }} {{ b }}', freeForm: 'cmd', want: { cmd: 'echo {{ a }} {{ b }}' } },
  ];
  for (const c of cases) {
    it(`${c.freeForm ? 'free form: ' : ''}${c.text}`, () => {
      expect(parseArgString(c.text, c.freeForm, at)).toEqual(c.want);
    });
  }

  const splits: Array<{ text: string; want: string[] }> = [
    { text: 'a=b c="foo bar"', want: ['a=b', 'c="foo bar"'] },
    { text: 'a={{ x | y }} b', want: ['a={{ x | y }}', 'b'] },
    { text: 'a="one\ntwo" b', want: ['a="one\ntwo"', 'b'] },
  ];
  for (const c of splits) it(`splits ${JSON.stringify(c.text)}`, () => expect(splitArgs(c.text, at)).toEqual(c.want));

  for (const text of ['msg="open', "msg='open", 'msg={{ x']) {
    it(`an unbalanced ${JSON.stringify(text)} is an error at the arguments`, () => {
      expect(() => parseArgString(text, undefined, at)).toThrow(/unbalanced/);
    });
  }

  it('a word that is not key=value is an error for a module without a free form', () => {
    expect(() => parseArgString('dest=/x oops', undefined, at)).toThrow("expected key=value arguments, found 'oops'");
  });

  it('reaches the task: copy content="a\\nb" holds a newline, replace regexp=\'\\b\' a backspace', async () => {
    const pb = await loadText(
      '- hosts: all\n  tasks:\n    - copy: content="a\\nb" dest=/x\n    - replace: path=/x regexp=\'\\b\' replace=y\n    - action: copy content="a  b" dest=/y\n',
    );
    expect(tasksOf(pb.plays[0]!).map((t) => t.args)).toEqual([
      { content: 'a\nb', dest: '/x' },
      { path: '/x', regexp: '\b', replace: 'y' },
      { content: 'a  b', dest: '/y' },
    ]);
  });
});

describe('include_* / import_* in key=value form', () => {
  const files = {
    't.yml': '- { name: from-t, debug: msg=t }\n',
    'roles/r/tasks/main.yml': '- { name: r-main, debug: msg=m }\n',
    'roles/r/tasks/other.yml': '- { name: r-other, debug: msg=o }\n',
  };
  const imports: Array<{ task: string; names: string[] }> = [
    { task: 'import_tasks: file=t.yml', names: ['from-t'] },
    { task: 'import_tasks: t.yml', names: ['from-t'] },
    { task: 'import_role: name=r tasks_from=other', names: ['r-other'] },
    { task: 'import_role: role=r', names: ['r-main'] },
    { task: 'import_role: r', names: ['r-main'] },
  ];
  for (const c of imports) {
    it(c.task, async () => {
      const pb = await loadText(`- hosts: all\n  tasks:\n    - ${c.task}\n`, files);
      expect(tasksOf(pb.plays[0]!).map((t) => t.name)).toEqual(c.names);
    });
  }

  const includes: Array<{ task: string; target: string; from?: Record<string, string> }> = [
    { task: 'include_tasks: file=t.yml', target: 't.yml' },
    { task: 'include_tasks: t.yml', target: 't.yml' },
    { task: 'include_tasks: my tasks.yml', target: 'my tasks.yml' },
    { task: 'include_role: name=r tasks_from=other', target: 'r', from: { tasks: 'other' } },
    { task: 'include_role: name=r vars_from=v defaults_from=d', target: 'r', from: { vars: 'v', defaults: 'd' } },
  ];
  for (const c of includes) {
    it(c.task, async () => {
      const pb = await loadText(`- hosts: all\n  tasks:\n    - ${c.task}\n`, files);
      const inc = pb.plays[0]!.sections.tasks[0]!;
      expect(inc).toMatchObject({ kind: 'include', target: c.target });
      if (c.from) expect(inc.kind === 'include' && inc.from).toMatchObject(c.from);
    });
  }

  const bad: Array<{ task: string; message: RegExp }> = [
    { task: 'include_tasks: file=t.yml bogus=1', message: /Invalid options for include_tasks: bogus/ },
    { task: 'include_role: { name: r, bogus: 1 }', message: /Invalid options for include_role: bogus/ },
    { task: 'import_role: name=r public=true', message: /Invalid options for import_role: public/ },
    { task: 'import_tasks: { file: t.yml, apply: { tags: x } }', message: /Invalid options for import_tasks: apply/ },
  ];
  for (const c of bad) {
    it(`rejects ${c.task}`, async () => {
      const e = await loadError(`- hosts: all\n  tasks:\n    - ${c.task}\n`, files);
      expect(e.message).toMatch(c.message);
      expect(e.source?.line).toBe(3);
    });
  }
});

describe('command with both cmd and argv', () => {
  for (const task of ['command: ls\n      args: { argv: [ls] }', 'command: { cmd: ls, argv: [ls] }']) {
    it(`is a load-time error saying so: ${task.split('\n')[0]}`, async () => {
      const e = await loadError(`- hosts: all\n  tasks:\n    - ${task}\n`);
      expect(e.message).toBe("module 'command' takes 'cmd' or 'argv', not both");
      expect(e.hint).toMatch(/only command or argv can be given, not both/);
      expect(e.source?.line).toBe(3);
    });
  }
});
