/**
 * `locale_gen` (community.general): make a locale present or absent as
 * community.general's module does: on Debian by (un)commenting its line in
 * /etc/locale.gen and running `locale-gen`; on Ubuntu (where
 * /var/lib/locales/supported.d/ exists) with `locale-gen NAME`, or by
 * dropping it from supported.d/local and `locale-gen --purge`. Whether the
 * locale is there is `locale -a`'s answer, read with the files in one round trip.
 */
import { sh, shq } from '../util/shell.js';
import { defineModule, type FileDiff, type ModuleContext } from './types.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';

/** Arguments of `locale_gen`. */
export interface LocaleGenArgs {
  name: string;
  state?: 'present' | 'absent';
}

/** `locale -a`'s spellings of charsets, as the module normalises them before comparing. */
const NORMALISED: Array<[string, string]> = [
  ['.utf8', '.UTF-8'],
  ['.eucjp', '.EUC-JP'],
  ['.iso885915', '.ISO-8859-15'],
  ['.cp1251', '.CP1251'],
  ['.koi8r', '.KOI8-R'],
  ['.armscii8', '.ARMSCII-8'],
  ['.euckr', '.EUC-KR'],
  ['.gbk', '.GBK'],
  ['.gb18030', '.GB18030'],
  ['.euctw', '.EUC-TW'],
];

/** The module's fix_case: a locale name with its charset spelled one way. */
export function fixCase(name: string): string {
  return NORMALISED.reduce((n, [s, r]) => n.split(s).join(r), name);
}

/** Whether `name` is a locale the file lists (locale.gen: commented or not; SUPPORTED: as written). */
export function isAvailable(text: string, name: string, ubuntu: boolean): boolean {
  const re = ubuntu ? /^(\S+_\S+) (\S+)\s*$/ : /^#?\s*(\S+_\S+) (\S+)\s*$/;
  return text.split('\n').some((l) => re.exec(l)?.[1] === name);
}

/** Python's `re.escape`-less pattern of the module: the name is a regular expression there too. */
function namePattern(name: string): RegExp | undefined {
  try {
    return new RegExp(`#?\\s*${name} (.+)`, 'g');
  } catch {
    return undefined;
  }
}

/** /etc/locale.gen with the locale's lines enabled or commented out (the module's set_locale). */
export function setLocale(text: string, name: string, enabled: boolean): string | undefined {
  const re = namePattern(name);
  if (!re) return undefined;
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines.map((l) => l.replace(re, (_m, charset: string) => `${enabled ? '' : '# '}${name} ${charset}`)).join('');
}

/** supported.d/local without the locale's lines; undefined where a line is not `name charset` (the module fails there). */
export function dropSupported(text: string, name: string): string | undefined {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  if (lines.some((l) => l.split(' ').length !== 2)) return undefined;
  return lines.filter((l) => l.split(' ')[0] !== name).join('');
}

const PROBE = [
  'export LANG=C LC_ALL=C PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"',
  'section() { if [ -f "$2" ]; then echo "@$1"; sed "s/^/L /" "$2"; else echo "@$1-"; fi; }',
  '[ -d /var/lib/locales/supported.d/ ] && echo UBUNTU',
  'section GEN /etc/locale.gen; section SUPPORTED /usr/share/i18n/SUPPORTED; section LOCAL /var/lib/locales/supported.d/local',
  'echo @LOCALES; locale -a 2>/dev/null | sed "s/^/L /"',
  'echo @END; exit 0',
].join('\n');

/** The sections of the probe: name -> text (null when the file is absent). */
function sections(stdout: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  let cur: string | undefined;
  const parts: Record<string, string[]> = {};
  for (const line of stdout.split('\n')) {
    const m = /^@([A-Z]+)(-?)$/.exec(line);
    if (m) {
      cur = m[1]!;
      out[cur] = m[2] ? null : '';
      parts[cur] = [];
    } else if (cur && line.startsWith('L ')) parts[cur]!.push(line.slice(2));
  }
  for (const k of Object.keys(parts)) if (out[k] !== null) out[k] = parts[k]!.map((l) => `${l}\n`).join('');
  return out;
}

async function decideLocale(ctx: ModuleContext, args: LocaleGenArgs) {
  const { name } = args;
  const state = args.state ?? 'present';
  const r = await ctx.conn.exec(PROBE);
  const sec = sections(r.stdout);
  const ubuntu = /^UBUNTU$/m.test(r.stdout);
  if (!ubuntu && sec['GEN'] === null)
    return failed(
      '/etc/locale.gen and /var/lib/locales/supported.d/local are missing. Is the package "locales" installed?',
    );
  const list = ubuntu ? sec['SUPPORTED'] : sec['GEN'];
  if (list === null || list === undefined)
    return failed("[Errno 2] No such file or directory: '/usr/share/i18n/SUPPORTED'");
  if (!isAvailable(list, name, ubuntu)) return failed("The locale you've entered is not available on your system.");
  const present = (sec['LOCALES'] ?? '').split('\n').some((l) => fixCase(l) === fixCase(name));
  if ((present ? 'present' : 'absent') === state) return { kind: 'ok' as const, msg: 'OK', data: { name } };
  const diff: FileDiff[] = [];
  let script: string;
  if (!ubuntu) {
    const text = sec['GEN']!;
    const after = setLocale(text, name, state === 'present');
    if (after === undefined) return failed(`the locale name ${name} is not a valid regular expression`);
    if (after !== text) diff.push({ path: '/etc/locale.gen', before: text, after });
    script = `${after !== text ? `printf '%s' ${shq(after)} > /etc/locale.gen || exit 1\n` : ''}locale-gen`;
  } else if (state === 'present') {
    script = sh`locale-gen ${name}`;
  } else {
    const text = sec['LOCAL'];
    if (text === null || text === undefined)
      return failed("[Errno 2] No such file or directory: '/var/lib/locales/supported.d/local'");
    const after = dropSupported(text, name);
    if (after === undefined) return failed('not enough values to unpack (expected 2, got 1)');
    if (after !== text) diff.push({ path: '/var/lib/locales/supported.d/local', before: text, after });
    script = `printf '%s' ${shq(after)} > /var/lib/locales/supported.d/local || exit 1\nlocale-gen --purge`;
  }
  if (!diff.length)
    diff.push({
      path: name,
      before: `${name}: ${state === 'present' ? 'absent' : 'present'}\n`,
      after: `${name}: ${state}\n`,
    });
  return {
    kind: 'change' as const,
    data: {},
    diff,
    apply: () =>
      applying(async () => {
        const done = await ctx.conn.exec(`export PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"\n${script}`);
        if (done.rc !== 0)
          return applyFailed(`[Errno ${done.rc}] locale.gen failed to execute, it returned ${done.rc}`, {
            exitValue: done.rc,
          });
        return { kind: 'applied', msg: 'OK', data: { name } };
      }),
  };
}

/** The `locale_gen` module. */
export default defineModule<LocaleGenArgs>({
  name: 'locale_gen',
  docs: {
    short: 'Make a locale present (generated) or absent',
    description:
      "As community.general.locale_gen: the locale must be listed in /etc/locale.gen (Ubuntu: /usr/share/i18n/SUPPORTED); its line is uncommented or commented out and locale-gen runs. Whether it is present is `locale -a`'s answer.",
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'The locale with its charset, as /etc/locale.gen names it (de_CH.UTF-8)' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the locale is generated',
      },
    },
  },
  decide: (ctx, args) => deciding(() => decideLocale(ctx, args)),
});
