/**
 * `fetch`: copy a file from the target to the controller, to
 * `dest/<inventory_hostname>/<src path>` (or exactly `dest` with `flat`).
 * Idempotent by sha1: an equal controller copy is not transferred again; the
 * controller-side write is atomic (temp file beside it, then rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { failOnController } from '../errors.js';
import { boolSchema, toBool } from './lib/bool.js';
import { statPath } from './lib/remote-file.js';
import { applying, deciding, diffText, failed } from './lib/result.js';
import { defineModule, type FileDiff } from './types.js';

/** Arguments of `fetch`. */
export interface FetchArgs {
  src: string;
  dest: string;
  flat?: boolean | string;
  fail_on_missing?: boolean | string;
  validate_checksum?: boolean | string;
}

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex');

/** Where the copy goes on the controller, as Ansible computes it. */
export function fetchDest(host: string, src: string, dest: string, flat: boolean): string {
  if (flat) return resolve(dest.endsWith('/') ? join(dest, posix.basename(src)) : dest);
  return resolve(join(dest, host, posix.normalize(src).replace(/^\/+/, '')));
}

/** The `fetch` module. */
export default defineModule<FetchArgs>({
  name: 'fetch',
  docs: {
    short: 'Copy a file from the target to the controller',
    description:
      'Without flat the copy lands in dest/<inventory_hostname>/<src path>, so many hosts never overwrite each other.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['src', 'dest'],
    properties: {
      src: { type: 'string', minLength: 1, description: 'The file on the target (a file, not a folder)' },
      dest: { type: 'string', minLength: 1, description: 'Folder on the controller (or the file itself with flat)' },
      flat: boolSchema(
        'Put the file at dest itself (dest ending in / gets the basename), without host and path folders',
        false,
      ),
      fail_on_missing: boolSchema('Fail when src does not exist', true),
      validate_checksum: boolSchema('Verify the transferred copy against the target file sha1', true),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const dest = fetchDest(ctx.host, args.src, args.dest, toBool(args.flat));
      const st = await statPath(ctx.conn, args.src, { follow: true, checksum: 'sha1' });
      if (!st.exists) {
        const msg = 'the remote file does not exist, not transferring, ignored';
        if (toBool(args.fail_on_missing, true))
          return failed(`the remote file does not exist: ${args.src}`, { file: args.src });
        return { kind: 'ok', msg, data: { file: args.src, dest } };
      }
      if (st.type === 'directory')
        return failed('remote file is a directory, fetch cannot work on directories', { file: args.src });
      if (st.checksum === undefined || st.checksum === '')
        return failed(`cannot read ${args.src} on the target`, { file: args.src });
      const local = await fs.readFile(dest).catch(() => null);
      const data = { dest, file: args.src, remote_checksum: st.checksum, checksum: st.checksum };
      if (local && sha1(local) === st.checksum) return { kind: 'ok', msg: 'the file is already up to date', data };
      const diff: FileDiff[] = [];
      if (ctx.diff)
        diff.push({ path: dest, before: diffText(local), after: diffText(await ctx.conn.readFile(args.src)) });
      return {
        kind: 'change',
        diff,
        data,
        apply: () =>
          applying(async () => {
            const bytes = await ctx.conn.readFile(args.src);
            if (bytes === null) return { kind: 'failed', msg: `the remote file disappeared: ${args.src}` };
            const got = sha1(bytes);
            if (toBool(args.validate_checksum, true) && got !== st.checksum) {
              return { kind: 'failed', msg: 'checksum mismatch', data: { ...data, checksum: got } };
            }
            const refused = failOnController(`cannot write ${dest}`, { source: ctx.source });
            await fs
              .mkdir(dirname(dest), { recursive: true })
              .catch(failOnController(`cannot create the folder ${dirname(dest)}`, { source: ctx.source }));
            const tmp = join(dirname(dest), `.bosun-tmp-${randomBytes(6).toString('hex')}`);
            try {
              await fs.writeFile(tmp, bytes, { mode: 0o644 }).catch(refused);
              await fs.rename(tmp, dest).catch(refused);
            } finally {
              await fs.rm(tmp, { force: true });
            }
            return { kind: 'applied', data: { ...data, checksum: got } };
          }),
      };
    }),
});
