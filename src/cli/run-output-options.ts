/**
 * The `run` flags for watching and recording a run (-q, --profile,
 * --report, --log; the live line on a terminal) and for reaching hosts as
 * OpenSSH does (-F, -k/--ask-pass, --ask-key-passphrase): one function adds
 * them to the command, one builds the reporters and connection defaults.
 */
import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { ConnectionDefaults } from '../connection/spec.js';
import { BosunError } from '../errors.js';
import type { Reporter } from '../reporters/types.js';
import type { CliIO } from './context.js';
import { askSecret } from './prompt.js';

/** Add the output and SSH setup flags to `bosun run`. */
export function addRunOutputOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>) {
  return cmd
    .option('-q, --quiet', 'print only failures and the recap', false)
    .option('--profile', 'after the recap, list the slowest tasks (like profile_tasks)', false)
    .option('--report <file>', 'write a self-contained HTML report of the run')
    .option('--log <file>', 'write the event stream as JSON lines (render it later with bosun report)')
    .option('-F, --ssh-config <file>', 'read this ssh config file instead of ~/.ssh/config and /etc/ssh/ssh_config ("none": none)')
    .option('-k, --ask-pass', 'ask for the SSH password (ansible_password wins)', false)
    .option('--ask-key-passphrase', 'ask for the passphrase of encrypted private keys (or set BOSUN_KEY_PASSPHRASE)', false);
}

/** The flags buildRunOutput reads (the run command's own and the ones added above). */
export interface RunOutputFlags {
  json: boolean;
  verbose: number;
  color: boolean;
  diff: boolean;
  quiet?: boolean;
  profile?: boolean;
  report?: string;
  log?: string;
  sshConfig?: string;
  askPass?: boolean;
  askKeyPassphrase?: boolean;
}

/** What a run gets from these flags: the reporter every event goes to, and connection defaults to merge. */
export interface RunOutput {
  reporter: Reporter;
  connection: Pick<ConnectionDefaults, 'sshConfigFile' | 'password' | 'keyPassphrase'>;
}

/** Ask for a secret on the terminal, or say which flag needs one. */
async function secret(flag: string, prompt: string, hint: string, io: CliIO): Promise<string> {
  if (!process.stdin.isTTY) throw new BosunError('BAD_OPTION', `${flag} needs a terminal to ask on`, { hint });
  return askSecret(prompt, io);
}

/**
 * Build the reporters: text (or JSON, or quiet), with the live line on a
 * terminal, plus --profile, --log and --report; and ask for secrets first.
 */
export async function buildRunOutput(o: RunOutputFlags, io: CliIO): Promise<RunOutput> {
  const connection: RunOutput['connection'] = {};
  if (o.sshConfig !== undefined) connection.sshConfigFile = o.sshConfig;
  if (o.askPass) connection.password = await secret('--ask-pass', 'SSH password: ', 'set ansible_password (from a vault or -e @file) instead', io);
  if (o.askKeyPassphrase) {
    connection.keyPassphrase = await secret('--ask-key-passphrase', 'Private key passphrase: ', 'set BOSUN_KEY_PASSPHRASE, or add the key to ssh-agent', io);
  } else if (process.env['BOSUN_KEY_PASSPHRASE'] !== undefined) {
    connection.keyPassphrase = process.env['BOSUN_KEY_PASSPHRASE'];
  }
  const color = o.color && io.isTTY && !process.env['NO_COLOR'];
  const reporters: Reporter[] = [];
  let write = io.out;
  if (o.json) {
    const { createJsonReporter } = await import('../reporters/json.js');
    reporters.push(createJsonReporter(io.out));
  } else {
    const [{ createTextReporter }, { createQuietFilter }, { createProgressReporter }] = await Promise.all([
      import('../reporters/text.js'), import('../reporters/quiet.js'), import('../reporters/progress.js'),
    ]);
    if (io.isTTY && !o.quiet) {
      const live = createProgressReporter({ write: io.out, color, columns: () => process.stdout.columns || 80 });
      write = (t) => live.writeAbove(t);
      reporters.push(live);
    }
    // After the live line (it clears itself before the text reporter prints the recap).
    const text = createTextReporter({ write, verbosity: o.verbose, color, diff: o.diff });
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
  return { reporter: { onEvent: (e) => { for (const r of reporters) r.onEvent(e); } }, connection };
}
