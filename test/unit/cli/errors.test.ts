/**
 * How the CLI tells errors (docs/reliability.md): a user or target error in
 * its own words with its code, position and hint, never a stack trace (not
 * even with -vvv); a bug is one "internal error" line plus where to get the
 * stack, and only -vvv prints the stack. The same inside a task's result.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verbosityOf, withAnsibleNames } from '../../../src/cli/main.js';
import { BosunError, TargetError } from '../../../src/errors.js';
import { moduleRegistry } from '../../../src/modules/index.js';
import { runCli as bosun } from '../../helpers/cli.js';

const control = vi.hoisted((): { throwAtTop: Error | undefined } => ({ throwAtTop: undefined }));

// runPlaybooks throws what a test puts in control.throwAtTop (the top level of the CLI); otherwise it runs.
vi.mock(import('../../../src/executor/run.js'), async (importOriginal) => {
  const orig = await importOriginal();
  return {
    ...orig,
    runPlaybooks: async (o: Parameters<typeof orig.runPlaybooks>[0]) => {
      if (control.throwAtTop !== undefined) throw control.throwAtTop;
      return orig.runPlaybooks(o);
    },
  };
});

const STACK_LINE = /^\s+at .+[:(]/m;

function project(tasks: string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-cli-errors-'));
  writeFileSync(path.join(dir, 'hosts'), 'localhost ansible_connection=local\n');
  writeFileSync(
    path.join(dir, 'site.yml'),
    ['- hosts: all', '  gather_facts: false', '  tasks:', ...tasks, ''].join('\n'),
  );
  return ['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts')];
}

afterEach(() => {
  control.throwAtTop = undefined;
  vi.restoreAllMocks();
});

describe('errors at the top level of the CLI', () => {
  const bug = (): TypeError => new TypeError("Cannot read properties of undefined (reading 'hosts')");

  it('a bug without -vvv: one "internal error" line and "run with -vvv for the stack", no stack', async () => {
    control.throwAtTop = bug();
    const r = await bosun(project(['    - debug: { msg: hi }']));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "internal error: Cannot read properties of undefined (reading 'hosts')\nthis is a bug in bosun; run with -vvv for the stack trace\n",
    );
    expect(r.err).not.toMatch(STACK_LINE);
  });

  it.each([['-vvv'], ['-v -v -v'], ['-vv --verbose']])('a bug with %s: the stack', async (flags) => {
    control.throwAtTop = bug();
    const r = await bosun([...project(['    - debug: { msg: hi }']), ...flags.split(' ')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^internal error: Cannot read properties of undefined/);
    expect(r.err).toMatch(STACK_LINE);
  });

  it('a user error with -vvv: code, message and hint, no stack', async () => {
    control.throwAtTop = new BosunError('INVENTORY', 'no hosts in the inventory', { hint: 'give -i FILE' });
    const r = await bosun([...project(['    - debug: { msg: hi }']), '-vvv']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('ERROR [INVENTORY] no hosts in the inventory\nhint: give -i FILE\n');
  });

  it('a positioned user error with -vvv: file:line:col, the line, the caret; no stack', async () => {
    const args = project(['    - debug: { msg: "{{ nope }}" }', '      when: "{{"']);
    const r = await bosun([...args, '-vvv']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^ERROR \[TEMPLATE_SYNTAX\] .*site\.yml:5:\d+: /);
    expect(r.err).toMatch(/\n {2}5 \| {7}when: "\{\{"\n {4}\| +\^\nhint: /);
    expect(r.err).not.toMatch(STACK_LINE);
  });

  it('an operating-system error of the controller (ELOOP) is a user error, not an internal one, and has no stack with -vvv', async () => {
    control.throwAtTop = Object.assign(
      new Error("ELOOP: too many symbolic links encountered, stat '/srv/files/loop'"),
      { code: 'ELOOP', errno: -40, syscall: 'stat', path: '/srv/files/loop' },
    );
    const r = await bosun([...project(['    - debug: { msg: hi }']), '-vvv']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^ERROR \[CONTROLLER_FILE\] cannot stat \/srv\/files\/loop on the controller: too many levels of symbolic links \(a symlink loop\) \(ELOOP\)\nhint: /,
    );
    expect(r.err).not.toMatch(/internal error/);
    expect(r.err).not.toMatch(STACK_LINE);
  });

  it('a BAD_OPTION error exits 5', async () => {
    control.throwAtTop = new BosunError('BAD_OPTION', '--forks must be at least 1');
    expect((await bosun(project(['    - debug: { msg: hi }']))).code).toBe(5);
  });

  it.each([
    [['run', 'x.yml'], 0],
    [['run', '-v'], 1],
    [['run', '-vvv'], 3],
    [['-v', 'run', '-vv'], 3],
    [['run', '--verbose', '--verbose'], 2],
    [['run', '--', '-vvv'], 0],
    [['run', '-vfoo'], 0],
  ])('verbosityOf(%j) is %i', (argv, n) => {
    expect(verbosityOf(argv)).toBe(n);
  });
});

describe('errors inside a task', () => {
  it('a bug in a module: failed with "internal error", the stack only with -vvv', async () => {
    vi.spyOn(moduleRegistry.get('debug')!, 'decide').mockImplementation(() => {
      throw new TypeError('x is not a function');
    });
    const args = project(['    - debug: { msg: hi }']);
    const plain = await bosun(args);
    expect(plain.code).toBe(2);
    expect(plain.out).toContain(
      'An exception occurred during task execution. To see the full traceback, use -vvv. The error was: internal error: x is not a function',
    );
    expect(plain.out).toContain(
      'fatal: [localhost]: FAILED! => {"changed": false, "msg": "internal error: x is not a function"}',
    );
    expect(plain.out).not.toMatch(STACK_LINE);
    expect(plain.out).not.toContain('"exception"');

    const verbose = await bosun([...args, '-vvv']);
    expect(verbose.out).toContain('The full traceback is:\nTypeError: x is not a function');
    expect(verbose.out).toMatch(STACK_LINE);
  });

  it('a target error in a module: its message and hint, no "internal error", no stack with -vvv', async () => {
    vi.spyOn(moduleRegistry.get('debug')!, 'decide').mockImplementation(() => {
      throw new TargetError('cannot write /root/x: Permission denied', { hint: 'become a user that may write there' });
    });
    const r = await bosun([...project(['    - debug: { msg: hi }']), '-vvv']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('"msg": "cannot write /root/x: Permission denied"');
    expect(r.out).toContain('hint: become a user that may write there');
    expect(r.out).not.toMatch(/internal error|exception occurred|traceback/);
    expect(r.out).not.toMatch(STACK_LINE);
  });

  it('an operating-system error in a module (EACCES) fails the task in words, not as an internal error', async () => {
    vi.spyOn(moduleRegistry.get('debug')!, 'decide').mockImplementation(() => {
      throw Object.assign(new Error("EACCES: permission denied, open '/srv/secret.j2'"), {
        code: 'EACCES',
        errno: -13,
        syscall: 'open',
        path: '/srv/secret.j2',
      });
    });
    const r = await bosun([...project(['    - debug: { msg: hi }']), '-vvv']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('"msg": "cannot open /srv/secret.j2 on the controller: permission denied (EACCES)"');
    expect(r.out).not.toMatch(/internal error|exception occurred|traceback/);
    expect(r.out).not.toMatch(STACK_LINE);
  });
});

describe("ansible-playbook's second long option names", () => {
  it.each([
    [
      ['run', 'p.yml', '--key-file', 'k'],
      ['run', 'p.yml', '--private-key', 'k'],
    ],
    [
      ['run', 'p.yml', '--key-file=k=1'],
      ['run', 'p.yml', '--private-key=k=1'],
    ],
    [
      ['run', '--inventory-file', 'h.ini', 'p.yml'],
      ['run', '--inventory', 'h.ini', 'p.yml'],
    ],
    [
      ['run', '--ask-vault-password', '--vault-pass-file', 'f'],
      ['run', '--ask-vault-pass', '--vault-password-file', 'f'],
    ],
    [
      ['run', 'p.yml', '--', '--key-file'],
      ['run', 'p.yml', '--', '--key-file'],
    ],
    [
      ['run', '--key-files', 'x'],
      ['run', '--key-files', 'x'],
    ],
  ])('%j is read as %j', (argv, want) => {
    expect(withAnsibleNames(argv)).toEqual(want);
  });
});
