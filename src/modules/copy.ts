/**
 * `copy`: put a file from the controller (`src`, looked up in the role's or
 * playbook's `files/`), literal `content`, or a file already on the target
 * (`remote_src`) at `dest`. Idempotent by sha1; written atomically.
 */
import { promises as fs } from 'node:fs';
import { failOnController } from '../errors.js';
import { exactlyOneOf } from './lib/schema.js';
import { pyJson } from '../template/jinja/filters.js';
import { defineModule } from './types.js';
import { attrSchemaProps, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { decideCopyTree } from './lib/copy-tree.js';
import { decryptedFile } from './lib/controller-vault.js';
import { decidePutFile } from './lib/put-file.js';
import { deciding, failed } from './lib/result.js';

/** The mode of the controller temp files Ansible sends content and decrypted vaults through (mkstemp's). */
const TEMP_FILE_MODE = 0o600;

/** Arguments of `copy`. */
export interface CopyArgs extends AttrArgs {
  src?: string;
  content?: unknown;
  dest: string;
  backup?: boolean | string;
  force?: boolean | string;
  remote_src?: boolean | string;
  validate?: string;
  directory_mode?: string | number;
  decrypt?: boolean | string;
  local_follow?: boolean | string;
  follow?: boolean | string;
  checksum?: string;
}

/** The `copy` module. */
export default defineModule<CopyArgs>({
  name: 'copy',
  docs: {
    short: 'Copy a file or folder from the controller (or literal content) to the target',
    description:
      'A dest ending in / or an existing folder receives the file under its own name. A src folder is copied recursively; with a trailing slash only its contents are.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['dest'],
    properties: {
      src: {
        type: 'string',
        description: 'File or folder on the controller (searched in files/), or on the target with remote_src',
      },
      content: { description: 'Literal content for dest (lists and maps are written as JSON)' },
      dest: { type: 'string', minLength: 1, description: 'Absolute path on the target (a folder when it ends with /)' },
      ...attrSchemaProps,
      backup: boolSchema('Keep a dated copy of the file being replaced', false),
      force: boolSchema('Replace a file whose content differs; false: only create missing files', true),
      remote_src: boolSchema('src is a file on the target, not on the controller', false),
      validate: {
        type: 'string',
        description: 'Command that checks the new file before it replaces dest (%s: its temp path)',
      },
      directory_mode: { type: ['string', 'integer'], description: 'Mode of folders created when copying a folder' },
      decrypt: boolSchema("A vault-encrypted src is decrypted (with the run's vault password) before it is sent", true),
      local_follow: boolSchema(
        'Links in a src folder on the controller are followed; false: they are made again as links on the target',
        true,
      ),
      follow: boolSchema('A dest that is a link has what it points to written; false: the link is replaced', false),
      checksum: {
        type: 'string',
        pattern: '^[0-9a-fA-F]{40}$',
        description: 'sha1 the source must have; a file written with another fails the task (nothing is replaced)',
      },
    },
    ...exactlyOneOf('src', 'content'),
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const attrs = wantedAttrs(args, { allowPreserve: true, flags: true });
      const common = {
        attrs,
        backup: toBool(args.backup),
        force: toBool(args.force, true),
        follow: toBool(args.follow),
        ...(args.validate !== undefined ? { validate: args.validate } : {}),
        ...(args.checksum !== undefined ? { expectChecksum: args.checksum } : {}),
      };
      if (args.content !== undefined) {
        // A list or mapping (a YAML structure, or text Ansible's templating read as one) is written as Python's
        // json.dumps writes it, as Ansible's copy action does.
        const text = typeof args.content === 'string' ? args.content : pyJson(args.content);
        // Ansible's action writes content to a controller temp file (mkstemp: 0600) and sends that: its mode is
        // what `mode: preserve` keeps.
        return decidePutFile(ctx, {
          dest: args.dest,
          source: { data: Buffer.from(text, 'utf8') },
          localMode: TEMP_FILE_MODE,
          ...common,
        });
      }
      const src = args.src!;
      if (toBool(args.remote_src))
        return decidePutFile(ctx, { dest: args.dest, source: { remotePath: src }, srcName: src, ...common });
      let local: string;
      try {
        local = await ctx.findFile('files', src);
      } catch (e) {
        return failed((e as Error).message);
      }
      const st = await fs.stat(local).catch(failOnController(`cannot copy ${src}`, { source: ctx.source }));
      const decrypt = toBool(args.decrypt, true);
      if (st.isDirectory()) {
        if (attrs.flags)
          return failed(
            `attributes '${String(args.attributes ?? args.attr)}': bosun sets file flags on single files only, not when copying a folder (${src})`,
          );
        const dirAttrs = args.directory_mode !== undefined ? wantedAttrs({ mode: args.directory_mode }) : {};
        return decideCopyTree(ctx, {
          localDir: local,
          srcName: src,
          dest: args.dest,
          fileAttrs: attrs,
          dirAttrs,
          force: common.force,
          localFollow: toBool(args.local_follow, true),
          decrypt,
        });
      }
      // decrypt: a vault is sent as its plaintext, through a temp file on the controller as Ansible's loader
      // does (so `mode: preserve` gives that file's 0600).
      const plain = decrypt
        ? await decryptedFile(local, ctx.source).catch(failOnController(`cannot copy ${src}`, { source: ctx.source }))
        : undefined;
      if (plain)
        return decidePutFile(ctx, {
          dest: args.dest,
          source: { data: plain },
          srcName: src,
          localMode: TEMP_FILE_MODE,
          ...common,
        });
      return decidePutFile(ctx, {
        dest: args.dest,
        source: { controllerFile: local, stat: st },
        srcName: src,
        localMode: st.mode & 0o7777,
        ...common,
      });
    }),
});
