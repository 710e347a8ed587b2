/**
 * The default reporter, shaped like ansible-playbook's output: PLAY and TASK
 * banners, one line per host result, diffs with --diff, and a PLAY RECAP.
 */
import { structuredPatch } from 'diff';
import pc from 'picocolors';
import { formatErrorDetail, type BosunError } from '../errors.js';
import type { HostStats, TaskResult } from '../executor/events.js';
import type { FileDiff } from '../modules/types.js';
import { shardLabel } from '../inventory/shard.js';
import { repr } from '../template/jinja/values.js';
import type { Reporter } from './types.js';

/** Options of the text reporter. */
export interface TextReporterOptions {
  write: (text: string) => void;
  verbosity: number;
  color: boolean;
  /** Print the diffs that modules return (--diff). */
  diff: boolean;
  /** ansible.cfg's `display_skipped_hosts` (default true): false hides skipped results and items. */
  displaySkippedHosts?: boolean;
  /** ansible.cfg's `display_ok_hosts` (default true): false hides ok results and items (changed stays). */
  displayOkHosts?: boolean;
}

/** Ansible's banner: the title, then stars to column 80. */
export function banner(title: string): string {
  return `\n${title} ${'*'.repeat(Math.max(3, 79 - title.length))}`;
}

/**
 * A recap line padded as ansible-playbook pads it: the host to 26 columns,
 * each `name=N` to 4 columns after the `=` (so the line ends in spaces too),
 * a counter coloured only when it is not 0.
 */
export function recapLine(host: string, s: HostStats, c: Colors = pc.createColors(false)): string {
  const hostColor = s.failed || s.unreachable ? c.red : s.changed ? c.yellow : c.green;
  const field = (name: string, n: number, color: (t: string) => string): string => {
    const text = `${name}=${String(n).padEnd(4)}`;
    return n === 0 ? text : color(text);
  };
  return [
    `${hostColor(host)}${' '.repeat(Math.max(0, 26 - host.length))} :`,
    field('ok', s.ok, c.green),
    field('changed', s.changed, c.yellow),
    field('unreachable', s.unreachable, c.red),
    field('failed', s.failed, c.red),
    field('skipped', s.skipped, c.cyan),
    field('rescued', s.rescued, c.green),
    field('ignored', s.ignored, c.magenta),
  ].join(' ');
}

/** The hosts of a recap in Ansible's order: sorted by name (code points, as Python sorts). */
export function recapHosts(hosts: Record<string, HostStats>): Array<[string, HostStats]> {
  return Object.entries(hosts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The two header lines of a diff, in one style for every module (ansible-playbook's `before: X` / `after: X`). */
export function diffHeaders(d: FileDiff): [string, string] {
  return [`--- before: ${d.beforeHeader ?? d.path}`, `+++ after: ${d.afterHeader ?? d.path}`];
}

/**
 * A hunk's `@@` line as Python's difflib writes it (ansible-playbook's --diff): a range of one line is its start
 * alone (`+1`, not `+1,1`), an empty range starts at the line before it (`-0,0` for an empty file).
 */
export function hunkHeader(h: { oldStart: number; oldLines: number; newStart: number; newLines: number }): string {
  const range = (start: number, lines: number): string =>
    lines === 1 ? `${start}` : `${lines === 0 ? start - 1 : start},${lines}`;
  return `@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`;
}

type Colors = ReturnType<typeof pc.createColors>;

/** Create the text reporter. */
export function createTextReporter(opts: TextReporterOptions): Reporter {
  const c = pc.createColors(opts.color);
  const showSkipped = opts.displaySkippedHosts ?? true;
  const showOk = opts.displayOkHosts ?? true;
  /**
   * The current task's banner (and -vv task path) while it is not printed yet: with skipped or ok results
   * hidden, ansible-playbook prints a task's banner lazily, before the first line it shows for the task
   * (its `_last_task_banner`), so a task whose results are all hidden has no banner at all.
   */
  let pendingBanner: string[] | undefined;
  const write = (line: string): void => opts.write(`${line}\n`);
  const flushBanner = (): void => {
    if (pendingBanner === undefined) return;
    const lines = pendingBanner;
    pendingBanner = undefined;
    for (const l of lines) write(l);
  };
  const out = (line: string): void => {
    flushBanner();
    write(line);
  };
  const json = (v: unknown, pretty: boolean): string => (pretty ? JSON.stringify(v, sortedReplacer, 4) : pythonJson(v));

  // no_log results arrive censored (maskingSink): their data is Ansible's {censored, changed}.
  const shownData = (r: TaskResult): Record<string, unknown> => {
    // The stack of an internal error is printed apart, and only with -vvv. As ansible-playbook shows
    // results, the status is the line's own word, so `failed`/`skipped` are left out.
    const { results: _results, exception: _exception, failed: _f, skipped: _s, ...rest } = r.data;
    return rest;
  };

  /** Ansible's lines around a bug's failure: where to get the traceback, or (-vvv) the traceback itself. */
  const printException = (r: TaskResult): void => {
    const stack = r.data['exception'];
    if (typeof stack !== 'string' || r.noLog) return;
    if (opts.verbosity >= 3) out(`The full traceback is:\n${stack}`);
    else
      out(
        c.red(
          `An exception occurred during task execution. To see the full traceback, use -vvv. The error was: ${r.msg ?? ''}`,
        ),
      );
  };

  const itemLabel = (r: TaskResult): string => {
    if (r.item === undefined) return '';
    // ansible-playbook shows str(item): Python's repr of a list or dict (keys in their order, True, None);
    // a null item (also a censored no_log item) is None.
    const shown = r.label ?? (typeof r.item === 'string' ? r.item : repr(r.item));
    return ` => (item=${shown})`;
  };
  // As ansible-playbook: `-> DELEGATE` only when the task runs on another host than its own.
  // The delegate's address follows in parentheses when its ansible_host is another name.
  const hostLabel = (r: TaskResult): string =>
    r.delegatedTo !== undefined && r.delegatedTo !== r.host
      ? `[${r.host} -> ${r.delegatedTo}${r.delegatedAddress !== undefined ? `(${r.delegatedAddress})` : ''}]`
      : `[${r.host}]`;

  /** The source excerpts and hints already shown for the current task: each is printed once per task, not per host. */
  let shownDetails = new Set<string>();
  const printErrorDetail = (err: BosunError): void => {
    const detail = formatErrorDetail(err);
    const key = detail.join('\n');
    if (detail.length === 0 || shownDetails.has(key)) return;
    shownDetails.add(key);
    out(c.red(key));
  };

  const printDiffs = (diffs: FileDiff[]): void => {
    if (!opts.diff) return;
    for (const d of diffs) {
      const patch = structuredPatch(d.path, d.path, d.before, d.after, undefined, undefined, { context: 3 });
      if (patch.hunks.length === 0) continue;
      const [before, after] = diffHeaders(d);
      const lines = [c.red(before), c.green(after)];
      for (const h of patch.hunks) {
        lines.push(c.cyan(hunkHeader(h)));
        for (const l of h.lines) lines.push(l.startsWith('+') ? c.green(l) : l.startsWith('-') ? c.red(l) : l);
      }
      out(lines.join('\n'));
      out('');
    }
  };

  const printResult = (r: TaskResult, isItem: boolean): void => {
    // A hidden result's diff is not shown either (Ansible's v2_on_file_diff prints only changed ones).
    if (!(r.status === 'skipped' && !showSkipped) && !(r.status === 'ok' && !showOk))
      printDiffs(isItem || !r.items ? r.diff : []);
    const host = hostLabel(r);
    switch (r.status) {
      case 'unreachable':
        // An item's line as ansible-playbook prints it; the task's own line then says "All items completed",
        // so the error is printed once for the host.
        if (isItem)
          out(c.red(`failed: ${host}${itemLabel(r).replace(' => ', ' ')} => ${json(unreachableView(r), false)}`));
        else
          out(
            c.red(
              `fatal: ${host}: UNREACHABLE! => ${json({ changed: false, msg: r.items ? 'All items completed' : r.msg, unreachable: true }, false)}`,
            ),
          );
        if (r.ignored && !isItem) out(c.cyan('...ignoring'));
        return;
      case 'failed': {
        const label = isItem ? `failed: ${host}${itemLabel(r).replace(' => ', ' ')}` : `fatal: ${host}: FAILED!`;
        printException(r);
        out(c.red(`${label} => ${json(shownData(r), false)}`));
        if (r.error) printErrorDetail(r.error);
        if (r.ignored && !isItem) out(c.cyan('...ignoring'));
        return;
      }
      case 'skipped':
        if (!showSkipped) return;
        // As ansible-playbook: a skipped result names its own host only (no `-> delegate`), an item's line ends in a space.
        out(
          c.cyan(`skipping: [${r.host}]${itemLabel(r)}${isItem ? ' ' : ''}`) +
            (opts.verbosity > 0 ? ` => ${json(shownData(r), false)}` : ''),
        );
        return;
      case 'changed':
      case 'ok': {
        const word = r.status === 'changed' ? c.yellow(`changed: ${host}`) : c.green(`ok: ${host}`);
        const colorize = r.status === 'changed' ? c.yellow : c.green;
        if (r.items && !isItem) return;
        if (r.status === 'ok' && !showOk && r.module !== 'include_tasks' && r.module !== 'include_role') return;
        // An include's ok is its "included: FILE for HOSTS" line, as ansible-playbook prints it.
        if (r.module === 'include_tasks' || r.module === 'include_role') return;
        // Ansible never dumps fact gathering's result (setup's verbose override), not even with -vvv.
        if (r.module === 'setup' || r.module === 'gather_facts') out(`${word}${colorize(itemLabel(r))}`);
        // -v and -vv print a result on one line; debug and assert (Ansible's verbose_always) and -vvv print it indented.
        else if (opts.verbosity > 0)
          out(
            `${word}${colorize(itemLabel(r))}${colorize(` => ${json(r.module === 'debug' && !r.noLog ? debugView(r) : shownData(r), opts.verbosity >= 3 || r.module === 'debug' || r.module === 'assert')}`)}`,
          );
        // A censored (no_log) debug or assert shows no output without -v, as in ansible-playbook.
        else if (r.noLog) out(`${word}${colorize(itemLabel(r))}`);
        else if (r.module === 'assert')
          out(`${word}${colorize(itemLabel(r))}${colorize(` => ${json(shownData(r), true)}`)}`);
        else if (r.module === 'debug')
          out(`${word}${colorize(itemLabel(r))}${colorize(` => ${json(debugView(r), true)}`)}`);
        else out(`${word}${colorize(itemLabel(r))}`);
        return;
      }
    }
  };

  /** Whether the run is a check run: its play and task banners are marked as ansible-playbook marks them. */
  let checkRun = false;
  // ansible-playbook's check_mode_markers: `DRY RUN` first and last, ` [CHECK MODE]` after what runs in check mode.
  const checkMark = (check: boolean | undefined): string => ((check ?? checkRun) ? ' [CHECK MODE]' : '');

  return {
    onRunStart(e) {
      checkRun = e.check;
      if (e.check) out(banner('DRY RUN'));
      // bosun's own line, as the check banner: which part of the fleet this process runs.
      if (e.shard)
        out(
          banner(`SHARD [${shardLabel(e.shard)}: ${e.shard.hosts} of the ${e.shard.selectedHosts} selected host(s)]`),
        );
    },
    onPlayStart(e) {
      pendingBanner = undefined;
      out(banner(`PLAY [${e.name}]${checkMark(e.check)}`));
    },
    onNoHosts(e) {
      out(banner(`PLAY [${e.play}]${checkMark(undefined)}`));
      out(c.cyan('skipping: no hosts matched'));
    },
    onTaskStart(e) {
      shownDetails = new Set();
      pendingBanner = undefined;
      const lines = [banner(`${e.handler ? 'RUNNING HANDLER' : 'TASK'} [${e.task}]${checkMark(e.check)}`)];
      if (opts.verbosity >= 2) lines.push(`task path: ${e.source.file}:${e.source.line}`);
      // Ansible prints it at once unless results may be hidden.
      if (showSkipped && showOk) for (const l of lines) write(l);
      else pendingBanner = lines;
    },
    onStep(e) {
      // As ansible-playbook: the answered question again, as a banner, so a log shows what was asked.
      out(banner(e.question.trimEnd()));
    },
    onInclude(e) {
      // include_role has no line of its own in ansible-playbook: the role's task banners follow.
      if (e.role) return;
      out(c.cyan(`included: ${e.file} for ${e.hosts.join(', ')}`));
    },
    onRetry(e) {
      // As ansible-playbook's v2_runner_retry: the line does not print a pending banner.
      write(c.yellow(`FAILED - RETRYING: [${e.host}]: ${e.task} (${e.retriesLeft} retries left).`));
    },
    onInterrupted(e) {
      out(
        c.magenta(
          `\n[WARNING]: ${e.reason === 'run timeout' ? 'the run is out of time (--run-timeout)' : 'interrupted'}: no new task starts; running tasks get ${Math.round(e.graceMs / 1000)} s to finish, then their commands are killed${e.reason === 'run timeout' ? '' : ' (Ctrl-C again to kill them now)'}`,
        ),
      );
    },
    onPlayAborted(e) {
      out(c.red(`\nNO MORE HOSTS LEFT (${e.reason}) ${'*'.repeat(20)}`));
    },
    onTaskResult(e) {
      if (e.result.items) for (const item of e.result.items) printResult(item, true);
      printResult(e.result, false);
    },
    onWarning(e) {
      out(c.magenta(`[WARNING]: ${e.message}`));
    },
    onRecap(e) {
      pendingBanner = undefined;
      out(banner('PLAY RECAP'));
      for (const [host, s] of recapHosts(e.hosts)) out(recapLine(host, s, c));
      out('');
      if (checkRun) out(banner('DRY RUN'));
    },
  };
}

/**
 * What a debug task shows: with `msg`, the message alone (and warnings), as
 * ansible-playbook shows it; with `var`, the variable without the bookkeeping fields.
 */
function debugView(r: TaskResult): Record<string, unknown> {
  const { changed: _c, failed: _f, ...rest } = r.data;
  if (!('msg' in rest)) return rest;
  return Object.fromEntries(Object.entries(rest).filter(([k]) => DEBUG_MSG_KEYS.has(k)));
}
const DEBUG_MSG_KEYS = new Set(['msg', 'exception', 'warnings', 'deprecations']);

/** An unreachable loop item as ansible-playbook shows it: its loop keys, the message and `unreachable`. */
function unreachableView(r: TaskResult): Record<string, unknown> {
  const { changed: _c, failed: _f, skipped: _s, ...rest } = r.data;
  return { ...rest, msg: r.msg, unreachable: true };
}

/** One-line JSON spaced like Python's json.dumps (`{"a": 1, "b": [1, 2]}`), as ansible-playbook prints results. */
export function pythonJson(v: unknown): string {
  // Formatting newlines never occur inside JSON strings (they are escaped), so collapsing them is safe.
  return JSON.stringify(v, sortedReplacer, 1)
    .replace(/([[{])\n\s*/g, '$1')
    .replace(/\n\s*([\]}])/g, '$1')
    .replace(/\n\s*/g, ' ');
}

function sortedReplacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
  }
  return value;
}
