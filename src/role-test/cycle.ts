/**
 * `bosun role test`: the Molecule cycle on sandbox hosts, no Docker.
 * create -> converge -> idempotence (a second converge changes nothing) ->
 * check-mode truth (with the scenario's check_vars, --check predicts exactly
 * what the next converge changes) -> verify -> destroy (also on failure,
 * unless keep). Each phase reports as it ends; the report says which failed.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { BosunError, formatError, isBosunError } from '../errors.js';
import type { RunEvent } from '../executor/events.js';
import { ensureSshd, sandboxDown, sandboxUp, type Sandbox } from '../sandbox/index.js';
import { markKey, markLine, runOnce, type RunSummary } from './converge.js';
import { serveMirror, type Mirror } from './mirror.js';
import { loadScenario, roleTestBase, roleTestSandboxName, type Scenario } from './scenario.js';

/** The phases, in order. */
export const PHASES = ['create', 'converge', 'idempotence', 'check', 'verify', 'destroy'] as const;

/** One phase of the cycle. */
export type PhaseName = (typeof PHASES)[number];

/** How a phase ended. */
export interface PhaseResult {
  phase: PhaseName;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** One line: what happened. */
  summary: string;
  /** The tasks behind a failure (`host: task (file:line)`), or the load error. */
  details: string[];
}

/** Exit codes a CI can tell apart. */
export const ROLE_TEST_EXIT = { passed: 0, error: 1, failed: 2, idempotence: 3, unreachable: 4, check: 6 } as const;

/** What `bosun role test` is asked. */
export interface RoleTestOptions {
  role: string;
  scenario?: string;
  hosts?: number;
  keep?: boolean;
  /** First host address (default 127.88.X.1 from a hash of the role path). */
  base?: string;
  /** Called as each phase ends. */
  onPhase?: (p: PhaseResult) => void;
  /** Every event of every playbook run, with its phase (for -v). */
  onRunEvent?: (phase: PhaseName, e: RunEvent) => void;
  /** `-e` for every run of the cycle (above the scenario's vars; check_vars go on top in the check step). */
  extraVars?: Record<string, unknown>;
}

/** The outcome of a role test. */
export interface RoleTestReport {
  role: string;
  roleDir: string;
  scenario: string;
  hosts: Array<{ name: string; address: string }>;
  phases: PhaseResult[];
  passed: boolean;
  exitCode: number;
  durationMs: number;
  /** With keep: the sandbox left running and how to reach it. */
  kept?: { sandbox: string; inventory: string };
}

/** Run the cycle for one role and scenario. */
export async function runRoleTest(opts: RoleTestOptions): Promise<RoleTestReport> {
  const started = Date.now();
  const roleDir = path.resolve(opts.role);
  const isRole = existsSync(path.join(roleDir, 'tasks')) || existsSync(path.join(roleDir, 'meta', 'main.yml'));
  if (!existsSync(roleDir) || !statSync(roleDir).isDirectory() || !isRole) {
    throw new BosunError('ROLE_NOT_FOUND', `${opts.role} is not a role folder (no tasks/ or meta/main.yml)`, {
      hint: 'create one with: bosun role init NAME',
    });
  }
  const scenario = await loadScenario(roleDir, opts.scenario ?? 'default', opts.hosts ? { hosts: opts.hosts } : {});
  const report: RoleTestReport = {
    role: path.basename(roleDir),
    roleDir,
    scenario: scenario.name,
    hosts: [],
    phases: [],
    passed: false,
    exitCode: ROLE_TEST_EXIT.error,
    durationMs: 0,
  };
  const sandboxName = roleTestSandboxName(roleDir, scenario.name);
  const work = mkdtempSync(path.join(tmpdir(), 'bosun-role-test-'));
  let sandbox: Sandbox | undefined;
  let mirror: Mirror | undefined;
  const phase = (p: PhaseResult): PhaseResult => {
    report.phases.push(p);
    opts.onPhase?.(p);
    return p;
  };
  try {
    const t0 = Date.now();
    try {
      await ensureSshd();
      sandbox = await sandboxUp({
        count: scenario.hosts.length,
        systemd: scenario.systemd,
        base: opts.base ?? roleTestBase(roleDir),
        name: sandboxName,
      });
      if (scenario.mirror && !/^https?:\/\//.test(scenario.mirror))
        mirror = await serveMirror(path.resolve(scenario.dir, scenario.mirror));
    } catch (e) {
      phase({
        phase: 'create',
        status: 'failed',
        durationMs: Date.now() - t0,
        summary: 'could not start the sandbox hosts',
        details: [isBosunError(e) ? formatError(e) : String(e)],
      });
      return report;
    }
    report.hosts = scenario.hosts.map((name, i) => ({ name, address: sandbox!.hosts[i]!.address }));
    phase({
      phase: 'create',
      status: 'passed',
      durationMs: Date.now() - t0,
      summary: `${report.hosts.length} ${scenario.systemd ? 'systemd' : 'light'} host(s): ${addressList(report.hosts)}`,
      details: [],
    });
    const inventory = writeInventory(work, scenario, sandbox, mirror?.url ?? scenario.mirror);
    const converge = scenario.converge ?? writeConverge(work, roleDir);
    report.exitCode = await cycle(
      scenario,
      { inventory, converge, forks: Math.min(20, scenario.hosts.length) },
      phase,
      opts,
    );
    if (opts.keep) report.kept = { sandbox: sandboxName, inventory };
    return report;
  } finally {
    const t1 = Date.now();
    await mirror?.close();
    if (opts.keep && sandbox) {
      phase({
        phase: 'destroy',
        status: 'skipped',
        durationMs: 0,
        summary: `--keep: hosts left running; inventory ${path.join(work, 'inventory.yml')}; stop with: bosun sandbox down --name ${sandboxName}`,
        details: [],
      });
    } else {
      let stopped: number;
      try {
        stopped = await sandboxDown({ name: sandboxName });
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      phase({
        phase: 'destroy',
        status: 'passed',
        durationMs: Date.now() - t1,
        summary: `${stopped} host(s) stopped`,
        details: [],
      });
    }
    report.passed = report.exitCode === ROLE_TEST_EXIT.passed;
    report.durationMs = Date.now() - started;
  }
}

interface Paths {
  inventory: string;
  converge: string;
  forks: number;
}

/** converge, idempotence, check, verify; returns the exit code. */
async function cycle(
  scenario: Scenario,
  paths: Paths,
  phase: (p: PhaseResult) => PhaseResult,
  opts: RoleTestOptions,
): Promise<number> {
  const run = (
    name: PhaseName,
    playbook: string,
    check: boolean,
    extraVars?: Record<string, unknown>,
  ): Promise<RunSummary> => {
    const vars = opts.extraVars || extraVars ? { ...opts.extraVars, ...extraVars } : undefined;
    return runOnce({
      playbook,
      inventory: paths.inventory,
      check,
      forks: paths.forks,
      ...(vars ? { extraVars: vars } : {}),
      ...(opts.onRunEvent ? { sink: (e) => opts.onRunEvent!(name, e) } : {}),
    });
  };
  const skip = (from: PhaseName): void => {
    for (const p of PHASES.slice(PHASES.indexOf(from), -1))
      phase({ phase: p, status: 'skipped', durationMs: 0, summary: 'skipped after a failure', details: [] });
  };
  const failedRun = (name: PhaseName, r: RunSummary, what: string): number => {
    phase({
      phase: name,
      status: 'failed',
      durationMs: r.durationMs,
      summary: r.error ? `${what}: the playbook does not load` : `${what}: ${r.failed.length} task(s) failed`,
      details: r.error ? [r.error] : r.failed.map(markLine),
    });
    return r.exitCode === 4 ? ROLE_TEST_EXIT.unreachable : r.error ? ROLE_TEST_EXIT.error : ROLE_TEST_EXIT.failed;
  };

  const first = await run('converge', paths.converge, false);
  if (first.exitCode !== 0) {
    const code = failedRun('converge', first, 'converge');
    skip('idempotence');
    return code;
  }
  phase({
    phase: 'converge',
    status: 'passed',
    durationMs: first.durationMs,
    summary: `changed=${first.changed.length}`,
    details: [],
  });

  const second = await run('idempotence', paths.converge, false);
  if (second.exitCode !== 0) {
    const code = failedRun('idempotence', second, 'second converge');
    skip('check');
    return code;
  }
  if (second.changed.length > 0) {
    phase({
      phase: 'idempotence',
      status: 'failed',
      durationMs: second.durationMs,
      summary: `the second converge changed ${second.changed.length} task(s); it must change nothing`,
      details: second.changed.map(markLine),
    });
    skip('check');
    return ROLE_TEST_EXIT.idempotence;
  }
  phase({ phase: 'idempotence', status: 'passed', durationMs: second.durationMs, summary: 'changed=0', details: [] });

  const checkCode = await checkPhase(scenario, paths, run, phase);
  if (checkCode !== 0) {
    skip('verify');
    return checkCode;
  }

  if (!scenario.verify) {
    phase({
      phase: 'verify',
      status: 'skipped',
      durationMs: 0,
      summary: `no ${path.join('tests', scenario.name, 'verify.yml')}`,
      details: [],
    });
    return ROLE_TEST_EXIT.passed;
  }
  const verify = await run('verify', scenario.verify, false, scenario.checkVars);
  if (verify.exitCode !== 0) return failedRun('verify', verify, 'verify');
  phase({ phase: 'verify', status: 'passed', durationMs: verify.durationMs, summary: 'every check held', details: [] });
  return ROLE_TEST_EXIT.passed;
}

/** Check-mode truth: with the changed inputs, --check must predict exactly the tasks the next converge changes. */
async function checkPhase(
  scenario: Scenario,
  paths: Paths,
  run: (name: PhaseName, playbook: string, check: boolean, extra?: Record<string, unknown>) => Promise<RunSummary>,
  phase: (p: PhaseResult) => PhaseResult,
): Promise<number> {
  const t0 = Date.now();
  const predicted = await run('check', paths.converge, true, scenario.checkVars);
  if (predicted.exitCode !== 0) {
    phase({
      phase: 'check',
      status: 'failed',
      durationMs: predicted.durationMs,
      summary: predicted.error
        ? '--check: the playbook does not load'
        : `--check: ${predicted.failed.length} task(s) failed`,
      details: predicted.error ? [predicted.error] : predicted.failed.map(markLine),
    });
    return predicted.exitCode === 4 ? ROLE_TEST_EXIT.unreachable : ROLE_TEST_EXIT.check;
  }
  // Without check_vars nothing changed since the idempotent converge: check mode must predict no change.
  const actual = scenario.checkVars
    ? await run('check', paths.converge, false, scenario.checkVars)
    : { ...predicted, changed: [], unpredictable: [] };
  if (actual.exitCode !== 0) {
    phase({
      phase: 'check',
      status: 'failed',
      durationMs: Date.now() - t0,
      summary: `converge with check_vars: ${actual.failed.length} task(s) failed`,
      details: actual.failed.map(markLine),
    });
    return actual.exitCode === 4 ? ROLE_TEST_EXIT.unreachable : ROLE_TEST_EXIT.failed;
  }
  const want = new Set(actual.changed.map(markKey));
  const got = new Set(predicted.changed.map(markKey));
  const missed = actual.changed.filter((m) => !got.has(markKey(m)));
  const extra = predicted.changed.filter((m) => !want.has(markKey(m)));
  const inputs = scenario.checkVars
    ? `check_vars ${Object.keys(scenario.checkVars).join(', ')}`
    : 'unchanged inputs (no check_vars)';
  if (missed.length || extra.length) {
    const unpredictable = new Set(predicted.unpredictable.map(markKey));
    phase({
      phase: 'check',
      status: 'failed',
      durationMs: Date.now() - t0,
      summary: `with ${inputs}, --check predicted ${predicted.changed.length} change(s) but the converge made ${actual.changed.length}`,
      details: [
        ...missed.map(
          (m) =>
            `changed but not predicted${unpredictable.has(markKey(m)) ? ' (check mode could not predict it)' : ''}: ${markLine(m)}`,
        ),
        ...extra.map((m) => `predicted but did not change: ${markLine(m)}`),
      ],
    });
    return ROLE_TEST_EXIT.check;
  }
  phase({
    phase: 'check',
    status: 'passed',
    durationMs: Date.now() - t0,
    summary: `with ${inputs}, --check predicted exactly the ${actual.changed.length} change(s) the converge made`,
    details: [],
  });
  return ROLE_TEST_EXIT.passed;
}

/** The inventory of the scenario's hosts: connection variables, scenario vars, groups. */
function writeInventory(work: string, scenario: Scenario, sandbox: Sandbox, mirror: string | undefined): string {
  const hosts = Object.fromEntries(
    scenario.hosts.map((name, i) => [name, { ansible_host: sandbox.hosts[i]!.address }]),
  );
  const children = Object.fromEntries(
    Object.entries(scenario.groups).map(([g, members]) => [
      g,
      { hosts: Object.fromEntries(members.map((m) => [m, null])) },
    ]),
  );
  const inventory = {
    all: {
      hosts,
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: sandbox.privateKeyFile,
        ansible_ssh_common_args: `-o UserKnownHostsFile=${sandbox.knownHostsFile}`,
        ...(mirror ? { download_mirror: mirror } : {}),
        ...scenario.vars,
      },
      ...(Object.keys(children).length ? { children } : {}),
    },
  };
  const file = path.join(work, 'inventory.yml');
  writeFileSync(file, `# Written by bosun role test (scenario ${scenario.name}).\n${stringify(inventory)}`);
  return file;
}

/** Without tests/<scenario>/converge.yml: a playbook that applies the role to every host. */
function writeConverge(work: string, roleDir: string): string {
  const file = path.join(work, 'converge.yml');
  writeFileSync(
    file,
    stringify([{ name: `Converge ${path.basename(roleDir)}`, hosts: 'all', roles: [{ role: roleDir }] }]),
  );
  return file;
}

/** `name=address` of each host, for the create phase's summary. */
function addressList(hosts: ReadonlyArray<{ name: string; address: string }>): string {
  return hosts.map((h) => `${h.name}=${h.address}`).join(' ');
}
