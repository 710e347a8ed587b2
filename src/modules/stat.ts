/**
 * `stat`: report facts about a path on the target (one round trip). Never
 * changes anything.
 */
import { flagNames } from './lib/chattr.js';
import { shq } from '../util/shell.js';
import { modeKeys } from './lib/find-walk.js';
import { probeSections } from './lib/probe-sections.js';
import { defineModule } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { deciding, failed } from './lib/result.js';

/** Arguments of `stat`. */
export interface StatArgs {
  path: string;
  follow?: boolean | string;
  get_checksum?: boolean | string;
  checksum_algorithm?: keyof typeof DIGESTS;
  /** Ansible's aliases of checksum_algorithm. */
  checksum?: keyof typeof DIGESTS;
  checksum_algo?: keyof typeof DIGESTS;
  get_mime?: boolean | string;
  /** Ansible's aliases of get_mime. */
  mime?: boolean | string;
  mime_type?: boolean | string;
  'mime-type'?: boolean | string;
  get_attributes?: boolean | string;
  /** Ansible's aliases of get_attributes. */
  attr?: boolean | string;
  attributes?: boolean | string;
}

/** The checksum tools of checksum_algorithm (coreutils). */
const DIGESTS = {
  md5: 'md5sum',
  sha1: 'sha1sum',
  sha224: 'sha224sum',
  sha256: 'sha256sum',
  sha384: 'sha384sum',
  sha512: 'sha512sum',
} as const;

/** GNU stat's fields of os.stat: raw mode, ids, size, inode, dev, nlink, blocks, blksize, rdev, times with nanoseconds. */
const STAT_PRINTF = '%f %u %g %s %i %d %h %b %o %r %.9X %.9Y %.9Z\\n%U\\n%G\\n';

/**
 * The one-round-trip probe: os.stat/lstat's fields, os.access as the connected (or become) user, the link's
 * readlink and realpath (hex, so any byte survives), the checksum, the target's `file` and `lsattr` output.
 */
function statProbe(
  path: string,
  o: { follow: boolean; checksum?: keyof typeof DIGESTS; mime: boolean; attrs: boolean },
): string {
  const L = o.follow ? '-L ' : '';
  const q = shq(path);
  const exists = o.follow ? `[ -e ${q} ]` : `{ [ -e ${q} ] || [ -L ${q} ]; }`;
  // Only tests, echos and the programs: no variable, no `exit`, so the session runs it in its own shell.
  const lines = [
    // Only ENOENT is "absent" (Ansible's os.stat): EACCES (a folder the user cannot enter) or ENOTDIR fail the task.
    `if ! ${exists} && case "$(LC_ALL=C stat ${L}-- ${q} 2>&1 >/dev/null)" in *': No such file or directory') true;; *) false;; esac; then echo @ABSENT`,
    `elif echo @STAT; LC_ALL=C stat ${L}--printf '${STAT_PRINTF}' -- ${q}; then`,
    `echo @ACCESS; if [ -r ${q} ]; then echo r; fi; if [ -w ${q} ]; then echo w; fi; if [ -x ${q} ]; then echo x; fi`,
  ];
  if (!o.follow)
    lines.push(
      `if [ -L ${q} ]; then echo @TARGET; readlink -n -- ${q} | od -An -v -tx1; echo @SOURCE; realpath -m -- ${q} | od -An -v -tx1; fi`,
    );
  if (o.checksum)
    lines.push(
      `if [ -f ${q} ] && [ -r ${q} ]${o.follow ? '' : ` && [ ! -L ${q} ]`}; then echo @SUM; ${DIGESTS[o.checksum]} < ${q}; fi`,
    );
  if (o.mime)
    lines.push(`echo @MIME; command -v file >/dev/null 2>&1 && file --mime-type --mime-encoding -- ${q} 2>/dev/null`);
  if (o.attrs) lines.push(`echo @ATTRS; command -v lsattr >/dev/null 2>&1 && lsattr -vd -- ${q} 2>/dev/null`);
  // Only stat itself failing fails the task (rc 1; file and lsattr say 'unknown' / nothing, as in Ansible).
  lines.push('true', 'else false', 'fi');
  return lines.join('\n');
}

/** The errno text at the end of GNU stat's last error line ("stat: cannot stat 'p': Permission denied"). */
function strerror(stderr: string): string {
  const line = stderr.trim().split('\n').pop() ?? '';
  const at = line.lastIndexOf(': ');
  return (at >= 0 ? line.slice(at + 2) : line).trim();
}

/** Text from `od -tx1` lines (the readlink/realpath output, newline at the end removed by realpath's own). */
function fromHex(lines: string[] | undefined): string {
  const hex = (lines ?? []).join(' ').trim();
  if (hex === '') return '';
  return Buffer.from(hex.split(/\s+/).map((b) => parseInt(b, 16))).toString('utf8');
}

/** Python's float of a `sec.nanoseconds` time (`st_mtime` is `sec + nsec * 1e-9`). */
function pyTime(field: string): number {
  const [sec, nsec = '0'] = field.split('.');
  return Number(sec) + Number(nsec) * 1e-9;
}

/** Ansible's stat dict (format_output and what main adds) from the probe's sections. */
function statResult(
  path: string,
  sec: Record<string, string[]>,
  mime: boolean,
  attrs: boolean,
): Record<string, unknown> {
  const [line = '', owner, group] = sec['STAT'] ?? [];
  const f = line.split(' ');
  const raw = parseInt(f[0] ?? '0', 16);
  const access = new Set(sec['ACCESS'] ?? []);
  const out: Record<string, unknown> = {
    exists: true,
    path,
    ...modeKeys(raw),
    uid: Number(f[1]),
    gid: Number(f[2]),
    size: Number(f[3]),
    inode: Number(f[4]),
    dev: Number(f[5]),
    nlink: Number(f[6]),
    atime: pyTime(f[10] ?? '0'),
    mtime: pyTime(f[11] ?? '0'),
    ctime: pyTime(f[12] ?? '0'),
    blocks: Number(f[7]),
    block_size: Number(f[8]),
    device_type: Number(f[9]),
    readable: access.has('r'),
    writeable: access.has('w'),
    executable: access.has('x'),
  };
  if (out['islnk'] === true) {
    out['lnk_source'] = fromHex(sec['SOURCE']).replace(/\n$/, '');
    out['lnk_target'] = fromHex(sec['TARGET']);
  }
  // GNU stat says UNKNOWN where Python's pwd/grp lookup raises KeyError: Ansible leaves the key out.
  if (owner !== undefined && owner !== 'UNKNOWN') out['pw_name'] = owner;
  if (group !== undefined && group !== 'UNKNOWN') out['gr_name'] = group;
  const sum = sec['SUM']?.[0]?.split(/\s/)[0];
  if (sum) out['checksum'] = sum;
  const first = (name: string): string | undefined => sec[name]?.find((l) => l !== '');
  if (mime) {
    out['mimetype'] = 'unknown';
    out['charset'] = 'unknown';
    const tail = first('MIME')?.split(':').pop();
    const parts = tail?.split(';') ?? [];
    if (parts.length === 2 && parts[1]!.includes('=')) {
      out['mimetype'] = parts[0]!.trim();
      out['charset'] = parts[1]!.split('=')[1]!.trim();
    }
  }
  if (attrs) {
    out['version'] = null;
    out['attributes'] = [];
    out['attr_flags'] = '';
    const fields = first('ATTRS')?.split(/\s+/);
    if (fields && fields.length >= 2) {
      const flags = fields[1]!.replace(/-/g, '').trim();
      out['version'] = fields[0]!.trim();
      out['attr_flags'] = flags;
      out['attributes'] = flagNames(flags);
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
        enum: Object.keys(DIGESTS),
        default: 'sha1',
        description: 'Checksum algorithm (aliases: checksum, checksum_algo)',
      },
      checksum: { type: 'string', enum: Object.keys(DIGESTS), description: 'Alias of checksum_algorithm' },
      checksum_algo: { type: 'string', enum: Object.keys(DIGESTS), description: 'Alias of checksum_algorithm' },
      get_mime: boolSchema("Report mimetype and charset (the target's `file` command; one more command)", true),
      mime: boolSchema('Alias of get_mime'),
      mime_type: boolSchema('Alias of get_mime'),
      'mime-type': boolSchema('Alias of get_mime'),
      attr: boolSchema('Alias of get_attributes'),
      attributes: boolSchema('Alias of get_attributes'),
      get_attributes: boolSchema(
        "Report attributes, attr_flags and version (the target's `lsattr`; one more command, shared with get_mime)",
        true,
      ),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const mime = toBool(args.get_mime ?? args.mime ?? args.mime_type ?? args['mime-type'], true);
      const attrs = toBool(args.get_attributes ?? args.attr ?? args.attributes, true);
      const algorithm = args.checksum_algorithm ?? args.checksum ?? args.checksum_algo ?? 'sha1';
      const path = args.path;
      const res = await ctx.conn.exec(
        statProbe(path, {
          follow: toBool(args.follow),
          mime,
          attrs,
          ...(toBool(args.get_checksum, true) ? { checksum: algorithm } : {}),
        }),
        { readOnly: true },
      );
      const sec = probeSections(res.stdout);
      if (sec['ABSENT']) return { kind: 'ok', data: { stat: { exists: false } } };
      if (res.rc !== 0 || !sec['STAT'])
        // Ansible's msg is the errno's text alone ("Permission denied"), GNU stat's last `: ` part.
        return failed(strerror(res.stderr) || `stat failed: rc ${res.rc}`);
      return { kind: 'ok', data: { stat: statResult(path, sec, mime, attrs) } };
    }),
});
