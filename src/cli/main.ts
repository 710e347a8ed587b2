/**
 * The `bosun` command line: parses flags into one options object, calls the
 * library, prints through a reporter, and returns ansible-playbook's exit
 * codes (0 ok, 1 error, 2 a host failed, 4 a host unreachable, 5 bad options).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { BosunError, formatError, isBosunError } from '../errors.js';
import type { RunOptions } from '../executor/run.js';

const EXIT_ERROR = 1;
const EXIT_BAD_OPTIONS = 5;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Build the command tree; `io` lets tests capture output. */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('bosun')
    .description('Declarative playbook runner: bring fleets of Linux hosts to the state a YAML playbook describes, over SSH.')
    .version(`bosun ${version()}`, '--version', 'print the version and exit')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
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
    .addOption(new Option('-T, --timeout <seconds>', 'SSH connect timeout').argParser(positiveInt).default(10))
    .option('-v, --verbose', 'more output: -v results, -vv task paths, -vvv connection details and stack traces', (_v, prev: number) => prev + 1, 0)
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
    .option('--no-color', 'no colours in the output')
    .action(async (playbooks, o) => {
      setExit(await runCommand(playbooks, { ...o, verbose: typeof o.verbose === 'number' ? o.verbose : 1 }, io));
    });

  program
    .command('inventory')
    .description('show the inventory and host variables (like ansible-inventory)')
    .option('-i, --inventory <path>', 'inventory file, folder or host list (repeatable)', collect, [] as string[])
    .option('--list', 'all groups and hosts with their variables, as JSON', false)
    .option('--host <host>', 'the variables of one host (-vvv: where each value comes from)')
    .option('--graph', 'the group tree', false)
    .option('--vars', 'with --graph: show variables', false)
    .option('-y, --yaml', 'YAML instead of JSON', false)
    .option('-l, --limit <pattern>', 'only these hosts')
    .option('-e, --extra-vars <vars>', 'extra variables (repeatable)', collect, [] as string[])
    .option('--playbook-dir <dir>', 'also read group_vars/ and host_vars/ beside this folder')
    .option('-v, --verbose', 'more output', (_v, prev: number) => prev + 1, 0)
    .action(async (o) => {
      const [{ inventoryCommand }, { parseExtraVars }] = await Promise.all([import('./inventory-command.js'), import('./extra-vars.js')]);
      const extraVars = await Promise.all(o.extraVars.map((v, i) => parseExtraVars(v, i)));
      setExit(await inventoryCommand({
        inventories: o.inventory, list: o.list, graph: o.graph, vars: o.vars, yaml: o.yaml, verbosity: typeof o.verbose === 'number' ? o.verbose : 1, extraVars,
        ...(o.host ? { host: o.host } : {}), ...(o.limit ? { limit: o.limit } : {}), ...(o.playbookDir ? { playbookDir: o.playbookDir } : {}),
      }, io));
    });

  const sandbox = program.command('sandbox').description('throwaway local test hosts: real sshd (and systemd) on 127.0.0.0/8 (root, Linux)');
  sandbox
    .command('up')
    .description('start N sandbox hosts and write an inventory and known_hosts for them')
    .argument('<count>', 'number of hosts', positiveInt)
    .option('--systemd', 'boot systemd as PID 1 in each host', false)
    .option('--base <address>', 'address of the first host (127.x.y.z)')
    .option('--name <name>', 'sandbox name (several can run side by side)', 'default')
    .option('--state-dir <dir>', 'where the sandbox keeps its files')
    .option('--group <group>', 'inventory group of the hosts', 'sandbox')
    .action(async (count, o) => {
      const { ensureSshd, sandboxUp } = await import('../sandbox/index.js');
      await ensureSshd();
      const sb = await sandboxUp({ count, systemd: o.systemd, name: o.name, group: o.group, ...(o.base ? { base: o.base } : {}), ...(o.stateDir ? { stateDir: o.stateDir } : {}) });
      io.out(`started ${sb.hosts.length} host(s): ${sb.hosts.map((h) => `${h.name}=${h.address}`).join(' ')}\n`);
      io.out(`inventory: ${sb.inventoryFile}\nknown_hosts: ${sb.knownHostsFile}\n`);
      io.out(`try: bosun run PLAYBOOK -i ${sb.inventoryFile}\nstop: bosun sandbox down${o.name === 'default' ? '' : ` --name ${o.name}`}\n`);
      setExit(0);
    });
  sandbox
    .command('down')
    .description('stop the sandbox hosts and remove their files')
    .option('--name <name>', 'sandbox name', 'default')
    .option('--state-dir <dir>', 'where the sandbox keeps its files')
    .action(async (o) => {
      const { sandboxDown } = await import('../sandbox/index.js');
      const n = await sandboxDown({ name: o.name, ...(o.stateDir ? { stateDir: o.stateDir } : {}) });
      io.out(`stopped ${n} host(s)\n`);
      setExit(0);
    });
  for (const [verb, what] of [['stop', 'stop one host (its files stay; bosun then finds it unreachable)'], ['start', 'start a stopped host again, with its files']] as const) {
    sandbox
      .command(verb)
      .description(what)
      .argument('<host>', 'host name (node03) or address')
      .option('--name <name>', 'sandbox name', 'default')
      .option('--state-dir <dir>', 'where the sandbox keeps its files')
      .action(async (host, o) => {
        const sb = await import('../sandbox/index.js');
        const ref = { name: o.name, ...(o.stateDir ? { stateDir: o.stateDir } : {}) };
        const did = verb === 'stop' ? await sb.sandboxStopHost(ref, host) : await sb.sandboxStartHost(ref, host);
        io.out(`${host}: ${did ? (verb === 'stop' ? 'stopped' : 'started') : `already ${verb === 'stop' ? 'stopped' : 'running'}`}\n`);
        setExit(0);
      });
  }
  sandbox
    .command('status')
    .description('list the hosts of a sandbox and whether they run')
    .option('--name <name>', 'sandbox name', 'default')
    .option('--state-dir <dir>', 'where the sandbox keeps its files')
    .action(async (o) => {
      const { sandboxStatus } = await import('../sandbox/index.js');
      for (const h of sandboxStatus({ name: o.name, ...(o.stateDir ? { stateDir: o.stateDir } : {}) })) {
        io.out(`${h.name} ${h.address} ${h.running ? 'running' : 'stopped'}\n`);
      }
      setExit(0);
    });
  return program;
}

/** Where the CLI writes. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
}

type RunFlags = {
  inventory: string[]; check: boolean; diff: boolean; limit?: string; extraVars: string[]; forks: number;
  user?: string; privateKey?: string; timeout: number; verbose: number; json: boolean; syntaxCheck: boolean;
  listHosts: boolean; listTasks: boolean; listTags: boolean; color: boolean; tags: string[]; skipTags: string[];
  startAtTask?: string; step: boolean; forceHandlers: boolean; become: boolean; becomeUser?: string; becomeMethod?: string;
  askBecomePass: boolean; confirm: boolean; yes: boolean;
};

const splitTags = (list: string[]): string[] => list.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);

async function runCommand(playbooks: string[], o: RunFlags, io: CliIO): Promise<number> {
  const { parseExtraVars } = await import('./extra-vars.js');
  const extraVars = await Promise.all(o.extraVars.map((v, i) => parseExtraVars(v, i)));
  const tags = { only: splitTags(o.tags), skip: splitTags(o.skipTags) };
  if (o.syntaxCheck || o.listHosts || o.listTasks || o.listTags) {
    const { inspectPlaybooks } = await import('./inspect.js');
    return inspectPlaybooks(playbooks, { ...o, tags }, extraVars, io);
  }
  const [{ runPlaybooks }, { createTextReporter }, { createJsonReporter }]: [typeof import('../executor/run.js'), typeof import('../reporters/text.js'), typeof import('../reporters/json.js')] = await Promise.all([
    import('../executor/run.js'), import('../reporters/text.js'), import('../reporters/json.js'),
  ]);
  const color = o.color && io.isTTY && !process.env['NO_COLOR'];
  const reporter = o.json
    ? createJsonReporter(io.out)
    : createTextReporter({ write: io.out, verbosity: o.verbose, color, diff: o.diff });
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
    connection: { connectTimeoutMs: o.timeout * 1000, ...(o.user ? { user: o.user } : {}), ...(o.privateKey ? { privateKeyFile: o.privateKey } : {}) },
    sink: (e) => reporter.onEvent(e),
  };
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

/** A yes/no question on the terminal (default no). */
async function askYes(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Read a secret from the terminal without echoing it. */
async function askSecret(prompt: string, io: CliIO): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new BosunError('BAD_OPTION', '--ask-become-pass needs a terminal', { hint: 'set BOSUN_BECOME_PASSWORD or ansible_become_password instead' });
  }
  const { createInterface } = await import('node:readline');
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    io.err(prompt);
    out._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      io.err('\n');
      resolve(answer);
    });
  });
}

/** --step: ask on the terminal before a task. */
async function askStep(task: string, io: CliIO): Promise<'yes' | 'no' | 'continue'> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (;;) {
      const answer = (await rl.question(`Perform task: TASK: ${task} (N)o/(y)es/(c)ontinue: `)).trim().toLowerCase();
      if (answer === 'y' || answer === 'yes') return 'yes';
      if (answer === 'c' || answer === 'continue') return 'continue';
      if (answer === '' || answer === 'n' || answer === 'no') return 'no';
      io.err('answer y, n or c\n');
    }
  } finally {
    rl.close();
  }
}

/** Run the CLI with arguments (without `node bosun`); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let code = 0;
  const verbose = argv.some((a) => /^-v{3,}$/.test(a) || a === '--verbose');
  const program = buildProgram(io, (c) => { code = c; });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_BAD_OPTIONS;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_BAD_OPTIONS;
    }
    if (isBosunError(e)) {
      io.err(`${formatError(e)}\n`);
      if (verbose && e.stack) io.err(`${e.stack}\n`);
      return e.code === 'BAD_OPTION' ? EXIT_BAD_OPTIONS : EXIT_ERROR;
    }
    const err = e as Error;
    io.err(`internal error: ${err?.message ?? String(e)}\n`);
    io.err(verbose ? `${err?.stack ?? ''}\n` : 'this is a bug in bosun; run with -vvv for the stack trace\n');
    return EXIT_ERROR;
  }
}

function defaultIO(): CliIO {
  return {
    out: (t) => { process.stdout.write(t); },
    err: (t) => { process.stderr.write(t); },
    isTTY: Boolean(process.stdout.isTTY),
  };
}

