/**
 * `lineinfile`: make sure one line is in a file (or that matching lines are
 * not), with Ansible's exact placement rules. The file is read, edited on
 * the controller and written back atomically.
 */
import { exactlyOneOf } from './lib/schema.js';
import { defineModule, type Decision, type ModuleContext } from './types.js';
import { attrSchemaProps, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { absent, present, splitLines, type LineEditSpec } from './lib/line-edit.js';
import { statAndRead } from './lib/remote-file.js';
import { deciding, failed } from './lib/result.js';
import { textWriteDecision } from './lib/text-edit.js';

/** Arguments of `lineinfile`. */
export interface LineinfileArgs extends AttrArgs {
  path?: string;
  dest?: string;
  name?: string;
  line?: string;
  regexp?: string;
  search_string?: string;
  state?: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  create?: boolean | string;
  backrefs?: boolean | string;
  firstmatch?: boolean | string;
  backup?: boolean | string;
  validate?: string;
}

/** The `lineinfile` module. */
export default defineModule<LineinfileArgs>({
  name: 'lineinfile',
  docs: {
    short: 'Ensure a line is in a file, or replace or remove lines matching a pattern',
    description:
      'regexp, insertafter and insertbefore are JavaScript regular expressions, matched against each line without its newline.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: { type: 'string', minLength: 1, description: 'The file on the target (aliases: dest, name)' },
      dest: { type: 'string', minLength: 1, description: 'Alias of path' },
      name: { type: 'string', minLength: 1, description: 'Alias of path' },
      line: { type: 'string', description: 'The line to put in the file (required with state=present)' },
      regexp: {
        type: 'string',
        description: 'Pattern of the line to replace (the last match) or remove (every match)',
      },
      search_string: { type: 'string', description: 'Literal text of the line to replace or remove' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the line should be there',
      },
      insertafter: { type: 'string', description: 'EOF, or a pattern: insert after its last match (EOF when none)' },
      insertbefore: { type: 'string', description: 'BOF, or a pattern: insert before its last match (EOF when none)' },
      create: boolSchema('Create the file when it does not exist', false),
      backrefs: boolSchema('Expand \\1 and \\g<name> of the regexp in line; no match: no change', false),
      firstmatch: boolSchema('Use the first match of regexp/insertafter/insertbefore instead of the last', false),
      backup: boolSchema('Keep a dated copy of the file being replaced', false),
      ...attrSchemaProps,
      validate: {
        type: 'string',
        description: 'Command that checks the new file before it replaces the old (%s: its temp path)',
      },
    },
    ...exactlyOneOf('path', 'dest', 'name'),
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const decision = await decideLine(ctx, args);
      const warnings = emptyPatternWarnings(args);
      return warnings.length ? { ...decision, warnings: [...(decision.warnings ?? []), ...warnings] } : decision;
    }),
});

/** Ansible's warnings for a regexp or search_string that matches every line. */
function emptyPatternWarnings(args: LineinfileArgs): string[] {
  const every =
    'which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending.';
  const warnings: string[] = [];
  if (args.regexp === '')
    warnings.push(
      `The regular expression is an empty string, ${every} If this is desired, use '^' to match every line in the file and avoid this warning.`,
    );
  if (args.search_string === '') warnings.push(`The search string is an empty string, ${every}`);
  return warnings;
}

/** The decision of one lineinfile task. */
async function decideLine(ctx: ModuleContext, args: LineinfileArgs): Promise<Decision> {
  const path = (args.path ?? args.dest ?? args.name)!;
  const state = args.state ?? 'present';
  const backrefs = toBool(args.backrefs);
  if (args.insertafter !== undefined && args.insertbefore !== undefined)
    return failed('parameters are mutually exclusive: insertafter|insertbefore');
  if (args.regexp !== undefined && args.search_string !== undefined)
    return failed('parameters are mutually exclusive: regexp|search_string');
  if (backrefs && args.search_string !== undefined)
    return failed('parameters are mutually exclusive: backrefs|search_string');
  if (state === 'present' && backrefs && args.regexp === undefined)
    return failed('regexp is required with backrefs=true');
  if (state === 'present' && args.line === undefined) return failed('line is required with state=present');
  if (state === 'absent' && args.line === undefined && args.regexp === undefined && args.search_string === undefined) {
    return failed('one of line, search_string, or regexp is required with state=absent');
  }
  let regexp: RegExp | undefined;
  try {
    for (const p of [args.regexp, args.insertafter, args.insertbefore])
      if (p !== undefined && p !== 'EOF' && p !== 'BOF') new RegExp(p);
    if (args.regexp !== undefined) regexp = new RegExp(args.regexp);
  } catch (e) {
    return failed(`invalid regular expression: ${(e as Error).message}`);
  }
  const want = wantedAttrs(args, { flags: true });
  // Like Ansible, write through a symlink to the real file.
  const { followed: st, real, data: content } = await statAndRead(ctx.conn, path);
  if (st.type === 'directory') return failed(`Path ${path} is a directory !`);
  const exists = st.exists;
  if (!exists && state === 'absent')
    return { kind: 'ok', msg: 'file not present', data: { path, found: 0, backup: '' } };
  if (!exists && !toBool(args.create)) return failed(`Destination ${path} does not exist !`, { rc: 257 });
  const beforeText = (content ?? Buffer.alloc(0)).toString('utf8');
  const spec: LineEditSpec = { backrefs, firstmatch: toBool(args.firstmatch) };
  if (args.line !== undefined) spec.line = args.line;
  if (regexp) spec.regexp = regexp;
  if (args.search_string !== undefined) spec.searchString = args.search_string;
  if (args.insertafter !== undefined) spec.insertafter = args.insertafter;
  if (args.insertbefore !== undefined) spec.insertbefore = args.insertbefore;
  const edit = state === 'present' ? present(splitLines(beforeText), spec) : absent(splitLines(beforeText), spec);
  if (!exists && !edit.changed) return { kind: 'ok', msg: edit.msg, data: { path, backup: '' } };
  return textWriteDecision(
    ctx,
    { path, real, st, text: exists ? beforeText : null },
    {
      after: edit.lines.join(''),
      msg: edit.msg,
      attrs: want,
      backup: toBool(args.backup),
      diffHeader: `${path} (content)`,
      data: { path, ...(edit.found !== undefined ? { found: edit.found } : {}) },
      backupKey: true,
      ...(args.validate !== undefined ? { validate: args.validate } : {}),
    },
  );
}
