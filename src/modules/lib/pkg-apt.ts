/**
 * apt: the decision asks dpkg-query what is installed and, when something
 * may change, asks apt-get itself (`apt-get -s`, a simulation that changes
 * nothing) which packages it would install, upgrade or remove, so check
 * mode reports apt's own plan instead of a guess.
 */
import { sh, shq } from '../../util/shell.js';
import type { ApplyResult, Decision, ModuleContext } from '../types.js';
import { toBool } from './bool.js';
import {
  changesDiff,
  managerProbe,
  managersFound,
  normState,
  packageNames,
  type PackageArgs,
  type PackageChange,
} from './pkg-common.js';
import { applying, failed } from './result.js';

/** Arguments of `apt`. */
export interface AptArgs extends PackageArgs {
  pkg?: string | string[];
  package?: string | string[];
  cache_valid_time?: number | string;
  purge?: boolean | string;
  install_recommends?: boolean | string;
  default_release?: string;
  allow_downgrade?: boolean | string;
  allow_downgrades?: boolean | string;
  allow_unauthenticated?: boolean | string;
  allow_change_held_packages?: boolean | string;
  force?: boolean | string;
  lock_timeout?: number | string;
}

/** Parse `apt-get -s` lines (Inst/Remv/Purg) into the packages it would change. */
export function parseAptSimulation(stdout: string): PackageChange[] {
  const out = new Map<string, PackageChange>();
  for (const line of stdout.split('\n')) {
    const m = /^(Inst|Remv|Purg) (\S+)(?: \[([^\]]+)\])?(?: \((\S+)[^)]*\))?/.exec(line);
    if (!m) continue;
    const [, kind, name, from, to] = m as unknown as [string, string, string, string | undefined, string | undefined];
    const change: PackageChange = {
      name,
      action: kind === 'Inst' ? (from ? 'upgrade' : 'install') : kind === 'Purg' ? 'purge' : 'remove',
    };
    if (from) change.from = from;
    if (to && kind === 'Inst') change.to = to;
    out.set(name, change);
  }
  return [...out.values()];
}

/** What dpkg-query says about one package: installed version, or config files only. */
export interface DpkgState {
  installed: boolean;
  configFiles: boolean;
  version: string;
}

/** Parse `dpkg-query -W -f='${Package} ${Status} ${Version}\n'` lines. */
export function parseDpkgQuery(stdout: string): Map<string, DpkgState> {
  const out = new Map<string, DpkgState>();
  for (const line of stdout.split('\n')) {
    const m = /^Q (\S+?)(?::\S+)? (\S+) (\S+) (\S+) ?(\S*)$/.exec(line);
    if (!m) continue;
    out.set(m[1]!, { installed: m[4] === 'installed', configFiles: m[4] === 'config-files', version: m[5] ?? '' });
  }
  return out;
}

/** Split `name=version` (apt's pin syntax). */
export function splitAptName(spec: string): { name: string; version?: string } {
  const eq = spec.indexOf('=');
  return eq < 0 ? { name: spec } : { name: spec.slice(0, eq), version: spec.slice(eq + 1) };
}

/** True when an installed version satisfies a wanted `name=version` (a trailing `*` matches a prefix, as Ansible's fnmatch). */
export function versionMatches(installed: string, wanted: string): boolean {
  if (wanted.includes('*'))
    return new RegExp(
      `^${wanted
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(installed);
  return installed === wanted;
}

/** The apt-get options for an install or removal (lock wait, keep changed config files, recommends). */
export function aptOptions(args: AptArgs): string[] {
  const opts = [
    '-y',
    '-o',
    `DPkg::Lock::Timeout=${args.lock_timeout !== undefined ? Number(args.lock_timeout) : 60}`,
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
  ];
  if (args.install_recommends !== undefined)
    opts.push('-o', `APT::Install-Recommends=${toBool(args.install_recommends) ? 'yes' : 'no'}`);
  if (args.default_release !== undefined) opts.push('-t', args.default_release);
  if (toBool(args.allow_downgrade) || toBool(args.allow_downgrades)) opts.push('--allow-downgrades');
  if (toBool(args.allow_unauthenticated)) opts.push('--allow-unauthenticated');
  if (toBool(args.allow_change_held_packages)) opts.push('--allow-change-held-packages');
  if (toBool(args.force)) opts.push('--force-yes');
  return opts;
}

/** The apt-get command lines for the wanted state (without the -s of a simulation). */
export function aptCommands(args: AptArgs, specs: string[]): { main?: string[]; autoremove: boolean } {
  const state = normState(args.state);
  const purge = toBool(args.purge);
  const main =
    specs.length === 0
      ? undefined
      : state === 'absent'
        ? [
            'remove',
            ...(purge ? ['--purge'] : []),
            ...aptOptions(args),
            '--',
            ...specs.map((s) => splitAptName(s).name),
          ]
        : ['install', ...aptOptions(args), '--', ...specs];
  return { ...(main ? { main } : {}), autoremove: toBool(args.autoremove) };
}

const ENV = 'DEBIAN_FRONTEND=noninteractive LANG=C LC_ALL=C';

/** Decide an apt task: cache age, dpkg state, and apt-get's simulation of what would change. */
export async function decideApt(ctx: ModuleContext, args: AptArgs): Promise<Decision> {
  const specs = packageNames(args.name ?? args.pkg ?? args.package);
  const state = normState(args.state);
  const names = specs.map((s) => splitAptName(s).name);
  const res = await ctx.conn.exec(
    [
      managerProbe,
      'echo "NOW $(date +%s)"',
      'for f in /var/lib/apt/periodic/update-success-stamp /var/lib/apt/lists; do if [ -e "$f" ]; then echo "STAMP $(stat -c %Y "$f")"; break; fi; done',
      names.length
        ? `dpkg-query -W -f='Q \${Package} \${Status} \${Version}\\n' ${names.map(shq).join(' ')} 2>/dev/null`
        : ':',
    ].join('\n'),
  );
  const tools = managersFound(res.stdout);
  if (!tools.has('apt-get') || !tools.has('dpkg-query')) {
    const other = tools.has('dnf') ? ' (the host uses dnf)' : tools.has('yum') ? ' (the host uses yum)' : '';
    return failed(`apt: apt-get is not installed on the host${other}`);
  }
  const now = Number(/^NOW (\d+)/m.exec(res.stdout)?.[1] ?? 0);
  const stamp = Number(/^STAMP (\d+)/m.exec(res.stdout)?.[1] ?? 0);
  const validFor = args.cache_valid_time !== undefined ? Number(args.cache_valid_time) : 0;
  // As in Ansible 2.4+, cache_valid_time alone implies update_cache.
  const updateCache =
    toBool(args.update_cache) || (args.cache_valid_time !== undefined && args.update_cache === undefined);
  const cacheStale = updateCache && (validFor <= 0 || now - stamp > validFor);
  const dpkg = parseDpkgQuery(res.stdout);
  const purge = toBool(args.purge);
  // Names dpkg already says are in the wanted state need no simulation.
  const pending = specs.filter((spec) => {
    const { name, version } = splitAptName(spec);
    const st = dpkg.get(name);
    if (state === 'absent') return st !== undefined && (st.installed || (purge && st.configFiles));
    if (state === 'latest') return true;
    return !st?.installed || (version !== undefined && !versionMatches(st.version, version));
  });
  const cmds = aptCommands(args, pending);
  let changes: PackageChange[] = [];
  let simulated = true;
  const simulate = async (words: string[]): Promise<string | undefined> => {
    const r = await ctx.conn.exec(`${ENV} apt-get -s ${sh`${words}`}`);
    if (r.rc === 0) {
      changes = [...changes, ...parseAptSimulation(r.stdout)];
      return undefined;
    }
    return (r.stderr || r.stdout).trim();
  };
  if (cmds.main) {
    const err = await simulate(cmds.main);
    if (err !== undefined) {
      // A stale cache that the run refreshes first may not know the package yet.
      if (!cacheStale) return failed(`apt-get could not plan the change: ${err}`, { cache_updated: false });
      simulated = false;
    }
  }
  if (cmds.autoremove) await simulate(['autoremove', ...(purge ? ['--purge'] : []), ...aptOptions(args)]);
  const data: Record<string, unknown> = { cache_updated: false, packages: changes.map((c) => c.name) };
  if (!cacheStale && changes.length === 0 && simulated)
    return { kind: 'ok', data: { ...data, stdout: '', stderr: '' } };
  const diff = changesDiff(changes);
  if (cacheStale) {
    diff.before = `package lists: ${stamp ? `updated ${now - stamp} s ago` : 'never updated'}\n${diff.before}`;
    diff.after = `package lists: updated\n${diff.after}`;
  }
  return {
    kind: 'change',
    data,
    msg: simulated
      ? undefined
      : 'the package lists are refreshed first; apt-get could not plan the change with the current lists',
    diff: [diff],
    apply: () => applying(() => applyApt(ctx, cmds, cacheStale, changes, simulated)),
  };
}

async function applyApt(
  ctx: ModuleContext,
  cmds: ReturnType<typeof aptCommands>,
  cacheStale: boolean,
  planned: PackageChange[],
  simulated: boolean,
): Promise<ApplyResult> {
  let stdout = '';
  let stderr = '';
  const data: Record<string, unknown> = { cache_updated: false, packages: planned.map((c) => c.name) };
  const run = async (script: string): Promise<boolean> => {
    const r = await ctx.conn.exec(script);
    stdout += r.stdout;
    stderr += r.stderr;
    return r.rc === 0;
  };
  if (cacheStale) {
    if (
      !(await run(
        `${ENV} apt-get update -o DPkg::Lock::Timeout=60 && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/update-success-stamp`,
      ))
    ) {
      return { kind: 'failed', msg: `Failed to update apt cache: ${stderr.trim()}`, data: { ...data, stdout, stderr } };
    }
    data['cache_updated'] = true;
    data['cache_update_time'] = Math.floor(Date.now() / 1000);
  }
  let changes = planned;
  if (cmds.main) {
    if (!(await run(`${ENV} apt-get ${sh`${cmds.main}`}`))) {
      return {
        kind: 'failed',
        msg: `'apt-get ${cmds.main.join(' ')}' failed: ${stderr.trim()}`,
        data: { ...data, stdout, stderr, rc: 100 },
      };
    }
    if (!simulated)
      changes = [...stdout.matchAll(/^Setting up (\S+?)(?::\S+)? \((\S+)\)/gm)].map((m) => ({
        name: m[1]!,
        action: 'install',
        to: m[2]!,
      }));
  }
  if (cmds.autoremove && !(await run(`${ENV} apt-get autoremove ${sh`${aptOptions({})}`}`))) {
    return { kind: 'failed', msg: `apt-get autoremove failed: ${stderr.trim()}`, data: { ...data, stdout, stderr } };
  }
  const out = {
    ...data,
    packages: changes.map((c) => c.name),
    stdout,
    stderr,
    stdout_lines: stdout.split('\n').filter(Boolean),
    stderr_lines: stderr.split('\n').filter(Boolean),
  };
  return { kind: 'applied', data: out };
}
