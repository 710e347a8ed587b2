/**
 * The chart: wall time against host count for bosun, Ansible and the floor,
 * first and second run, as an SVG (log-scale time axis: the tools differ by
 * orders of magnitude), converted to PNG by `rsvg-convert` (Debian's
 * librsvg2-bin) when it is installed. Nothing is installed here: without a
 * converter the SVG stays and a one-line hint is printed.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const W = 880;
const H = 520;
const M = { left: 80, right: 240, top: 50, bottom: 60 };
const SERIES = [
  { tool: 'bosun', run: 'first', color: '#1f77b4', dash: '' },
  { tool: 'bosun', run: 'second', color: '#1f77b4', dash: '7 5' },
  { tool: 'ansible', run: 'first', color: '#d62728', dash: '' },
  { tool: 'ansible', run: 'second', color: '#d62728', dash: '7 5' },
  { tool: 'floor', run: 'first', color: '#2ca02c', dash: '' },
  { tool: 'floor', run: 'second', color: '#2ca02c', dash: '7 5' },
];
const LABEL = { bosun: 'bosun', ansible: 'Ansible', floor: 'floor (ssh + sh)' };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The SVG text of the chart for `rows` ({tool, run, hosts, wallS}). */
export function chartSvg(rows, title) {
  const hosts = [...new Set(rows.map((r) => r.hosts))].sort((a, b) => a - b);
  const walls = rows.map((r) => r.wallS).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...walls)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...walls)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const xMax = Math.max(...hosts);
  const x = (h) => M.left + (h / xMax) * pw;
  const y = (s) => M.top + ph - ((Math.log10(s) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="28" font-size="16" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const k of [1, 2, 5]) {
      const v = d * k;
      if (v > hi * 1.0001) break;
      out.push(
        `<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="${k === 1 ? '#bbb' : '#eee'}"/>`,
      );
      out.push(`<text x="${M.left - 8}" y="${y(v) + 4}" text-anchor="end">${v >= 1 ? v : v.toPrecision(1)} s</text>`);
    }
  }
  for (const h of hosts) {
    out.push(`<line x1="${x(h)}" x2="${x(h)}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(h)}" y="${M.top + ph + 20}" text-anchor="middle">${h}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 15}" text-anchor="middle">hosts (forks = hosts)</text>`);
  out.push(
    `<text transform="translate(20 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">wall time (log scale)</text>`,
  );
  let ly = M.top + 10;
  for (const s of SERIES) {
    const pts = rows
      .filter((r) => r.tool === s.tool && r.run === s.run && r.wallS > 0)
      .sort((a, b) => a.hosts - b.hosts);
    if (pts.length === 0) continue;
    const path = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.hosts).toFixed(1)},${y(p.wallS).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-dasharray="${s.dash}"/>`);
    for (const p of pts) out.push(`<circle cx="${x(p.hosts)}" cy="${y(p.wallS)}" r="4" fill="${s.color}"/>`);
    const lx = M.left + pw + 20;
    out.push(
      `<line x1="${lx}" x2="${lx + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5" stroke-dasharray="${s.dash}"/>`,
    );
    out.push(
      `<text x="${lx + 42}" y="${ly + 4}">${esc(`${LABEL[s.tool]}, ${s.run === 'first' ? '1st run' : '2nd run'}`)}</text>`,
    );
    ly += 24;
  }
  out.push('</svg>');
  return out.join('\n');
}

const LATENCY_SERIES = [
  { tool: 'bosun', color: '#1f77b4' },
  { tool: 'ansible', color: '#d62728' },
  { tool: 'floor', color: '#2ca02c' },
];

/** The latency panel: re-run wall time against round-trip time, one line per tool (log scale). */
export function latencySvg(latency, title) {
  const rtts = [...new Set(latency.map((r) => r.rttMs))].sort((a, b) => a - b);
  const walls = latency.map((r) => r.wallS).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...walls)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...walls)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const xMax = Math.max(1, ...rtts);
  const x = (v) => M.left + (v / xMax) * pw;
  const y = (s) => M.top + ph - ((Math.log10(s) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const out = [
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="28" font-size="16" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const k of [1, 2, 5]) {
      const v = d * k;
      if (v > hi * 1.0001) break;
      out.push(
        `<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="${k === 1 ? '#bbb' : '#eee'}"/>`,
      );
      out.push(`<text x="${M.left - 8}" y="${y(v) + 4}" text-anchor="end">${v >= 1 ? v : v.toPrecision(1)} s</text>`);
    }
  }
  for (const r of rtts) {
    out.push(`<line x1="${x(r)}" x2="${x(r)}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(r)}" y="${M.top + ph + 20}" text-anchor="middle">${r}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 15}" text-anchor="middle">round-trip time (ms)</text>`);
  out.push(
    `<text transform="translate(20 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">re-run wall time (log scale)</text>`,
  );
  let ly = M.top + 10;
  for (const s of LATENCY_SERIES) {
    const pts = latency.filter((r) => r.tool === s.tool && r.wallS > 0).sort((a, b) => a.rttMs - b.rttMs);
    if (pts.length === 0) continue;
    const path = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.rttMs).toFixed(1)},${y(p.wallS).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-dasharray="7 5"/>`);
    for (const p of pts) out.push(`<circle cx="${x(p.rttMs)}" cy="${y(p.wallS)}" r="4" fill="${s.color}"/>`);
    const lx = M.left + pw + 20;
    out.push(
      `<line x1="${lx}" x2="${lx + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5" stroke-dasharray="7 5"/>`,
    );
    out.push(`<text x="${lx + 42}" y="${ly + 4}">${esc(`${LABEL[s.tool]}, 2nd run`)}</text>`);
    ly += 24;
  }
  return out.join('\n');
}

/** The whole chart: the hosts panel (when measured) above the latency panel (when measured). */
function fullSvg(rows, latency, title) {
  const panels = [];
  if (rows.length > 0)
    panels.push(
      chartSvg(rows, title)
        .replace(/^<svg[^>]*>\n/, '')
        .replace(/\n<\/svg>$/, ''),
    );
  if (latency.length > 0) {
    const n = latency[0].hosts;
    panels.push(latencySvg(latency, `Idempotent re-run on ${n} hosts behind a delay proxy`));
  }
  const body = panels.map((p, i) => `<g transform="translate(0 ${i * H})">\n${p}\n</g>`).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H * panels.length}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">\n${body}\n</svg>`;
}

/** Write `svgFile`, and `pngFile` when rsvg-convert is there; returns a note for the report. */
export function writeChart(rows, latency, title, svgFile, pngFile) {
  writeFileSync(svgFile, fullSvg(rows, latency, title));
  const r = spawnSync('rsvg-convert', ['-f', 'png', '-o', pngFile, svgFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error || r.status !== 0) {
    return {
      png: false,
      hint: `no PNG: rsvg-convert is missing (apt-get install -y librsvg2-bin); the chart is in ${svgFile}`,
    };
  }
  return { png: true };
}
