/**
 * `timezone` (community.general): the system time zone and whether the
 * hardware clock keeps UTC or local time, as community.general's module does
 * on Linux: with `timedatectl` where it answers (systemd runs), else by the
 * files (Debian: /etc/timezone, the /etc/localtime link, dpkg-reconfigure
 * tzdata, /etc/default/rcS and `hwclock --systohc`; Red Hat and SUSE:
 * /etc/sysconfig/clock). Read in one round trip; the real run reads again
 * after the change and fails, as Ansible, when the target does not say the
 * planned values.
 */
import { sh, shq } from '../util/shell.js';
import { defineModule, type ApplyResult, type ModuleContext } from './types.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';

/** Arguments of `timezone`. */
export interface TimezoneArgs {
  name?: string;
  hwclock?: 'local' | 'UTC';
  /** Ansible's alias of hwclock. */
  rtc?: 'local' | 'UTC';
}

type Key = 'hwclock' | 'name';
type Values = Partial<Record<Key, string>>;

/** What the probe found on the target. */
export interface TimezoneProbe {
  timedatectl?: string;
  status?: string;
  zoneFile: boolean;
  hwclock?: string;
  dpkgReconfigure: boolean;
  tzdataUpdate: boolean;
  osId: string;
  etcTimezone: string | null;
  sysconfigClock: string | null;
  rcS: string | null;
  adjtime: string | null;
  localtimeLink: string | null;
  localtimeExists: boolean;
  localtimeSame: boolean;
}

const BIN_PATH = 'PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"';

/** A file's text in a section (`@NAME` then `L ` lines), or `@NAME-` when it is absent. */
const fileSection = (tag: string, file: string): string =>
  `if [ -f ${file} ]; then echo @${tag}; sed 's/^/L /' ${file}; else echo @${tag}-; fi`;

function probeScript(name: string | undefined): string {
  const zone = `/usr/share/zoneinfo/${name ?? ''}`;
  return [
    `export LANG=C LC_ALL=C ${BIN_PATH}`,
    'bin() { printf "BIN %s %s\\n" "$1" "$(command -v "$1" 2>/dev/null)"; }',
    'bin timedatectl; bin hwclock; bin dpkg-reconfigure; bin tzdata-update',
    'if command -v timedatectl >/dev/null 2>&1 && timedatectl >/dev/null 2>&1; then echo @STATUS; timedatectl status 2>&1 | sed "s/^/L /"; fi',
    name === undefined ? '' : sh`[ -f ${zone} ] && echo ZONEFILE`,
    'printf "OS %s\\n" "$(. /etc/os-release 2>/dev/null; echo "${ID-}")"',
    fileSection('ETCTZ', '/etc/timezone'),
    fileSection('CLOCK', '/etc/sysconfig/clock'),
    fileSection('RCS', '/etc/default/rcS'),
    fileSection('ADJTIME', '/etc/adjtime'),
    '[ -L /etc/localtime ] && printf "LINK %s\\n" "$(readlink /etc/localtime)"',
    '[ -e /etc/localtime ] && echo LTEXISTS',
    name === undefined ? '' : sh`cmp -s /etc/localtime ${zone} 2>/dev/null && echo LTSAME`,
    'echo @END; exit 0',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The probe's output as facts. */
export function parseProbe(stdout: string): TimezoneProbe {
  const sec: Record<string, string | null> = {};
  let cur: string | undefined;
  const bins: Record<string, string> = {};
  let osId = '';
  for (const line of stdout.split('\n')) {
    const m = /^@([A-Z]+)(-?)$/.exec(line);
    if (m) {
      cur = m[1]!;
      sec[cur] = m[2] ? null : '';
    } else if (cur && line.startsWith('L ')) {
      const had = sec[cur];
      if (typeof had === 'string') sec[cur] = `${had}${line.slice(2)}\n`;
    } else if (line.startsWith('BIN ')) {
      const [, b, p] = /^BIN (\S+) ?(.*)$/.exec(line) ?? [];
      if (b && p) bins[b] = p;
    } else if (line.startsWith('OS ')) osId = line.slice(3);
  }
  const link = /^LINK (.*)$/m.exec(stdout);
  return {
    ...(bins['timedatectl'] ? { timedatectl: bins['timedatectl'] } : {}),
    ...(sec['STATUS'] !== undefined && sec['STATUS'] !== null ? { status: sec['STATUS'] } : {}),
    zoneFile: /^ZONEFILE$/m.test(stdout),
    ...(bins['hwclock'] ? { hwclock: bins['hwclock'] } : {}),
    dpkgReconfigure: Boolean(bins['dpkg-reconfigure']),
    tzdataUpdate: Boolean(bins['tzdata-update']),
    osId,
    etcTimezone: sec['ETCTZ'] ?? null,
    sysconfigClock: sec['CLOCK'] ?? null,
    rcS: sec['RCS'] ?? null,
    adjtime: sec['ADJTIME'] ?? null,
    localtimeLink: link ? link[1]! : null,
    localtimeExists: /^LTEXISTS$/m.test(stdout),
    localtimeSame: /^LTSAME$/m.test(stdout),
  };
}

/** Python's boolean() for a config value (yes/no/true/false/on/off/1/0). */
const pyBool = (v: string): boolean | undefined =>
  ['yes', 'on', '1', 'true', 'y', 't'].includes(v.toLowerCase())
    ? true
    : ['no', 'off', '0', 'false', 'n', 'f'].includes(v.toLowerCase())
      ? false
      : undefined;

/** How a host without a working timedatectl keeps the zone and the clock. */
interface FileLayout {
  nameFile: string;
  nameRegex: RegExp;
  nameLine: (v: string) => string;
  hwclockFile: string | undefined;
}

function layout(p: TimezoneProbe): FileLayout {
  if (p.dpkgReconfigure)
    return {
      nameFile: '/etc/timezone',
      nameRegex: /^(\S+)/,
      nameLine: (v) => `${v}\n`,
      hwclockFile: '/etc/default/rcS',
    };
  const suse =
    p.sysconfigClock !== null
      ? /^TIMEZONE\s*=/m.test(p.sysconfigClock)
      : p.osId.startsWith('sles') || p.osId.includes('suse');
  return suse
    ? {
        nameFile: '/etc/sysconfig/clock',
        nameRegex: /^TIMEZONE\s*=\s*"?([^"\s]+)"?/,
        nameLine: (v) => `TIMEZONE="${v}"\n`,
        hwclockFile: '/etc/sysconfig/clock',
      }
    : {
        nameFile: '/etc/sysconfig/clock',
        nameRegex: /^ZONE\s*=\s*"?([^"\s]+)"?/,
        nameLine: (v) => `ZONE="${v}"\n`,
        hwclockFile: '/etc/sysconfig/clock',
      };
}

const fileText = (p: TimezoneProbe, file: string | undefined): string | null =>
  file === '/etc/timezone'
    ? p.etcTimezone
    : file === '/etc/default/rcS'
      ? p.rcS
      : file === '/etc/sysconfig/clock'
        ? p.sysconfigClock
        : null;

/** The current value of each asked key, as the module reads it (`planned` matters: Ansible looks further when equal). */
export function currentValues(p: TimezoneProbe, planned: Values): Values | string {
  const out: Values = {};
  if (p.status !== undefined) {
    if (planned.hwclock !== undefined) {
      const m = /^\s*RTC in local TZ\s*:\s*(\S+)/m.exec(p.status);
      if (!m) return "'NoneType' object has no attribute 'group'";
      out.hwclock = pyBool(m[1]!) ? 'local' : 'UTC';
    }
    if (planned.name !== undefined) {
      const m = /^\s*Time ?zone\s*:\s*(\S+)/m.exec(p.status);
      if (!m) return "'NoneType' object has no attribute 'group'";
      out.name = m[1]!;
    }
    return out;
  }
  const l = layout(p);
  if (planned.hwclock !== undefined) {
    const text = fileText(p, l.hwclockFile);
    const m = text === null ? null : /^UTC\s*=\s*(\S+)/m.exec(text);
    let v = m ? (pyBool(m[1]!) ? 'UTC' : 'local') : 'n/a';
    if (v === planned.hwclock) v = /^(UTC|LOCAL)$/m.exec(p.adjtime ?? '')?.[1] === 'LOCAL' ? 'local' : 'UTC';
    out.hwclock = v;
  }
  if (planned.name !== undefined) {
    const text = fileText(p, l.nameFile);
    const m = text === null ? null : new RegExp(l.nameRegex.source, 'm').exec(text);
    let v = m ? m[1]! : 'n/a';
    if (v === planned.name) {
      if (p.localtimeLink !== null) {
        const linked = p.localtimeExists ? /\/(?:usr\/share|etc)\/zoneinfo\/(.*)/.exec(p.localtimeLink) : null;
        if (!linked) v = 'n/a';
        else if (linked[1] !== planned.name) v = linked[1]!;
      } else if (!p.localtimeSame) v = 'n/a';
    }
    out.name = v;
  }
  return out;
}

/** Python's str() of a dict of strings. */
const pyDict = (v: Values): string =>
  `{${Object.entries(v)
    .map(([k, x]) => `'${k}': '${x}'`)
    .join(', ')}}`;

/** Ansible's _edit_file: the first matching line replaced by `line`, the other matching lines dropped. */
export function editLines(text: string | null, regex: RegExp, line: string): { text: string; deleted: number } {
  const lines = text === null ? [] : (text.match(/[^\n]*\n|[^\n]+$/g) ?? []);
  const matched = lines.map((l, i) => (regex.test(l) ? i : -1)).filter((i) => i >= 0);
  const kept = lines.filter((_, i) => !matched.includes(i));
  kept.splice(matched.length ? matched[0]! : 0, 0, line);
  return { text: kept.join(''), deleted: matched.length };
}

/** The commands that make the change (each `|| exit`), and the messages Ansible logs for them. */
function changeScript(p: TimezoneProbe, planned: Values, before: Values): { script: string; msgs: string[] } {
  const lines: string[] = [`export LANG=C LC_ALL=C ${BIN_PATH}`];
  const msgs: string[] = [];
  const run = (cmd: string, shown?: string): void => {
    lines.push(`bosun_o=$(${cmd} 2>&1 </dev/null) || { bosun_rc=$?; printf '%s\\n' "$bosun_o" >&2; exit $bosun_rc; }`);
    if (shown) msgs.push(`executed \`${shown}\``);
  };
  const tzfile = `/usr/share/zoneinfo/${planned.name ?? ''}`;
  const hw = planned.hwclock !== undefined && before.hwclock !== planned.hwclock;
  const nm = planned.name !== undefined && before.name !== planned.name;
  if (p.status !== undefined) {
    const t = p.timedatectl!;
    if (hw)
      run(
        sh`${t} set-local-rtc ${planned.hwclock === 'local' ? 'yes' : 'no'}`,
        `${t} set-local-rtc ${planned.hwclock === 'local' ? 'yes' : 'no'}`,
      );
    if (nm) run(sh`${t} set-timezone ${planned.name!}`, `${t} set-timezone ${planned.name!}`);
    return { script: lines.join('\n'), msgs };
  }
  const l = layout(p);
  const write = (file: string, edit: { text: string; deleted: number }): void => {
    lines.push(`printf '%s' ${shq(edit.text)} > ${file} || exit 1`);
    msgs.push(`Added 1 line and deleted ${edit.deleted} line(s) on ${file}`);
  };
  if (hw) {
    const utc = planned.hwclock === 'local' ? 'no' : 'yes';
    if (l.hwclockFile) write(l.hwclockFile, editLines(fileText(p, l.hwclockFile), /^UTC\s*=\s*(\S+)/, `UTC=${utc}\n`));
    const opt = planned.hwclock === 'local' ? '--localtime' : '--utc';
    run(sh`${p.hwclock!} --systohc ${opt}`, `${p.hwclock!} --systohc ${opt}`);
  }
  if (nm) {
    write(l.nameFile, editLines(fileText(p, l.nameFile), l.nameRegex, l.nameLine(planned.name!)));
    if (p.dpkgReconfigure) {
      run(sh`ln -sf ${tzfile} /etc/localtime`);
      run('dpkg-reconfigure --frontend noninteractive tzdata');
    } else if (p.tzdataUpdate && p.localtimeLink === null) run('tzdata-update');
    else run(sh`cp --remove-destination ${tzfile} /etc/localtime`);
  }
  return { script: lines.join('\n'), msgs };
}

/** Ansible's abort(): the message, then the messages logged so far. */
const abort = (msg: string, logged: string[] = []): string =>
  ['Error message:', msg, ...(logged.length ? ['Other message(s):', ...logged] : [])].join('\n');

const json = (v: Values): string =>
  `${JSON.stringify(Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))), null, 4)}\n`;

async function decideTimezone(ctx: ModuleContext, args: TimezoneArgs) {
  const hwclock = args.hwclock ?? args.rtc;
  if (args.name === undefined && hwclock === undefined)
    return failed('one of the following is required: hwclock, name');
  const planned: Values = {};
  if (hwclock !== undefined) planned.hwclock = hwclock;
  if (args.name !== undefined) planned.name = args.name;
  const p = parseProbe((await ctx.conn.exec(probeScript(args.name))).stdout);
  if (p.status === undefined) {
    if (!p.dpkgReconfigure && ['alpine', 'gentoo'].includes(p.osId))
      return failed(`bosun's timezone does not set the zone on ${p.osId} without systemd`);
    if (args.name !== undefined && !p.zoneFile) return failed(abort(`given timezone "${args.name}" is not available`));
    if (!p.hwclock)
      return failed(
        'Failed to find required executable "hwclock" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      );
  } else if (args.name !== undefined && !p.zoneFile)
    return failed(abort(`given timezone "${args.name}" is not available`));
  const before = currentValues(p, planned);
  if (typeof before === 'string') return failed(before);
  const same = JSON.stringify(before) === JSON.stringify(planned);
  if (same) return { kind: 'ok' as const, data: { diff: { before, after: before } } };
  const { script, msgs } = changeScript(p, planned, before);
  return {
    kind: 'change' as const,
    // Check mode registers the planned values as `after`; a real run, what it reads after the change (a failure: none).
    data: ctx.check ? { diff: { before, after: planned } } : {},
    diff: [
      { path: 'timezone', before: json(before), after: json(planned), beforeHeader: 'before', afterHeader: 'after' },
    ],
    apply: (): Promise<ApplyResult> =>
      applying(async () => {
        const r = await ctx.conn.exec(script);
        if (r.rc !== 0) return applyFailed(r.stderr.trim(), { rc: r.rc, stderr: r.stderr, stdout: '' });
        const again = parseProbe((await ctx.conn.exec(probeScript(args.name))).stdout);
        const after = currentValues(again, planned);
        if (typeof after === 'string') return applyFailed(after);
        if (JSON.stringify(after) !== JSON.stringify(planned))
          return {
            kind: 'failed',
            changed: true,
            msg: abort(
              `still not desired state, though changes have made - planned: ${pyDict(planned)}, after: ${pyDict(after)}`,
              msgs,
            ),
          };
        return { kind: 'applied', msg: msgs.join('\n'), data: { diff: { before, after } } };
      }),
  };
}

/** The `timezone` module. */
export default defineModule<TimezoneArgs>({
  name: 'timezone',
  docs: {
    short: 'Set the system time zone and the hardware clock (UTC or local)',
    description:
      'As community.general.timezone on Linux: timedatectl where it answers (systemd runs), else /etc/timezone, the /etc/localtime link and dpkg-reconfigure tzdata (Debian), /etc/sysconfig/clock (Red Hat, SUSE), and hwclock --systohc for the clock. At least one of name and hwclock.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string', description: 'The time zone (a file under /usr/share/zoneinfo, e.g. Europe/Paris)' },
      hwclock: {
        type: 'string',
        enum: ['local', 'UTC'],
        description: 'Whether the hardware clock keeps local time or UTC',
      },
      rtc: { type: 'string', enum: ['local', 'UTC'], description: 'Another name of hwclock' },
    },
  },
  decide: (ctx, args) => deciding(() => decideTimezone(ctx, args)),
});
