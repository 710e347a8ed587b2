/**
 * The `run` flags for watching and recording a run (-q, --profile,
 * --report, --log; the live line on a terminal) and for reaching hosts as
 * OpenSSH does (-F, -k/--ask-pass, --ask-key-passphrase): their entries of
 * the option table, and the function that builds the reporters.
 */
import { BosunError } from '../errors.js';
import type { Reporter } from '../reporters/types.js';
import type { CliIO } from './context.js';
import { option } from './option-spec.js';
import { askSecret, setBeforeQuestion } from './prompt.js';

/** The output and SSH setup entries of the `run` option table (see run-options.ts). */
export const RUN_OUTPUT_OPTIONS = {
  quiet: option({
    flags: '-q, --quiet',
    description: 'print only failures and the recap',
    default: false,
    doc: 'print only failures (with their task banner) and the recap',
  }),
  profile: option({
    flags: '--profile',
    description: 'after the recap, list the slowest tasks (like profile_tasks)',
    default: false,
    doc: 'after the recap, the slowest tasks with their time (like `profile_tasks`)',
  }),
  report: option({
    flags: '--report <file>',
    description: 'write a self-contained HTML report of the run',
    doc: 'write a self-contained HTML report of the run ([reports.md](reports.md))',
  }),
  log: option({
    flags: '--log <file>',
    description: 'write the event stream as JSON lines (render it later with bosun report)',
    doc: 'write every event as one JSON line, for `jq` or `bosun report`',
  }),
  sshConfig: option({
    flags: '-F, --ssh-config <file>',
    description: 'read this ssh config file instead of ~/.ssh/config and /etc/ssh/ssh_config ("none": none)',
    doc: 'read this ssh config instead of `~/.ssh/config` and `/etc/ssh/ssh_config`; `none` reads none ([connections.md](connections.md))',
    fills: { field: 'connection.sshConfigFile', optional: true },
  }),
  askPass: option({
    flags: '-k, --ask-pass',
    description: 'ask for the SSH password (ansible_password wins)',
    default: false,
    doc: 'ask for the SSH password once (hosts with `ansible_password` keep theirs); needs a terminal',
    fills: {
      field: 'connection.password',
      optional: true,
      to: (ask, { io }): Promise<string | undefined> | undefined =>
        ask
          ? secret('--ask-pass', 'SSH password: ', 'set ansible_password (from a vault or -e @file) instead', io)
          : undefined,
    },
  }),
  askKeyPassphrase: option({
    flags: '--ask-key-passphrase',
    description: 'ask for the passphrase of encrypted private keys (or set BOSUN_KEY_PASSPHRASE)',
    default: false,
    doc: 'ask for the passphrase of encrypted private keys; needs a terminal (else set `BOSUN_KEY_PASSPHRASE`)',
    fills: {
      field: 'connection.keyPassphrase',
      optional: true,
      to: (ask, { io }): Promise<string | undefined> | string | undefined =>
        ask
          ? secret(
              '--ask-key-passphrase',
              'Private key passphrase: ',
              'set BOSUN_KEY_PASSPHRASE, or add the key to ssh-agent',
              io,
            )
          : process.env['BOSUN_KEY_PASSPHRASE'],
    },
  }),
} as const;

/** The flags buildReporters reads (the run command's own and the ones above). */
export interface RunOutputFlags {
  json: boolean;
  verbose: number;
  color: boolean;
  diff: boolean;
  quiet?: boolean;
  profile?: boolean;
  report?: string;
  log?: string;
}

/** Ask for a secret on the terminal, or say which flag needs one. */
async function secret(flag: string, prompt: string, hint: string, io: CliIO): Promise<string> {
  if (!process.stdin.isTTY) throw new BosunError('BAD_OPTION', `${flag} needs a terminal to ask on`, { hint });
  return askSecret(prompt, io);
}

/**
 * Build the reporters: text (or JSON, or quiet), with the live line on a
 * terminal, plus --profile, --log and --report, in the order they hear each event.
 */
export async function buildReporters(
  o: RunOutputFlags,
  io: CliIO,
  display: { skippedHosts?: boolean; okHosts?: boolean } = {},
): Promise<Reporter[]> {
  const color = o.color && io.isTTY && !process.env['NO_COLOR'];
  const reporters: Reporter[] = [];
  let write = io.out;
  if (o.json) {
    const { createJsonReporter } = await import('../reporters/json.js');
    reporters.push(createJsonReporter(io.out));
  } else {
    const [{ createTextReporter }, { createQuietFilter }, { createProgressReporter }] = await Promise.all([
      import('../reporters/text.js'),
      import('../reporters/quiet.js'),
      import('../reporters/progress.js'),
    ]);
    if (io.isTTY && !o.quiet) {
      const live = createProgressReporter({ write: io.out, color, columns: () => process.stdout.columns || 80 });
      write = (t) => live.writeAbove(t);
      reporters.push(live);
      // A question (--step, --confirm) clears the live line first; the next task draws it again.
      setBeforeQuestion(() => live.stop());
    }
    // After the live line (it clears itself before the text reporter prints the recap).
    const text = createTextReporter({
      write,
      verbosity: o.verbose,
      color,
      diff: o.diff,
      ...(display.skippedHosts !== undefined ? { displaySkippedHosts: display.skippedHosts } : {}),
      ...(display.okHosts !== undefined ? { displayOkHosts: display.okHosts } : {}),
    });
    reporters.push(o.quiet ? createQuietFilter(text) : text);
  }
  if (o.profile) {
    const { createProfileReporter } = await import('../reporters/profile.js');
    reporters.push(createProfileReporter({ write: o.json ? io.err : write, color }));
  }
  if (o.log !== undefined) {
    const { createLogReporter } = await import('../reporters/log.js');
    reporters.push(createLogReporter(o.log));
  }
  if (o.report !== undefined) {
    const { createHtmlReporter } = await import('../reporters/html.js');
    reporters.push(createHtmlReporter(o.report));
  }
  return reporters;
}
