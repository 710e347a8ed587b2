/**
 * The real CLI, in process, for integration tests: output captured, and the
 * `--json` event stream parsed.
 */
import { main } from '../../src/cli/main.js';

/** What a CLI run printed and returned. */
export interface CliRun<E> {
  code: number;
  out: string;
  err: string;
  /** The parsed `--json` events (empty when the run printed none). */
  events: E[];
}

/** Run `bosun ARGS` in process, capturing stdout and stderr; `env` adds to the environment ansible.cfg is read from. */
export async function runCli<E = Record<string, unknown>>(
  args: string[],
  env?: Record<string, string>,
): Promise<CliRun<E>> {
  let out = '';
  let err = '';
  const code = await main(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    isTTY: false,
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  return { code, out, err, events: args.includes('--json') ? parseEvents<E>(out) : [] };
}

/** Run `bosun ARGS --json` and parse its events. */
export function runJson<E = Record<string, unknown>>(args: string[]): Promise<CliRun<E>> {
  return runCli<E>([...args, '--json']);
}

/** One JSON object per line, as `--json` prints them. */
export function parseEvents<E>(out: string): E[] {
  return out.trim() === ''
    ? []
    : out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as E);
}

/** The output with runs of spaces squeezed to one, so a padded recap line reads `HOST : ok=N changed=N ...`. */
export function squeezed(out: string): string {
  return out.replace(/ {2,}/g, ' ');
}
