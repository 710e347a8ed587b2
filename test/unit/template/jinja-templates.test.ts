/**
 * The Jinja2 template suite: every row of test/fixtures/jinja/templates.json
 * (template files' texts with the template module's settings) rendered by
 * bosun and compared byte for byte with what ansible-core's template action
 * gave (scripts/jinja-template-suite.py writes the ansible side). A row listed
 * in DIFFERENCES is a known, documented difference and must still differ.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { BosunError } from '../../../src/errors.js';
import { createTemplateEngine } from '../../../src/template/index.js';
import { DELIMITER_NAMES } from '../../../src/template/jinja/render.js';

interface Row {
  name: string;
  template: string;
  options?: { trim_blocks?: boolean; lstrip_blocks?: boolean; newline_sequence?: string } & Record<string, unknown>;
  ansible: { text?: string; error?: 'undefined' | 'error'; message?: string };
}

const table = JSON.parse(readFileSync(new URL('../../fixtures/jinja/templates.json', import.meta.url), 'utf8')) as {
  vars: Record<string, unknown>;
  files: Record<string, string>;
  rows: Row[];
};

/** Rows where bosun differs on purpose (docs/ansible-differences.md, Jinja2). */
const DIFFERENCES: Record<string, string> = {
  'a none value': 'bosun refuses to print None as an empty string (Ansible prints nothing)',
  'macro with varargs and caller default': 'varargs is a tuple in Jinja2, printed (2, 3); bosun has no tuples: [2, 3]',
};

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-j2-suite-'));
for (const [name, text] of Object.entries(table.files)) writeFileSync(path.join(dir, name), text);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const engine = createTemplateEngine();

type Outcome = { text: string } | { error: string; message: string };

function run(row: Row): Outcome {
  const file = path.join(dir, 'case.j2');
  try {
    const o = row.options ?? {};
    const delimiters = Object.fromEntries(
      Object.entries(DELIMITER_NAMES)
        .filter(([name]) => typeof o[name] === 'string')
        .map(([name, field]) => [field, o[name] as string]),
    );
    const text = engine.renderText(row.template, table.vars, file, {
      ...(o.trim_blocks !== undefined ? { trimBlocks: o.trim_blocks } : {}),
      ...(o.lstrip_blocks !== undefined ? { lstripBlocks: o.lstrip_blocks } : {}),
      ...(o.newline_sequence !== undefined ? { newline: o.newline_sequence } : {}),
      ...(Object.keys(delimiters).length ? { delimiters } : {}),
      searchPath: [dir],
    });
    return { text };
  } catch (err) {
    if (!(err instanceof BosunError)) throw err;
    return { error: err.code === 'UNDEFINED_VAR' ? 'undefined' : 'error', message: err.message };
  }
}

function matches(row: Row, out: Outcome): boolean {
  if (row.ansible.error !== undefined)
    return 'error' in out && (out.error === row.ansible.error || row.ansible.error === 'error');
  return 'text' in out && out.text === row.ansible.text;
}

describe('Jinja2 template suite against ansible-core', () => {
  test.each(table.rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const out = run(row);
    const ok = matches(row, out);
    if (DIFFERENCES[row.name]) expect(ok, `listed as a difference: ${DIFFERENCES[row.name]}`).toBe(false);
    else expect(out).toEqual(ok ? out : row.ansible.text !== undefined ? { text: row.ansible.text } : row.ansible);
  });
});
