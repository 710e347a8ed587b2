/**
 * The `bosun` command line: each command registers itself from its own file
 * (COMMANDS below); this file builds the program, runs it, and maps errors
 * to ansible-playbook's exit codes (0 ok, 1 error, 2 a host failed, 4 a host
 * unreachable, 5 bad options).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { formatError, formatInternalError, toBosunError } from '../errors.js';
import type { CliContext, CliIO } from './context.js';
import { registerConvert } from './convert-command.js';
import { registerDoc } from './doc-command.js';
import { registerInventory } from './inventory-command.js';
import { registerLint } from './lint-command.js';
import { registerRun } from './run-command.js';
import { registerReport } from './report-command.js';
import { registerRole } from './role-command.js';
import { registerSandbox } from './sandbox-command.js';
import { registerSchema } from './schema-command.js';
import { registerVault } from './vault-command.js';

export type { CliIO } from './context.js';

const EXIT_ERROR = 1;
const EXIT_BAD_OPTIONS = 5;

/** Every command: one register function each, in the order --help lists them. */
const COMMANDS: Array<(program: Command, ctx: CliContext) => void> = [
  registerRun,
  registerInventory,
  registerSandbox,
  registerReport,
  registerVault,
  registerRole,
  registerLint,
  registerConvert,
  registerSchema,
  registerDoc,
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Build the command tree; `io` lets tests capture output. */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('bosun')
    .description(
      'Declarative playbook runner: bring fleets of Linux hosts to the state a YAML playbook describes, over SSH.',
    )
    .version(`bosun ${version()}`, '--version', 'print the version and exit')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const register of COMMANDS) register(program, { io, setExit });
  return program;
}

/** Run the CLI with arguments (without `node bosun`); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let code = 0;
  const verbosity = verbosityOf(argv);
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_BAD_OPTIONS;
    }
    await program.parseAsync(withAnsibleNames(argv), { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
      return EXIT_BAD_OPTIONS;
    }
    // A user or target error (or the controller's OS refusing) is told in its own words, never with a stack.
    const known = toBosunError(e);
    if (known) {
      io.err(`${formatError(known)}\n`);
      return known.code === 'BAD_OPTION' ? EXIT_BAD_OPTIONS : EXIT_ERROR;
    }
    // Only a bug is an "internal error", and only -vvv shows its stack.
    io.err(`${formatInternalError(e, verbosity >= 3)}\n`);
    return EXIT_ERROR;
  }
}

/** ansible-playbook's second long names of options bosun has under the first (commander takes one long name). */
export const ANSIBLE_LONG_NAMES: Readonly<Record<string, string>> = {
  '--key-file': '--private-key',
  '--inventory-file': '--inventory',
  '--ask-vault-password': '--ask-vault-pass',
  '--vault-pass-file': '--vault-password-file',
};

/** The arguments with Ansible's second long names (`--key-file K`, `--key-file=K`) as bosun's, up to a `--`. */
export function withAnsibleNames(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((a, i) => {
    if (end >= 0 && i >= end) return a;
    const [name, ...value] = a.split('=');
    const ours = ANSIBLE_LONG_NAMES[name!];
    return ours === undefined ? a : [ours, ...value].join('=');
  });
}

/** How many -v the arguments give (`-vvv`, `-v -v -v`, `--verbose`), up to a `--`. */
export function verbosityOf(argv: string[]): number {
  let n = 0;
  for (const a of argv) {
    if (a === '--') break;
    if (/^-v+$/.test(a)) n += a.length - 1;
    else if (a === '--verbose') n += 1;
  }
  return n;
}

function defaultIO(): CliIO {
  return {
    out: (t) => {
      process.stdout.write(t);
    },
    err: (t) => {
      process.stderr.write(t);
    },
    // @types/node types process.stdout as a tty.WriteStream, but isTTY is undefined when stdout is a pipe or a file.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- keeps the field a real boolean
    isTTY: Boolean(process.stdout.isTTY),
  };
}
