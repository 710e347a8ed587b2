/**
 * The error family (src/errors.ts): one base with a stable code, position
 * and hint; target, command, connection, become, argument and vault errors
 * under it; the controller's operating-system errors turned into user
 * errors; formatError's excerpt and caret.
 */
import { promises as fs, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BecomeError as BecomeErrorFromBecome } from '../../src/connection/become.js';
import { ShellClosedError as ShellClosedFromSession } from '../../src/connection/shell-session.js';
import {
  ConnectionError as ConnectionErrorFromTypes,
  HostKeyError as HostKeyErrorFromTypes,
} from '../../src/connection/types.js';
import {
  BecomeError,
  BosunError,
  ConnectionError,
  controllerFileError,
  explainExitCode,
  firstNonUtf8,
  formatError,
  formatInternalError,
  HostKeyError,
  InterruptedError,
  isBosunError,
  isSystemError,
  ModuleArgError,
  rememberSource,
  RemoteCommandError,
  ShellClosedError,
  TargetError,
  toBosunError,
  VaultFormatError,
} from '../../src/errors.js';
import { ModuleArgError as ModuleArgErrorFromAttrs } from '../../src/modules/lib/attrs.js';
import { RemoteFailure } from '../../src/modules/lib/remote-file.js';
import { VaultFormatError as VaultFormatErrorFromVault } from '../../src/vault/format.js';

describe('the error family', () => {
  const command = { command: 'frobnicate --all', rc: 127, stdout: '', stderr: 'sh: 1: frobnicate: not found\n' };
  const members: Array<[string, BosunError, string, Array<abstract new (...a: never[]) => unknown>]> = [
    [
      'TargetError',
      new TargetError('cannot write /etc/x: Permission denied', { host: 'web1' }),
      'TARGET',
      [TargetError, BosunError],
    ],
    [
      'RemoteCommandError',
      new RemoteCommandError('cannot run it', command, { host: 'web1', task: 'go' }),
      'REMOTE_COMMAND',
      [RemoteCommandError, TargetError, BosunError],
    ],
    ['ConnectionError', new ConnectionError('web1', 'connection refused'), 'CONNECTION', [ConnectionError, BosunError]],
    [
      'HostKeyError',
      new HostKeyError('web1', 'changed key', 'mismatch', 'SHA256:x'),
      'HOST_KEY',
      [HostKeyError, ConnectionError, BosunError],
    ],
    [
      'ShellClosedError',
      new ShellClosedError('the remote shell ended'),
      'CONNECTION',
      [ShellClosedError, ConnectionError, BosunError],
    ],
    [
      'InterruptedError',
      new InterruptedError('the run was interrupted (Ctrl-C); the command was killed on the target'),
      'INTERRUPTED',
      [InterruptedError, BosunError],
    ],
    [
      'BecomeError',
      new BecomeError('web1', 'sudo needs a password', 'give it with -K'),
      'BECOME',
      [BecomeError, BosunError],
    ],
    [
      'ModuleArgError',
      new ModuleArgError("mode 'preserve' is only valid for copy and template"),
      'MODULE_ARGS',
      [ModuleArgError, BosunError],
    ],
    ['VaultFormatError', new VaultFormatError('secret', 'Decryption failed'), 'VAULT', [VaultFormatError, BosunError]],
  ];
  it.each(members)('%s is a BosunError with the stable code', (name, err, code, classes) => {
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(isBosunError(err)).toBe(true);
    for (const c of classes) expect(err).toBeInstanceOf(c);
    expect(err).toBeInstanceOf(Error);
  });

  it('the old names and places are the same classes', () => {
    expect(RemoteFailure).toBe(TargetError);
    expect(ModuleArgErrorFromAttrs).toBe(ModuleArgError);
    expect(ConnectionErrorFromTypes).toBe(ConnectionError);
    expect(HostKeyErrorFromTypes).toBe(HostKeyError);
    expect(BecomeErrorFromBecome).toBe(BecomeError);
    expect(ShellClosedFromSession).toBe(ShellClosedError);
    expect(VaultFormatErrorFromVault).toBe(VaultFormatError);
  });

  it('a target error is not a connection error (the host stays reachable), a become error neither', () => {
    expect(new TargetError('x')).not.toBeInstanceOf(ConnectionError);
    expect(new BecomeError('h', 'x')).not.toBeInstanceOf(ConnectionError);
    expect(new BecomeError('h', 'x')).not.toBeInstanceOf(TargetError);
    // An interrupted command's host is failed, not unreachable.
    expect(new InterruptedError('x')).not.toBeInstanceOf(ConnectionError);
  });

  it('keeps host, task, cause and hint', () => {
    const cause = new Error('root cause');
    const e = new TargetError('cannot write', { host: 'web1', task: 'copy it', hint: 'check the mode', cause });
    expect(e).toMatchObject({ host: 'web1', task: 'copy it', hint: 'check the mode' });
    expect(e.cause).toBe(cause);
    expect(new ConnectionError('db1', 'refused', { cause }).cause).toBe(cause);
  });
});

describe('RemoteCommandError', () => {
  const explained: Array<[number, string | undefined, RegExp | undefined]> = [
    [127, undefined, /command not found on the target/],
    [126, undefined, /not executable/],
    [124, undefined, /timed out/],
    [137, undefined, /killed \(SIGKILL/],
    [143, undefined, /terminated \(SIGTERM\)/],
    [130, undefined, /interrupted/],
    [129, undefined, /ended by SIGHUP/],
    [1, undefined, undefined],
    [2, undefined, undefined],
    [0, 'SIGKILL', /ended by SIGKILL/],
  ];
  it.each(explained)('explains rc %i (signal %s)', (rc, signal, words) => {
    const got = explainExitCode(rc, signal);
    if (words) expect(got).toMatch(words);
    else expect(got).toBeUndefined();
  });

  it('carries host, task, command, rc, signal, stdout and stderr, and says what 127 means', () => {
    const e = new RemoteCommandError(
      'cannot enable the unit',
      { command: 'systemctl enable x', rc: 127, stdout: 'out', stderr: 'sh: systemctl: not found\n' },
      { host: 'web1', task: 'enable' },
    );
    expect(e).toMatchObject({
      host: 'web1',
      task: 'enable',
      command: 'systemctl enable x',
      rc: 127,
      signal: undefined,
      stdout: 'out',
      stderr: 'sh: systemctl: not found\n',
    });
    expect(e.message).toBe(
      'cannot enable the unit: sh: systemctl: not found (rc 127: command not found on the target)',
    );
    expect(e.explanation).toBe('command not found on the target');
    expect(e.hint).toMatch(/install it on the target/);
  });

  it('an ordinary failure quotes the last lines of stderr; without stderr the rc', () => {
    expect(
      new RemoteCommandError('cannot x', { command: 'x', rc: 1, stdout: '', stderr: 'a\nb\nc\nd\n' }).message,
    ).toBe('cannot x: b / c / d');
    expect(new RemoteCommandError('cannot x', { command: 'x', rc: 3, stdout: '', stderr: '' }).message).toBe(
      'cannot x: rc 3',
    );
    expect(new RemoteCommandError('cannot x', { command: 'x', rc: 137, stdout: '', stderr: '' }).message).toMatch(
      /^cannot x: rc 137: killed/,
    );
  });
});

describe('operating-system errors on the controller', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-errors-'));
  mkdirSync(path.join(dir, 'folder'));
  writeFileSync(path.join(dir, 'file'), 'x');
  symlinkSync('self', path.join(dir, 'self'));
  const cases: Array<[string, () => Promise<unknown>, string, string, RegExp]> = [
    [
      'ELOOP',
      () => fs.stat(path.join(dir, 'self')),
      'ELOOP',
      'CONTROLLER_FILE',
      /cannot stat .*\/self on the controller: too many levels of symbolic links \(a symlink loop\) \(ELOOP\)/,
    ],
    [
      'ENOENT',
      () => fs.readFile(path.join(dir, 'missing')),
      'ENOENT',
      'FILE_NOT_FOUND',
      /cannot open .*\/missing on the controller: no such file or folder \(ENOENT\)/,
    ],
    [
      'EISDIR',
      () => fs.readFile(path.join(dir, 'folder')),
      'EISDIR',
      'CONTROLLER_FILE',
      /on the controller: it is a folder, not a file \(EISDIR\)/,
    ],
    [
      'ENOTDIR',
      () => fs.readFile(path.join(dir, 'file', 'x')),
      'ENOTDIR',
      'CONTROLLER_FILE',
      /cannot open .*\/file\/x on the controller: a part of the path is not a folder \(ENOTDIR\)/,
    ],
    [
      'EEXIST',
      () => fs.mkdir(path.join(dir, 'file')),
      'EEXIST',
      'CONTROLLER_FILE',
      /cannot create the folder .*\/file on the controller: it already exists \(EEXIST\)/,
    ],
  ];
  it.each(cases)(
    '%s from a real fs call becomes a BosunError naming the path',
    async (_name, call, errno, code, message) => {
      const e = await call().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isSystemError(e)).toBe(true);
      expect((e as NodeJS.ErrnoException).code).toBe(errno);
      const b = toBosunError(e)!;
      expect(b).toBeInstanceOf(BosunError);
      expect(b.code).toBe(code);
      expect(b.message).toMatch(message);
      expect(b.cause).toBe(e);
    },
  );

  it('EACCES says permission denied and what to check', () => {
    const e = Object.assign(new Error("EACCES: permission denied, open '/srv/secret'"), {
      code: 'EACCES',
      syscall: 'open',
      path: '/srv/secret',
      errno: -13,
    });
    const b = controllerFileError(e, 'cannot read the template secret.j2');
    expect(b.message).toBe('cannot read the template secret.j2 on the controller: permission denied (EACCES)');
    expect(b.hint).toMatch(/permissions/);
  });

  it('a BosunError stays itself; a bug is not turned into a user error', () => {
    const own = new BosunError('SCHEMA', 'x');
    expect(toBosunError(own)).toBe(own);
    expect(toBosunError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeUndefined();
    expect(toBosunError(Object.assign(new Error('odd'), { code: 'ERR_SOMETHING' }))).toBeUndefined();
    expect(toBosunError('a string')).toBeUndefined();
  });
});

describe('firstNonUtf8', () => {
  it.each([
    ['plain ascii', Buffer.from('hello\nworld\n'), undefined],
    ['utf-8 accents and emoji', Buffer.from('café 🚀\n', 'utf8'), undefined],
    ['latin-1 é on line 2', Buffer.from([0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]), { line: 2, col: 4, byte: 0xe9 }],
    [
      'a cut sequence at the end',
      Buffer.concat([Buffer.from('ok '), Buffer.from([0xe2, 0x82])]),
      { line: 1, col: 4, byte: 0xe2 },
    ],
    ['an overlong slash', Buffer.from([0x41, 0xc0, 0xaf]), { line: 1, col: 2, byte: 0xc0 }],
  ])('%s', (_name, data, where) => {
    expect(firstNonUtf8(data)).toEqual(where);
  });
});

describe('formatError', () => {
  it('shows file:line:col, the offending line with a caret under the column, and the hint', () => {
    rememberSource('/p/site.yml', '- hosts: all\n  tasks:\n    - debug: { msg: "{{ nope }}" }\n');
    const e = new BosunError('UNDEFINED_VAR', "undefined variable 'nope'", {
      source: { file: '/p/site.yml', line: 3, col: 24 },
      hint: 'define it in vars:',
    });
    expect(formatError(e)).toBe(
      [
        "ERROR [UNDEFINED_VAR] /p/site.yml:3:24: undefined variable 'nope'",
        '  3 |     - debug: { msg: "{{ nope }}" }',
        '    |                        ^',
        'hint: define it in vars:',
      ].join('\n'),
    );
  });

  it('without a position: the code, the message and the hint', () => {
    const e = new RemoteCommandError(
      'cannot run x',
      { command: 'x', rc: 127, stdout: '', stderr: '' },
      { host: 'web1' },
    );
    expect(formatError(e)).toBe(
      'ERROR [REMOTE_COMMAND] cannot run x: rc 127: command not found on the target\nhint: install it on the target, or give its full path (a non-interactive shell has a short PATH)',
    );
  });
});

describe('formatInternalError', () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
  it('is one line and where to get the stack, without -vvv', () => {
    expect(formatInternalError(bug, false)).toBe(
      "internal error: Cannot read properties of undefined (reading 'x')\nthis is a bug in bosun; run with -vvv for the stack trace",
    );
  });
  it('has the stack with -vvv', () => {
    expect(formatInternalError(bug, true)).toContain(bug.stack!);
  });
});

describe('RemoteCommandError quoting stderr', () => {
  it.each([
    ['/bin/sh: 1: eval: cannot create /root/x: Permission denied', 'cannot create /root/x: Permission denied'],
    ['sh: 1: cannot open /etc/shadow: Permission denied', 'cannot open /etc/shadow: Permission denied'],
    ['bash: line 1: /root/x: Permission denied', '/root/x: Permission denied'],
    [
      'mkdir: cannot create directory ‘/root/d’: Permission denied',
      'mkdir: cannot create directory ‘/root/d’: Permission denied',
    ],
  ])('%s', (stderr, shown) => {
    const e = new RemoteCommandError('cannot write /root/x', {
      command: 'x',
      rc: 2,
      stdout: '',
      stderr: `${stderr}\n`,
    });
    expect(e.message).toBe(`cannot write /root/x: ${shown}`);
    expect(e.stderr).toBe(`${stderr}\n`);
  });
});
