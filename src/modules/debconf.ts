/**
 * `debconf`: set one debconf answer of a package, as ansible-core 2.14's
 * module does: the package's answers read with `debconf-show`, compared
 * (booleans without case), and written with `debconf-set-selections`.
 */
import { sh, shq } from '../util/shell.js';
import { defineModule } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';

/** Arguments of `debconf`. */
export interface DebconfArgs {
  name?: string;
  pkg?: string;
  question?: string;
  selection?: string;
  setting?: string;
  vtype?: string;
  value?: string | number | boolean;
  answer?: string | number | boolean;
  unseen?: boolean | string;
}

const VTYPES = ['boolean', 'error', 'multiselect', 'note', 'password', 'seen', 'select', 'string', 'text', 'title'];
const PATHS = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** debconf-show's lines as Ansible reads them: `* question: value` -> { question: value }. */
export function parseDebconfShow(out: string): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const line of out.split(/\r\n|\r|\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    answers[
      line
        .slice(0, colon)
        .replace(/^\*+|\*+$/g, '')
        .trim()
    ] = line.slice(colon + 1).trim();
  }
  return answers;
}

/** A YAML value as Ansible's `str` argument makes it (True/False for booleans). */
function pyStr(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
}

/** The `debconf` module. */
export default defineModule<DebconfArgs>({
  name: 'debconf',
  docs: {
    short: 'Set a debconf answer of a package',
    description:
      'Reads the answers with the target debconf-show and sets one with debconf-set-selections, as Ansible does (the package need not be installed).',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string', description: 'The package (alias: pkg)' },
      pkg: { type: 'string', description: 'Alias of name' },
      question: { type: 'string', description: 'The debconf question (aliases: selection, setting)' },
      selection: { type: 'string', description: 'Alias of question' },
      setting: { type: 'string', description: 'Alias of question' },
      vtype: { type: 'string', enum: VTYPES, description: 'The type of the answer' },
      value: { type: ['string', 'number', 'boolean'], description: 'The answer (alias: answer)' },
      answer: { type: ['string', 'number', 'boolean'], description: 'Alias of value' },
      unseen: boolSchema('Do not mark the question as seen (debconf-set-selections -u)', false),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const pkg = args.name ?? args.pkg;
      if (pkg === undefined) return failed('missing required arguments: name');
      const question = args.question ?? args.selection ?? args.setting;
      const raw = args.value ?? args.answer;
      const together = [question, args.vtype, raw];
      if (together.some((v) => v !== undefined) && together.some((v) => v === undefined))
        return failed('parameters are required together: question, vtype, value');
      const read = await ctx.conn.exec(
        [
          `for bosun_t in debconf-show debconf-set-selections; do command -v "$bosun_t" >/dev/null 2>&1 || { printf 'MISSING %s\\n' "$bosun_t"; exit 0; }; done`,
          sh`debconf-show ${pkg}`,
        ].join('\n'),
      );
      const missing = /^MISSING (.*)$/m.exec(read.stdout);
      if (missing) return failed(`Failed to find required executable "${missing[1]!}" in paths: ${PATHS}`);
      if (read.rc !== 0) return failed(read.stderr);
      const prev = parseDebconfShow(read.stdout);
      if (question === undefined) return { kind: 'ok', data: { msg: '', current: prev } };
      let value = pyStr(raw!);
      let changed = !(question in prev);
      if (!changed) {
        let existing = prev[question]!;
        if (args.vtype === 'boolean') {
          value = value.toLowerCase();
          existing = existing.toLowerCase();
        }
        changed = value !== existing;
      }
      if (!changed) return { kind: 'ok', data: { msg: '', current: prev } };
      const written = args.vtype === 'boolean' ? value.replace(/^True$/, 'true').replace(/^False$/, 'false') : value;
      const current = { [question]: value };
      const previous = { [question]: prev[question] ?? '' };
      const line = [pkg, question, args.vtype!, written].join(' ');
      return {
        kind: 'change',
        data: { msg: '', current, previous },
        diff: [
          {
            path: `debconf ${pkg}`,
            before: `${question}: ${previous[question]!}\n`,
            after: `${question}: ${value}\n`,
          },
        ],
        apply: () =>
          applying(async () => {
            const flag = toBool(args.unseen) ? ' -u' : '';
            const res = await ctx.conn.exec(`printf '%s' ${shq(line)} | debconf-set-selections${flag}`);
            if (res.rc !== 0) return applyFailed(res.stderr);
            return { kind: 'applied', data: { msg: res.stdout, current, previous } };
          }),
      };
    }),
});
