/**
 * Running a command as a child and measuring it: wall time (hrtime around
 * the child), controller CPU (user+sys of the child and everything it waited
 * for) and peak RSS, both from GNU time's wait4 rusage (`/usr/bin/time -f`).
 * Without /usr/bin/time, CPU comes from this process's cutime/cstime in
 * /proc/self/stat (children reaped meanwhile) and peak RSS is unknown.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const CLOCK_TICKS = 100;

/** Children currently running, so an interrupted benchmark can stop exactly them. */
export const running = new Set();

/** Stop a child started by `measure` and everything in its process group. */
export function stopTree(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

/** CPU seconds of reaped children, from /proc/self/stat (fields 16 and 17). */
function childCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/**
 * Run `cmd args` and measure it. Resolves to
 * `{code, wallS, cpuS, maxRssMB, stdout, stderr}`; never rejects on a non-zero exit.
 */
export async function measure(cmd, args, { env, cwd, timeoutMs = 30 * 60_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-bench-'));
  const timeFile = join(dir, 'time');
  const useTime = existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-q', '-f', '%U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const cpuBefore = childCpuSeconds();
  const started = process.hrtime.bigint();
  // Its own process group, so an interrupted benchmark stops the whole tree it started (Ansible's workers too).
  const child = spawn(file, argv, { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  const out = [];
  const err = [];
  child.stdout.on('data', (c) => out.push(c));
  child.stderr.on('data', (c) => err.push(c));
  const timer = setTimeout(() => stopTree(child), timeoutMs);
  const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1))));
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  clearTimeout(timer);
  running.delete(child);
  let cpuS = childCpuSeconds() - cpuBefore;
  let maxRssMB = null;
  if (useTime && existsSync(timeFile)) {
    const m = /(\d+\.\d+) (\d+\.\d+) (\d+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
    if (m) {
      cpuS = Number(m[1]) + Number(m[2]);
      maxRssMB = Number(m[3]) / 1024;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    code,
    wallS,
    cpuS,
    maxRssMB,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/** The median of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Run `measure` `times` times and keep the run with the median wall time. */
export async function medianRun(times, cmd, args, opts) {
  const runs = [];
  for (let i = 0; i < times; i++) runs.push(await measure(cmd, args, opts));
  const failedRun = runs.find((r) => r.code !== 0);
  if (failedRun) return failedRun;
  const m = median(runs.map((r) => r.wallS));
  return { ...(runs.find((r) => r.wallS === m) ?? runs[0]), wallS: m, samples: runs.map((r) => r.wallS) };
}

const RECAP = /^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm;

/** Sum the PLAY RECAP counters (bosun's and Ansible's share the shape). */
export function recapTotals(output) {
  const t = { hosts: 0, ok: 0, changed: 0, unreachable: 0, failed: 0 };
  for (const m of output.matchAll(RECAP)) {
    t.hosts++;
    t.ok += Number(m[2]);
    t.changed += Number(m[3]);
    t.unreachable += Number(m[4]);
    t.failed += Number(m[5]);
  }
  return t;
}
