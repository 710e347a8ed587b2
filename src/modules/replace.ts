/**
 * `replace`: replace every match of a regular expression in a file (Python's
 * `re.MULTILINE`), optionally only in the section between `after` and
 * `before`, as Ansible's module does. Python patterns and replacement
 * templates (`\1`, `\g<name>`) are translated to JavaScript.
 */
import { exactlyOneOf } from './lib/schema.js';
import { defineModule } from './types.js';
import { attrSchemaProps, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { pyRegExp, pySubn, translatePyRegex } from './lib/py-regex.js';
import { deciding, failed } from './lib/result.js';
import { nodeEncoding, readTextTarget, textWriteDecision } from './lib/text-edit.js';

/** Arguments of `replace`. */
export interface ReplaceArgs extends AttrArgs {
  path?: string;
  dest?: string;
  destfile?: string;
  name?: string;
  regexp: string;
  replace?: string;
  after?: string;
  before?: string;
  backup?: boolean | string;
  validate?: string;
  encoding?: string;
}

/** Ansible's replace on `contents`: the new text and the number of replacements, or `noSection` when after/before did not match. */
export function replaceText(
  contents: string,
  args: { regexp: string; replace: string; after?: string; before?: string },
): { text: string; count: number; noSection?: string } {
  let pattern = '';
  if (args.after && args.before) pattern = `${args.after}(?P<subsection>.*?)${args.before}`;
  else if (args.after) pattern = `${args.after}(?P<subsection>.*)`;
  else if (args.before) pattern = `(?P<subsection>.*)${args.before}`;
  let section = contents;
  let start = 0;
  let end = contents.length;
  if (pattern) {
    // `d` gives each group's indices, as Python's match.start('subsection').
    const re = pyRegExp(pattern, 'sd');
    const m = re.exec(contents);
    const idx = m?.indices?.groups?.['subsection'];
    if (!m || !idx)
      return {
        text: contents,
        count: 0,
        noSection: `Pattern for before/after params did not match the given file: ${pattern}`,
      };
    [start, end] = idx;
    section = contents.slice(start, end);
  }
  const res = pySubn(pyRegExp(args.regexp, 'gm'), args.replace, section);
  if (res.count === 0 || res.text === section) return { text: contents, count: 0 };
  return { text: contents.slice(0, start) + res.text + contents.slice(end), count: res.count };
}

/** The `replace` module. */
export default defineModule<ReplaceArgs>({
  name: 'replace',
  docs: {
    short: 'Replace every match of a regular expression in a file',
    description:
      'regexp is a Python-style regular expression (translated to JavaScript) applied in multiline mode to the whole file; replace may use \\1, \\g<1> and \\g<name>.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['regexp'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'The file on the target (aliases: dest, destfile, name)' },
      dest: { type: 'string', minLength: 1, description: 'Alias of path' },
      destfile: { type: 'string', minLength: 1, description: 'Alias of path' },
      name: { type: 'string', minLength: 1, description: 'Alias of path' },
      regexp: { type: 'string', description: 'Pattern to replace (multiline: ^ and $ match at every line)' },
      replace: {
        type: 'string',
        default: '',
        description: 'Replacement; \\1, \\g<1>, \\g<name> insert groups (empty: delete the matches)',
      },
      after: { type: 'string', description: 'Only replace after the first match of this pattern' },
      before: { type: 'string', description: 'Only replace before the (first) match of this pattern' },
      backup: boolSchema('Keep a dated copy of the file being replaced', false),
      validate: {
        type: 'string',
        description: 'Command that checks the new file before it replaces the old (%s: its temp path)',
      },
      encoding: {
        type: 'string',
        default: 'utf-8',
        description: 'Encoding of the file: utf-8, latin-1, ascii or utf-16-le',
      },
      ...attrSchemaProps,
    },
    ...exactlyOneOf('path', 'dest', 'destfile', 'name'),
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const path = (args.path ?? args.dest ?? args.destfile ?? args.name)!;
      const encodingName = args.encoding ?? 'utf-8';
      const encoding = nodeEncoding(encodingName);
      if (!encoding) return failed(`unsupported encoding '${encodingName}' (use utf-8, latin-1, ascii or utf-16-le)`);
      for (const p of [args.regexp, args.after, args.before]) if (p) translatePyRegex(p);
      const want = wantedAttrs(args, { flags: true });
      const t = await readTextTarget(ctx, path, encoding);
      if (t.st.type === 'directory') return failed(`Path ${path} is a directory !`, { rc: 256 });
      if (t.text === null) return failed(`Path ${path} does not exist !`, { rc: 257 });
      const sub = {
        regexp: args.regexp,
        replace: args.replace ?? '',
        ...(args.after ? { after: args.after } : {}),
        ...(args.before ? { before: args.before } : {}),
      };
      const res = replaceText(t.text, sub);
      if (res.noSection) return { kind: 'ok', msg: res.noSection, data: { rc: 0 } };
      return textWriteDecision(ctx, t, {
        after: res.text,
        msg: res.count ? `${res.count} replacements made` : '',
        attrs: want,
        backup: toBool(args.backup),
        encoding,
        data: { rc: 0 },
        diffShape: 'dict',
        ...(args.validate !== undefined ? { validate: args.validate } : {}),
      });
    }),
});
