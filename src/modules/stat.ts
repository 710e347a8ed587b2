/**
 * `stat`: report facts about a path on the target (one round trip). Never
 * changes anything.
 */
import { sh } from '../util/shell.js';
import { probeSections } from './lib/probe-sections.js';
import { defineModule, type ModuleContext } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { statPath } from './lib/remote-file.js';
import { deciding } from './lib/result.js';

/** Arguments of `stat`. */
export interface StatArgs {
  path: string;
  follow?: boolean | string;
  get_checksum?: boolean | string;
  checksum_algorithm?: 'sha1' | 'sha256';
  get_mime?: boolean | string;
  get_attributes?: boolean | string;
}

/** lsattr's flag letters as Ansible names them (module_utils FILE_ATTRIBUTES). */
const FILE_ATTRIBUTES: Record<string, string> = {
  A: 'noatime',
  a: 'append',
  c: 'compressed',
  C: 'nocow',
  d: 'nodump',
  D: 'dirsync',
  e: 'extents',
  E: 'encrypted',
  h: 'blocksize',
  i: 'immutable',
  I: 'indexed',
  j: 'journalled',
  N: 'inline',
  s: 'zero',
  S: 'synchronous',
  t: 'notail',
  T: 'blockroot',
  u: 'undelete',
  X: 'compressedraw',
  Z: 'compresseddirty',
};

/**
 * `mimetype`/`charset` (the target's `file`) and `attributes`/`attr_flags`/`version` (its `lsattr`), in one command,
 * with Ansible's values when a tool is missing or fails ('unknown'; no attributes).
 */
async function mimeAndAttributes(
  ctx: ModuleContext,
  path: string,
  mime: boolean,
  attrs: boolean,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const parts: string[] = [];
  if (mime)
    parts.push(
      sh`echo @MIME; command -v file >/dev/null 2>&1 && file --mime-type --mime-encoding -- ${path} 2>/dev/null`,
    );
  if (attrs) parts.push(sh`echo @ATTRS; command -v lsattr >/dev/null 2>&1 && lsattr -vd -- ${path} 2>/dev/null`);
  const res = await ctx.conn.exec(parts.join('\n'));
  const sec = probeSections(res.stdout);
  const first = (name: string): string | undefined => sec[name]?.find((l) => l !== '');
  if (mime) {
    out['mimetype'] = 'unknown';
    out['charset'] = 'unknown';
    const line = first('MIME');
    const tail = line?.slice(line.lastIndexOf(':') + 1);
    const [type, enc] = tail?.split(';') ?? [];
    if (type && enc?.includes('=')) {
      out['mimetype'] = type.trim();
      out['charset'] = enc.split('=')[1]!.trim();
    }
  }
  if (attrs) {
    out['version'] = null;
    out['attributes'] = [];
    out['attr_flags'] = '';
    const fields = first('ATTRS')?.split(' ');
    if (fields && fields.length >= 2) {
      const flags = fields[1]!.replace(/-/g, '').trim();
      out['version'] = fields[0]!.trim();
      out['attr_flags'] = flags;
      out['attributes'] = Array.from(flags)
        .map((f) => FILE_ATTRIBUTES[f])
        .filter((n): n is string => n !== undefined);
    }
  }
  return out;
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
      get_mime: boolSchema("Report mimetype and charset (the target's `file` command; one more command)", true),
      get_attributes: boolSchema(
        "Report attributes, attr_flags and version (the target's `lsattr`; one more command, shared with get_mime)",
        true,
      ),
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
      const mime = toBool(args.get_mime, true);
      const attrs = toBool(args.get_attributes, true);
      if (mime || attrs) Object.assign(stat, await mimeAndAttributes(ctx, args.path, mime, attrs));
      if (st.type === 'link') {
        stat['lnk_target'] = st.linkTarget;
        stat['lnk_source'] = st.linkSource;
      }
      return { kind: 'ok', data: { stat } };
    }),
});
