/**
 * `bosun run`: flags -> one RunOptions -> runPlaybooks, with the chosen
 * reporter; also --syntax-check/--list-*, --confirm and --step.
 */
import type { Command } from '@commander-js/extra-typings';
import { BosunError } from '../errors.js';
import type { RunOptions, RunOutcome } from '../executor/run.js';
import { checkOutputFile } from './output-paths.js';
import { askYes } from './prompt.js';
import type { CliContext, CliIO } from './context.js';
import { addRunOptions, cliRunOptions, oneShard, splitTags, type RunFlags } from './run-options.js';
import { applyVaultOptions } from './run-vault-options.js';
import { ansibleDefaults, applyAnsibleDefaults, type ConfigExtras } from './ansible-config.js';

/** Register `bosun run`; its options come from the table in run-options.ts. */
export function registerRun(program: Command, { io, setExit }: CliContext): void {
  addRunOptions(
    program
      .command('run')
      .description('run playbooks against an inventory (like ansible-playbook)')
      .argument('<playbook...>', 'playbook files, run in order'),
  ).action(async (playbooks, opts, cmd) => {
    // addRunOptions added exactly the table's options (a unit test checks the attribute names), so the flags are RunFlags.
    const o = { ...(opts as unknown as RunFlags) };
    // ansible.cfg and ANSIBLE_* fill the flags the command line leaves out (Ansible's precedence).
    const given = new Set(Object.keys(opts).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
    const config = applyAnsibleDefaults(o, given, ansibleDefaults(io.env));
    setExit(await runCommand(playbooks, { ...o, verbose: typeof o.verbose === 'number' ? o.verbose : 1 }, io, config));
  });
}

async function runCommand(playbooks: string[], o: RunFlags, io: CliIO, config: ConfigExtras): Promise<number> {
  const inspecting = o.syntaxCheck || o.listHosts || o.listTasks || o.listTags;
  // The files written at the end of a run: found unwritable now, not after the last host is done.
  if (!inspecting) checkOutputFiles(o);
  // The vault password must be known before any file is read (vaulted vars files, !vault values).
  await applyVaultOptions(o, io);
  if (o.verbose >= 1 && !o.json) for (const note of config.notes) io.out(`${note}\n`);
  if (inspecting) {
    const [{ inspectPlaybooks }, { parseExtraVars }] = await Promise.all([
      import('./inspect.js'),
      import('./extra-vars.js'),
    ]);
    const extraVars = await Promise.all(o.extraVars.map((v, i) => parseExtraVars(v, i)));
    const tags = { only: splitTags(o.tags), skip: splitTags(o.skipTags) };
    const shard = oneShard(o.shard, { io, flags: o, filled: {} });
    return inspectPlaybooks(
      playbooks,
      { ...o, tags, shard, ...(config.rolesPath ? { rolesPath: config.rolesPath } : {}) },
      extraVars,
      io,
    );
  }
  const [{ runPlaybooks }, { buildReporters }, { dispatchTo }] = await Promise.all([
    import('../executor/run.js'),
    import('./run-output-options.js'),
    import('../reporters/dispatch.js'),
  ]);
  // Every field the table fills (prompts in table order); the reporters before the become prompt, as always.
  let reporters: ReturnType<typeof dispatchTo> | undefined;
  const fromFlags = await cliRunOptions(o, io, async () => {
    reporters = dispatchTo(await buildReporters(o, io, config.display));
  });
  if (!reporters) throw new Error('cliRunOptions did not build the reporters');
  const runOptions: RunOptions = {
    ...fromFlags,
    playbooks,
    sink: reporters.sink,
    ...(config.rolesPath ? { rolesPath: config.rolesPath } : {}),
    ...(config.warnings.length ? { startWarnings: config.warnings } : {}),
    ...(config.gathering ? { gathering: config.gathering } : {}),
  };
  if (config.strictHostKeyChecking === false) runOptions.connection.strictHostKeyChecking = false;
  // Ctrl-C or SIGTERM: stop starting tasks and let running ones finish (--grace), then kill their commands on the
  // targets. A second signal ends the grace now (the commands killed at once, exit within HURRY_EXIT_MS); a third exits.
  const interrupt = new AbortController();
  const hurry = new AbortController();
  runOptions.signal = interrupt.signal;
  runOptions.hurry = hurry.signal;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (hurry.signal.aborted) {
      io.err(`\n${sig} again: exiting now\n`);
      process.exit(99);
    }
    if (interrupt.signal.aborted) {
      io.err(`\n${sig} again: killing the running commands and stopping now\n`);
      hurry.abort(sig);
      setTimeout(() => process.exit(99), HURRY_EXIT_MS).unref();
      return;
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
    // The run ends when every reporter has handled every event (async hooks included).
    await reporters.flush();
  }
}

/** After a second Ctrl-C, the longest the run may take to kill its commands and print the recap. */
const HURRY_EXIT_MS = 4000;

/** --retry-file, --report and --log, each when given. */
function checkOutputFiles(o: RunFlags): void {
  const given: Array<[string, string | undefined]> = [
    ['--retry-file', o.retryFile],
    ['--report', o.report],
    ['--log', o.log],
  ];
  for (const [flag, file] of given) if (file) checkOutputFile(flag, file);
}

/** Run once, or with --confirm: the plan first, one question, then the real run. */
async function runWithConfirm(
  runOptions: RunOptions,
  o: RunFlags,
  io: CliIO,
  runPlaybooksOnly: typeof import('../executor/run.js').runPlaybooks,
): Promise<number> {
  const runPlaybooks = async (opts: RunOptions): Promise<RunOutcome> => {
    const outcome = await runPlaybooksOnly(opts);
    // As ansible-playbook: an error after the recap, and the exit code stays the run's.
    if (outcome.unmatchedStartAtTask !== undefined)
      io.err(`[ERROR]: No matching task "${outcome.unmatchedStartAtTask}" found.\n`);
    return outcome;
  };
  if (!o.confirm || o.check) return (await runPlaybooks(runOptions)).exitCode;
  // --confirm: the plan first (a check run), one question, then the real run.
  if (!o.yes && !process.stdin.isTTY)
    throw new BosunError('BAD_OPTION', '--confirm asks on the terminal: add -y to apply without asking');
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
  io.out(
    `${changes.reduce((n, [, s]) => n + s.changed, 0)} change(s) on ${changes.length} host(s): ${changes.map(([h]) => h).join(', ')}\n`,
  );
  if (!o.yes && !(await askYes('Apply these changes? [y/N] ', io))) {
    io.out('not applied\n');
    return 0;
  }
  io.out('APPLY\n');
  return (await runPlaybooks(runOptions)).exitCode;
}
