/**
 * `cron`: manage jobs and variables of a user's crontab (read with
 * `crontab -l`, written with `crontab -`) or of a cron file, with the
 * `#Ansible: NAME` marker lines exactly as Ansible writes them
 * (lib/crontab-edit.ts). One round trip reads; one writes.
 */
import { posix } from 'node:path';
import { sh } from '../util/shell.js';
import { defineModule, type FileDiff } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { editCrontab, envNames, jobNames, readUserCrontab, renderCrontab, splitLinesPy } from './lib/crontab-edit.js';
import { atomicWrite } from './lib/remote-file.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { notBoth } from './lib/schema.js';

/** Arguments of `cron`. */
export interface CronArgs {
  name: string;
  user?: string;
  job?: string;
  value?: string;
  cron_file?: string;
  state?: 'present' | 'absent';
  backup?: boolean | string;
  minute?: string | number;
  hour?: string | number;
  day?: string | number;
  dom?: string | number;
  month?: string | number;
  weekday?: string | number;
  dow?: string | number;
  special_time?: 'reboot' | 'yearly' | 'annually' | 'monthly' | 'weekly' | 'daily' | 'hourly';
  disabled?: boolean | string;
  env?: boolean | string;
  insertafter?: string;
  insertbefore?: string;
}

const field = (description: string) => ({ type: ['string', 'integer'], default: '*', description }) as const;

/** The `cron` module. */
export default defineModule<CronArgs>({
  name: 'cron',
  docs: {
    short: 'Manage cron jobs and variables of a user crontab or a cron file',
    description:
      'Each job sits under a `#Ansible: NAME` line, as Ansible writes it, so Ansible and bosun manage the same crontabs. User crontabs go through the target crontab command; cron_file writes a file (relative: under /etc/cron.d).',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'The job name (its marker line), or the variable name with env' },
      user: { type: 'string', minLength: 1, description: 'Whose crontab (default: the connecting user)' },
      job: { type: 'string', description: 'The command (alias: value), or the variable value with env' },
      value: { type: 'string', description: 'Alias of job' },
      cron_file: {
        type: 'string',
        minLength: 1,
        description: 'A cron file instead of a user crontab (relative: in /etc/cron.d)',
      },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the job should be there',
      },
      backup: boolSchema('Save the crontab to a temporary file first (registered as backup_file)', false),
      minute: field('Minute (0-59, */5, ...)'),
      hour: field('Hour'),
      day: field('Day of the month (alias: dom)'),
      dom: { type: ['string', 'integer'], description: 'Alias of day' },
      month: field('Month'),
      weekday: field('Day of the week (alias: dow)'),
      dow: { type: ['string', 'integer'], description: 'Alias of weekday' },
      special_time: {
        type: 'string',
        enum: ['reboot', 'yearly', 'annually', 'monthly', 'weekly', 'daily', 'hourly'],
        description: 'An @-time instead of the five fields',
      },
      disabled: boolSchema('Write the job commented out', false),
      env: boolSchema('Manage a variable `NAME="job"` instead of a job', false),
      insertafter: { type: 'string', description: 'With env: put a new variable after this one' },
      insertbefore: { type: 'string', description: 'With env: put a new variable before this one' },
    },
    ...notBoth('insertafter', 'insertbefore'),
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const state = args.state ?? 'present';
      const present = state === 'present';
      const job = args.job ?? args.value;
      const env = toBool(args.env);
      const str = (v: string | number | undefined): string => (v === undefined ? '*' : String(v));
      const times = [args.minute, args.hour, args.day ?? args.dom, args.month, args.weekday ?? args.dow].map(str);
      const warnings: string[] = [];
      let cronFile: string | undefined;
      if (args.cron_file !== undefined) {
        if (args.cron_file === '/etc/crontab')
          return failed('Will not manage /etc/crontab via cron_file, see documentation.');
        const base = posix.basename(args.cron_file);
        if (!/^[A-Z0-9_-]+$/i.test(base))
          warnings.push(
            `Filename portion of cron_file ("${base}") should consist solely of upper- and lower-case letters, digits, underscores, and hyphens`,
          );
        cronFile = args.cron_file.startsWith('/') ? args.cron_file : posix.join('/etc/cron.d', args.cron_file);
      }
      // Ansible looks for crontab first, also for a cron_file.
      const probe = await ctx.conn.exec(
        [
          'bosun_c=$(command -v crontab) || { printf "NOCRONTAB %s\\n" "$PATH:/sbin:/usr/sbin:/usr/local/sbin"; exit 0; }',
          'printf "ME %s\\n" "$(id -un)"',
          cronFile
            ? sh`if [ -f ${cronFile} ]; then echo F; base64 < ${cronFile}; fi`
            : args.user !== undefined
              ? sh`if [ "$(id -un)" != ${args.user} ]; then "$bosun_c" -u ${args.user} -l; else "$bosun_c" -l; fi 2>/dev/null | base64 | sed 's/^/C /'`
              : `"$bosun_c" -l 2>/dev/null | base64 | sed 's/^/C /'`,
        ].join('\n'),
      );
      const missing = /^NOCRONTAB (.*)$/m.exec(probe.stdout);
      if (missing) return failed(`Failed to find required executable "crontab" in paths: ${missing[1]!}`);
      const me = /^ME (.*)$/m.exec(probe.stdout)?.[1] ?? '';
      let existing = '';
      let lines: string[];
      if (cronFile) {
        const f = probe.stdout.indexOf('\nF\n');
        existing = f >= 0 ? Buffer.from(probe.stdout.slice(f + 3).replace(/\s+/g, ''), 'base64').toString('utf8') : '';
        lines = splitLinesPy(existing);
      } else {
        const b64 = [...probe.stdout.matchAll(/^C (.*)$/gm)].map((m) => m[1]).join('');
        ({ lines, existing } = readUserCrontab(Buffer.from(b64, 'base64').toString('utf8')));
      }
      if (args.special_time !== undefined && times.some((t) => t !== '*'))
        return failed('You must specify time and date fields or special time.');
      if (present) {
        if (cronFile && args.user === undefined)
          return failed('To use cron_file=... parameter you must specify user=... as well');
        if (job === undefined) return failed("You must specify 'job' to install a new cron job or variable");
        if ((args.insertafter !== undefined || args.insertbefore !== undefined) && !env)
          return failed('Insertafter and insertbefore parameters are valid only with env=yes');
      }
      if (env && args.name.includes(' ')) return failed('Invalid name for environment variable');
      let jobLine: string | undefined;
      if (!env && present) {
        const body = job!.replace(/^[\r\n]+|[\r\n]+$/g, '');
        if (/[\r\n]/.test(body)) warnings.push('Job should not contain line breaks');
        const off = toBool(args.disabled) ? '#' : '';
        const who = cronFile ? ` ${args.user ?? ''}` : '';
        jobLine = args.special_time
          ? `${off}@${args.special_time}${who} ${body}`
          : `${off}${times.join(' ')}${who} ${body}`;
      }
      const edit = editCrontab(
        lines,
        {
          name: args.name,
          present,
          env,
          ...(jobLine !== undefined ? { jobLine } : {}),
          ...(job !== undefined ? { value: job } : {}),
          ...(args.insertafter !== undefined ? { insertafter: args.insertafter } : {}),
          ...(args.insertbefore !== undefined ? { insertbefore: args.insertbefore } : {}),
        },
        cronFile !== undefined,
      );
      if (edit.fail) return failed(edit.fail);
      const header = cronFile ?? (args.user !== undefined ? `crontab for user "${args.user}"` : 'crontab');
      const extra = { ...(warnings.length ? { warnings } : {}) };
      if (edit.emptied) {
        const data = { cron_file: args.cron_file, state };
        return {
          kind: 'change',
          ...extra,
          data,
          diff: [{ path: cronFile!, before: existing, after: '', beforeHeader: cronFile!, afterHeader: '/dev/null' }],
          apply: () =>
            applying(async () => {
              const rm = await ctx.conn.exec(sh`rm -f -- ${cronFile!}`);
              return rm.rc === 0 ? { kind: 'applied', data } : applyFailed(rm.stderr.trim());
            }),
        };
      }
      let changed = edit.changed;
      if (!changed && existing !== '' && !/[\r\n]$/.test(existing)) changed = true;
      const data: Record<string, unknown> = {
        jobs: jobNames(edit.lines),
        envs: envNames(edit.lines),
        ...(args.cron_file !== undefined ? { cron_file: args.cron_file } : {}),
      };
      if (!changed) return { kind: 'ok', ...extra, data };
      const after = renderCrontab(edit.lines);
      const diff: FileDiff[] = [{ path: header, before: existing, after, beforeHeader: header, afterHeader: header }];
      const other = args.user !== undefined && args.user !== me ? sh` -u ${args.user}` : '';
      return {
        kind: 'change',
        ...extra,
        data,
        diff,
        apply: () =>
          applying(async () => {
            let backupFile: string | undefined;
            if (toBool(args.backup)) {
              const b = await ctx.conn.exec(
                `bosun_b=$(mktemp "\${TMPDIR:-/tmp}/crontabXXXXXXXX") && printf '%s' ${sh`${existing}`} > "$bosun_b" && printf '%s' "$bosun_b"`,
              );
              if (b.rc !== 0) return applyFailed(`cannot back the crontab up: ${b.stderr.trim()}`);
              backupFile = b.stdout;
            }
            const done = { ...data, ...(backupFile ? { backup_file: backupFile } : {}) };
            if (cronFile) {
              await atomicWrite(ctx.conn, cronFile, Buffer.from(after, 'utf8'), { mode: 0o644 });
              return { kind: 'applied', data: done };
            }
            const w = await ctx.conn.exec(`printf '%s' ${sh`${after}`} | crontab${other} -`);
            return w.rc === 0 ? { kind: 'applied', data: done } : applyFailed(w.stderr.trim() || `crontab: rc ${w.rc}`);
          }),
      };
    }),
});
