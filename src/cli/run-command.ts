/**
 * `bosun run`: flags -> one RunOptions -> runPlaybooks, with the chosen
 * reporter; also --syntax-check/--list-*, --confirm and --step.
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { BosunError } from '../errors.js';
import type { RunOptions } from '../executor/run.js';
import { askSecret, askStep, askYes } from './prompt.js';
import { collect, increase, positiveInt, type CliContext, type CliIO } from './context.js';
import { addRunOutputOptions, type RunOutputFlags } from './run-output-options.js';
import { addVaultOptions, applyVaultOptions, type VaultFlags } from './run-vault-options.js';

/** Register `bosun run`. */
export function registerRun(program: Command, { io, setExit }: CliContext): void {
  addVaultOptions(addRunOutputOptions(program
    .command('run')
    .description('run playbooks against an inventory (like ansible-playbook)')
    .argument('<playbook...>', 'playbook files, run in order')
    .option('-i, --inventory <path>', 'inventory file, folder or host list "a,b," (repeatable)', collect, [] as string[])
    .option('-C, --check', "don't change anything; report what would change", false)
    .option('-D, --diff', 'show the differences in changed files', false)
    .option('-l, --limit <pattern>', 'further limit the selected hosts to a pattern')
    .option('-e, --extra-vars <vars>', 'extra variables: k=v, JSON/YAML, or @file (repeatable)', collect, [] as string[])
    .addOption(new Option('-f, --forks <n>', 'hosts to run at once').argParser(positiveInt).default(20))
    .option('-u, --user <name>', 'connect as this user (ansible_user wins)')
    .option('--private-key <file>', 'private key file (ansible_ssh_private_key_file wins)')
    .addOption(new Option('-T, --timeout <seconds>', 'SSH connect timeout (as ansible-playbook)').argParser(positiveInt).default(10))
    .addOption(new Option('--run-timeout <seconds>', 'stop the whole run after this long (running commands are cut off; exit 99)').argParser(positiveInt))
    .option('--retry-file <file>', 'write the hosts that failed or were unreachable to FILE (then: --limit @FILE)')
    .addOption(new Option('--grace <seconds>', 'after Ctrl-C, how long running tasks may finish').argParser(positiveInt).default(10))
    .option('-v, --verbose', 'more output: -v results, -vv task paths, -vvv connection details and stack traces', increase, 0)
    .option('--json', 'print one JSON event per line instead of text', false)
    .option('-t, --tags <tags>', 'only run tasks with these tags (comma-separated; repeatable)', collect, [] as string[])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated; repeatable)', collect, [] as string[])
    .option('--start-at-task <name>', 'start at the first task with this name (or glob)')
    .option('--step', 'ask before each task: (y)es, (n)o, (c)ontinue with the rest', false)
    .option('--force-handlers', 'run notified handlers even on hosts that failed', false)
    .option('-b, --become', 'run tasks with become (sudo) unless a play or task says otherwise', false)
    .option('--become-user <user>', 'the user to become (default root)')
    .addOption(new Option('--become-method <method>', 'how to become').choices(['sudo', 'su']))
    .option('--confirm', 'plan first (a check run), ask once, then apply', false)
    .option('-y, --yes', 'with --confirm: apply without asking', false)
    .option('-K, --ask-become-pass', 'ask for the become password (or set BOSUN_BECOME_PASSWORD)', false)
    .option('--syntax-check', 'load and check the playbooks, then stop', false)
    .option('--list-hosts', 'list the hosts each play would run on, then stop', false)
    .option('--list-tasks', 'list the tasks each play would run, then stop', false)
    .option('--list-tags', 'list the tags of each play, then stop', false)
    .option('--no-color', 'no colours in the output')))
    .action(async (playbooks, o) => {
      setExit(await runCommand(playbooks, { ...o, verbose: typeof o.verbose === 'number' ? o.verbose : 1 }, io));
    });

}

type RunFlags = RunOutputFlags & Partial<VaultFlags> & {
  inventory: string[]; check: boolean; diff: boolean; limit?: string; extraVars: string[]; forks: number;
  user?: string; privateKey?: string; timeout: number; runTimeout?: number; retryFile?: string; grace: number; verbose: number; json: boolean; syntaxCheck: boolean;
  listHosts: boolean; listTasks: boolean; listTags: boolean; color: boolean; tags: string[]; skipTags: string[];
  startAtTask?: string; step: boolean; forceHandlers: boolean; become: boolean; becomeUser?: string; becomeMethod?: string;
  askBecomePass: boolean; confirm: boolean; yes: boolean;
};

const splitTags = (list: string[]): string[] => list.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);

async function runCommand(playbooks: string[], o: RunFlags, io: CliIO): Promise<number> {
  // The vault password must be known before any file is read (vaulted vars files, !vault values).
  await applyVaultOptions(o, io);
  const { parseExtraVars } = await import('./extra-vars.js');
  const extraVars = await Promise.all(o.extraVars.map((v, i) => parseExtraVars(v, i)));
  const tags = { only: splitTags(o.tags), skip: splitTags(o.skipTags) };
  if (o.syntaxCheck || o.listHosts || o.listTasks || o.listTags) {
    const { inspectPlaybooks } = await import('./inspect.js');
    return inspectPlaybooks(playbooks, { ...o, tags }, extraVars, io);
  }
  const [{ runPlaybooks }, { buildRunOutput }] = await Promise.all([import('../executor/run.js'), import('./run-output-options.js')]);
  const { reporter, connection: sshDefaults } = await buildRunOutput(o, io);
  const runOptions: RunOptions = {
    playbooks,
    inventories: o.inventory,
    check: o.check,
    diff: o.diff,
    ...(o.limit ? { limit: o.limit } : {}),
    extraVars,
    forks: o.forks,
    verbosity: o.verbose,
    tags,
    ...(o.startAtTask ? { startAtTask: o.startAtTask } : {}),
    forceHandlers: o.forceHandlers,
    ...(o.become || o.becomeUser || o.becomeMethod ? { become: { enabled: o.become, ...(o.becomeUser ? { user: o.becomeUser } : {}), ...(o.becomeMethod ? { method: o.becomeMethod } : {}) } } : {}),
    ...(o.askBecomePass ? { becomePassword: await askSecret('BECOME password: ', io) } : {}),
    ...(o.step ? { confirmStep: (task: string) => askStep(task, io) } : {}),
    connection: { connectTimeoutMs: o.timeout * 1000, ...(o.user ? { user: o.user } : {}), ...(o.privateKey ? { privateKeyFile: o.privateKey } : {}), ...sshDefaults },
    sink: (e) => reporter.onEvent(e),
    ...(o.runTimeout ? { runDeadline: Date.now() + o.runTimeout * 1000 } : {}),
    ...(o.retryFile ? { retryFile: o.retryFile } : {}),
    graceMs: o.grace * 1000,
  };
  // Ctrl-C or SIGTERM: stop starting tasks and let running ones finish (--grace); a second Ctrl-C exits at once.
  const interrupt = new AbortController();
  runOptions.signal = interrupt.signal;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupt.signal.aborted) {
      io.err(`\n${sig} again: stopping now\n`);
      process.exit(99);
    }
    interrupt.abort(sig === 'SIGTERM' ? 'terminated' : 'interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runWithConfirm(runOptions, o, io, runPlaybooks);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Run once, or with --confirm: the plan first, one question, then the real run. */
async function runWithConfirm(
  runOptions: RunOptions, o: RunFlags, io: CliIO, runPlaybooks: typeof import('../executor/run.js').runPlaybooks,
): Promise<number> {
  if (!o.confirm || o.check) return (await runPlaybooks(runOptions)).exitCode;
  // --confirm: the plan first (a check run), one question, then the real run.
  if (!o.yes && !process.stdin.isTTY) throw new BosunError('BAD_OPTION', '--confirm asks on the terminal: add -y to apply without asking');
  io.out('PLAN (check mode: nothing is changed yet)\n');
  const plan = await runPlaybooks({ ...runOptions, check: true });
  const changes = Object.entries(plan.stats).filter(([, s]) => s.changed > 0);
  if (plan.exitCode !== 0) {
    io.out('the plan has failures or unreachable hosts: not applying\n');
    return plan.exitCode;
  }
  if (changes.length === 0) {
    io.out('nothing to change\n');
    return 0;
  }
  io.out(`${changes.reduce((n, [, s]) => n + s.changed, 0)} change(s) on ${changes.length} host(s): ${changes.map(([h]) => h).join(', ')}\n`);
  if (!o.yes && !(await askYes('Apply these changes? [y/N] '))) {
    io.out('not applied\n');
    return 0;
  }
  io.out('APPLY\n');
  return (await runPlaybooks(runOptions)).exitCode;
}

