/**
 * `user`: a local account present (uid, groups, home, shell, comment,
 * password hash) or absent, through useradd/usermod/userdel. One round trip
 * reads `getent passwd`, `id -Gn`, the primary group and, when a password
 * is given, the shadow hash. The password never appears in results or diffs.
 */
import { sh } from '../util/shell.js';
import { boolSchema, toBool } from './lib/bool.js';
import { applying, deciding, failed } from './lib/result.js';
import { missingTool, toolProbe, toolsFound } from './group.js';
import { defineModule } from './types.js';

/** Arguments of `user`. */
export interface UserArgs {
  name: string;
  state?: 'present' | 'absent';
  uid?: number | string;
  group?: string | number;
  groups?: string | string[];
  append?: boolean | string;
  home?: string;
  create_home?: boolean | string;
  createhome?: boolean | string;
  move_home?: boolean | string;
  shell?: string;
  system?: boolean | string;
  comment?: string;
  password?: string;
  update_password?: 'always' | 'on_create';
  remove?: boolean | string;
  force?: boolean | string;
  non_unique?: boolean | string;
}

/** A passwd entry and the user's groups as read from the target. */
export interface UserFacts {
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
  /** Supplementary group names (primary excluded). */
  groups: string[];
  /** The shadow hash, when it was read. */
  hash?: string;
}

/** Parse the probe output (`P passwd-line`, `I groups`, `S shadow-line`, `G name:gid` per group asked about). */
export function parseUserFacts(stdout: string): { user?: UserFacts; groupIds: Map<string, number> } {
  const groupIds = new Map<string, number>();
  for (const m of stdout.matchAll(/^G ([^:]*):[^:]*:(\d+):.*$/gm)) groupIds.set(m[1]!, Number(m[2]));
  const p = /^P ([^:]*):[^:]*:(\d+):(\d+):([^:]*):([^:]*):(.*)$/m.exec(stdout);
  if (!p) return { groupIds };
  const primary = [...groupIds.entries()].find(([, id]) => id === Number(p[3]))?.[0];
  const ids = (/^I (.*)$/m.exec(stdout)?.[1] ?? '').split(/\s+/).filter(Boolean);
  const user: UserFacts = {
    uid: Number(p[2]),
    gid: Number(p[3]),
    comment: p[4]!,
    home: p[5]!,
    shell: p[6]!,
    groups: [...new Set(ids.filter((g, i) => i !== 0 && g !== primary))],
  };
  const s = /^S [^:]*:([^:]*):/m.exec(stdout);
  if (s) user.hash = s[1]!;
  return { user, groupIds };
}

/** The wanted supplementary groups as a list ('' or [] means none). */
export function groupList(groups: string | string[] | undefined): string[] | undefined {
  if (groups === undefined) return undefined;
  const list = Array.isArray(groups) ? groups : groups.split(',');
  return list.map((g) => g.trim()).filter(Boolean);
}

/** The `user` module. */
export default defineModule<UserArgs>({
  name: 'user',
  docs: {
    short: 'Add, change or remove a local user account',
    description:
      'Uses the shadow utilities (useradd, usermod, userdel). password is an already-hashed value; it is never shown in results or diffs.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, pattern: '^[^:\\s]+$', description: 'The user name' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the account exists',
      },
      uid: { type: ['integer', 'string'], pattern: '^\\d+$', description: 'The user id' },
      group: { type: ['string', 'integer'], description: 'The primary group (name or gid); it must exist' },
      groups: {
        type: ['string', 'array'],
        items: { type: 'string' },
        description: "Supplementary groups (list or 'a,b'); '' or [] removes all unless append",
      },
      append: boolSchema('Add the groups to the current ones instead of setting exactly these', false),
      home: { type: 'string', description: 'The home folder' },
      create_home: boolSchema('Create the home folder for a new user (alias: createhome)', true),
      createhome: boolSchema('Alias of create_home'),
      move_home: boolSchema('When home changes, move the old folder (usermod -m)', false),
      shell: { type: 'string', description: 'The login shell' },
      system: boolSchema('Create a system account (useradd -r) when it is new', false),
      comment: { type: 'string', description: 'The GECOS field (full name)' },
      password: {
        type: 'string',
        description: 'The password HASH (crypt(3) format, e.g. from mkpasswd); never logged',
      },
      update_password: {
        type: 'string',
        enum: ['always', 'on_create'],
        default: 'always',
        description: 'always: set the hash when it differs; on_create: only for new users',
      },
      remove: boolSchema('With state=absent, also remove the home folder and mail spool (userdel -r)', false),
      force: boolSchema('With state=absent, remove even when the user is logged in (userdel -f)', false),
      non_unique: boolSchema('Allow a uid that another user has (-o)', false),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const { name } = args;
      const present = (args.state ?? 'present') === 'present';
      const wantGroups = groupList(args.groups);
      const script = [
        toolProbe(['useradd', 'usermod', 'userdel']),
        sh`getent passwd ${name} | sed 's/^/P /'`,
        sh`if getent passwd ${name} >/dev/null; then printf 'I %s\n' "$(id -Gn ${name})"; fi`,
        sh`getent group | sed 's/^/G /'`,
        args.password !== undefined ? sh`getent shadow ${name} | sed 's/^/S /'` : ':',
      ];
      const res = await ctx.conn.exec(script.join('\n'));
      const tools = toolsFound(res.stdout);
      const { user, groupIds } = parseUserFacts(res.stdout);
      const base: Record<string, unknown> = { name, state: present ? 'present' : 'absent' };
      if (args.password !== undefined) base['password'] = 'NOT_LOGGING_PASSWORD';
      const before: string[] = [];
      const after: string[] = [];
      let note: string | undefined;
      let tool: string;
      const opts: string[] = [];
      if (!present) {
        if (!user) return { kind: 'ok', data: base };
        tool = 'userdel';
        if (toBool(args.remove)) opts.push('-r');
        if (toBool(args.force)) opts.push('-f');
        before.push(`user ${name}: present (uid ${user.uid})`);
        after.push(`user ${name}: absent`);
        Object.assign(base, { remove: toBool(args.remove), force: toBool(args.force) });
      } else {
        const gidOf = (g: string): number | undefined => (/^\d+$/.test(g) ? Number(g) : groupIds.get(g));
        const missing = [...(args.group !== undefined ? [String(args.group)] : []), ...(wantGroups ?? [])].filter(
          (g) => gidOf(g) === undefined,
        );
        // In check mode an earlier task (group) that creates them has not run: predict as if they existed, and say so.
        if (missing.length && !ctx.check) return failed(`Group ${missing.join(', ')} does not exist`);
        for (const [i, g] of missing.entries()) groupIds.set(g, -1 - i);
        if (missing.length)
          note = `group ${missing.join(', ')} does not exist yet: check mode assumes an earlier task creates it`;
        const append = toBool(args.append);
        const o = toBool(args.non_unique) ? ['-o'] : [];
        const field = (label: string, from: string | number | undefined, to: string | number): void => {
          before.push(`${label}: ${from ?? ''}`);
          after.push(`${label}: ${to}`);
        };
        if (!user) {
          tool = 'useradd';
          if (args.uid !== undefined) opts.push(...o, '-u', String(args.uid));
          if (args.group !== undefined) opts.push('-g', String(args.group));
          else if (groupIds.has(name)) opts.push('-N');
          if (wantGroups?.length) opts.push('-G', wantGroups.join(','));
          if (args.comment !== undefined) opts.push('-c', args.comment);
          if (args.home !== undefined) opts.push('-d', args.home);
          if (args.shell !== undefined) opts.push('-s', args.shell);
          if (args.password !== undefined) opts.push('-p', args.password);
          if (toBool(args.system)) opts.push('-r');
          opts.push(toBool(args.create_home ?? args.createhome, true) ? '-m' : '-M');
          before.push(`user ${name}: absent`);
          after.push(`user ${name}: present`);
          // The diff names everything the new account brings, the home folder it creates included.
          for (const [label, v] of [
            ['uid', args.uid],
            ['group', args.group],
            ['groups', wantGroups?.join(',')],
            ['comment', args.comment],
            ['shell', args.shell],
          ] as const) {
            if (v !== undefined && v !== '') after.push(`${label}: ${v}`);
          }
          const createHome = toBool(args.create_home ?? args.createhome, true);
          if (createHome || args.home !== undefined)
            after.push(`home: ${args.home ?? `/home/${name}`}${createHome ? ' (created)' : ''}`);
          Object.assign(base, {
            system: toBool(args.system),
            create_home: toBool(args.create_home ?? args.createhome, true),
          });
        } else {
          tool = 'usermod';
          if (args.uid !== undefined && Number(args.uid) !== user.uid) {
            opts.push(...o, '-u', String(args.uid));
            field('uid', user.uid, Number(args.uid));
          }
          if (args.group !== undefined && gidOf(String(args.group)) !== user.gid) {
            opts.push('-g', String(args.group));
            field('group', user.gid, gidOf(String(args.group))!);
          }
          if (wantGroups !== undefined) {
            const have = new Set(user.groups);
            const want = new Set(
              wantGroups.filter((g) => gidOf(g) !== (args.group !== undefined ? gidOf(String(args.group)) : user.gid)),
            );
            const differs = append
              ? [...want].some((g) => !have.has(g))
              : want.size !== have.size || [...want].some((g) => !have.has(g));
            if (differs) {
              opts.push(...(append ? ['-a'] : []), '-G', [...want].join(','));
              field(
                'groups',
                user.groups.join(','),
                append ? [...new Set([...user.groups, ...want])].join(',') : [...want].join(','),
              );
            }
          }
          if (args.comment !== undefined && args.comment !== user.comment) {
            opts.push('-c', args.comment);
            field('comment', user.comment, args.comment);
          }
          if (args.home !== undefined && args.home !== user.home) {
            opts.push('-d', args.home, ...(toBool(args.move_home) ? ['-m'] : []));
            field('home', user.home, args.home);
          }
          if (args.shell !== undefined && args.shell !== user.shell) {
            opts.push('-s', args.shell);
            field('shell', user.shell, args.shell);
          }
          if (
            args.password !== undefined &&
            (args.update_password ?? 'always') === 'always' &&
            args.password !== user.hash
          ) {
            opts.push('-p', args.password);
            before.push('password: (a different hash)');
            after.push('password: (the given hash)');
          }
          if (!opts.length) {
            return {
              kind: 'ok',
              data: {
                ...base,
                uid: user.uid,
                group: user.gid,
                groups: user.groups.join(','),
                home: user.home,
                shell: user.shell,
                comment: user.comment,
              },
            };
          }
        }
      }
      if (!tools.has(tool)) return failed(missingTool('user', tool));
      const cmd = `${tool} ${sh`${opts} -- ${name}`}`;
      return {
        kind: 'change',
        data: base,
        ...(note !== undefined ? { msg: note } : {}),
        diff: [
          {
            path: `user ${name}`,
            before: before.map((l) => `${l}\n`).join(''),
            after: after.map((l) => `${l}\n`).join(''),
          },
        ],
        apply: () =>
          applying(async () => {
            const r = await ctx.conn.exec(
              `PATH="$PATH:/usr/sbin:/sbin"; ${cmd} || exit $?\n${sh`getent passwd ${name}`} || true`,
            );
            // userdel -r exits 12 when the mail spool is missing: the user is gone all the same.
            if (r.rc !== 0 && !(tool === 'userdel' && r.rc === 12))
              return {
                kind: 'failed',
                msg: `${tool} failed: ${r.stderr.trim() || `rc ${r.rc}`}`,
                data: { ...base, rc: r.rc },
              };
            const p = /^[^:]*:[^:]*:(\d+):(\d+):([^:]*):([^:]*):(.*)$/m.exec(r.stdout);
            return {
              kind: 'applied',
              data: {
                ...base,
                ...(p ? { uid: Number(p[1]), group: Number(p[2]), comment: p[3], home: p[4], shell: p[5] } : {}),
              },
            };
          }),
      };
    }),
});
