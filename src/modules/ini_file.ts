/**
 * `ini_file` (community.general): set, add or remove options and sections
 * of an INI file with the collection's exact editing rules
 * (lib/ini-edit.ts). The file is read, edited on the controller and written
 * back atomically, with mode/owner/group as the file modules set them.
 */
import { defineModule, type FileDiff } from './types.js';
import { attrDiff, attrSchemaProps, isEmptyPlan, planAttrs, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { editIni, iniLines } from './lib/ini-edit.js';
import { currentAttrs, statAndRead } from './lib/remote-file.js';
import { applying, deciding, failed } from './lib/result.js';
import { writeEdited } from './lib/text-edit.js';
import { withFlags, type FlagsSpec } from './lib/chattr.js';
import { exactlyOneOf, notBoth } from './lib/schema.js';

/** Arguments of `ini_file`. */
export interface IniFileArgs extends AttrArgs {
  path?: string;
  dest?: string;
  section?: string | null;
  option?: string;
  value?: string | number | boolean;
  values?: Array<string | number | boolean>;
  state?: 'present' | 'absent';
  exclusive?: boolean | string;
  no_extra_spaces?: boolean | string;
  allow_no_value?: boolean | string;
  create?: boolean | string;
  backup?: boolean | string;
}

/** Python's str() of a scalar argument (`True`, `8080`). */
function pyStr(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
}

const scalar = { type: ['string', 'number', 'boolean'] } as const;

/** The `ini_file` module. */
export default defineModule<IniFileArgs>({
  name: 'ini_file',
  docs: {
    short: 'Set, add or remove options and sections in an INI file',
    description:
      'The editing rules of community.general 6.6.2: a missing option is added after the last non-blank, non-comment line of its section; a commented-out `#option = x` is replaced; exclusive removes the other values of the option.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      path: { type: 'string', minLength: 1, description: 'The INI file on the target (alias: dest)' },
      dest: { type: 'string', minLength: 1, description: 'Alias of path' },
      section: {
        type: ['string', 'null'],
        description: 'The section (without brackets); none: the options before the first section',
      },
      option: { type: 'string', description: 'The option; without it, state=absent removes the whole section' },
      value: { ...scalar, description: 'The value of the option' },
      values: { type: 'array', items: scalar, description: 'Several values of the option (one line each)' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the option (or section) should be there',
      },
      exclusive: boolSchema('Remove the values of the option that are not in value/values', true),
      no_extra_spaces: boolSchema('Write `option=value` instead of `option = value`', false),
      allow_no_value: boolSchema('Allow an option without a value (`option` alone on its line)', false),
      create: boolSchema('Create the file when it does not exist', true),
      backup: boolSchema('Keep a dated copy of the file being replaced', false),
      ...attrSchemaProps,
    },
    ...exactlyOneOf('path', 'dest'),
    ...notBoth('value', 'values'),
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const path = (args.path ?? args.dest)!;
      const state = args.state ?? 'present';
      const allowNoValue = toBool(args.allow_no_value);
      if (state === 'present' && !allowNoValue && args.value === undefined && !args.values?.length)
        return failed("Parameter 'value(s)' must be defined if state=present and allow_no_value=False.");
      const values = args.value !== undefined ? [pyStr(args.value)] : (args.values ?? []).map(pyStr);
      const want = wantedAttrs(args, { flags: true });
      const { followed: st, data: content } = await statAndRead(ctx.conn, path);
      if (st.type === 'directory') return failed(`Destination ${path} is a directory !`);
      const exists = st.exists;
      if (!exists && !toBool(args.create, true)) return failed(`Destination ${path} does not exist!`, { rc: 257 });
      const beforeText = exists ? (content ?? Buffer.alloc(0)).toString('utf8') : '';
      const edit = editIni(iniLines(beforeText), {
        section: args.section ?? undefined,
        option: args.option,
        values,
        state,
        exclusive: toBool(args.exclusive, true),
        noExtraSpaces: toBool(args.no_extra_spaces),
        allowNoValue,
      });
      const afterText = edit.lines.join('');
      const header = `${path} (content)`;
      const data: Record<string, unknown> = { path, msg: edit.msg };
      const contentDiff: FileDiff = {
        path,
        before: iniLines(beforeText).join(''),
        after: afterText,
        beforeHeader: header,
        afterHeader: header,
      };
      const current = exists ? currentAttrs(st) : undefined;
      // Ansible sets attributes only on a file that exists after the edit (never in check mode; bosun predicts them).
      const plan = planAttrs(want, current);
      const attrsChange = exists && !isEmptyPlan(plan);
      // As Ansible's ini_file: flags only in a real run, on the file as it is after the edit.
      const flagsSpec: FlagsSpec = { path, exists, keeps: exists && !edit.changed, notInCheckMode: true };
      if (!edit.changed && !attrsChange)
        return withFlags(ctx, want.flags, { kind: 'ok', msg: edit.msg, data }, flagsSpec);
      const diff: FileDiff[] = [];
      if (edit.changed) diff.push(contentDiff);
      if (attrsChange) {
        diff.push(attrDiff(path, plan, current));
      }
      return withFlags(
        ctx,
        want.flags,
        {
          kind: 'change',
          msg: edit.msg,
          diff,
          data,
          apply: () =>
            applying(async () => {
              const out = await writeEdited(ctx, {
                real: path,
                st,
                changed: edit.changed,
                after: Buffer.from(afterText, 'utf8'),
                attrs: want,
                plan,
                backup: toBool(args.backup),
              });
              if (out.failed !== undefined) return { kind: 'failed', msg: out.failed };
              return { kind: 'applied', data: { ...data, ...(out.backupFile ? { backup_file: out.backupFile } : {}) } };
            }),
        },
        flagsSpec,
      );
    }),
});
