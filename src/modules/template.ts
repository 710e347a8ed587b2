/**
 * `template`: render a controller template (looked up in `templates/`) with
 * the host's variables and put the result at `dest` like `copy` does.
 */
import { promises as fs, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { failOnController } from '../errors.js';
import { defineModule } from './types.js';
import { attrSchemaProps, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { readControllerText } from './lib/controller-text.js';
import { decidePutFile } from './lib/put-file.js';
import { deciding, failed } from './lib/result.js';
import { DEFAULT_DELIMITERS, type Delimiters } from '../template/jinja/prepare.js';
import { DELIMITER_NAMES, delimiterArgs } from '../template/jinja/render.js';

/** Arguments of `template`. */
export interface TemplateArgs extends AttrArgs {
  src: string;
  dest: string;
  backup?: boolean | string;
  force?: boolean | string;
  validate?: string;
  trim_blocks?: boolean | string;
  lstrip_blocks?: boolean | string;
  newline_sequence?: string;
  output_encoding?: string;
  follow?: boolean | string;
  block_start_string?: string;
  block_end_string?: string;
  variable_start_string?: string;
  variable_end_string?: string;
  comment_start_string?: string;
  comment_end_string?: string;
}

/** newline_sequence as Ansible reads it: the characters, or their backslash spellings ('\\r\\n'). */
function newlineSequence(value: string): string {
  return value.replace(/\\r/g, '\r').replace(/\\n/g, '\n');
}

/** The output encodings bosun writes (Python's names, compared in lower case with `_` as `-`), as Node encodes them. */
const ENCODINGS: Record<string, (text: string) => Buffer | undefined> = {
  'utf-8': (t) => Buffer.from(t, 'utf8'),
  utf8: (t) => Buffer.from(t, 'utf8'),
  'latin-1': latin1,
  latin1: latin1,
  'iso-8859-1': latin1,
  ascii: (t) => (/^[^\u0080-\uffff]*$/.test(t) ? Buffer.from(t, 'latin1') : undefined),
  // Python's utf-16 writes a byte order mark, then little-endian units (on the machines Ansible runs on).
  'utf-16': (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
  'utf-16-le': (t) => Buffer.from(t, 'utf16le'),
  'utf-16-be': (t) => Buffer.from(t, 'utf16le').swap16(),
};

function latin1(t: string): Buffer | undefined {
  return /^[^\u0100-\uffff]*$/.test(t) ? Buffer.from(t, 'latin1') : undefined;
}

/** The delimiters given as arguments (the engine leaves defaults as they are). */
function delimiters(args: TemplateArgs): { delimiters?: Partial<Delimiters> } {
  const given = delimiterArgs(args as unknown as Record<string, unknown>);
  return Object.keys(given).length ? { delimiters: given } : {};
}

/** Python's str(datetime): `2026-12-03 06:30:00.123456`, local time. */
function pyDatetime(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/** The variables Ansible's template action adds for the file (generate_ansible_template_vars). */
function templateVars(src: string, file: string, dest: string, st: Stats): Record<string, unknown> {
  const me = os.userInfo();
  return {
    template_host: os.hostname(),
    template_path: src,
    template_fullpath: path.resolve(file),
    template_destpath: dest,
    template_uid: st.uid === me.uid ? me.username : String(st.uid),
    template_mtime: pyDatetime(st.mtime),
    template_run_date: pyDatetime(new Date()),
    // Ansible's default [defaults] ansible_managed.
    ansible_managed: 'Ansible managed',
  };
}

/** The `template` module. */
export default defineModule<TemplateArgs>({
  name: 'template',
  docs: {
    short: "Render a template with the host's variables and write it to the target",
    description:
      'Templates are Jinja2 as Ansible renders them, or bosun Handlebars (`.hbs` files; see docs/templates.md for how the dialect is chosen); an undefined variable is an error with its position in the template.',
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
      trim_blocks: boolSchema('Jinja2: drop the first newline after a block or comment tag', true),
      lstrip_blocks: boolSchema('Jinja2: drop spaces and tabs from the start of a line to a block tag', false),
      newline_sequence: {
        type: 'string',
        pattern: '^(\\n|\\r\\n|\\r|\\\\n|\\\\r\\\\n|\\\\r)$',
        description:
          "Jinja2: what every newline of the template's text becomes: `\\n` (default), `\\r\\n` or `\\r` (the characters, or written with backslashes as in '\\r\\n')",
      },
      output_encoding: {
        type: 'string',
        description: `Encoding of the written file, Python's name for it: ${Object.keys(ENCODINGS).join(', ')} (default utf-8)`,
      },
      follow: boolSchema('A dest that is a link has what it points to written; false: the link is replaced', false),
      ...Object.fromEntries(
        Object.entries(DELIMITER_NAMES).map(([name, field]) => [
          name,
          {
            type: 'string',
            minLength: 1,
            description: `Jinja2: the delimiter written ${DEFAULT_DELIMITERS[field]} by default`,
          },
        ]),
      ),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      let file: string;
      try {
        file = await ctx.findFile('templates', args.src);
      } catch (e) {
        return failed((e as Error).message);
      }
      const text = await readControllerText(file, `the template ${args.src}`, ctx.source);
      const st = await fs
        .stat(file)
        .catch(failOnController(`cannot read the template ${args.src}`, { source: ctx.source }));
      const rendered = ctx.renderTemplate(text, file, {
        trimBlocks: toBool(args.trim_blocks, true),
        lstripBlocks: toBool(args.lstrip_blocks, false),
        ...(args.newline_sequence !== undefined ? { newline: newlineSequence(args.newline_sequence) } : {}),
        ...delimiters(args),
        extra: templateVars(args.src, file, args.dest, st),
      });
      const localMode = st.mode & 0o7777;
      const encodingName = (args.output_encoding || 'utf-8').toLowerCase().replace(/_/g, '-');
      const encode = ENCODINGS[encodingName];
      if (!encode) return failed(`LookupError: unknown encoding: ${args.output_encoding ?? ''}`);
      const bytes = encode(rendered);
      if (!bytes) return failed(`UnicodeEncodeError: '${encodingName}' codec can't encode the rendered ${args.src}`);
      return decidePutFile(ctx, {
        dest: args.dest,
        source: { data: bytes },
        follow: toBool(args.follow),
        srcName: args.src,
        attrs: wantedAttrs(args, { allowPreserve: true, flags: true }),
        backup: toBool(args.backup),
        force: toBool(args.force, true),
        localMode,
        ...(args.validate !== undefined ? { validate: args.validate } : {}),
      });
    }),
});
