/**
 * `sysctl`: a kernel parameter in a sysctl file and, live, in /proc/sys.
 * One round trip reads the live value, the file and whether /proc/sys can
 * be written; the file is edited as Ansible's module edits it
 * (`name=value` lines, last value wins) and written atomically.
 */
import { posix } from 'node:path';
import { toText } from '../template/values.js';
import { sh } from '../util/shell.js';
import { boolSchema, toBool } from './lib/bool.js';
import { atomicWrite } from './lib/remote-file.js';
import { applying, deciding, failed } from './lib/result.js';
import { defineModule, type FileDiff } from './types.js';

/** Arguments of `sysctl`. */
export interface SysctlArgs {
  name?: string;
  key?: string;
  value?: string | number | boolean;
  val?: string | number | boolean;
  state?: 'present' | 'absent';
  sysctl_file?: string;
  reload?: boolean | string;
  sysctl_set?: boolean | string;
  ignoreerrors?: boolean | string;
}

/** bosun's own file, so bosun's settings never mix with the distribution's /etc/sysctl.conf. */
export const DEFAULT_SYSCTL_FILE = '/etc/sysctl.d/99-bosun.conf';

/** Ansible's value normalisation: booleans become 1/0, strings are trimmed. */
export function sysctlValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  const s = toText(value);
  if (/^(yes|on|true|y)$/i.test(s)) return '1';
  if (/^(no|off|false|n)$/i.test(s)) return '0';
  return s.trim();
}

/** Live values are equal when their whitespace-separated words are. */
export function sameSysctlValue(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  return a.trim().split(/\s+/).join(' ') === b.trim().split(/\s+/).join(' ');
}

/** Ansible's file edit: every line stripped, `k = v` rewritten as `k=v`, duplicates dropped, `name` set or removed. */
export function editSysctlFile(
  text: string,
  name: string,
  value: string,
  present: boolean,
): { text: string; fileValue: string | undefined } {
  const lines =
    text === ''
      ? []
      : text
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => l.trim());
  let fileValue: string | undefined;
  const checked = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    if (!line || line.startsWith('#') || line.startsWith(';') || !line.includes('=')) {
      out.push(line);
      continue;
    }
    const eq = line.indexOf('=');
    const k = line.slice(0, eq).trim();
    const v = line.slice(eq + 1).trim();
    if (k === name) fileValue = v;
    if (checked.has(k)) continue;
    checked.add(k);
    if (k !== name) out.push(`${k}=${v}`);
    else if (present) out.push(`${k}=${value}`);
  }
  if (!checked.has(name) && present) out.push(`${name}=${value}`);
  return { text: out.map((l) => `${l}\n`).join(''), fileValue };
}

/** The `sysctl` module. */
export default defineModule<SysctlArgs>({
  name: 'sysctl',
  docs: {
    short: 'Set a kernel parameter in a sysctl file and live',
    description: `The default file is ${DEFAULT_SYSCTL_FILE} (bosun's own, not Ansible's /etc/sysctl.conf). Where /proc/sys is read-only (containers, sandbox hosts) the file is written and the live part fails with a clear error; use reload: false to manage only the file.`,
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, description: 'The parameter, e.g. net.ipv4.ip_forward (alias: key)' },
      key: { type: 'string', minLength: 1, description: 'Alias of name' },
      value: {
        type: ['string', 'number', 'boolean'],
        description: 'The value (required with state=present; booleans become 1/0) (alias: val)',
      },
      val: { type: ['string', 'number', 'boolean'], description: 'Alias of value' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the parameter is in the file',
      },
      sysctl_file: {
        type: 'string',
        minLength: 1,
        default: DEFAULT_SYSCTL_FILE,
        description: 'The file holding the setting',
      },
      reload: boolSchema('After a change, load the file with sysctl -p FILE (and compare the live value)', true),
      sysctl_set: boolSchema('Set the live value with sysctl -w when it differs', false),
      ignoreerrors: boolSchema('Pass -e to sysctl: ignore unknown keys', false),
    },
    allOf: [
      {
        oneOf: [
          { required: ['name'], properties: { name: true } },
          { required: ['key'], properties: { key: true } },
        ],
      },
      { not: { required: ['value', 'val'], properties: { value: true, val: true } } },
    ],
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const name = (args.name ?? args.key)!.trim();
      const present = (args.state ?? 'present') === 'present';
      const raw = args.value ?? args.val;
      if (present && (raw === undefined || sysctlValue(raw) === '')) return failed('value cannot be blank');
      const value = sysctlValue(raw);
      // One setting per line: a newline in the name or value would write a second setting into the file.
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value))
        return failed(
          'sysctl: the name and the value must be one line each (a newline would add another setting to the file)',
        );
      const file = args.sysctl_file ?? DEFAULT_SYSCTL_FILE;
      const reload = toBool(args.reload, true);
      const set = toBool(args.sysctl_set);
      const e = toBool(args.ignoreerrors) ? '-e ' : '';
      const procPath = `/proc/sys/${name.replace(/\./g, '/')}`;
      const res = await ctx.conn.exec(
        [
          'command -v sysctl >/dev/null 2>&1 && echo HAVE || echo MISSING',
          `if awk '($2=="/proc/sys"||$2=="/proc")&&$4~/(^|,)ro(,|$)/{f=1}END{exit !f}' /proc/mounts 2>/dev/null; then echo READONLY; ` +
            sh`elif [ -e ${procPath} ] && [ ! -w ${procPath} ]; then echo KEYREADONLY; else echo WRITABLE; fi`,
          sh`if v=$(LANG=C LC_ALL=C sysctl -e -n ${name} 2>/dev/null); then printf 'LIVE %s\n' "$v"; fi`,
          sh`if [ -f ${file} ]; then echo FILE; cat -- ${file}; fi`,
        ].join('\n'),
      );
      const head = res.stdout.split('\n', 3);
      if (head[0] !== 'HAVE') return failed('sysctl: the sysctl command is not installed on the host');
      const writable = head[1] === 'WRITABLE';
      const keyReadOnly = head[1] === 'KEYREADONLY';
      const liveLine = /^LIVE (.*)$/m.exec(res.stdout);
      const live = liveLine ? liveLine[1] : undefined;
      const fileAt = res.stdout.indexOf('\nFILE\n');
      const before = fileAt < 0 ? '' : res.stdout.slice(fileAt + 6);
      const edit = editSysctlFile(before, name, value, present);
      const fileChanged = present ? edit.fileValue !== value || fileAt < 0 : edit.fileValue !== undefined;
      const liveDiffers = present && !sameSysctlValue(live, value);
      const setLive = set && present && liveDiffers;
      const changed = fileChanged || (present && (reload || set) && liveDiffers);
      const data = { name, value, state: present ? 'present' : 'absent', sysctl_file: file };
      if (!changed) return { kind: 'ok', data };
      const touchesLive = setLive || reload;
      const roMsg = keyReadOnly
        ? `sysctl: ${name} is read-only (${procPath} cannot be written)`
        : `sysctl: /proc/sys is read-only in this host: cannot set ${name} live${fileChanged ? ` (${file} was written)` : ''}; use reload: false to manage only the file`;
      const diff: FileDiff[] = [];
      if (fileChanged) diff.push({ path: file, before, after: edit.text });
      if (present && liveDiffers && (reload || set))
        diff.push({
          path: `sysctl ${name}`,
          before: `${name} = ${live ?? '(unknown key)'}\n`,
          after: `${name} = ${value}\n`,
        });
      return {
        kind: 'change',
        msg: !writable && touchesLive && present ? `${roMsg} (predicted)` : undefined,
        diff,
        data,
        apply: () =>
          applying(async () => {
            if (fileChanged) {
              const mk = await ctx.conn.exec(sh`mkdir -p -- ${posix.dirname(file)}`);
              if (mk.rc !== 0)
                return { kind: 'failed', msg: `cannot create ${posix.dirname(file)}: ${mk.stderr.trim()}` };
              await atomicWrite(ctx.conn, file, Buffer.from(edit.text), { mode: 0o644 });
            }
            if (!touchesLive) return { kind: 'applied', data };
            if (!writable && present) return { kind: 'failed', msg: roMsg, data };
            const cmds: string[] = [];
            if (setLive) cmds.push(`LANG=C sysctl ${e}-w ${sh`${`${name}=${value}`}`}`);
            if (reload) cmds.push(`LANG=C sysctl ${e}-p ${sh`${file}`}`);
            for (const cmd of cmds) {
              const r = await ctx.conn.exec(cmd);
              const err = `${r.stdout}${r.stderr}`;
              if (
                r.rc !== 0 ||
                /^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$/m.test(r.stderr)
              ) {
                if (err.includes('Read-only file system')) return { kind: 'failed', msg: roMsg, data };
                return {
                  kind: 'failed',
                  msg: cmd.includes(' -p ')
                    ? `Failed to reload sysctl: ${err.trim()}`
                    : `setting ${name} failed: ${err.trim()}`,
                  data,
                };
              }
            }
            return { kind: 'applied', data };
          }),
      };
    }),
});
