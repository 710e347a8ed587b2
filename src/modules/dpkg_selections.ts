/**
 * `dpkg_selections`: set a package's dpkg selection (install, hold,
 * deinstall, purge) as ansible-core 2.14's module does: `dpkg
 * --get-selections NAME`, then `dpkg --set-selections` when it differs.
 */
import { sh, shq } from '../util/shell.js';
import { defineModule } from './types.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';

/** Arguments of `dpkg_selections`. */
export interface DpkgSelectionsArgs {
  name: string;
  selection: 'install' | 'hold' | 'deinstall' | 'purge';
}

/** The `dpkg_selections` module. */
export default defineModule<DpkgSelectionsArgs>({
  name: 'dpkg_selections',
  docs: {
    short: "Set a package's dpkg selection (hold, install, deinstall, purge)",
    description: 'Registers `before` (the current selection, or `not present`) and `after`.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'selection'],
    properties: {
      name: { type: 'string', description: 'The package' },
      selection: {
        type: 'string',
        enum: ['install', 'hold', 'deinstall', 'purge'],
        description: 'The selection to set',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const read = await ctx.conn.exec(
        `command -v dpkg >/dev/null 2>&1 || { echo MISSING; exit 0; }\n${sh`dpkg --get-selections ${args.name}`}`,
      );
      if (read.stdout === 'MISSING\n')
        return failed(
          'Failed to find required executable "dpkg" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        );
      if (read.rc !== 0) return failed(read.stderr.trim(), { rc: read.rc, stdout: read.stdout, stderr: read.stderr });
      const words = read.stdout.split(/\s+/).filter(Boolean);
      const before = words.length ? (words[1] ?? '') : 'not present';
      const data = { before, after: args.selection };
      if (before === args.selection) return { kind: 'ok', data };
      return {
        kind: 'change',
        data,
        diff: [{ path: `dpkg selection of ${args.name}`, before: `${before}\n`, after: `${args.selection}\n` }],
        apply: () =>
          applying(async () => {
            const res = await ctx.conn.exec(
              `printf '%s' ${shq(`${args.name} ${args.selection}`)} | dpkg --set-selections`,
            );
            return res.rc === 0 ? { kind: 'applied', data } : applyFailed(res.stderr.trim(), { rc: res.rc });
          }),
      };
    }),
});
