/**
 * `authorized_key` (ansible.posix): add or remove SSH public keys in a
 * user's authorized_keys, with the collection's parsing, ordering and
 * comparison (lib/ssh-keys.ts). One round trip reads the user's passwd
 * entry and the file; a write makes ~/.ssh 0700 and the file 0600, owned
 * by the user, and replaces the file atomically.
 */
import { posix } from 'node:path';
import { sh } from '../util/shell.js';
import { defineModule } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { atomicWrite } from './lib/remote-file.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { parseKey, parseKeys, parseOptions, sameOptions, serializeKeys, type KeyEntry } from './lib/ssh-keys.js';

/** Arguments of `authorized_key`. */
export interface AuthorizedKeyArgs {
  user: string;
  key: string;
  path?: string;
  manage_dir?: boolean | string;
  state?: 'present' | 'absent';
  key_options?: string;
  exclusive?: boolean | string;
  comment?: string;
  validate_certs?: boolean | string;
  follow?: boolean | string;
}

/** `P uid gid owner group mode size nlink type` of `path` (lstat), or `P absent`: for Ansible's add_path_info. */
function pathInfoScript(path: string): string {
  return sh`if [ -e ${path} ]; then stat -c 'P %u %g %U %G %a %s %h %F' -- ${path}; else echo 'P absent'; fi`;
}

/** The keys add_path_info adds to a result that has a `path` of an existing file (state file/directory/link/hard). */
function parsePathInfo(stdout: string): Record<string, unknown> {
  const m = /^P (\d+) (\d+) (\S+) (\S+) ([0-7]+) (\d+) (\d+) (.*)$/m.exec(stdout);
  // A path that does not exist (check mode, before the write) adds nothing: `state` stays the argument.
  if (!m) return {};
  const type = m[8]!;
  const state =
    type === 'symbolic link' ? 'link' : type === 'directory' ? 'directory' : Number(m[7]) > 1 ? 'hard' : 'file';
  return {
    uid: Number(m[1]),
    gid: Number(m[2]),
    owner: m[3] === 'UNKNOWN' ? m[1] : m[3],
    group: m[4] === 'UNKNOWN' ? m[2] : m[4],
    mode: `0${m[5]!.padStart(3, '0')}`,
    state,
    size: Number(m[6]),
  };
}

/** What the read-only probe found. */
interface Probe {
  user?: { uid: number; gid: number; home: string };
  keyfile: string;
  content: string;
}

/** One script: `U uid gid home` (when the user exists), `K keyfile`, then `F` and the file in base64 when it is a file. */
function probeScript(user: string, path: string | undefined, follow: boolean): string {
  return [
    sh`bosun_u=$(getent passwd -- ${user}) && printf '%s\n' "$bosun_u" | awk -F: '{ print "U " $3 " " $4 " " $6; exit }'`,
    path !== undefined
      ? sh`bosun_k=${path}`
      : `bosun_k=$(printf '%s\\n' "$bosun_u" | awk -F: '{ print $6; exit }')/.ssh/authorized_keys`,
    follow ? 'bosun_k=$(readlink -m -- "$bosun_k" 2>/dev/null || printf %s "$bosun_k")' : ':',
    // The path in base64: a name may hold a newline.
    `printf 'K %s\\n' "$(printf '%s' "$bosun_k" | base64 | tr -d '\\n')"`,
    path !== undefined ? pathInfoScript(path) : ':',
    `if [ -f "$bosun_k" ]; then echo F; base64 < "$bosun_k"; fi`,
    'exit 0',
  ].join('\n');
}

function parseProbe(stdout: string): Probe {
  const u = /^U (\d+) (\d+) (.*)$/m.exec(stdout);
  const k = /^K ([A-Za-z0-9+/=]*)$/m.exec(stdout);
  const f = stdout.indexOf('\nF\n');
  const content = f >= 0 ? Buffer.from(stdout.slice(f + 3).replace(/\s+/g, ''), 'base64').toString('utf8') : '';
  return {
    ...(u ? { user: { uid: Number(u[1]), gid: Number(u[2]), home: u[3]! } } : {}),
    keyfile: Buffer.from(k?.[1] ?? '', 'base64').toString('utf8'),
    content,
  };
}

/** The `authorized_key` module. */
export default defineModule<AuthorizedKeyArgs>({
  name: 'authorized_key',
  docs: {
    short: "Add or remove SSH public keys in a user's authorized_keys",
    description:
      'ansible.posix 1.5.4 rules: keys are compared by their base64 part; a key that is there with other options or another comment is replaced at the end; exclusive removes every other line. Writing makes the folder 0700 (manage_dir) and the file 0600, owned by the user.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['user', 'key'],
    properties: {
      user: { type: 'string', minLength: 1, description: 'The user whose authorized_keys is managed' },
      key: { type: 'string', description: 'The public key line(s); several lines: several keys' },
      path: { type: 'string', description: 'The file (default: ~USER/.ssh/authorized_keys)' },
      manage_dir: boolSchema('Create the folder of the file and make it 0700, owned by the user', true),
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the key(s) should be there',
      },
      key_options: { type: 'string', description: 'Options put before the key (`no-pty,from="10.0.0.1"`)' },
      exclusive: boolSchema('Remove every other key (and line) of the file', false),
      comment: { type: 'string', description: 'The comment written after the key (replaces the key line one)' },
      validate_certs: boolSchema('Accepted for compatibility (keys from URLs are not supported)', true),
      follow: boolSchema('Write through a symlinked file instead of replacing the link', false),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const state = args.state ?? 'present';
      const follow = toBool(args.follow);
      const manageDir = toBool(args.manage_dir, true);
      if (args.key.startsWith('http'))
        return failed(`keys from URLs are not supported by bosun: fetch ${args.key} with get_url or uri first`);
      const res = await ctx.conn.exec(probeScript(args.user, args.path, follow));
      if (res.rc !== 0) return failed(`cannot read the authorized keys: ${res.stderr.trim() || `rc ${res.rc}`}`);
      const probe = parseProbe(res.stdout);
      if (!probe.user && (args.path === undefined || !ctx.check)) {
        if (ctx.check) return failed('Either user must exist or you must provide full path to key file in check mode');
        return failed(`Failed to lookup user ${args.user}: "getpwnam(): name not found: '${args.user}'"`);
      }
      const existing = parseKeys(probe.content);
      const maxRank = existing.size;
      const keep: string[] = [];
      let write = false;
      const wanted = args.key.split(/\r\n|\n|\r/).filter((s) => s !== '' && !s.startsWith('#'));
      for (const [rank, line] of wanted.entries()) {
        const parsed = parseKey(line, rank);
        if (!parsed || parsed.type === 'skipped') return failed(`invalid key specified: ${line}`);
        const want: KeyEntry = {
          ...parsed,
          ...(args.key_options !== undefined ? { options: parseOptions(args.key_options) } : {}),
          ...(args.comment !== undefined ? { comment: args.comment } : {}),
        };
        const have = existing.get(want.key);
        const same =
          have?.type === want.type && sameOptions(have.options, want.options) && have.comment === want.comment;
        if (state === 'present') {
          keep.push(want.key);
          if (have && !same) {
            existing.delete(want.key);
            write = true;
          }
          if (!same) {
            existing.set(want.key, { ...want, rank: maxRank + rank });
            write = true;
          }
        } else if (have) {
          existing.delete(want.key);
          write = true;
        }
      }
      if (state === 'present' && toBool(args.exclusive)) {
        for (const k of [...existing.keys()])
          if (!keep.includes(k)) {
            existing.delete(k);
            write = true;
          }
      }
      const keyfile = probe.keyfile;
      const data: Record<string, unknown> = {
        user: args.user,
        key: args.key,
        path: args.path ?? null,
        manage_dir: manageDir,
        state,
        key_options: args.key_options ?? null,
        exclusive: toBool(args.exclusive),
        comment: args.comment ?? null,
        validate_certs: toBool(args.validate_certs, true),
        follow,
        keyfile,
        ...(args.path !== undefined ? parsePathInfo(res.stdout) : {}),
      };
      if (!write) return { kind: 'ok', data };
      const after = serializeKeys(existing);
      const user = probe.user;
      return {
        kind: 'change',
        data,
        diff: [{ path: keyfile, before: probe.content, after, beforeHeader: keyfile, afterHeader: keyfile }],
        apply: () =>
          applying(async () => {
            if (!user)
              return applyFailed(`Failed to lookup user ${args.user}: "getpwnam(): name not found: '${args.user}'"`);
            const sshdir = args.path !== undefined ? posix.dirname(args.path) : posix.join(user.home, '.ssh');
            const owner = `${user.uid}:${user.gid}`;
            const steps = [
              manageDir
                ? sh`{ [ -e ${sshdir} ] || mkdir -m 0700 -- ${sshdir} || { printf 'Failed to create directory %s\\n' ${sshdir} >&2; exit 1; }; } && chown ${owner} -- ${sshdir} && chmod 0700 -- ${sshdir}`
                : ':',
              sh`if [ ! -e ${keyfile} ]; then mkdir -p -- ${posix.dirname(keyfile)} && : > ${keyfile}; fi`,
              sh`chown ${owner} -- ${keyfile} 2>/dev/null; chmod 0600 -- ${keyfile} 2>/dev/null; exit 0`,
            ];
            const prep = await ctx.conn.exec(steps.join(' && '));
            if (prep.rc !== 0) return applyFailed(prep.stderr.trim() || `cannot prepare ${keyfile}: rc ${prep.rc}`);
            await atomicWrite(ctx.conn, keyfile, Buffer.from(after, 'utf8'), {
              mode: 0o600,
              owner: String(user.uid),
              group: String(user.gid),
            });
            if (args.path === undefined) return { kind: 'applied', data };
            const info = await ctx.conn.exec(pathInfoScript(args.path));
            return { kind: 'applied', data: { ...data, ...parsePathInfo(info.stdout) } };
          }),
      };
    }),
});
