/**
 * `reboot`: reboot the host and wait until it is back, as Ansible's action
 * plugin does: read the boot id, run the reboot command (a dropped
 * connection counts as started), wait for a new boot id (each try on a new
 * session: bosun's persistent shell reconnects), then for the test command.
 * Check mode predicts the reboot (changed) without doing it, as Ansible.
 */
import type { Connection } from '../connection/types.js';
import { ConnectionError } from '../errors.js';
import { pyStrRepr } from '../util/python-text.js';
import { sh, shq } from '../util/shell.js';
import { untilAnswer, sleep } from './lib/reconnect.js';
import { defineModule } from './types.js';

/** Arguments of `reboot`. */
export interface RebootArgs {
  reboot_timeout?: number | string;
  pre_reboot_delay?: number | string;
  post_reboot_delay?: number | string;
  connect_timeout?: number | string;
  test_command?: string;
  msg?: string;
  boot_time_command?: string;
  reboot_command?: string;
  search_paths?: string | string[];
}

const DEFAULT_SEARCH = ['/sbin', '/bin', '/usr/sbin', '/usr/bin', '/usr/local/sbin'];

const seconds = (description: string, def?: number): Record<string, unknown> => ({
  type: ['integer', 'string'],
  pattern: '^-?[0-9]+$',
  ...(def !== undefined ? { default: def } : {}),
  description,
});

/** The `reboot` module. */
export default defineModule<RebootArgs>({
  name: 'reboot',
  docs: {
    short: 'Reboot the host and wait until it is back',
    description:
      'Without reboot_command: `shutdown -r DELAY_MIN "MSG"` (Linux). A reboot_command replaces the whole command (and makes pre_reboot_delay and msg unused); a command without a path is looked up in search_paths. Registers `rebooted` and `elapsed` (whole seconds).',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reboot_timeout: seconds('Seconds to wait for the host to come back and pass the test command', 600),
      pre_reboot_delay: seconds('Seconds before the reboot (given to shutdown in whole minutes)', 0),
      post_reboot_delay: seconds('Seconds to wait after the reboot command before checking', 0),
      connect_timeout: seconds('Seconds one try to reach the host may take'),
      test_command: {
        type: 'string',
        default: 'whoami',
        description: 'A command that must succeed once the host is back',
      },
      msg: { type: 'string', default: 'Reboot initiated by Ansible', description: 'The message shutdown shows' },
      boot_time_command: {
        type: 'string',
        default: 'cat /proc/sys/kernel/random/boot_id',
        description: 'A command whose output changes with each boot',
      },
      reboot_command: { type: 'string', description: 'The command that reboots (with its arguments)' },
      search_paths: {
        type: ['string', 'array'],
        items: { type: 'string' },
        default: DEFAULT_SEARCH,
        description: 'Where to look for a reboot command given without a path',
      },
    },
  },
  async decide(ctx, args) {
    await ctx.conn.connect();
    if (ctx.conn.spec.type === 'local')
      return {
        kind: 'fail',
        msg: 'Running reboot with local connection would reboot the control node.',
        data: { changed: false, elapsed: 0, rebooted: false },
      };
    const apply = async () => {
      const conn = ctx.conn;
      const bootCommand = args.boot_time_command ?? 'cat /proc/sys/kernel/random/boot_id';
      const before = await conn.exec(bootCommand);
      if (before.rc !== 0)
        return {
          kind: 'failed' as const,
          msg: `Failed to get system boot time. rc=${before.rc}, stdout=${before.stdout.trim()}, stderr=${before.stderr.trim()}`,
          data: { reboot: false },
        };
      const previous = before.stdout.trim();
      const command = await rebootCommand(conn, args);
      if ('error' in command) return { kind: 'failed' as const, msg: command.error, data: { rebooted: false } };
      let started = Date.now();
      try {
        const r = await conn.exec(command.line);
        started = Date.now();
        if (r.rc !== 0)
          return {
            kind: 'failed' as const,
            msg: `Reboot command failed. Error was: '${r.stdout.trim()}, ${r.stderr.trim()}'`,
            data: { rebooted: false, elapsed: 0 },
          };
      } catch (e) {
        // The host went away while the command ran: the reboot started.
        if (!(e instanceof ConnectionError)) throw e;
        started = Date.now();
      }
      const elapsed = (): number => Math.floor((Date.now() - started) / 1000);
      await sleep(Math.max(0, Number(args.post_reboot_delay ?? 0)) * 1000);
      const timeout = Number(args.reboot_timeout ?? 600);
      const connectTimeout = args.connect_timeout === undefined ? undefined : Number(args.connect_timeout);
      const booted = await untilAnswer(
        conn,
        async () => {
          const r = await conn.exec(bootCommand);
          const now = r.stdout.trim();
          if (r.rc !== 0) throw new Error(`boot time command failed (rc ${r.rc})`);
          if (now === '' || now === previous) throw new Error('boot time has not changed');
        },
        timeout,
        { kind: 'backoff' },
        connectTimeout,
      );
      if (!booted.ok)
        return {
          kind: 'failed' as const,
          msg: `Timed out waiting for last boot time check (timeout=${timeout})`,
          data: { rebooted: true, elapsed: elapsed() },
        };
      const testCommand = args.test_command ?? 'whoami';
      const tested = await untilAnswer(
        conn,
        async () => {
          const r = await conn.exec(testCommand);
          if (r.rc !== 0) throw new Error(`Test command failed: ${r.stderr} ${r.stdout}`);
        },
        timeout,
        { kind: 'backoff' },
      );
      if (!tested.ok)
        return {
          kind: 'failed' as const,
          msg: `Timed out waiting for post-reboot test command (timeout=${timeout})`,
          data: { rebooted: true, elapsed: elapsed() },
        };
      return { kind: 'applied' as const, data: { rebooted: true, elapsed: elapsed() } };
    };
    return { kind: 'change', data: { elapsed: 0, rebooted: true }, apply };
  },
});

/** The reboot command line: reboot_command with its program found in search_paths, or Linux's shutdown. */
async function rebootCommand(conn: Connection, args: RebootArgs): Promise<{ line: string } | { error: string }> {
  const given = args.reboot_command;
  const program = given !== undefined ? given.split(' ', 1)[0]! : 'shutdown';
  const rest =
    given !== undefined
      ? given.includes(' ')
        ? given.slice(given.indexOf(' ') + 1)
        : ''
      : `-r ${Math.floor(Math.max(0, Number(args.pre_reboot_delay ?? 0)) / 60)} ${shq(args.msg ?? 'Reboot initiated by Ansible')}`;
  if (program.startsWith('/')) return { line: `${shq(program)} ${rest}` };
  const paths = typeof args.search_paths === 'string' ? [args.search_paths] : (args.search_paths ?? DEFAULT_SEARCH);
  // Ansible's find matches the name against each file's base name: a name with a '/' (`../x/shutdown`) matches none.
  const found = program.includes('/')
    ? undefined
    : await conn.exec(
        sh`for d in ${paths}; do if [ -e "$d"/${program} ]; then printf '%s\n' "$d"/${program}; break; fi; done`,
      );
  const path = found?.stdout.split('\n')[0];
  if (!path)
    return { error: `Unable to find command "${program}" in search paths: [${paths.map(pyStrRepr).join(', ')}]` };
  return { line: `${shq(path)} ${rest}` };
}
