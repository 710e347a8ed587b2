/**
 * `known_hosts`: add or remove a host's key in an OpenSSH known_hosts file on
 * the target, with the target's own `ssh-keygen` (`-F` to find the host,
 * plain or hashed; `-R` to remove every key of a host), by the rules of
 * Ansible's module: one line per host and key type, a different key of the
 * same type replaced in place of the old line's removal and added at the end.
 */
import type { Connection } from '../connection/types.js';
import { sh } from '../util/shell.js';
import { boolSchema, toBool } from './lib/bool.js';
import { diffAfter, hashHostKey, newLines, readSearch, type Search } from './lib/known-hosts-edit.js';
import { atomicWrite } from './lib/remote-file.js';
import { exactlyOneOf } from './lib/schema.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { defineModule, type ApplyResult } from './types.js';

/** Arguments of `known_hosts`. */
export interface KnownHostsArgs {
  name?: string;
  host?: string;
  key?: string;
  path?: string;
  hash_host?: boolean | string;
  state?: 'present' | 'absent';
}

/** What one read of the target found. */
interface Probe {
  keygen: string | undefined;
  path: string;
  exists: boolean;
  mode: number | undefined;
  content: string;
  /** `ssh-keygen -F` on the file. */
  search: { rc: number; stdout: string; stderr: string } | undefined;
  /** `ssh-keygen -F` on the given key alone (does the name match it). */
  sanity: string | undefined;
}

/** The `known_hosts` module. */
export default defineModule<KnownHostsArgs>({
  name: 'known_hosts',
  docs: {
    short: "Add or remove a host's key in a known_hosts file (with the target's ssh-keygen)",
    description:
      'The name is lowercased. A key of the same type with other bytes is replaced (its line removed, the new one added at the end); `state: absent` without `key` removes every key of the host (`ssh-keygen -R`, which leaves `PATH.old`). `hash_host` writes the name hashed as `ssh-keygen -H` does.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    ...exactlyOneOf('name', 'host'),
    properties: {
      name: { type: 'string', minLength: 1, description: 'The host (`[host]:port` for another port)' },
      host: { type: 'string', minLength: 1, description: 'Another name for name' },
      key: { type: 'string', description: 'The known_hosts line (`name type base64`); required unless absent' },
      path: {
        type: 'string',
        default: '~/.ssh/known_hosts',
        description: "The known_hosts file (a ~ is the connecting user's home)",
      },
      hash_host: boolSchema('Write the host name hashed', false),
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the key should be there',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const name = args.name ?? args.host!;
      const host = name.toLowerCase();
      const state = args.state ?? 'present';
      let key = args.key === '' ? undefined : args.key;
      if (key === undefined && state !== 'absent') return failed('No key specified when adding a host');
      if (key !== undefined && toBool(args.hash_host)) key = hashHostKey(host, key);
      if (key !== undefined && !key.endsWith('\n')) key += '\n';
      if (key !== undefined && /\S+(\s+)?,(\s+)?/.test(host))
        return failed(
          'Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.',
        );
      const p = await probe(ctx.conn, host, args.path ?? '~/.ssh/known_hosts', key);
      if (p.keygen === undefined)
        return failed(
          'Failed to find required executable "ssh-keygen" in paths: /usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
        );
      if (key !== undefined && p.sanity === '')
        return failed('Host parameter does not match hashed host field in supplied key');
      let search: Search = { found: false, replaceOrAdd: false, foundLine: undefined };
      const res = p.search;
      if (p.exists && res && !(res.stdout === '' && res.stderr === '' && (res.rc === 0 || res.rc === 1))) {
        if (res.rc !== 0)
          return failed(`ssh-keygen failed (rc=${res.rc}, stdout='${res.stdout}',stderr='${res.stderr}')`);
        search = readSearch(res.stdout, key);
      }
      const data = { name, key: args.key ?? null, path: p.path, hash_host: toBool(args.hash_host), state };
      const diff = {
        path: p.path,
        before: p.content,
        after: diffAfter(p.content, search, state, key),
        beforeHeader: p.exists ? p.path : '/dev/null',
        afterHeader: p.path,
      };
      if (state === 'absent' && search.foundLine === undefined && key !== undefined) return { kind: 'ok', data };
      const changes = search.replaceOrAdd || (state === 'present') !== search.found;
      // Ansible's module answers check mode with `changed` (and the diff) only.
      if (ctx.check) return changes ? { kind: 'change', diff: [diff], apply: noApply } : { kind: 'ok' };
      if (!changes) return { kind: 'ok', data };
      return {
        kind: 'change',
        data,
        diff: [diff],
        apply: () =>
          applying(async () => {
            if (search.found && key === undefined) {
              const r = await ctx.conn.exec(sh`${p.keygen!} -R ${host} -f ${p.path}`);
              if (r.rc !== 0)
                return applyFailed(r.stderr.trim() || r.stdout.trim() || `ssh-keygen -R failed (rc ${r.rc})`);
              return { kind: 'applied', data };
            }
            const text = newLines(p.content, search, state, key).join('');
            await atomicWrite(ctx.conn, p.path, Buffer.from(text), { mode: p.mode ?? 0o644 });
            return { kind: 'applied', data };
          }),
      };
    }),
});

/** Never called: check mode does not apply. */
function noApply(): Promise<ApplyResult> {
  return Promise.resolve({ kind: 'applied' });
}

/** One round trip: ssh-keygen's path, the file's path (~ expanded), mode, content, and both -F searches. */
async function probe(conn: Connection, host: string, path: string, key: string | undefined): Promise<Probe> {
  const tilde = path === '~' || path.startsWith('~/');
  const script = [
    'bosun_g=$(command -v ssh-keygen) || { echo NOKEYGEN; exit 0; }',
    tilde ? sh`bosun_p="$HOME"${path.slice(1)}` : sh`bosun_p=${path}`,
    `printf 'P %s\\n' "$(printf '%s' "$bosun_p" | base64 | tr -d '\\n')"`,
    `printf 'G %s\\n' "$bosun_g"`,
    key !== undefined
      ? // The key alone, from a pipe: /dev/stdin, or /proc's name for it where /dev has none (containers).
        sh`bosun_in=/dev/stdin; [ -e /dev/stdin ] || bosun_in=/proc/self/fd/0
printf 'S %s\n' "$(printf '%s' ${key} | "$bosun_g" -F ${host} -f "$bosun_in" 2>/dev/null | base64 | tr -d '\n')"`
      : ':',
    'if [ -e "$bosun_p" ]; then',
    `  printf 'M %s\\n' "$(stat -c %a -- "$bosun_p")"`,
    // Its output and its errors read apart by running it twice: nothing is written on the target to decide.
    sh`  bosun_o=$("$bosun_g" -F ${host} -f "$bosun_p" 2>/dev/null); bosun_rc=$?`,
    sh`  bosun_e=$("$bosun_g" -F ${host} -f "$bosun_p" 2>&1 >/dev/null)`,
    `  printf 'R %s %s %s\\n' "$bosun_rc" "$(printf '%s' "$bosun_o" | base64 | tr -d '\\n')" "$(printf '%s' "$bosun_e" | base64 | tr -d '\\n')"`,
    '  echo F; base64 < "$bosun_p"',
    'fi',
    'exit 0',
  ].join('\n');
  const res = await conn.exec(script);
  const out = res.stdout;
  if (/^NOKEYGEN$/m.test(out))
    return {
      keygen: undefined,
      path,
      exists: false,
      mode: undefined,
      content: '',
      search: undefined,
      sanity: undefined,
    };
  const b64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');
  const r = /^R (\d+) (\S*) (\S*)$/m.exec(out);
  const m = /^M ([0-7]+)$/m.exec(out);
  const f = out.indexOf('\nF\n');
  const s = /^S (\S*)$/m.exec(out);
  return {
    keygen: /^G (.*)$/m.exec(out)?.[1],
    path: b64(/^P (\S*)$/m.exec(out)?.[1]),
    exists: r !== null,
    mode: m ? parseInt(m[1]!, 8) : undefined,
    content: f >= 0 ? b64(out.slice(f + 3).replace(/\s+/g, '')) : '',
    search: r ? { rc: Number(r[1]), stdout: b64(r[2]), stderr: b64(r[3]) } : undefined,
    sanity: s ? b64(s[1]) : undefined,
  };
}
