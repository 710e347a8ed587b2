import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { createTemplateEngine } from '../../../src/template/index.js';
test('d', () => {
  const t = JSON.parse(readFileSync('test/fixtures/jinja/expressions.json', 'utf8'));
  const e = createTemplateEngine();
  const want = process.env.ROWS!.split('|||');
  for (const r of t.rows) {
    if (!want.some((w: string) => r.expr.includes(w))) continue;
    let got: unknown;
    try { got = r.mode === 'condition' ? e.evaluate(r.expr, t.vars) : e.renderString(r.expr, t.vars); } catch (err) { got = 'ERR ' + (err as Error).message; }
    console.log(r.expr, '\n   bosun:', JSON.stringify(got), '\n   ansbl:', JSON.stringify(r.ansible));
  }
});
