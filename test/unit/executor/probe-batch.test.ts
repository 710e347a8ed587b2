/**
 * The probe batcher (src/executor/probe-batch.ts): probes sent together split back into the answers each gets
 * alone (run by a real sh), kept answers taken once and voided by anything that may change a target, and a
 * live probe never failing for a batch's sake. The connection is a local sh behind a counting wrapper.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connection, ExecResult, StatProbe } from '../../../src/connection/types.js';
import {
  combinedScript,
  mutating,
  ProbeBatcher,
  splitCombined,
  type Participant,
} from '../../../src/executor/probe-batch.js';
import { SLOW_PROBE_MS } from '../../../src/executor/speculation.js';
import { statProbeScript } from '../../../src/modules/lib/stat-batch.js';

function sh(script: string): ExecResult {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  return { rc: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A connection running scripts in a local sh, counting them; `failOver` makes scripts longer than it fail. */
function localConn(failOver = Infinity): Connection & { scripts: string[] } {
  const scripts: string[] = [];
  return {
    scripts,
    spec: { name: 'h' } as Connection['spec'],
    connect: async () => {},
    exec: (script: string) => {
      scripts.push(script);
      if (script.length > failOver) return Promise.reject(new Error('output over the limit'));
      return Promise.resolve(sh(script));
    },
    writeFile: async () => {},
    readFile: () => Promise.resolve(null),
    close: async () => {},
  };
}

const PROBES = [
  { script: 'printf "no newline"', readOnly: true },
  { script: 'echo out; echo err >&2; false', readOnly: true },
  { script: 'x=1; echo "$x"; exit 3', readOnly: false },
  { script: 'set -- a b; echo "$#"', readOnly: true },
  { script: 'echo "$#"; printf "\\n\\n"', readOnly: true },
];

describe('probes sent together', () => {
  it('split into the answers each probe gets alone', () => {
    const combined = sh(combinedScript(PROBES, 'bosun_ptest'));
    const split = splitCombined(combined, PROBES.length, 'bosun_ptest');
    // Each alone, as the session runs it: `$@` empty, in the shell or a subshell.
    expect(split).toEqual(PROBES.map((p) => sh(p.script)));
  });

  it('a frame missing is no answer', () => {
    const combined = sh(combinedScript(PROBES.slice(0, 2), 'bosun_ptest'));
    expect(splitCombined(combined, 3, 'bosun_ptest')).toBeUndefined();
  });

  it('a live probe waits for the speculated ones and goes with them in one command; kept answers are taken once', async () => {
    const conn = localConn();
    const b = new ProbeBatcher(conn);
    const who: Participant = { waiting: false, ended: false };
    const other: Participant = { waiting: false, ended: false };
    b.join(who);
    b.join(other);
    const spec = b.exec('echo later', { readOnly: true }, who);
    const live = b.exec('echo now', { readOnly: true });
    // `other` is still working: nothing is sent until it waits too (or ends).
    await new Promise((r) => setImmediate(r));
    expect(conn.scripts).toHaveLength(0);
    const spec2 = b.exec('echo later2', { readOnly: true }, other);
    expect((await live).stdout).toBe('now\n');
    expect((await spec).stdout).toBe('later\n');
    expect((await spec2).stdout).toBe('later2\n');
    expect(conn.scripts).toHaveLength(1);
    b.leave(who);
    b.leave(other);
    // The later task takes the kept answer without a command; a second ask goes to the target.
    expect((await b.exec('echo later', { readOnly: true })).stdout).toBe('later\n');
    expect(conn.scripts).toHaveLength(1);
    await b.exec('echo later', { readOnly: true });
    expect(conn.scripts).toHaveLength(2);
  });

  it('anything that may change a target voids the kept answers', async () => {
    const conn = localConn();
    const b = new ProbeBatcher(conn);
    const who: Participant = { waiting: false, ended: false };
    b.join(who);
    await b.exec('echo kept', { readOnly: true }, who);
    b.leave(who);
    expect(b.hasKept('echo kept', { readOnly: true })).toBe(true);
    await mutating(() => Promise.resolve());
    expect(b.hasKept('echo kept', { readOnly: true })).toBe(false);
    await b.exec('echo kept', { readOnly: true });
    expect(conn.scripts).toHaveLength(2);
  });

  it('an answer sent while a change was under way is not kept', async () => {
    const conn = localConn();
    const b = new ProbeBatcher(conn);
    const who: Participant = { waiting: false, ended: false };
    b.join(who);
    let release!: () => void;
    const change = mutating(() => new Promise<void>((r) => (release = r)));
    await b.exec('echo during', { readOnly: true }, who);
    // Not even while the change is still under way (its answer may show half of it).
    expect(b.hasKept('echo during', { readOnly: true })).toBe(false);
    release();
    await change;
    b.leave(who);
    expect(b.hasKept('echo during', { readOnly: true })).toBe(false);
  });

  it("a live probe in a batch that failed gets its own answer (the batch's failure is not its own)", async () => {
    const conn = localConn(60);
    const b = new ProbeBatcher(conn);
    const who: Participant = { waiting: false, ended: false };
    b.join(who);
    const spec = b.exec('echo a long speculated probe', { readOnly: true }, who);
    const live = b.exec('echo live', { readOnly: true });
    await expect(spec).rejects.toThrow('over the limit');
    expect((await live).stdout).toBe('live\n');
    b.leave(who);
  });
});

describe('the link speed a batcher measured (speculation only where round trips are slow)', () => {
  /** A connection answering every script after `ms`. */
  const slowConn = (ms: number): Connection => ({
    ...localConn(),
    exec: (script: string) => new Promise((resolve) => setTimeout(() => resolve(sh(script)), ms)),
  });

  it('is 0 before the first probe, then the quickest answer seen', async () => {
    const fast = new ProbeBatcher(localConn());
    expect(fast.fastestProbeMs).toBe(0);
    await fast.exec('true', { readOnly: true });
    expect(fast.fastestProbeMs).toBeGreaterThan(0);
    const slow = new ProbeBatcher(slowConn(60));
    await slow.exec('true', { readOnly: true });
    await slow.exec('echo x', { readOnly: true });
    // Timers fire no earlier than asked: at least 60 ms for each answer, whatever the machine's load.
    expect(slow.fastestProbeMs).toBeGreaterThanOrEqual(55);
    expect(slow.fastestProbeMs).toBeGreaterThanOrEqual(SLOW_PROBE_MS);
  });

  it('a failed probe measures nothing', async () => {
    const b = new ProbeBatcher({ ...localConn(), exec: () => Promise.reject(new Error('gone')) });
    await expect(b.exec('true', { readOnly: true })).rejects.toThrow('gone');
    expect(b.fastestProbeMs).toBe(0);
  });
});

describe('stat probes sent together share their processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-probe-merge-'));
  writeFileSync(join(dir, 'a'), 'a\n');
  writeFileSync(join(dir, 'b'), 'b\n');
  mkdirSync(join(dir, 'd'));
  symlinkSync('a', join(dir, 'l'));
  // An atime ahead of mtime and ctime: the checksums' reads do not move it (relatime), so two stats compare.
  const now = Date.now() / 1000;
  for (const f of ['a', 'b']) utimesSync(join(dir, f), now + 60, now - 60);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const probes: StatProbe[] = [
    { paths: [join(dir, 'a'), dir], opts: { checksum: 'sha1', follow: true } },
    { paths: [join(dir, 'd')], opts: {} },
    { paths: [join(dir, 'b'), dir], opts: { checksum: 'sha1', follow: true } },
    { paths: [join(dir, 'l')], opts: { resolve: true }, then: { marker: 'bosun-then', script: 'echo after' } },
    { paths: [join(dir, 'absent')], opts: {} },
  ];

  it('one stat, one stat -L and one sha1sum for all of them; each gets the answer it gets alone', async () => {
    const conn = localConn();
    const b = new ProbeBatcher(conn);
    const who: Participant = { waiting: false, ended: false };
    b.join(who);
    const [first, ...rest] = probes;
    const spec = rest.map((p) => b.exec(statProbeScript(p), { readOnly: true, statProbe: p }, who));
    const live = b.exec(statProbeScript(first!), { readOnly: true, statProbe: first! });
    const answers = await Promise.all([live, ...spec]);
    b.leave(who);
    expect(conn.scripts).toHaveLength(1);
    for (const program of ['stat -c', 'stat -L', 'sha1sum']) expect(conn.scripts[0]!.split(program).length - 1).toBe(1);
    expect(answers).toEqual(probes.map((p) => sh(statProbeScript(p))));
    // The kept answers are the merged ones, and go as any other.
    expect(await b.exec(statProbeScript(probes[2]!), { readOnly: true })).toEqual(answers[2]);
    expect(conn.scripts).toHaveLength(1);
  });

  it('a descriptor that is not the script is not merged (the script is what runs)', async () => {
    const conn = localConn();
    const b = new ProbeBatcher(conn);
    const who: Participant = { waiting: false, ended: false };
    b.join(who);
    const lying = { paths: [join(dir, 'b')], opts: {} };
    const spec = b.exec('echo mine', { readOnly: true, statProbe: lying }, who);
    const live = b.exec(statProbeScript(probes[1]!), { readOnly: true, statProbe: probes[1]! });
    expect((await spec).stdout).toBe('mine\n');
    expect(await live).toEqual(sh(statProbeScript(probes[1]!)));
    b.leave(who);
  });

  it('when the merged stat does not add up, a live probe gets its own answer', async () => {
    const conn = localConn();
    const broken: Connection = {
      ...conn,
      exec: async (script, opts) => {
        const r = await conn.exec(script, opts);
        return conn.scripts.length === 1 ? { ...r, stdout: r.stdout.replace(/^S .*\n/m, '') } : r;
      },
    };
    const b = new ProbeBatcher(broken);
    const who: Participant = { waiting: false, ended: false };
    b.join(who);
    const spec = b.exec(statProbeScript(probes[1]!), { readOnly: true, statProbe: probes[1]! }, who);
    const live = b.exec(statProbeScript(probes[0]!), { readOnly: true, statProbe: probes[0]! });
    await expect(spec).rejects.toThrow('does not add up');
    expect(await live).toEqual(sh(statProbeScript(probes[0]!)));
    b.leave(who);
  });
});
