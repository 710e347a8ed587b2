/**
 * `group`: a local group present (with a gid) or absent, through
 * groupadd/groupmod/groupdel; decided from `getent group` in one round trip.
 */
import { sh } from '../util/shell.js';
import { boolSchema, toBool } from './lib/bool.js';
import { applying, deciding, failed } from './lib/result.js';
import { requiredIfTrue } from './lib/schema.js';
import { defineModule } from './types.js';

/** Arguments of `group`. */
export interface GroupArgs {
  name: string;
  state?: 'present' | 'absent';
  gid?: number | string;
  system?: boolean | string;
  non_unique?: boolean | string;
  force?: boolean | string;
}

/** Which of the shadow tools the host has, from `command -v` lines (`HAVE tool`). */
export function toolsFound(stdout: string): Set<string> {
  return new Set([...stdout.matchAll(/^HAVE (\S+)$/gm)].map((m) => m[1]!));
}

/** The sh lines that print `HAVE tool` for each tool on the PATH (and /usr/sbin, /sbin). */
export function toolProbe(tools: string[]): string {
  return `PATH="$PATH:/usr/sbin:/sbin"; for t in ${tools.join(' ')}; do command -v "$t" >/dev/null 2>&1 && echo "HAVE $t"; done`;
}

/** The clear error for a missing tool (busybox hosts have addgroup/adduser instead). */
export function missingTool(module: string, tool: string): string {
  return `${module}: ${tool} is not installed on the host (the shadow utilities useradd/groupadd are needed; busybox adduser/addgroup are not supported)`;
}

/** The `group` module. */
export default defineModule<GroupArgs>({
  name: 'group',
  docs: { short: 'Add, change or remove a local group' },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, pattern: '^[^:\\s]+$', description: 'The group name' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the group exists',
      },
      gid: { type: ['integer', 'string'], pattern: '^\\d+$', description: 'The group id' },
      system: boolSchema('Create a system group (groupadd -r) when it is new', false),
      non_unique: boolSchema('Allow a gid that another group has (-o)', false),
      force: boolSchema('groupdel -f: remove even when it is the primary group of a user', false),
    },
    // Ansible: "non_unique is True but all of the following are missing: gid".
    ...requiredIfTrue('non_unique', 'gid'),
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const { name } = args;
      const present = (args.state ?? 'present') === 'present';
      const res = await ctx.conn.exec(
        `${toolProbe(['groupadd', 'groupmod', 'groupdel'])}\n${sh`getent group ${name} | sed 's/^/G /'`}`,
      );
      const tools = toolsFound(res.stdout);
      const entry = /^G ([^:]*):[^:]*:(\d+):(.*)$/m.exec(res.stdout);
      const system = toBool(args.system);
      const base = { name, state: present ? 'present' : 'absent', system };
      const o = toBool(args.non_unique) ? '-o ' : '';
      let cmd: string;
      let tool: string;
      const before: string[] = [];
      const after: string[] = [];
      if (!present) {
        if (!entry) return { kind: 'ok', data: base };
        tool = 'groupdel';
        cmd = `groupdel ${toBool(args.force) ? '-f ' : ''}${sh`-- ${name}`}`;
        before.push(`group ${name}: present (gid ${entry[2]!})`);
        after.push(`group ${name}: absent`);
      } else if (!entry) {
        tool = 'groupadd';
        cmd = `groupadd ${system ? '-r ' : ''}${args.gid !== undefined ? `${o}${sh`-g ${String(args.gid)} `}` : ''}${sh`-- ${name}`}`;
        before.push(`group ${name}: absent`);
        after.push(`group ${name}: present${args.gid !== undefined ? ` (gid ${args.gid})` : ''}`);
      } else if (args.gid !== undefined && Number(args.gid) !== Number(entry[2])) {
        tool = 'groupmod';
        cmd = `groupmod ${o}${sh`-g ${String(args.gid)} -- ${name}`}`;
        before.push(`gid: ${entry[2]!}`);
        after.push(`gid: ${args.gid}`);
      } else {
        return { kind: 'ok', data: { ...base, gid: Number(entry[2]) } };
      }
      if (!tools.has(tool)) return failed(missingTool('group', tool));
      const data = {
        ...base,
        ...(present ? { gid: args.gid !== undefined ? Number(args.gid) : entry ? Number(entry[2]) : undefined } : {}),
      };
      return {
        kind: 'change',
        data,
        diff: [
          {
            path: `group ${name}`,
            before: before.map((l) => `${l}\n`).join(''),
            after: after.map((l) => `${l}\n`).join(''),
          },
        ],
        apply: () =>
          applying(async () => {
            const r = await ctx.conn.exec(
              `PATH="$PATH:/usr/sbin:/sbin"; ${cmd} || exit $?\n${sh`getent group ${name}`} || true`,
            );
            if (r.rc !== 0)
              return { kind: 'failed', msg: `${tool} failed: ${r.stderr.trim() || `rc ${r.rc}`}`, data: { rc: r.rc } };
            const made = /^[^:]*:[^:]*:(\d+):/m.exec(r.stdout);
            return { kind: 'applied', data: { ...data, ...(made ? { gid: Number(made[1]) } : {}) } };
          }),
      };
    }),
});
