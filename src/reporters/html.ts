/**
 * The HTML run report (`--report FILE.html`, `bosun report`): one
 * self-contained file, CSS and script inline, nothing fetched, with the
 * recap, a timeline per host, plays and tasks with each host's result, the
 * diffs of what changed and the output of what failed; filters by host,
 * status and tag. Everything shown comes from the logged records of
 * events that passed the masking sink, so no_log output is already censored.
 */
import { writeFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { BosunError } from '../errors.js';
import type { RunEvent } from '../executor/events.js';
import type { FileDiff } from '../modules/types.js';
import { REPORT_CSS, REPORT_SCRIPT } from './html-assets.js';
import { createRecorder, type LogRecord } from './log.js';
import { buildReportModel, type ReportModel, type ReportResult, type ReportTask } from './report-model.js';
import { diffHeaders } from './text.js';
import { HOOK_OF, type Reporter } from './types.js';

const STATUSES = ['ok', 'changed', 'failed', 'skipped', 'unreachable'] as const;

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Seconds with one decimal below a minute, else m:ss. */
function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Render the model of a run as one HTML document. */
export function renderReport(model: ReportModel): string {
  const e = escapeHtml;
  const total = Math.max(model.durationMs, 1);
  const title = `bosun report: ${model.playbooks.map((p) => p.split('/').at(-1)).join(', ') || 'run'}`;
  const filters = [
    `<label>Host <select id="f-host"><option value="">all hosts</option>${model.hosts.map((h) => `<option>${e(h)}</option>`).join('')}</select></label>`,
    `<span class="statuses">${STATUSES.map((s) => `<label class="st-${s}"><input type="checkbox" name="status" value="${s}" checked> ${s}</label>`).join('')}</span>`,
    `<label>Tag <select id="f-tag"><option value="">all tags</option>${model.tags.map((t) => `<option>${e(t)}</option>`).join('')}</select></label>`,
    '<span id="f-count"></span>',
  ].join('\n');
  const recap = model.recap
    ? `<table class="recap"><thead><tr><th>host</th>${['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'].map((k) => `<th>${k}</th>`).join('')}</tr></thead><tbody>${Object.entries(
        model.recap,
      )
        .map(
          ([h, s]) =>
            `<tr data-host="${e(h)}" class="${s.failed || s.unreachable ? 'bad' : s.changed ? 'chg' : 'good'}"><td>${e(h)}</td><td>${s.ok}</td><td>${s.changed}</td><td>${s.unreachable}</td><td>${s.failed}</td><td>${s.skipped}</td><td>${s.rescued}</td><td>${s.ignored}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="note">The run did not finish: no recap.</p>';
  const allTasks = model.plays.flatMap((p) => p.tasks);
  const lanes = model.hosts
    .map((h) => {
      const bars = allTasks.flatMap((t) =>
        t.results
          .filter((r) => r.host === h)
          .map((r) => {
            const left = (r.startMs / total) * 100;
            const width = Math.max((r.durationMs / total) * 100, 0.25);
            return `<a class="bar st-${r.status}" href="#task-${t.id}" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%" data-host="${e(h)}" data-status="${r.status}" data-tags="${e(t.tags.join(' '))}" title="${e(`${t.name}: ${r.status}, ${duration(r.durationMs)} (at ${duration(r.startMs)})`)}"></a>`;
          }),
      );
      return `<div class="lane" data-host="${e(h)}"><span class="lane-name">${e(h)}</span><div class="track">${bars.join('')}</div></div>`;
    })
    .join('\n');
  const plays = model.plays
    .map(
      (p) =>
        `<section class="play"><h2>PLAY [${e(p.name)}] <small>${p.hosts.length} host(s)</small></h2>\n${p.tasks.map(renderTask).join('\n')}</section>`,
    )
    .join('\n');
  const meta = [
    model.startedAt ? `started ${e(model.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}` : undefined,
    `took ${duration(model.durationMs)}`,
    `${model.hosts.length} host(s), ${allTasks.length} task(s)`,
    model.check ? '<b class="check">check mode</b>' : undefined,
    model.runs > 1 ? `the log holds ${model.runs} runs: this is the last` : undefined,
    model.shards
      ? `merged from shard${model.shards.present.length > 1 ? 's' : ''} ${model.shards.present.map((i) => i + 1).join(', ')} of ${model.shards.count}`
      : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${REPORT_CSS}</style></head>
<body>
<header><h1>${e(title)}</h1><p class="meta">${meta}</p><p class="files">${model.playbooks.map((p) => `<code>${e(p)}</code>`).join(' ')}</p></header>
<nav class="filters">${filters}</nav>
<main>
<h2>Recap</h2>${recap}
${model.warnings.length > 0 ? `<h2>Warnings</h2><ul class="warnings">${model.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : ''}
<h2>Timeline <small>0 – ${duration(model.durationMs)}</small></h2>
<div class="timeline">${lanes}</div>
<h2>Tasks</h2>
${plays}
<p id="empty" class="note" hidden>No result matches the filters.</p>
</main>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}

/** One task: its summary line and one row per host result. */
function renderTask(t: ReportTask): string {
  const e = escapeHtml;
  const counts = STATUSES.map((s) => [s, t.results.filter((r) => r.status === s).length] as const).filter(
    ([, n]) => n > 0,
  );
  const open = t.results.some((r) => r.status === 'failed' || r.status === 'unreachable' || r.result.diff.length > 0);
  const rows = t.results.map(renderResult).join('\n');
  return `<details class="task" id="task-${t.id}" data-tags="${e(t.tags.join(' '))}"${open ? ' open' : ''}>
<summary><span class="name">${t.handler ? 'HANDLER' : 'TASK'} [${e(t.name)}]</span> <code>${e(t.module)}</code>${t.tags.map((tag) => ` <span class="tag">${e(tag)}</span>`).join('')}
<span class="counts">${counts.map(([s, n]) => `<span class="pill st-${s}">${s} ${n}</span>`).join('')}</span><span class="dur">${duration(t.endMs - t.startMs)}</span></summary>
${t.source ? `<div class="src">${e(t.source)}</div>` : ''}
<table class="results"><colgroup><col class="c-host"><col class="c-status"><col class="c-dur"><col></colgroup><tbody>${rows}</tbody></table></details>`;
}

/** One host's result: status, time, message; diffs when changed; output when failed. */
function renderResult(r: ReportResult): string {
  const e = escapeHtml;
  const res = r.result;
  const flags = [r.ignored ? 'ignored' : '', r.rescued ? 'rescued' : '', res.delegatedTo ? `→ ${res.delegatedTo}` : '']
    .filter(Boolean)
    .join(' ');
  const details: string[] = [];
  const failed = r.status === 'failed' || r.status === 'unreachable';
  if (res.msg && (failed || r.status === 'skipped' || res.module === 'debug' || res.module === 'assert'))
    details.push(`<div class="msg">${e(res.msg)}</div>`);
  if (res.error?.source)
    details.push(
      `<div class="src">${e(`${res.error.source.file}:${res.error.source.line}:${res.error.source.col}`)}${res.error.hint ? ` — ${e(res.error.hint)}` : ''}</div>`,
    );
  if (failed) {
    if (res.rc !== undefined) details.push(`<div class="rc">rc=${res.rc}</div>`);
    if (res.stdout) details.push(`<pre class="out"><span class="lbl">stdout</span>\n${e(res.stdout)}</pre>`);
    if (res.stderr) details.push(`<pre class="out err"><span class="lbl">stderr</span>\n${e(res.stderr)}</pre>`);
  }
  for (const d of res.diff) details.push(renderDiff(d));
  for (const item of res.items ?? []) {
    const label =
      item.label ??
      (typeof item.item === 'string' ? item.item : item.item === undefined ? '' : JSON.stringify(item.item));
    details.push(
      `<div class="item st-${item.status}"><span class="pill st-${item.status}">${item.status}</span> ${e(label)}${item.msg && item.status === 'failed' ? ` — ${e(item.msg)}` : ''}</div>`,
    );
    for (const d of item.diff) details.push(renderDiff(d));
  }
  return `<tr class="result" data-host="${e(r.host)}" data-status="${r.status}"><td class="host">${e(r.host)}</td><td><span class="pill st-${r.status}">${r.status}</span> ${e(flags)}</td><td class="dur">${duration(r.durationMs)}</td><td class="detail">${details.join('\n')}</td></tr>`;
}

/** A unified diff with added and removed lines marked, its headers as the text reporter prints them. */
function renderDiff(d: FileDiff): string {
  const patch = createTwoFilesPatch(d.path, d.path, d.before, d.after, undefined, undefined, { context: 3 });
  // Index:, =====, --- and +++ come first; the headers are ours.
  const body = patch
    .split('\n')
    .slice(4)
    .filter((l) => l !== '' && !l.startsWith('\\'));
  const lines = [...diffHeaders(d), ...body];
  const html = lines
    .map((l, i) => {
      const cls =
        i < 2 ? 'hd' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '';
      return cls ? `<span class="${cls}">${escapeHtml(l)}</span>` : escapeHtml(l);
    })
    .join('\n');
  return `<pre class="diff">${html}</pre>`;
}

/** Render a report from logged records and write it to `file`. */
export function writeReport(file: string, records: LogRecord[]): void {
  writeReportModel(file, buildReportModel(records));
}

/** Render a report model (one run's, or shards' merged) and write it to `file`. */
export function writeReportModel(file: string, model: ReportModel): void {
  try {
    writeFileSync(file, renderReport(model));
  } catch (e) {
    throw new BosunError('BAD_OPTION', `cannot write the report ${file}: ${(e as Error).message}`);
  }
}

/** The `--report` reporter: records every event and writes the report at the recap. */
export function createHtmlReporter(file: string, now?: () => number): Reporter {
  const record = createRecorder(now);
  let records: LogRecord[] = [];
  const add = (e: RunEvent): void => {
    // A new run (the apply step of --confirm) replaces the plan in the report.
    if (e.type === 'run_start') records = [];
    records.push(record(e));
    if (e.type === 'recap') writeReport(file, records);
  };
  // Every event but progress, recorded as the log records it.
  return Object.fromEntries(
    Object.entries(HOOK_OF)
      .filter(([type]) => type !== 'progress')
      .map(([, hook]) => [hook, add]),
  );
}
