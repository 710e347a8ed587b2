/**
 * The differential check-mode harness: a module's scenarios (data tables in
 * test/fixtures/check-mode/<module>.yml) run as one playbook on a real
 * sandbox host through the real CLI. Per scenario: set up a starting state,
 * snapshot the paths it touches, run with --check --diff (prediction),
 * snapshot again (must be identical), run for real (changed must equal the
 * prediction, and the predicted diff must describe what really changed),
 * then run again (nothing changes).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { SshConnection } from '../../src/connection/ssh.js';
import { shq } from '../../src/util/shell.js';
import type { SandboxHost } from '../../src/sandbox/index.js';
import type { SandboxFixture } from './sandbox.js';

/** One row of a module's table. `$D` (the scenario's own folder on the host), `$C` (its folder on the controller), `$HTTP` (the test's web server), `$SRV` (the folder it serves) and `$FW` (the shell that installs the iptables stand-in, test/helpers/fw-proxy.ts) are replaced everywhere. */
export interface Scenario {
  /** Short title, unique in the table. */
  name: string;
  /** Shell run as root on the host before the snapshot ($D exists and is empty). */
  setup?: string;
  /** Shell run on the controller before the snapshot ($C exists and is empty). */
  controllerSetup?: string;
  /** The module's arguments. */
  args: Record<string, unknown>;
  /** Task keywords besides the module (vars, become, ...). */
  keywords?: Record<string, unknown>;
  /** Host paths snapshot recursively (default: [$D]). */
  paths?: string[];
  /** Controller paths snapshot recursively (default: none). */
  controllerPaths?: string[];
  /** Read-only shell whose output joins the host snapshot (systemctl show, getent). */
  probe?: string;
  /** What check mode must report (`failed`: check mode predicts the failure the real run meets). */
  expect: 'changed' | 'ok' | 'skipped' | 'failed';
  /** Paths (a regular expression) whose changes the diff need not describe (backup copies). */
  ignore?: string;
  /** `content` (default): new file contents must be a diff's after-text; `state`: the diff names every changed path (binary files, packages); `none`: not checked. */
  diff?: 'content' | 'state' | 'none';
  /** The effect is outside the snapshot (a restart): changed without a visible difference is fine. */
  outside?: boolean;
  /** The task changes on every run (a command without guards): skip the idempotence step. */
  alwaysChanges?: boolean;
  /** It fetches from Debian's mirror (a real apt install): left out, said in the test's title, when that is unreachable. */
  network?: boolean;
}

/** A module's scenario table, as stored in YAML. */
export interface ScenarioTable {
  module: string;
  /** Which sandbox host runs it. */
  host: 'light' | 'systemd';
  scenarios: Scenario[];
}

/** The state of one path. */
export interface PathState {
  type: string;
  mode?: string;
  owner?: string;
  group?: string;
  mtime?: string;
  sha256?: string;
  link?: string;
}

/** A snapshot: path states plus the probe's output. */
export interface Snapshot {
  paths: Record<string, PathState>;
  probe: string;
}

/** A task result line of `--json`. */
export interface JsonResult {
  type: string;
  task?: string;
  status?: string;
  msg?: string;
  diff?: Array<{ path: string; before: string; after: string }>;
}

/** What one scenario did: the raw facts and the problems found. */
export interface ScenarioOutcome {
  name: string;
  predicted: string;
  real: string;
  problems: string[];
}

const FIXTURES = path.resolve('test/fixtures/check-mode');
const exec = promisify(execFile);
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Load the table of one module. */
export function loadTable(module: string): ScenarioTable {
  const table = parse(readFileSync(path.join(FIXTURES, `${module}.yml`), 'utf8')) as ScenarioTable;
  table.module = module;
  return table;
}

/** Replace the placeholders in every string of a value. */
export function substitute<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === 'string')
    return value.replace(/\$(D|C|HTTP|SRV|FW)\b/g, (_m, k: string) => vars[k] ?? `$${k}`) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => substitute(v, vars)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  return value;
}

/** POSIX sh that prints the state of every path below `paths` (one line per fact). */
export function snapshotScript(paths: string[]): string {
  return paths
    .map((p) =>
      [
        `if [ -e ${shq(p)} ] || [ -L ${shq(p)} ]; then`,
        `find ${shq(p)} -exec stat -c 'S %n|%F|%a|%U|%G|%.9Y' {} +`,
        `find ${shq(p)} -type f -exec sha256sum {} +`,
        `find ${shq(p)} -type l -exec sh -c 'for l; do printf "L %s|%s\\n" "$l" "$(readlink "$l")"; done' sh {} +`,
        `else printf 'A %s\\n' ${shq(p)}; fi`,
      ].join('\n'),
    )
    .join('\n');
}

/** Parse what snapshotScript printed. */
export function parseSnapshot(text: string, probe = ''): Snapshot {
  const paths: Record<string, PathState> = {};
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^S (.*)\|([^|]*)\|(\d+)\|([^|]*)\|([^|]*)\|(\S+)$/.exec(line))) {
      const type = m[2]!.replace(/^regular (empty )?file$/, 'file').replace('symbolic link', 'link');
      paths[m[1]!] = { ...paths[m[1]!], type, mode: m[3]!.padStart(4, '0'), owner: m[4]!, group: m[5]!, mtime: m[6]! };
    } else if ((m = /^([0-9a-f]{64}) {2}(.*)$/.exec(line))) {
      paths[m[2]!] = { ...paths[m[2]!]!, sha256: m[1]! };
    } else if ((m = /^L (.*)\|(.*)$/.exec(line))) {
      paths[m[1]!] = { ...paths[m[1]!]!, link: m[2]! };
    } else if ((m = /^A (.*)$/.exec(line))) {
      paths[m[1]!] = { type: 'absent' };
    }
  }
  return { paths, probe };
}

/** Paths whose state differs (mtime of folders ignored: a new child moves it). */
export function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const all = new Set([...Object.keys(before.paths), ...Object.keys(after.paths)]);
  const out: string[] = [];
  for (const p of all) {
    const a = { ...(before.paths[p] ?? { type: 'absent' }) };
    const b = { ...(after.paths[p] ?? { type: 'absent' }) };
    if (a.type === 'directory' && b.type === 'directory') {
      delete a.mtime;
      delete b.mtime;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(p);
  }
  return out.sort();
}

/** Problems with a predicted diff, given the real before/after snapshots (empty when it describes them). */
export function diffProblems(
  s: Scenario,
  diff: NonNullable<JsonResult['diff']>,
  before: Snapshot,
  after: Snapshot,
): string[] {
  const problems: string[] = [];
  const moved = changedPaths(before, after);
  const level = s.diff ?? 'content';
  if (level === 'none') return problems;
  if (!moved.length && before.probe === after.probe) {
    if (diff.length && !s.outside) problems.push(`diff shown but nothing changed: ${JSON.stringify(diff)}`);
    return problems;
  }
  if (!diff.length) return [`${moved.join(', ') || 'the probe'} changed but the predicted diff is empty`];
  const text = diff.map((d) => `${d.path}\n${d.after}`).join('\n');
  const ignore = s.ignore ? new RegExp(s.ignore) : undefined;
  for (const p of moved.filter((x) => !ignore?.test(x))) {
    const a = before.paths[p] ?? { type: 'absent' };
    const b = after.paths[p] ?? { type: 'absent' };
    const named = diff.some((d) => d.path.includes(p) || d.after.includes(p)) || text.includes(path.posix.basename(p));
    if (b.type === 'file' && b.sha256 !== a.sha256) {
      if (level === 'state') {
        if (!named) problems.push(`${p}: its new content is not named in the diff`);
        continue;
      }
      const hit = diff.find((d) => sha(d.after) === b.sha256);
      if (!hit) problems.push(`${p}: no diff has its new content`);
      else if (a.type === 'file' && sha(hit.before) !== a.sha256)
        problems.push(`${p}: the diff's before is not the old content`);
      continue;
    }
    if (b.type !== a.type) {
      if (!named && !(level === 'content' && text.includes(b.type)))
        problems.push(`${p}: ${a.type} -> ${b.type} not named in the diff`);
      continue;
    }
    if (a.link !== b.link && !text.includes(b.link!))
      problems.push(`${p}: link target ${a.link} -> ${b.link} not in the diff`);
    if (a.mode !== b.mode && !text.includes(b.mode!) && !text.includes(b.mode!.replace(/^0/, '')))
      problems.push(`${p}: mode ${a.mode} -> ${b.mode} not in the diff`);
    if (a.owner !== b.owner && !text.includes(b.owner!))
      problems.push(`${p}: owner ${a.owner} -> ${b.owner} not in the diff`);
    if (a.group !== b.group && !text.includes(b.group!))
      problems.push(`${p}: group ${a.group} -> ${b.group} not in the diff`);
  }
  return problems;
}

/** Run the CLI in-process with --json; the task results by task name. */
export async function bosunJson(
  args: string[],
): Promise<{ code: number; results: Map<string, JsonResult>; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...args, '--json'], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    isTTY: false,
  });
  const results = new Map<string, JsonResult>();
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as JsonResult;
    if (e.type === 'task_result' && e.task) results.set(e.task, e);
  }
  return { code, results, err };
}

/** Run a shell script as root on a sandbox host. */
export async function onHost(fixture: SandboxFixture, host: SandboxHost, script: string): Promise<string> {
  const conn = new SshConnection(fixture.specFor(host));
  try {
    await conn.connect();
    const r = await conn.exec(script);
    if (r.rc !== 0) throw new Error(`on ${host.name}: rc ${r.rc}: ${r.stderr}\n${script}`);
    return r.stdout;
  } finally {
    await conn.close();
  }
}

async function onController(script: string): Promise<string> {
  return (await exec('sh', ['-c', script], { maxBuffer: 64 << 20 })).stdout;
}

/** Where a table runs and what it may use. */
export interface TableEnv {
  fixture: SandboxFixture;
  host: SandboxHost;
  http: string;
  /** The controller folder the web server serves. */
  served: string;
  /** The shell that installs the iptables stand-in on the host (`$FW`). */
  fw?: string;
}

interface Prepared {
  s: Scenario;
  task: string;
  hostPaths: string[];
  controllerPaths: string[];
}

async function snapshotAll(env: TableEnv, rows: Prepared[]): Promise<Snapshot[]> {
  const mark = (i: number, kind: string) => `echo '@@${kind} ${i}'`;
  const hostScript = rows
    .map(
      (r, i) =>
        `${mark(i, 'S')}\n${snapshotScript(r.hostPaths)}\n${mark(i, 'P')}\n${r.s.probe ? `( ${r.s.probe} ) 2>&1 || true` : ':'}`,
    )
    .join('\n');
  const ctlScript = rows
    .map((r, i) => `${mark(i, 'S')}\n${r.controllerPaths.length ? snapshotScript(r.controllerPaths) : ':'}`)
    .join('\n');
  const [hostOut, ctlOut] = await Promise.all([onHost(env.fixture, env.host, hostScript), onController(ctlScript)]);
  const split = (text: string, kind: string) => text.split(new RegExp(`^@@${kind} \\d+\\n`, 'm')).slice(1);
  const hostParts = split(hostOut, 'S');
  const ctlParts = split(ctlOut, 'S');
  return rows.map((_r, i) => {
    const [snap, probe] = hostParts[i]!.split(/^@@P \d+\n/m);
    const s = parseSnapshot(`${snap}\n${ctlParts[i] ?? ''}`, probe ?? '');
    return s;
  });
}

/** Run every scenario of a table: returns one outcome per scenario. */
export async function runTable(env: TableEnv, table: ScenarioTable): Promise<ScenarioOutcome[]> {
  const work = mkdtempSync(path.join(tmpdir(), `bosun-check-${table.module}-`));
  const rows: Prepared[] = table.scenarios.map((raw, i) => {
    const vars = {
      D: `/srv/bosun-check/${table.module}/${i}`,
      C: path.join(work, 'controller', String(i)),
      HTTP: env.http,
      SRV: env.served,
      FW: env.fw ?? 'echo "no iptables stand-in here" >&2; exit 1',
    };
    const s = substitute(raw, vars);
    return { s, task: `${i}: ${s.name}`, hostPaths: s.paths ?? [vars.D], controllerPaths: s.controllerPaths ?? [] };
  });
  const dirs = rows.map((_r, i) => `/srv/bosun-check/${table.module}/${i}`);
  const setup = rows
    .map((r, i) => `rm -rf ${shq(dirs[i]!)} && mkdir -p ${shq(dirs[i]!)} && (set -e\n${r.s.setup ?? ':'}\n)`)
    .join('\n');
  await onHost(env.fixture, env.host, `set -e\n${setup}`);
  for (const [i, r] of rows.entries()) {
    const dir = path.join(work, 'controller', String(i));
    mkdirSync(dir, { recursive: true });
    if (r.s.controllerSetup) await onController(`set -e\ncd ${shq(dir)}\n${r.s.controllerSetup}`);
  }
  const playbook = path.join(work, 'playbook.yml');
  const tasks = rows.map((r) => ({
    name: r.task,
    [table.module]: r.s.args,
    ignore_errors: true,
    ...(r.s.keywords ?? {}),
  }));
  writeFileSync(playbook, stringify([{ hosts: env.host.name, gather_facts: false, tasks }]));
  for (const kind of ['files', 'templates']) {
    await onController(`cp -r ${shq(path.join(FIXTURES, kind))} ${shq(path.join(work, kind))}`);
  }
  const inv = ['-i', env.fixture.sandbox.inventoryFile];

  const before = await snapshotAll(env, rows);
  const check = await bosunJson(['run', playbook, ...inv, '--check', '--diff']);
  const during = await snapshotAll(env, rows);
  const real = await bosunJson(['run', playbook, ...inv]);
  const after = await snapshotAll(env, rows);
  const again = await bosunJson(['run', playbook, ...inv]);

  return rows.map((r, i) => {
    const problems: string[] = [];
    const predicted = check.results.get(r.task);
    const done = real.results.get(r.task);
    const repeat = again.results.get(r.task);
    if (!predicted || !done || !repeat)
      return { name: r.task, predicted: '?', real: '?', problems: [`no result (check: ${check.err})`] };
    const predictedStatus = predicted.status!;
    if (predictedStatus !== r.s.expect)
      problems.push(
        `check mode said ${predictedStatus}${predicted.msg ? ` (${predicted.msg})` : ''}, the table expects ${r.s.expect}`,
      );
    if (JSON.stringify(during[i]) !== JSON.stringify(before[i])) {
      problems.push(
        `check mode changed the host: ${changedPaths(before[i]!, during[i]!).join(', ') || 'probe output'}`,
      );
    }
    if (done.status === 'failed' && r.s.expect !== 'failed') problems.push(`the real run failed: ${done.msg}`);
    const moved = changedPaths(before[i]!, after[i]!);
    const visible = moved.length > 0 || before[i]!.probe !== after[i]!.probe;
    if (predictedStatus !== 'skipped') {
      if (done.status !== predictedStatus)
        problems.push(`check mode predicted ${predictedStatus}, the real run was ${done.status}`);
      if (done.status === 'changed' && !visible && !r.s.outside) problems.push('changed, but the snapshots are equal');
      if (done.status === 'ok' && visible)
        problems.push(`ok, but these changed: ${moved.join(', ') || 'probe output'}`);
      problems.push(...diffProblems(r.s, predicted.diff ?? [], before[i]!, after[i]!));
    }
    // A task skipped by its own guard (unarchive's creates) stays skipped on every run.
    const guarded = predictedStatus === 'skipped' && done.status === 'skipped';
    const settled = r.s.expect === 'failed' ? 'failed' : guarded ? 'skipped' : 'ok';
    if (!r.s.alwaysChanges && repeat.status !== settled)
      problems.push(`the second real run was ${repeat.status}${repeat.msg ? ` (${repeat.msg})` : ''}`);
    return { name: r.task, predicted: predictedStatus, real: done.status!, problems };
  });
}
