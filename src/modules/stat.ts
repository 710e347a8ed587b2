/**
 * `stat`: report facts about a path on the target (one round trip). Never
 * changes anything.
 */
import { defineModule } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { statPath } from './lib/remote-file.js';
import { deciding } from './lib/result.js';

/** Arguments of `stat`. */
export interface StatArgs {
  path: string;
  follow?: boolean | string;
  get_checksum?: boolean | string;
  checksum_algorithm?: 'sha1' | 'sha256';
}

/** The `stat` module. */
export default defineModule<StatArgs>({
  name: 'stat',
  docs: { short: 'Read facts about a file or folder on the target' },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'The path on the target' },
      follow: boolSchema('Follow a symlink and report on what it points to', false),
      get_checksum: boolSchema('Compute the checksum of a regular file', true),
      checksum_algorithm: {
        type: 'string',
        enum: ['sha1', 'sha256'],
        default: 'sha1',
        description: 'Checksum algorithm',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const checksum = toBool(args.get_checksum, true) ? (args.checksum_algorithm ?? 'sha1') : undefined;
      const st = await statPath(ctx.conn, args.path, {
        follow: toBool(args.follow),
        ...(checksum ? { checksum } : {}),
      });
      if (!st.exists) return { kind: 'ok', data: { stat: { exists: false } } };
      const stat: Record<string, unknown> = {
        exists: true,
        path: args.path,
        isdir: st.type === 'directory',
        isreg: st.type === 'file',
        islnk: st.type === 'link',
        mode: st.mode,
        uid: st.uid,
        gid: st.gid,
        pw_name: st.owner,
        gr_name: st.group,
        size: st.size,
        mtime: st.mtime,
        atime: st.atime,
        inode: st.inode,
        dev: st.dev,
        readable: true,
      };
      if (st.checksum !== undefined) stat['checksum'] = st.checksum;
      if (st.type === 'link') {
        stat['lnk_target'] = st.linkTarget;
        stat['lnk_source'] = st.linkSource;
      }
      return { kind: 'ok', data: { stat } };
    }),
});
