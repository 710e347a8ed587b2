/**
 * `pip` (ansible.builtin.pip): install, upgrade or remove Python packages with the target's pip, in a
 * virtualenv it creates when missing. The decision reads what is installed (`pip list --format=freeze`, as
 * Ansible does) and asks pip itself what an install would do (`pip install --dry-run`, pip 22.2 and later),
 * so check mode predicts the real run, `latest`, requirement files and extra arguments included. The real
 * run takes Ansible's steps and words: the virtualenv command, then `pip install|uninstall` with the same
 * argument vector, changed by Ansible's rules ("Successfully installed", or the package list before and
 * after for requirement files and VCS URLs).
 */
import path from 'node:path';
import { pyBytesRepr, pyOsError } from '../util/python-text.js';
import { shlexSplit } from '../util/shell.js';
import { boolSchema, toBool } from './lib/bool.js';
import {
  installedVersions,
  parsePackage,
  recoverPackageNames,
  satisfiedBy,
  withVersion,
  wouldInstall,
  type PipPackage,
} from './lib/pip-requirement.js';
import {
  binPaths,
  expandHome,
  firstExecutable,
  locatePip,
  readBasics,
  runWords,
  shPath,
  type RunIn,
  type TargetBasics,
} from './lib/pip-target.js';
import { applying, deciding, failed } from './lib/result.js';
import { defineModule, type ApplyResult, type Decision, type ModuleContext, type ResultData } from './types.js';

/** Arguments of `pip`. */
export interface PipArgs {
  name?: string | string[];
  version?: string | number;
  requirements?: string;
  virtualenv?: string;
  virtualenv_site_packages?: boolean | string;
  virtualenv_command?: string;
  virtualenv_python?: string;
  state?: 'present' | 'absent' | 'latest' | 'forcereinstall';
  extra_args?: string;
  editable?: boolean | string;
  chdir?: string;
  executable?: string;
  umask?: string | number;
}

type State = NonNullable<PipArgs['state']>;

const STATE_WORDS: Record<State, string[]> = {
  present: ['install'],
  absent: ['uninstall', '-y'],
  latest: ['install', '-U'],
  forcereinstall: ['install', '-U', '--force-reinstall'],
};

const VCS = /^(svn|git|hg|bzr)\+/;

/** Everything one task needs, worked out from the arguments and the target. */
interface Plan {
  state: State;
  basics: TargetBasics;
  env?: string;
  chdir: string;
  umask?: number;
  python: string;
  packages: PipPackage[];
  /** The argument vector after pip's own words (state words, extra args, packages or `-r FILE`). */
  tail: string[];
  extraArgs?: string;
  requirements?: string;
  /** Ansible compares the package list before and after (requirement files, VCS URLs) instead of pip's words. */
  freezeRule: boolean;
  /** What is registered besides cmd/stdout/stderr. */
  base: ResultData;
}

/** Ansible's `_fail`: the output as the message, the command as registered. */
function pipFailure(cmd: string[], out: string, err: string): { msg: string; data: ResultData } {
  let msg = '';
  if (out) msg += `stdout: ${out}`;
  if (err) msg += `\n:stderr: ${err}`;
  return { msg, data: { cmd } };
}

/** The task's arguments checked in Ansible's order; a message when they cannot run. */
function checkArgs(args: PipArgs): string | undefined {
  if (args.name === undefined && args.requirements === undefined)
    return 'one of the following is required: name, requirements';
  if (args.name !== undefined && args.requirements !== undefined)
    return 'parameters are mutually exclusive: name|requirements';
  if (args.executable !== undefined && args.virtualenv !== undefined)
    return 'parameters are mutually exclusive: executable|virtualenv';
  return undefined;
}

/** The names as Ansible's `type: list` gives them (a string split at commas). */
function nameList(name: PipArgs['name']): string[] | undefined {
  if (name === undefined) return undefined;
  return Array.isArray(name) ? name.map(String) : name.split(',');
}

/** Work out the plan, or a failure message (with registered data) when the task cannot run. */
async function makePlan(ctx: ModuleContext, args: PipArgs): Promise<Plan | { msg: string; data?: ResultData }> {
  const bad = checkArgs(args);
  if (bad) return { msg: bad };
  const state = args.state ?? 'present';
  let umask: number | undefined;
  if (args.umask !== undefined) {
    const text = String(args.umask);
    if (!/^[+-]?[0-7]+$/.test(text.trim()))
      return {
        msg: 'umask must be an octal integer',
        data: { details: `invalid literal for int() with base 8: '${text}'` },
      };
    umask = parseInt(text, 8);
  }
  const version = args.version === undefined ? undefined : String(args.version);
  if (state === 'latest' && version !== undefined) return { msg: 'version is incompatible with state=latest' };
  const names = nameList(args.name);
  let packages: PipPackage[] = [];
  if (names?.length) {
    packages = recoverPackageNames(names).map(parsePackage);
    const option = packages.find((p) => p.text.trimStart().startsWith('-'));
    if (option)
      return {
        msg: `name '${option.text}' starts with '-': a package name, path or URL is never given to pip as an option (options go in extra_args)`,
      };
    if (version !== undefined) {
      if (packages.length > 1)
        return {
          msg: "'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument.",
        };
      if (packages[0]!.specs.length)
        return {
          msg: "The 'version' argument conflicts with any version specifier provided along with a package name. Please keep the version specifier, but remove the 'version' argument.",
        };
      packages[0] = withVersion(packages[0]!, version);
    }
  }
  const venvCommand = args.virtualenv_command ?? 'virtualenv';
  if (args.virtualenv_python !== undefined && (venvCommand.includes('pyvenv') || venvCommand.includes('-m venv')))
    return {
      msg: 'virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command',
    };
  let extraArgs = args.extra_args;
  if (toBool(args.editable)) {
    const list = extraArgs ? extraArgs.split(' ') : [];
    if (!list.includes('-e')) extraArgs = [...list, '-e'].join(' ');
  }
  let extra: string[];
  try {
    extra = extraArgs ? shlexSplit(extraArgs) : [];
  } catch (e) {
    return { msg: `extra_args: ${(e as Error).message}` };
  }
  const basics = await readBasics(ctx);
  const chdirArg = expandHome(args.chdir, basics.home);
  let env = expandHome(args.virtualenv, basics.home);
  // os.path.join: an absolute virtualenv stays as it is.
  if (env !== undefined && chdirArg !== undefined && !env.startsWith('/')) env = path.posix.join(chdirArg, env);
  const interp = ctx.vars['ansible_python_interpreter'];
  const python =
    typeof interp === 'string' && interp !== '' && !interp.includes(' ')
      ? interp
      : ((await firstExecutable(ctx, [
          '/usr/bin/python3',
          ...binPaths(basics.path).map((d) => path.posix.join(d, 'python3')),
        ])) ?? '/usr/bin/python3');
  const tail = [...STATE_WORDS[state], ...extra];
  if (packages.length) tail.push(...packages.map((p) => p.text));
  else if (args.requirements !== undefined) tail.push('-r', args.requirements);
  return {
    state,
    basics,
    ...(env !== undefined ? { env } : {}),
    chdir: chdirArg ?? basics.tmp,
    ...(umask !== undefined ? { umask } : {}),
    python,
    packages,
    tail,
    ...(extraArgs ? { extraArgs } : {}),
    ...(args.requirements !== undefined ? { requirements: args.requirements } : {}),
    freezeRule: args.requirements !== undefined || (names ?? []).some((n) => VCS.test(n)),
    base: {
      name: names ?? null,
      version: version ?? null,
      state,
      requirements: args.requirements ?? null,
      virtualenv: env ?? null,
    },
  };
}

/** A sh-runnable option set for the plan's commands. */
function runIn(p: Plan, extra: Partial<RunIn> = {}): RunIn {
  return {
    cwd: p.chdir,
    ...(p.env !== undefined ? { pathPrefix: path.posix.join(p.env, 'bin') } : {}),
    ...(p.umask !== undefined ? { umask: p.umask } : {}),
    ...extra,
  };
}

/** Ansible's `_get_packages`: `pip list --format=freeze`, or `pip freeze` for an old pip. */
async function listPackages(
  ctx: ModuleContext,
  pip: string[],
  p: Plan,
): Promise<{ cmd: string[]; out: string; err: string } | { msg: string; data: ResultData }> {
  let cmd = [...pip, 'list', '--format=freeze'];
  let res = await runWords(ctx, cmd, { cwd: p.chdir, locale: true });
  if (res.rc !== 0) {
    cmd = [...pip, 'freeze'];
    res = await runWords(ctx, cmd, { cwd: p.chdir });
    if (res.rc !== 0) return pipFailure(cmd, res.stdout, res.stderr);
  }
  return { cmd, out: res.stdout, err: res.stderr };
}

/** Python's OSError when the program cannot be run (a missing or non-executable `executable`). */
async function execError(ctx: ModuleContext, program: string): Promise<string | undefined> {
  const res = await ctx.conn.exec(
    `( p=${shPath(program)}; [ -e "$p" ] || { echo 2; exit 0; }; [ -x "$p" ] && [ ! -d "$p" ] || echo 13 )`,
  );
  const errno = Number(res.stdout.trim() || '0');
  return errno ? pyOsError(errno, pyBytesRepr(program)) : undefined;
}

/** Create the virtualenv as Ansible's setup_virtualenv does; the output, or a failure. */
async function createVenv(
  ctx: ModuleContext,
  p: Plan,
  args: PipArgs,
): Promise<{ out: string; err: string } | { msg: string; data?: ResultData }> {
  const commandText = expandHome(args.virtualenv_command ?? 'virtualenv', p.basics.home)!;
  const cmd = shlexSplit(commandText);
  if (path.posix.basename(cmd[0]!) === cmd[0]) {
    const dirs = binPaths(p.basics.path);
    const found = await firstExecutable(
      ctx,
      dirs.map((d) => path.posix.join(d, cmd[0]!)),
    );
    if (!found) return { msg: `Failed to find required executable "${cmd[0]}" in paths: ${dirs.join(':')}` };
    cmd[0] = found;
  }
  if (toBool(args.virtualenv_site_packages)) cmd.push('--system-site-packages');
  else {
    const program = cmd[0]!;
    const help = await runWords(ctx, [program, '--help'], { cwd: '.' });
    if (help.rc !== 0) return { msg: `Could not get output from ${program} --help: ${help.stdout}${help.stderr}` };
    if (help.stdout.trim().split(/\s+/).includes('--no-site-packages')) cmd.push('--no-site-packages');
  }
  if (!['pyvenv', '-m venv'].some((w) => commandText.includes(w))) cmd.push(`-p${args.virtualenv_python ?? p.python}`);
  cmd.push(p.env!);
  const res = await runWords(ctx, cmd, { cwd: p.chdir, ...(p.umask !== undefined ? { umask: p.umask } : {}) });
  if (res.rc !== 0) return pipFailure(cmd, res.stdout, res.stderr);
  return { out: res.stdout, err: res.stderr };
}

/** The real run: the virtualenv when missing, then pip; changed by Ansible's rules. */
async function install(
  ctx: ModuleContext,
  p: Plan,
  args: PipArgs,
  venvMissing: boolean,
  listedBefore?: string,
): Promise<ApplyResult> {
  let out = '';
  let err = '';
  if (venvMissing) {
    const made = await createVenv(ctx, p, args);
    if ('msg' in made) return { kind: 'failed', ...made };
    out += made.out;
    err += made.err;
  }
  const where = await locatePip(ctx, {
    ...(args.executable !== undefined ? { executable: expandHome(args.executable, p.basics.home)! } : {}),
    ...(p.env !== undefined ? { env: p.env } : {}),
    python: p.python,
    basics: p.basics,
  });
  if ('error' in where) return { kind: 'failed', msg: where.error, ...(venvMissing ? { changed: true } : {}) };
  const cmd = [...where.words, ...p.tail];
  const oserr = await execError(ctx, where.words[0]!);
  if (oserr) return { kind: 'failed', msg: oserr, data: { cmd, rc: 2 } };
  // The list the decision read is the list before (nothing ran in between).
  let before = p.freezeRule ? listedBefore : undefined;
  if (p.freezeRule && before === undefined) {
    const listed = await listPackages(ctx, where.words, p);
    if ('msg' in listed) return { kind: 'failed', ...listed };
    before = listed.out;
  }
  const res = await runWords(ctx, cmd, runIn(p));
  out += res.stdout;
  err += res.stderr;
  const notInstalled = res.stdout.includes('not installed') || res.stderr.includes('not installed');
  if (res.rc !== 0 && !(res.rc === 1 && p.state === 'absent' && notInstalled)) {
    const f = pipFailure(cmd, out, err);
    return { kind: 'failed', msg: f.msg, data: f.data, ...(venvMissing ? { changed: true } : {}) };
  }
  let changed: boolean;
  if (p.state === 'absent') changed = res.stdout.includes('Successfully uninstalled');
  else if (before === undefined) changed = res.stdout.includes('Successfully installed');
  else {
    const after = await listPackages(ctx, where.words, p);
    if ('msg' in after) return { kind: 'failed', ...after };
    changed = after.out !== before;
  }
  const data = { ...p.base, cmd, stdout: out, stderr: err };
  return changed || venvMissing ? { kind: 'applied', data } : { kind: 'unchanged', data };
}

/** Read the target and decide. */
async function decidePip(ctx: ModuleContext, args: PipArgs): Promise<Decision> {
  const plan = await makePlan(ctx, args);
  if (!('state' in plan)) return failed(plan.msg, plan.data ?? {});
  const p = plan;
  const apply = (venvMissing: boolean) => () => applying(() => install(ctx, p, args, venvMissing));
  if (!p.packages.length && p.requirements === undefined)
    return { kind: 'ok', data: {}, warnings: ['No valid name or requirements file found.'] };
  if (p.env !== undefined) {
    const probe = await ctx.conn.exec(`[ -e ${shPath(path.posix.join(p.env, 'bin', 'activate'))} ]`);
    // A virtualenv to create is a change; check mode says no more (Ansible registers only `changed`).
    if (probe.rc !== 0) return { kind: 'change', data: {}, apply: apply(true) };
  }
  const where = await locatePip(ctx, {
    ...(args.executable !== undefined ? { executable: expandHome(args.executable, p.basics.home)! } : {}),
    ...(p.env !== undefined ? { env: p.env } : {}),
    python: p.python,
    basics: p.basics,
  });
  if ('error' in where) return failed(where.error);
  const cmd = [...where.words, ...p.tail];
  const oserr = await execError(ctx, where.words[0]!);
  if (oserr) return failed(oserr, { cmd, rc: 2 });
  // What Ansible's check mode registers: nothing for the inputs it does not read, else the package list.
  const ansibleReads = !p.extraArgs && p.requirements === undefined && p.state !== 'latest';
  // The package list, read only where something needs it (each pip start costs the target half a second).
  const needList = (ctx.check && ansibleReads) || p.state === 'absent' || p.freezeRule;
  let listed: { cmd: string[]; out: string; err: string } | undefined;
  const list = async (): Promise<{ cmd: string[]; out: string; err: string } | { msg: string; data: ResultData }> => {
    if (listed) return listed;
    const r = await listPackages(ctx, where.words, p);
    if (!('msg' in r)) listed = r;
    return r;
  };
  if (needList) {
    const r = await list();
    if ('msg' in r) return failed(r.msg, r.data);
  }
  const checkData = (): ResultData =>
    ansibleReads && listed ? { cmd: listed.cmd.join(' '), stdout: listed.out, stderr: listed.err } : {};
  const data = (real: ResultData): ResultData => (ctx.check ? checkData() : { ...p.base, cmd, ...real });
  const change = (): Decision => ({
    kind: 'change',
    data: ctx.check ? checkData() : {},
    apply: () => applying(() => install(ctx, p, args, false, listed?.out)),
  });
  if (p.state === 'absent') {
    if (p.requirements !== undefined || p.packages.some((x) => x.canonical === undefined))
      return unpredictable('pip cannot tell which packages a requirement file or a path would remove', apply(false));
    const installed = installedVersions(listed!.out);
    if (p.packages.some((x) => installed.has(x.canonical!))) return change();
    if (ctx.check) return { kind: 'ok', data: checkData() };
    // Nothing to remove: the real run still asks pip, which removes nothing and says so (or refuses, as a
    // system Python marked externally managed does), so the registered words and a refusal are pip's own.
    return { kind: 'change', data: {}, apply: () => applying(() => install(ctx, p, args, false)) };
  }
  if (toBool(args.editable))
    return unpredictable('an editable install cannot be predicted without building it', apply(false));
  const stateWords = STATE_WORDS[p.state];
  const dryWords = [...where.words, ...stateWords, '--dry-run', ...p.tail.slice(stateWords.length)];
  const dry = await runWords(ctx, dryWords, runIn(p));
  if (dry.rc !== 0 && dry.stderr.includes('no such option: --dry-run')) {
    const r = await list();
    if ('msg' in r) return failed(r.msg, r.data);
    return oldPip(p, installedVersions(r.out), change(), data, apply);
  }
  if (dry.rc !== 0) {
    const f = pipFailure(cmd, dry.stdout, dry.stderr);
    return failed(f.msg, f.data);
  }
  const would = wouldInstall(dry.stdout);
  const installed = listed ? installedVersions(listed.out) : new Map<string, string>();
  const changes = p.freezeRule ? would.some(([n, v]) => installed.get(n) !== v) : would.length > 0;
  if (changes) return change();
  return { kind: 'ok', data: data({ stdout: dry.stdout, stderr: dry.stderr }) };
}

/** The check-mode answer when the outcome cannot be known without installing. */
function unpredictable(reason: string, apply: () => Promise<ApplyResult>): Decision {
  return { kind: 'unpredictable', reason, data: {}, apply };
}

/** pip before 22.2 has no --dry-run: Ansible's reading of the package list, for plain names only. */
function oldPip(
  p: Plan,
  installed: Map<string, string>,
  change: Decision,
  data: (real: ResultData) => ResultData,
  apply: (venvMissing: boolean) => () => Promise<ApplyResult>,
): Decision {
  if (p.state === 'forcereinstall') return change;
  if (p.state !== 'present' || p.extraArgs || p.requirements !== undefined || p.packages.some((x) => !x.canonical))
    return unpredictable(
      'this pip has no --dry-run (pip 22.2 and later): it cannot tell without installing',
      apply(false),
    );
  const missing = p.packages.some((x) => {
    const v = installed.get(x.canonical!);
    return v === undefined || !satisfiedBy(x, v);
  });
  return missing ? change : { kind: 'ok', data: data({ stdout: '', stderr: '' }) };
}

export default defineModule<PipArgs>({
  name: 'pip',
  docs: {
    short: "Install, upgrade or remove Python packages with the target's pip, in a virtualenv when asked",
    description:
      'Check mode asks pip what an install would do (`pip install --dry-run`, pip 22.2 and later) and reads `pip list` for removals. A virtualenv that is missing is created with `virtualenv_command` first.',
  },
  checkMode: 'partial',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: {
        type: ['string', 'array'],
        items: { type: 'string' },
        description:
          "Package names with optional version specifiers ('bottle>0.10,<0.20'), paths or URLs; a list or 'a,b'",
      },
      version: { type: ['string', 'number'], description: 'The version to install of the one package in name' },
      requirements: { type: 'string', description: 'A requirements file on the target (relative to chdir)' },
      virtualenv: { type: 'string', description: 'Install into this virtualenv, created when missing' },
      virtualenv_site_packages: boolSchema('A created virtualenv sees the system site-packages', false),
      virtualenv_command: {
        type: 'string',
        default: 'virtualenv',
        description: "The command that creates the virtualenv ('python3 -m venv', virtualenv, a path)",
      },
      virtualenv_python: {
        type: 'string',
        description: "The Python of a created virtualenv (virtualenv's -p; not with venv or pyvenv)",
      },
      state: {
        type: 'string',
        enum: ['present', 'absent', 'latest', 'forcereinstall'],
        default: 'present',
        description: 'present, absent, latest (install or upgrade) or forcereinstall',
      },
      extra_args: { type: 'string', description: "More arguments to pip (split as Python's shlex does)" },
      editable: boolSchema('Install in editable mode (-e)', false),
      chdir: { type: 'string', description: 'Run pip in this folder (default: the temporary folder)' },
      executable: {
        type: 'string',
        description: 'The pip to run (a path, or a name looked up in PATH); not with virtualenv',
      },
      umask: { type: ['string', 'number'], description: "The umask pip runs with, in octal ('0022')" },
    },
  },
  decide: (ctx, args) => deciding(() => decidePip(ctx, args)),
});
