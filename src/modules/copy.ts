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
import { decidePutFile } from './lib/put-file.js';
import { deciding, failed } from './lib/result.js';

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
        ...(args.validate !== undefined ? { validate: args.validate } : {}),
      };
      if (args.content !== undefined) {
        if (attrs.mode === 'preserve') return failed("mode 'preserve' needs a src");
        // A list or mapping (a YAML structure, or text Ansible's templating read as one) is written as Python's
        // json.dumps writes it, as Ansible's copy action does.
        const text = typeof args.content === 'string' ? args.content : pyJson(args.content);
        return decidePutFile(ctx, { dest: args.dest, source: { data: Buffer.from(text, 'utf8') }, ...common });
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
        });
      }
      return decidePutFile(ctx, {
        dest: args.dest,
        source: { controllerFile: local, stat: st },
        srcName: src,
        localMode: st.mode & 0o7777,
        ...common,
      });
    }),
});
