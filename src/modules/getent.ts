/**
 * `getent`: look a key (or a whole database) up with the target's `getent`
 * and set the fact `getent_<database>` as Ansible does: each record's first
 * field as the key, the other fields as a list (several records under one
 * key: a list of lists). Never changes anything.
 */
import { sh } from '../util/shell.js';
import { defineModule } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { deciding, failed } from './lib/result.js';

/** Arguments of `getent`. */
export interface GetentArgs {
  database: string;
  key?: string;
  service?: string;
  split?: string;
  fail_key?: boolean | string;
}

/** The databases whose records are colon-separated without `split`. */
const COLON = new Set(['passwd', 'shadow', 'group', 'gshadow']);

/** Python's str.split(sep), or str.split() (runs of whitespace) without one. */
function pySplit(line: string, sep: string | undefined): string[] {
  if (sep === undefined) return line.trim() === '' ? [] : line.trim().split(/\s+/);
  return line.split(sep);
}

/** Ansible's fact value from getent's output. */
export function parseGetent(stdout: string, split: string | undefined): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  const seen = new Map<string, number>();
  const lines = stdout.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const record = pySplit(line, split);
    // Python's record[0] of an empty split raises; a blank line never comes from getent.
    if (record.length === 0) continue;
    const [key, ...rest] = record as [string, ...string[]];
    const n = seen.get(key) ?? 0;
    if (n === 0) tree[key] = rest;
    else if (n === 1) tree[key] = [tree[key], rest];
    else (tree[key] as unknown[]).push(rest);
    seen.set(key, n + 1);
  }
  return tree;
}

/** The `getent` module. */
export default defineModule<GetentArgs>({
  name: 'getent',
  docs: {
    short: 'Look entries up in the target name service databases (passwd, group, hosts, ...) as facts',
    description:
      'Sets the fact getent_DATABASE: each record under its first field, its other fields as a list; passwd, shadow, group and gshadow split at colons, others at whitespace unless split says.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['database'],
    properties: {
      database: {
        type: 'string',
        minLength: 1,
        description: 'The database (passwd, group, hosts, services, shadow, ...)',
      },
      key: { type: 'string', description: 'The key to look up (default: the whole database)' },
      service: { type: 'string', description: 'Use this service (getent -s): files, systemd, ...' },
      split: {
        type: 'string',
        minLength: 1,
        description: 'The field separator (default: `:` for passwd, shadow, group and gshadow, else whitespace)',
      },
      fail_key: boolSchema('Fail when the key is not found (false: the fact holds the key with null)', true),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const { database, key } = args;
      const split = args.split ?? (COLON.has(database) ? ':' : undefined);
      const opts = args.service !== undefined ? sh`-s ${args.service} ` : '';
      const words = key !== undefined ? sh`${database} ${key}` : sh`${database}`;
      const res = await ctx.conn.exec(`command -v getent >/dev/null 2>&1 || exit 127\ngetent ${opts}-- ${words}`);
      const fact = `getent_${database}`;
      if (res.rc === 0) return { kind: 'ok', facts: { [fact]: parseGetent(res.stdout, split) } };
      if (res.rc === 2 && !toBool(args.fail_key, true)) {
        const msg = 'One or more supplied key could not be found in the database.';
        return { kind: 'ok', msg, data: { msg }, facts: { [fact]: { [key ?? 'null']: null } } };
      }
      const msg: Record<number, string> = {
        1: 'Missing arguments, or database unknown.',
        2: 'One or more supplied key could not be found in the database.',
        3: 'Enumeration not supported on this database.',
        127: 'Failed to find required executable "getent" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      };
      return failed(msg[res.rc] ?? 'Unexpected failure!');
    }),
});
