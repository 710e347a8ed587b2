/**
 * The template engine's own cost on each copy of the bench playbook (`--dialects`): every value, condition and
 * template of the playbook rendered in process for 2,000 hosts (variables differing per host), CPU per host, median
 * of rounds 2-5. `node bench/tools/engine-cost.mjs [ROOT...]`: each ROOT a built checkout (default: this one), so two
 * builds can be compared in one process, interleaved.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..');
const given = process.argv.slice(2);
const roots = given.length > 0 ? given : [dirname(BENCH)];
const COND = new Set(['when', 'that', 'changed_when', 'failed_when']);
function texts(pb) {
  const out = { values: [], conds: [], templates: [] };
  const walk = (v, key) => {
    if (typeof v === 'string') {
      if (COND.has(key)) out.conds.push(v);
      else if (v.includes('{{') || v.includes('{%')) out.values.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'template') out.templates.push(join(BENCH, 'templates', x.src));
        walk(x, k);
      }
  };
  const [play] = parse(readFileSync(join(BENCH, pb), 'utf8'));
  walk(play.tasks);
  walk(Object.values(play.vars));
  return { ...out, vars: play.vars };
}
const engines = {};
for (const r of roots) engines[r] = (await import(join(r, 'dist/template/index.js'))).createTemplateEngine();
const HOSTS = 2000;
const src = { file: 'b.yml', line: 1, col: 1 };
const times = {};
for (let round = 0; round < 5; round++)
  for (const pb of ['playbook.yml', 'playbook-jinja.yml', 'playbook-handlebars.yml'])
    for (const r of roots) {
      const e = engines[r];
      const t = texts(pb);
      const tpl = t.templates.map((f) => [f, readFileSync(f, 'utf8')]);
      const t0 = process.cpuUsage();
      for (let h = 0; h < HOSTS; h++) {
        const vars = {
          ...t.vars,
          rt_root: `/opt/b${h}`,
          inventory_hostname: `h${h}`,
          item: 'bin',
          rt_conf: { stat: { exists: true, isreg: true, mode: '0644' } },
        };
        for (const v of t.values) e.renderString(v, vars, src);
        for (const c of t.conds) e.isTruthy(e.evaluate(c, vars, src));
        for (const [f, text] of tpl) e.renderText(text, vars, f);
      }
      const u = process.cpuUsage(t0);
      const key = `${pb} ${r}`;
      (times[key] ??= []).push((u.user + u.system) / 1000 / HOSTS);
    }
for (const [k, v] of Object.entries(times)) {
  const s = v.slice(1).sort((a, b) => a - b);
  process.stdout.write(
    `${k.padEnd(48)} ms per host: ${s[Math.floor(s.length / 2)].toFixed(3)} (rounds: ${v.map((x) => x.toFixed(3)).join(' ')})\n`,
  );
}
