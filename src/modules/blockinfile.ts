/**
 * `blockinfile`: insert, update or remove a block of lines between two marker
 * lines, with Ansible's algorithm step by step (markers found anywhere,
 * insertafter/insertbefore by last match, the newline fixes), so files
 * match what Ansible writes byte for byte.
 */
import { exactlyOneOf, notBoth } from './lib/schema.js';
import { defineModule } from './types.js';
import { attrSchemaProps, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { splitLines } from './lib/line-edit.js';
import { pyRegExp } from './lib/py-regex.js';
import { deciding, failed } from './lib/result.js';
import { readTextTarget, textWriteDecision } from './lib/text-edit.js';

/** Arguments of `blockinfile`. */
export interface BlockinfileArgs extends AttrArgs {
  path?: string;
  dest?: string;
  destfile?: string;
  name?: string;
  state?: 'present' | 'absent';
  marker?: string;
  block?: string;
  content?: string;
  insertafter?: string;
  insertbefore?: string;
  create?: boolean | string;
  backup?: boolean | string;
  validate?: string;
  marker_begin?: string;
  marker_end?: string;
  append_newline?: boolean | string;
  prepend_newline?: boolean | string;
}

/** The specification of one edit (what Ansible's main() reads from params). */
export interface BlockSpec {
  block: string;
  marker: string;
  markerBegin: string;
  markerEnd: string;
  present: boolean;
  insertafter?: string;
  insertbefore?: string;
  appendNewline: boolean;
  prependNewline: boolean;
}

/** Ansible's blockinfile edit of `original` (null: the file does not exist). */
export function editBlock(original: string | null, spec: BlockSpec): { text: string; msg: string } {
  const lines = original === null ? [] : splitLines(original);
  let { insertafter } = spec;
  const { insertbefore } = spec;
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  let insertre: RegExp | undefined;
  if (insertafter !== undefined && insertafter !== 'EOF') insertre = pyRegExp(insertafter);
  else if (insertbefore !== undefined && insertbefore !== 'BOF') insertre = pyRegExp(insertbefore);
  const marker0 = `${spec.marker.replace(/\{mark\}/g, spec.markerBegin)}\n`;
  const marker1 = `${spec.marker.replace(/\{mark\}/g, spec.markerEnd)}\n`;
  let blocklines: string[] = [];
  if (spec.present && spec.block) {
    const block = spec.block.endsWith('\n') ? spec.block : `${spec.block}\n`;
    blocklines = [marker0, ...splitLines(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((line, i) => {
    if (line === marker0) n0 = i;
    if (line === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (insertre) {
      if (insertre.flags.includes('m')) {
        const m = insertre.exec(original ?? '');
        if (m) {
          const upto = (original ?? '').slice(0, insertafter !== undefined ? m.index + m[0].length : m.index);
          n0 = upto.split('\n').length - 1;
        }
      } else {
        lines.forEach((line, i) => {
          if (insertre.test(line.endsWith('\n') ? line.slice(0, -1) : line)) n0 = i;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) n0 = 0;
    else n0 = lines.length;
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1]!.endsWith('\n')) lines[n0 - 1] = lines[n0 - 1]! + '\n';
  if (spec.prependNewline && spec.present && n0 !== 0 && lines[n0 - 1] !== '\n') {
    lines.splice(n0, 0, '\n');
    n0 += 1;
  }
  lines.splice(n0, 0, ...blocklines);
  if (spec.appendNewline && spec.present) {
    const after = n0 + blocklines.length;
    if (after < lines.length && lines[after] !== '\n') lines.splice(after, 0, '\n');
  }
  const text = lines.join('');
  let msg: string;
  if (original === text) msg = '';
  else if (original === null) msg = 'File created';
  else if (!blocklines.length) msg = 'Block removed';
  else msg = 'Block inserted';
  return { text, msg };
}

/** The `blockinfile` module. */
export default defineModule<BlockinfileArgs>({
  name: 'blockinfile',
  docs: {
    short: 'Insert, update or remove a block of lines between marker lines',
    description:
      "Ansible's algorithm and default marker, so files match Ansible's byte for byte. insertafter/insertbefore are Python-style regular expressions (translated), matched per line; a leading (?m) matches against the whole file.",
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: { type: 'string', minLength: 1, description: 'The file on the target (aliases: dest, destfile, name)' },
      dest: { type: 'string', minLength: 1, description: 'Alias of path' },
      destfile: { type: 'string', minLength: 1, description: 'Alias of path' },
      name: { type: 'string', minLength: 1, description: 'Alias of path' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the block should be there',
      },
      marker: {
        type: 'string',
        default: '# {mark} ANSIBLE MANAGED BLOCK',
        description: 'Marker line template; {mark} becomes marker_begin or marker_end',
      },
      block: {
        type: 'string',
        default: '',
        description: 'The lines between the markers (alias: content); empty removes the block',
      },
      content: { type: 'string', description: 'Alias of block' },
      insertafter: {
        type: 'string',
        description: 'EOF, or a regex: insert after its last match when the block is new (EOF when none)',
      },
      insertbefore: {
        type: 'string',
        description: 'BOF, or a regex: insert before its last match when the block is new (EOF when none)',
      },
      create: boolSchema('Create the file when it does not exist', false),
      backup: boolSchema('Keep a dated copy of the file being replaced', false),
      validate: {
        type: 'string',
        description: 'Command that checks the new file before it replaces the old (%s: its temp path)',
      },
      marker_begin: { type: 'string', default: 'BEGIN', description: 'Replaces {mark} in the opening marker' },
      marker_end: { type: 'string', default: 'END', description: 'Replaces {mark} in the closing marker' },
      append_newline: boolSchema('Add a blank line after the block when the next line is not blank', false),
      prepend_newline: boolSchema('Add a blank line before the block when the previous line is not blank', false),
      ...attrSchemaProps,
    },
    allOf: [
      exactlyOneOf('path', 'dest', 'destfile', 'name'),
      notBoth('block', 'content'),
      notBoth('insertafter', 'insertbefore'),
    ],
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const path = (args.path ?? args.dest ?? args.destfile ?? args.name)!;
      const want = wantedAttrs(args, { flags: true });
      const t = await readTextTarget(ctx, path);
      if (t.st.type === 'directory') return failed(`Path ${path} is a directory !`, { rc: 256 });
      const present = (args.state ?? 'present') === 'present';
      if (t.text === null && !toBool(args.create)) {
        if (!present) return { kind: 'ok', msg: `File ${path} not present`, data: {} };
        return failed(`Path ${path} does not exist !`, { rc: 257 });
      }
      if (t.text === null && !present) return { kind: 'ok', msg: `File ${path} not present`, data: {} };
      const spec: BlockSpec = {
        block: args.block ?? args.content ?? '',
        marker: args.marker ?? '# {mark} ANSIBLE MANAGED BLOCK',
        markerBegin: args.marker_begin ?? 'BEGIN',
        markerEnd: args.marker_end ?? 'END',
        present,
        appendNewline: toBool(args.append_newline),
        prependNewline: toBool(args.prepend_newline),
        ...(args.insertafter !== undefined ? { insertafter: args.insertafter } : {}),
        ...(args.insertbefore !== undefined ? { insertbefore: args.insertbefore } : {}),
      };
      const edit = editBlock(t.text, spec);
      return textWriteDecision(ctx, t, {
        after: edit.text,
        msg: edit.msg,
        attrs: want,
        backup: toBool(args.backup),
        diffHeader: `${path} (content)`,
        ...(args.validate !== undefined ? { validate: args.validate } : {}),
      });
    }),
});
