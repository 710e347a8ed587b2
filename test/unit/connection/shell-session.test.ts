import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SESSION_PRELUDE,
  ShellClosedError,
  ShellSession,
  type ShellSessionOptions,
} from '../../../src/connection/shell-session.js';
import { InterruptedError, OutputLimitError } from '../../../src/errors.js';

const children: ChildProcess[] = [];

/** A ShellSession over a fresh local `sh`, killed after each test. */
async function session(opts: ShellSessionOptions = {}): Promise<{ s: ShellSession; child: ChildProcess }> {
  const child = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const s = new ShellSession(
    { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr },
    () => child.kill('SIGKILL'),
    opts,
  );
  child.on('exit', (code, signal) => s.fail(`shell exited (${signal ?? code})`));
  await s.prepare(SESSION_PRELUDE);
  return { s, child };
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('ShellSession framing over a local sh', () => {
  it('keeps output without a trailing newline exact', async () => {
    const { s } = await session();
    expect(await s.exec("printf 'no newline'")).toEqual({ rc: 0, stdout: 'no newline', stderr: '' });
    expect(await s.exec("printf 'two\\n\\n'")).toEqual({ rc: 0, stdout: 'two\n\n', stderr: '' });
    expect(await s.exec('true')).toEqual({ rc: 0, stdout: '', stderr: '' });
  });

  it('passes binary-ish output (NUL, control bytes, invalid UTF-8) through', async () => {
    const { s } = await session();
    const r = await s.exec("printf 'a\\000b\\001\\033[0m\\377z'");
    expect(r.rc).toBe(0);
    expect(r.stdout.slice(0, 8)).toBe('a\0b\x01\x1b[0m');
    expect(r.stdout.endsWith('\ufffdz')).toBe(true);
  });

  it('reports the code of `exit 3` and keeps the session usable', async () => {
    const { s } = await session();
    expect(await s.exec('echo before; exit 3')).toEqual({ rc: 3, stdout: 'before\n', stderr: '' });
    expect((await s.exec('echo still here')).stdout).toBe('still here\n');
  });

  it('survives a syntax error', async () => {
    const { s } = await session();
    const r = await s.exec('if then fi (');
    expect(r.rc).not.toBe(0);
    expect(r.stderr).toMatch(/syntax|unexpected/i);
    expect((await s.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('runs a read-only script in the shell itself, with its code, and leaves "$@" empty', async () => {
    const { s } = await session();
    // Proof that it ran in the shell: a variable it sets is still there for the next command (which is
    // why a read-only script must not set any), while a subshell's is gone.
    await s.exec('bosun_probe_a=sub');
    await s.exec('bosun_probe_b=own', { readOnly: true });
    expect((await s.exec('echo "${bosun_probe_a:-gone} ${bosun_probe_b:-gone}"')).stdout).toBe('gone own\n');
    expect(await s.exec('set -- x y z; printf \'%s\' "$#"; false', { readOnly: true })).toEqual({
      rc: 1,
      stdout: '3',
      stderr: '',
    });
    expect((await s.exec('echo "$#"')).stdout).toBe('0\n');
    expect((await s.exec('echo "$#"', { readOnly: true })).stdout).toBe('0\n');
    expect(await s.exec("printf 'no newline'", { readOnly: true })).toEqual({
      rc: 0,
      stdout: 'no newline',
      stderr: '',
    });
  });

  it('separates stderr-only output', async () => {
    const { s } = await session();
    expect(await s.exec('echo oops >&2; exit 1')).toEqual({ rc: 1, stdout: '', stderr: 'oops\n' });
  });

  it('carries 5 MB of output', async () => {
    const { s } = await session();
    const r = await s.exec("head -c 5242880 /dev/zero | tr '\\000' x; echo; echo tail >&2");
    expect(r.stdout.length).toBe(5 * 1024 * 1024 + 1);
    expect(r.stdout.slice(0, 3)).toBe('xxx');
    expect(r.stderr).toBe('tail\n');
  });

  it('runs 200 commands in a row, and concurrent calls in order', async () => {
    const { s } = await session();
    for (let i = 0; i < 200; i++) expect((await s.exec(`echo ${i}`)).stdout).toBe(`${i}\n`);
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => s.exec(`echo ${i}; echo e${i} >&2`)));
    expect(all.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    expect(all.map((r) => r.stderr)).toEqual(Array.from({ length: 20 }, (_, i) => `e${i}\n`));
  });

  it('gives a command that reads stdin an immediate EOF, not the next command', async () => {
    const { s } = await session();
    const reading = s.exec('cat; echo "read done $?"');
    const next = s.exec('echo next');
    expect(await reading).toEqual({ rc: 0, stdout: 'read done 0\n', stderr: '' });
    expect((await next).stdout).toBe('next\n');
  });

  it('runs each command in a subshell (cd and exports do not leak), the prelude in the shell itself', async () => {
    const { s } = await session();
    await s.exec('cd /tmp; export FOO=1');
    expect((await s.exec('echo "$PWD ${FOO:-unset} $LC_ALL"')).stdout).toBe(`${process.cwd()} unset C\n`);
    await s.prepare('BAR=kept');
    expect((await s.exec('echo "$BAR"')).stdout).toBe('kept\n');
  });

  it('quotes scripts with quotes and boundary-like text', async () => {
    const { s } = await session();
    const r = await s.exec(`printf '%s\\n' "it's" '"q"' '__BOSUN_x_1:0'`);
    expect(r.stdout).toBe(`it's\n"q"\n__BOSUN_x_1:0\n`);
  });

  it('breaks the session on a timeout, and later commands fail', async () => {
    const { s, child } = await session();
    const exited = new Promise((r) => child.once('exit', r));
    await expect(s.exec('sleep 5', { timeoutMs: 100 })).rejects.toThrow(ShellClosedError);
    await expect(s.exec('echo x')).rejects.toThrow(/timed out/);
    await exited;
    expect(s.closed).toBe(true);
  });

  it('fails the running command when the shell dies', async () => {
    const { s } = await session();
    await expect(s.exec('kill -9 $$; sleep 5')).rejects.toThrow(/shell exited/);
  });

  it('is busy while a command runs; once interrupting, the shell killed under it fails it with that error', async () => {
    const { s, child } = await session();
    expect(s.busy).toBe(false);
    const running = s.exec('sleep 5').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.busy).toBe(true);
    const stopped = new InterruptedError('the run was interrupted (Ctrl-C); the command was killed on the target');
    s.interrupting(stopped);
    child.kill('SIGKILL');
    expect(await running).toBe(stopped);
    expect(s.busy).toBe(false);
    // Later commands fail as a closed session.
    await expect(s.exec('true')).rejects.toBeInstanceOf(ShellClosedError);
  });
});

describe('ShellSession output limit', () => {
  it('stops a command that writes more than the limit and never ends, with the limit and what was seen', async () => {
    const { s, child } = await session({ maxOutputBytes: 100_000 });
    const exited = new Promise((r) => child.once('exit', r));
    const e = await s.exec('yes').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(OutputLimitError);
    const limit = e as OutputLimitError;
    expect(limit.code).toBe('OUTPUT_LIMIT');
    expect(limit.details).toMatchObject({ stream: 'stdout', limit: 100_000, finished: false });
    expect(limit.details.seen).toBeGreaterThan(100_000);
    expect(limit.message).toMatch(/more than the 0\.1 MiB .* to stdout \(\d+ bytes read so far\): it was stopped/);
    expect(limit.hint).toMatch(/--max-output MIB .*BOSUN_MAX_OUTPUT=MIB.*> \/tmp\/out\.log/);
    await exited;
    expect(s.closed).toBe(true);
  });

  it('limits stderr too', async () => {
    const { s } = await session({ maxOutputBytes: 50_000 });
    await expect(s.exec('yes >&2')).rejects.toMatchObject({ details: { stream: 'stderr', finished: false } });
  });

  it('takes output up to the limit whole', async () => {
    const { s } = await session({ maxOutputBytes: 300_000 });
    const r = await s.exec("head -c 300000 /dev/zero | tr '\\000' x");
    expect(r.stdout.length).toBe(300_000);
  });

  it('fails a command that ended with more than the limit in one chunk, and the session stays usable', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let sent = '';
    stdin.on('data', (d: Buffer) => (sent += d.toString()));
    const s = new ShellSession({ stdin, stdout, stderr }, () => undefined, { maxOutputBytes: 10 });
    const running = s.exec('x');
    await new Promise((r) => setImmediate(r));
    const marker = /__BOSUN_[0-9a-f]+_1/.exec(sent)![0];
    stdout.write(`${'y'.repeat(11)}\n${marker}:0\n`);
    stderr.write(`\n${marker}\n`);
    await expect(running).rejects.toMatchObject({
      code: 'OUTPUT_LIMIT',
      details: { stream: 'stdout', seen: 11, finished: true },
    });
    const next = s.exec('y');
    await new Promise((r) => setImmediate(r));
    const marker2 = /__BOSUN_[0-9a-f]+_2/.exec(sent)![0];
    stdout.write(`ok\n${marker2}:0\n`);
    stderr.write(`\n${marker2}\n`);
    expect(await next).toEqual({ rc: 0, stdout: 'ok', stderr: '' });
  });
});
