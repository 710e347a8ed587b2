/**
 * Differential tests: the same playbook run by ansible-playbook (the
 * reference) and by bosun, on sandbox hosts of their own but under the same
 * inventory names (h1..hk), then compared: exit code, recap, the ordered
 * (task, host, status) results, chosen keys of registered values, the files
 * under a folder on each host, and whether a warning or error was printed.
 *
 * A case is a folder under test/fixtures/differential/ with `playbook.yml`
 * (or `ansible.yml` and `bosun.yml` differing only in their expressions, when
 * Jinja2 and Handlebars have no common form) and whatever it uses (roles,
 * task files). Ansible's events come from a small stdout callback of our own
 * (test/fixtures/differential/callback_plugins/bosun_events.py), printing the
 * same event kinds as bosun's --json.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { SshConnection } from '../../src/connection/ssh.js';
import type { SandboxHost } from '../../src/sandbox/index.js';
import { withSandbox, type SandboxFixture } from './sandbox.js';

/** The reference implementation. */
export const ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';
/** Where the cases live. */
export const CASES_DIR = path.resolve('test/fixtures/differential');
const CALLBACK_DIR = path.join(CASES_DIR, 'callback_plugins');

/** What to compare besides exit code, recap and the ordered results (which are always compared unless turned off). */
export interface CompareSpec {
  /** Compare the exit code (default true). */
  exitCode?: boolean;
  /** Compare the recap counters (default true). */
  recap?: boolean;
  /**
   * Compare the `task|host|status` lines: 'ordered' (default: one list, hosts sorted within a task),
   * 'per-host' (each host's own sequence: where hosts may be at different tasks at once), 'raw' (arrival order,
   * for strategy: free with a deliberate delay), 'sorted', or false.
   */
  results?: 'ordered' | 'per-host' | 'raw' | 'sorted' | false;
  /** Task name -> keys of its registered value to compare, per host and run (`results[].rc` reaches into loop items). */
  registered?: Record<string, string[]>;
  /** Sort the `results[].k` lists of registered values before comparing (where the item order differs on purpose). */
  sortItems?: boolean;
  /** A folder on every host whose tree (names, modes, owners, links) and file checksums must be the same. */
  files?: string;
  /** A warning each tool must print (matched against its warnings). */
  warning?: { ansible: RegExp; bosun: RegExp };
  /** An error each tool must print (matched against its error output). */
  error?: { ansible: RegExp; bosun: RegExp };
  /** Command output compared per host: a shell command run as root on every host after the runs. */
  command?: string;
  /**
   * Where bosun differs on purpose (docs/ansible-differences.md says why):
   * keys of the compared view (exitCode, recap, warned, errored, ...) with
   * the value each tool must show. Everything else is still compared equal.
   */
  differs?: { why: string; ansible: Record<string, unknown>; bosun: Record<string, unknown> };
}

/** One differential case. */
export interface DifferentialOptions {
  /** Hosts per side (default 1), named h1..hk on both. */
  hosts?: number;
  /** Extra CLI arguments given to both tools (-e, --tags, --start-at-task, --force-handlers, --limit). */
  extraArgs?: string[];
  /** Per-host inventory variables (by h1..hk). */
  hostVars?: Record<string, Record<string, unknown>>;
  /** Groups besides `all`: name -> member host names. */
  groups?: Record<string, string[]>;
  /** Leave ansible_user out of the inventory (for remote_user cases: ansible_user would win over it). */
  noUser?: boolean;
  /** Run without any inventory (-i) on both sides: the "no inventory" behaviour. */
  noInventory?: boolean;
  /** An ansible.cfg for both tools (ANSIBLE_CONFIG points at it; relative paths in it are from the case folder). */
  ansibleCfg?: string;
  /**
   * Give each side its inventory without -i: in `[defaults] inventory` of its own ansible.cfg (written before
   * `ansibleCfg`, which must then have no `[defaults]`), or in ANSIBLE_INVENTORY.
   */
  inventoryFrom?: 'ansible.cfg' | 'ANSIBLE_INVENTORY';
  /** A shell script run as root on every host before the runs (after /opt/diff is removed). */
  setup?: string;
  compare?: CompareSpec;
}

/** One result line, as compared. */
export interface ResultLine {
  task: string;
  host: string;
  status: string;
  /** Which task_start it came under. */
  group: number;
}

/** What one tool did, normalised. */
export interface SideRun {
  tool: 'ansible' | 'bosun';
  code: number;
  recap: Record<string, Record<string, number>>;
  /** The task results in the order they came (`HANDLER ` before handler tasks, ` (ignored)` after ignored failures). */
  results: ResultLine[];
  /** Task name -> host -> one projected registered value per time the task ran there. */
  registered: Record<string, Record<string, unknown[]>>;
  /** Host -> tree listing of `compare.files`. */
  files: Record<string, string>;
  /** Host -> output of `compare.command`. */
  command: Record<string, string>;
  warnings: string[];
  stdout: string;
  stderr: string;
}

/** Both sides of one case. */
export interface DifferentialRun {
  caseDir: string;
  options: DifferentialOptions;
  ansible: SideRun;
  bosun: SideRun;
}

interface Ev {
  type: string;
  task?: string;
  host?: string;
  status?: string;
  ignored?: boolean;
  handler?: boolean;
  data?: Record<string, unknown>;
  registered?: Record<string, unknown>;
  hosts?: Record<string, Record<string, number>>;
  message?: string;
}

const STAT_KEYS = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'];

/** A pool of sandbox hosts shared by the concurrent cases of one file. */
class HostPool {
  private free: SandboxHost[] | undefined;
  private waiting: Array<() => void> = [];
  constructor(private readonly fixture: SandboxFixture) {}

  reset(): void {
    this.free = undefined;
  }

  async take(n: number): Promise<SandboxHost[]> {
    this.free ??= [...this.fixture.sandbox.hosts];
    const size = this.fixture.sandbox.hosts.length;
    if (n > size) throw new Error(`a case asks for ${n} hosts; the sandbox has ${size}`);
    while (this.free.length < n) await new Promise<void>((r) => this.waiting.push(r));
    return this.free.splice(0, n);
  }

  give(hosts: SandboxHost[]): void {
    this.free!.push(...hosts);
    for (const w of this.waiting.splice(0)) w();
  }
}

/** A file's differential suite: one sandbox of `slots` hosts, cases taking 2*k of them while they run. */
export interface DifferentialSuite {
  readonly fixture: SandboxFixture;
  /** describe() with the sandbox up; skipped with the reason when Ansible or sandboxes are missing. */
  describe(title: string, body: () => void): void;
  /** Run one case on both tools. */
  differential(caseDir: string, opts?: DifferentialOptions): Promise<DifferentialRun>;
  /**
   * One case as a concurrent test: run, then expectSame (and `check`, for
   * facts both must show). With `gap`, the test is skipped and the gap is in
   * its title, until bosun matches Ansible (BOSUN_DIFF_GAPS=1 runs it anyway).
   */
  case(
    title: string,
    caseDir: string,
    opts?: DifferentialOptions & {
      gap?: string;
      /** Skipped when CI is set, with this reason in its title (a case that is unstable under the whole suite's load). */
      skipInCi?: string;
      check?: (r: DifferentialRun) => void;
    },
  ): void;
}

/** Make a differential suite on `slots` sandbox hosts starting at `base` (one base per test file); `systemd` boots it as PID 1. */
export function differentialSuite(opts: { base: string; slots: number; systemd?: boolean }): DifferentialSuite {
  const fixture = withSandbox(opts.slots, { base: opts.base, systemd: opts.systemd ?? false });
  const pool = new HostPool(fixture);
  const suite: DifferentialSuite = {
    fixture,
    describe(title, body) {
      if (!existsSync(ANSIBLE_PLAYBOOK)) {
        fixture.describe(`${title} [skipped: ${ANSIBLE_PLAYBOOK} is not installed]`, () => {
          it.skip('needs ansible-core', () => undefined);
        });
        return;
      }
      fixture.describe(title, () => {
        // A describe block brings its own sandbox up: hosts of an earlier one are gone.
        beforeAll(() => pool.reset());
        body();
      });
    },
    async differential(caseDir, o = {}) {
      const k = o.hosts ?? 1;
      const hosts = await pool.take(2 * k);
      try {
        return await runCase(fixture, path.resolve(CASES_DIR, caseDir), o, hosts.slice(0, k), hosts.slice(k));
      } finally {
        pool.give(hosts);
      }
    },
    case(title, caseDir, o = {}) {
      const { gap, check, skipInCi, ...rest } = o;
      const body = async (): Promise<void> => {
        const r = await suite.differential(caseDir, rest);
        expectSame(r);
        check?.(r);
      };
      // BOSUN_DIFF_GAPS=1 runs the gap cases too (to see whether a fix closed one).
      if (gap && !process.env.BOSUN_DIFF_GAPS) it.skip(`${title} [gap: ${gap}]`, body);
      else if (skipInCi && process.env['CI']) it.skip(`${title} [skipped in CI: ${skipInCi}]`, body);
      // The budget counts from the test's start, its wait for pool hosts included: under load the last cases of a
      // file waited out most of a 180 s budget behind the others (measured: the last two of five cases failed at 180 s
      // having waited 70-130 s for hosts). Each ansible-playbook run is still killed at 150 s (runAnsible).
      else it.concurrent(gap ? `${title} [gap: ${gap}]` : title, body, 600_000);
    },
  };
  return suite;
}

/** Run a case on both tools at once (Ansible on `ansibleHosts`, bosun on `bosunHosts`). */
async function runCase(
  fixture: SandboxFixture,
  caseDir: string,
  o: DifferentialOptions,
  ansibleHosts: SandboxHost[],
  bosunHosts: SandboxHost[],
): Promise<DifferentialRun> {
  const all = [...ansibleHosts, ...bosunHosts];
  const prepare = `rm -rf /opt/diff\n${o.setup ?? ''}`;
  await Promise.all(all.map((h) => onHost(fixture, h, prepare)));
  const work = mkdtempSync(path.join(tmpdir(), 'bosun-diff-'));
  try {
    return await compareRuns(fixture, caseDir, o, ansibleHosts, bosunHosts, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Both runs, then what is read back from the hosts. */
async function compareRuns(
  fixture: SandboxFixture,
  caseDir: string,
  o: DifferentialOptions,
  ansibleHosts: SandboxHost[],
  bosunHosts: SandboxHost[],
  work: string,
): Promise<DifferentialRun> {
  const ansibleInv = path.join(work, 'ansible-inventory.yml');
  const bosunInv = path.join(work, 'bosun-inventory.yml');
  writeFileSync(ansibleInv, inventoryText(fixture, ansibleHosts, o));
  writeFileSync(bosunInv, inventoryText(fixture, bosunHosts, o));
  const both = existsSync(path.join(caseDir, 'ansible.yml'));
  const ansiblePlaybook = path.join(caseDir, both ? 'ansible.yml' : 'playbook.yml');
  const bosunPlaybook = path.join(caseDir, both ? 'bosun.yml' : 'playbook.yml');
  const args = o.extraArgs ?? [];
  const cfgs: string[] = [];
  /** One side's environment: its ansible.cfg (beside the case's files, so relative paths mean the same to both). */
  const sideEnv = (side: string, inv: string): Record<string, string> => {
    const env: Record<string, string> = {};
    if (o.inventoryFrom === 'ANSIBLE_INVENTORY') env['ANSIBLE_INVENTORY'] = inv;
    const cfgText =
      (o.inventoryFrom === 'ansible.cfg' ? `[defaults]\ninventory = ${inv}\n` : '') + (o.ansibleCfg ?? '');
    if (cfgText !== '') {
      const cfg = path.join(caseDir, `.ansible-${path.basename(work)}-${side}.cfg`);
      writeFileSync(cfg, cfgText);
      cfgs.push(cfg);
      env['ANSIBLE_CONFIG'] = cfg;
    }
    return env;
  };
  const invArgs = (inv: string): string[] => (o.noInventory || o.inventoryFrom ? [] : ['-i', inv]);
  const [a, b] = await Promise.all([
    runAnsible(ansiblePlaybook, invArgs(ansibleInv), args, caseDir, work, sideEnv('ansible', ansibleInv)),
    runBosun(bosunPlaybook, invArgs(bosunInv), args, sideEnv('bosun', bosunInv)),
  ]).finally(() => {
    for (const cfg of cfgs) rmSync(cfg, { force: true });
  });
  const ansible = normalise('ansible', a, o);
  const bosun = normalise('bosun', b, o);
  const names = ansibleHosts.map((_, i) => `h${i + 1}`);
  const c = o.compare ?? {};
  if (c.files) {
    // Names, modes, owners and link targets; checksums; and small files' bytes, readable in a diff.
    const tree = [
      `cd ${c.files} 2>/dev/null || { echo '(absent)'; exit 0; }`,
      `find . -printf '%p %M %u %g %l\\n' | sort`,
      `find . -type f -exec md5sum {} + | sort`,
      // sed's l: tabs as \\t, other bytes in octal, each line ending in $.
      `find . -type f -size -256c | sort | while read -r f; do printf '%s = ' "$f"; sed -n l "$f" | tr '\\n' ' '; echo; done`,
    ].join('\n');
    await Promise.all(
      names.map(async (n, i) => {
        ansible.files[n] = await onHost(fixture, ansibleHosts[i]!, tree);
        bosun.files[n] = await onHost(fixture, bosunHosts[i]!, tree);
      }),
    );
  }
  if (c.command) {
    await Promise.all(
      names.map(async (n, i) => {
        ansible.command[n] = await onHost(fixture, ansibleHosts[i]!, c.command!);
        bosun.command[n] = await onHost(fixture, bosunHosts[i]!, c.command!);
      }),
    );
  }
  return { caseDir, options: o, ansible, bosun };
}

function inventoryText(fixture: SandboxFixture, hosts: SandboxHost[], o: DifferentialOptions): string {
  const sb = fixture.sandbox;
  const hostEntries = Object.fromEntries(
    hosts.map((h, i) => {
      const name = `h${i + 1}`;
      return [name, { ansible_host: h.address, ...(o.hostVars?.[name] ?? {}) }];
    }),
  );
  const children = Object.fromEntries(
    Object.entries(o.groups ?? {}).map(([group, members]) => [
      group,
      { hosts: Object.fromEntries(members.map((m) => [m, null])) },
    ]),
  );
  return stringify({
    all: {
      hosts: hostEntries,
      vars: {
        ...(o.noUser ? {} : { ansible_user: 'root' }),
        ansible_ssh_private_key_file: sb.privateKeyFile,
        ansible_ssh_common_args: `-o UserKnownHostsFile=${sb.knownHostsFile}`,
      },
      ...(Object.keys(children).length > 0 ? { children } : {}),
    },
  });
}

interface RawRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runAnsible(
  playbook: string,
  inv: string[],
  args: string[],
  cwd: string,
  work: string,
  extraEnv: Record<string, string> = {},
): Promise<RawRun> {
  const env = {
    ...extraEnv,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    ANSIBLE_STDOUT_CALLBACK: 'bosun_events',
    ANSIBLE_CALLBACK_PLUGINS: CALLBACK_DIR,
    ANSIBLE_PIPELINING: '1',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(work, 'cp'),
    ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=5s',
    ANSIBLE_DEPRECATION_WARNINGS: '0',
  };
  return new Promise((resolve) => {
    const options = { env, cwd, timeout: 150_000, maxBuffer: 64 << 20 };
    execFile(ANSIBLE_PLAYBOOK, [playbook, ...inv, ...args], options, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : -1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function runBosun(
  playbook: string,
  inv: string[],
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<RawRun> {
  let stdout = '';
  let stderr = '';
  const io = {
    out: (t: string) => {
      stdout += t;
    },
    err: (t: string) => {
      stderr += t;
    },
    isTTY: false,
    env: { ...process.env, ...extraEnv },
  };
  const code = await main(['run', playbook, ...inv, ...args, '--json'], io);
  return { code, stdout, stderr };
}

function parseLines(stdout: string): Ev[] {
  const events: Ev[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      events.push(JSON.parse(t) as Ev);
    } catch {
      // not an event (a module's stray output)
    }
  }
  return events;
}

function normalise(tool: 'ansible' | 'bosun', raw: RawRun, o: DifferentialOptions): SideRun {
  const events = parseLines(raw.stdout);
  const side: SideRun = {
    tool,
    code: raw.code,
    recap: {},
    results: [],
    registered: {},
    files: {},
    command: {},
    warnings: [],
    stdout: raw.stdout,
    stderr: raw.stderr,
  };
  let group = 0;
  let handler = false;
  for (const e of events) {
    if (e.type === 'task_start') {
      group++;
      handler = e.handler === true;
    } else if (e.type === 'task_result') {
      // Ansible says per result (its hosts may be in handlers and tasks at once), bosun per task_start.
      const isHandler = e.handler ?? handler;
      const task = `${isHandler ? 'HANDLER ' : ''}${e.task ?? '?'}`;
      side.results.push({
        task,
        host: e.host ?? '?',
        status: `${e.status ?? '?'}${e.ignored ? ' (ignored)' : ''}`,
        group,
      });
      const keys = o.compare?.registered?.[e.task ?? ''];
      if (keys) {
        const perHost = (side.registered[e.task!] ??= {});
        // Ansible's side carries what register stored; bosun's `data` is that value.
        const projected = project(e.registered ?? e.data ?? {}, keys);
        if (o.compare?.sortItems) {
          for (const [k, v] of Object.entries(projected)) {
            if (k.startsWith('results[].') && Array.isArray(v))
              projected[k] = [...(v as unknown[])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
          }
        }
        (perHost[e.host!] ??= []).push(projected);
      }
    } else if (e.type === 'recap') {
      for (const [h, s] of Object.entries(e.hosts ?? {})) {
        const counts = Object.fromEntries(STAT_KEYS.map((k) => [k, s[k] ?? 0]));
        if (Object.values(counts).some((n) => n !== 0)) side.recap[h] = counts;
      }
    } else if (e.type === 'warning' && e.message) {
      side.warnings.push(e.message);
    }
  }
  side.warnings.push(...warningLines(raw.stderr));
  return side;
}

/** The results as compared: one ordered list, one per host, or a sorted list. */
function resultsView(lines: ResultLine[], mode: 'ordered' | 'per-host' | 'sorted' | 'raw'): unknown {
  if (mode === 'per-host') {
    const perHost: Record<string, string[]> = {};
    for (const l of lines) (perHost[l.host] ??= []).push(`${l.task}|${l.status}`);
    return perHost;
  }
  // 'ordered': hosts sorted within the results of one task_start (their arrival order there is a race).
  const inOrder =
    mode === 'ordered' ? [...lines].sort((a, b) => a.group - b.group || a.host.localeCompare(b.host)) : lines;
  const flat = inOrder.map((l) => `${l.task}|${l.host}|${l.status}`);
  return mode === 'sorted' ? flat.sort() : flat;
}

/** `[WARNING]: ...` paragraphs (Ansible wraps them) and bosun's `WARN`/`warning` lines. */
function warningLines(stderr: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const line of stderr.split('\n')) {
    if (/^\s*\[WARNING\]|^\s*WARN|^\s*warning/i.test(line)) {
      if (current !== undefined) out.push(current);
      current = line.trim();
    } else if (current !== undefined && line.trim() !== '' && !/^\s*(\[|ERROR)/.test(line)) {
      current += ` ${line.trim()}`;
    } else if (current !== undefined) {
      out.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** The chosen keys of a registered value; `a.b` reaches into dicts, `results[].k` into each loop item. */
function project(data: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const m = /^(\w+)\[\]\.(.+)$/.exec(key);
    if (m) {
      const list = data[m[1]!];
      out[key] = Array.isArray(list) ? list.map((item) => pick(item, m[2]!)) : undefined;
    } else {
      out[key] = pick(data, key);
    }
  }
  return out;
}

function pick(value: unknown, dotted: string): unknown {
  let v = value;
  for (const part of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

async function onHost(fixture: SandboxFixture, host: SandboxHost, script: string): Promise<string> {
  const conn = new SshConnection(fixture.specFor(host));
  try {
    await conn.connect();
    const r = await conn.exec(script);
    return r.stdout;
  } finally {
    await conn.close();
  }
}

/** The comparable view of one side (what expectSame compares). */
export function comparable(side: SideRun, c: CompareSpec = {}): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  if (c.exitCode !== false) view.exitCode = side.code;
  if (c.recap !== false) view.recap = side.recap;
  if (c.results !== false) view.results = resultsView(side.results, c.results ?? 'ordered');
  if (c.registered) view.registered = side.registered;
  if (c.files) view.files = side.files;
  if (c.command) view.command = side.command;
  if (c.warning) {
    const re = side.tool === 'ansible' ? c.warning.ansible : c.warning.bosun;
    view.warned = side.warnings.some((w) => re.test(w));
  }
  if (c.error) {
    const re = side.tool === 'ansible' ? c.error.ansible : c.error.bosun;
    view.errored = re.test(side.stderr) || re.test(side.stdout);
  }
  return view;
}

/**
 * Expect bosun's side to equal Ansible's in every compared aspect, with one
 * readable diff (Ansible is "expected"), and both tools' output on mismatch.
 */
export function expectSame(r: DifferentialRun): void {
  const c = r.options.compare ?? {};
  const want = comparable(r.ansible, c);
  const got = comparable(r.bosun, c);
  if (c.differs) {
    // Each tool shows what it is documented to show there; the rest must agree.
    const pick = (view: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(Object.keys(c.differs!.ansible).map((k) => [k, view[k]]));
    expect(pick(want), `ansible-playbook's side of a documented difference (${c.differs.why})`).toEqual(
      c.differs.ansible,
    );
    Object.assign(want, c.differs.bosun);
  }
  if (process.env.BOSUN_DIFF_DUMP) {
    // For looking at both sides while writing a case: BOSUN_DIFF_DUMP=/tmp/some-folder.
    const file = path.join(
      process.env.BOSUN_DIFF_DUMP,
      `${path.relative(CASES_DIR, r.caseDir).replaceAll('/', '--')}.json`,
    );
    mkdirSync(path.dirname(file), { recursive: true });
    const dump = {
      ansible: want,
      bosun: got,
      ansibleStdout: r.ansible.stdout,
      bosunStdout: r.bosun.stdout,
      ansibleStderr: r.ansible.stderr,
      bosunStderr: r.bosun.stderr,
      ansibleWarnings: r.ansible.warnings,
      bosunWarnings: r.bosun.warnings,
    };
    writeFileSync(file, JSON.stringify(dump, null, 1));
  }
  const context = [
    `case ${path.relative(CASES_DIR, r.caseDir)}: bosun (received) vs ansible-playbook (expected)`,
    `--- ansible stderr:\n${r.ansible.stderr.trim().slice(0, 3000)}`,
    `--- bosun stderr:\n${r.bosun.stderr.trim().slice(0, 3000)}`,
  ].join('\n');
  expect(got, context).toEqual(want);
}
