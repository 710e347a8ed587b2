/**
 * `template`: render a controller template (looked up in `templates/`) with
 * the host's variables and put the result at `dest` like `copy` does.
 */
import { promises as fs } from 'node:fs';
import { failOnController } from '../errors.js';
import { defineModule } from './types.js';
import { attrSchemaProps, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { readControllerText } from './lib/controller-text.js';
import { decidePutFile } from './lib/put-file.js';
import { deciding, failed } from './lib/result.js';

/** Arguments of `template`. */
export interface TemplateArgs extends AttrArgs {
  src: string;
  dest: string;
  backup?: boolean | string;
  force?: boolean | string;
  validate?: string;
}

/** The `template` module. */
export default defineModule<TemplateArgs>({
  name: 'template',
  docs: {
    short: "Render a template with the host's variables and write it to the target",
    description:
      'Templates are Handlebars (see docs/ansible-differences.md); an undefined variable is an error with its position in the template.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['src', 'dest'],
    properties: {
      src: { type: 'string', description: 'Template file on the controller (searched in templates/)' },
      dest: { type: 'string', minLength: 1, description: 'Path on the target (a folder when it ends with /)' },
      ...attrSchemaProps,
      backup: boolSchema('Keep a dated copy of the file being replaced', false),
      force: boolSchema('Replace a file whose content differs; false: only create missing files', true),
      validate: {
        type: 'string',
        description: 'Command that checks the new file before it replaces dest (%s: its temp path)',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      let file: string;
      try {
        file = await ctx.findFile('templates', args.src);
      } catch (e) {
        return failed(`Could not find or access '${args.src}': ${(e as Error).message}`);
      }
      const text = await readControllerText(file, `the template ${args.src}`, ctx.source);
      const rendered = ctx.renderTemplate(text, file);
      const localMode =
        (await fs.stat(file).catch(failOnController(`cannot read the template ${args.src}`, { source: ctx.source })))
          .mode & 0o7777;
      return decidePutFile(ctx, {
        dest: args.dest,
        source: { data: Buffer.from(rendered, 'utf8') },
        srcName: args.src,
        attrs: wantedAttrs(args, { allowPreserve: true }),
        backup: toBool(args.backup),
        force: toBool(args.force, true),
        localMode,
        ...(args.validate !== undefined ? { validate: args.validate } : {}),
      });
    }),
});
