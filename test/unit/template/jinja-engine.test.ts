/**
 * The Jinja2 engine suite: every row of test/fixtures/jinja/expressions.json
 * rendered by bosun and compared with what ansible-core gave for it
 * (scripts/jinja-engine-suite.py writes the ansible side). A row listed in
 * DIFFERENCES is a known, documented difference and must still differ.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { createTemplateEngine } from '../../../src/template/index.js';
import { pyText } from '../../../src/template/jinja/values.js';
import { deepEqual } from '../../../src/template/values.js';

interface Row {
  mode: 'value' | 'condition';
  expr: string;
  ansible: { value?: unknown; error?: 'undefined' | 'error'; message?: string };
}

const table = JSON.parse(readFileSync(new URL('../../fixtures/jinja/expressions.json', import.meta.url), 'utf8')) as {
  vars: Record<string, unknown>;
  rows: Row[];
};

/** Rows where bosun differs on purpose or for a known reason (docs/ansible-differences.md, Jinja2). */
export const DIFFERENCES: Record<string, string> = {
  '{{ (1, 2) }}': 'a tuple is a list in bosun (Ansible prints a tuple as (1, 2) and keeps that text)',
  '{{ path | splitext }}': 'splitext gives a list (a tuple in Ansible, printed as text)',
  '{{ l | ansible.builtin.sort }}':
    "bosun takes a collection name for every filter it has; Ansible loads ansible.builtin.* only for its own plugins, not Jinja2's built-in filters",
  "{{ [['a', 1], ['b', 2]] | dict }}":
    'bosun takes the short name of every collection filter it has (community.general.dict); ansible-core 2.14 routes only some short names (json_query, ipaddr, ipv4) to their collections',
  "{{ {'http': {'addr': ':5000'}} | to_yaml }}":
    "PyYAML quotes a text starting with ':' inside a flow mapping (':5000'); the yaml library writes it plain (:5000), which YAML reads back as the same text",
  "'10.0.0.1' is ipv4":
    'bosun takes the short name of every collection test it has (ansible.utils.ipv4); ansible-core 2.14 finds a short test name only among its own',
};

const engine = createTemplateEngine();
const src = { file: 'suite.yml', line: 1, col: 1 };
// The controller side of the lookup rows, as scripts/jinja-engine-suite.py sets it (not stored in the table).
const lookupDir = fileURLToPath(new URL('../../fixtures/jinja/lookups', import.meta.url));
const vars = { ...table.vars, ansible_search_path: [lookupDir], playbook_dir: lookupDir };
process.env['BOSUN_SUITE_ENV'] = 'from the environment';

type Outcome = { value: unknown } | { error: string; message: string };

function run(row: Row): Outcome {
  try {
    if (row.mode === 'condition') return { value: engine.isTruthy(engine.evaluate(row.expr, vars, src)) };
    return { value: engine.renderString(row.expr, vars, src) };
  } catch (err) {
    if (!(err instanceof BosunError)) throw err;
    return { error: err.code === 'UNDEFINED_VAR' ? 'undefined' : 'error', message: err.message };
  }
}

/** True when bosun's outcome is Ansible's; a number, boolean or null kept native where Ansible gives its text is the same. */
export function matches(row: Row, out: Outcome): boolean {
  if (row.ansible.error !== undefined)
    return 'error' in out && (out.error === row.ansible.error || row.ansible.error === 'error');
  if ('error' in out) return false;
  const want = row.ansible.value;
  if (deepEqual(out.value, want)) return true;
  // One expression keeps its native type in bosun; Ansible renders it to text (None as '').
  if (out.value === null && want === '') return true;
  return (
    typeof want === 'string' &&
    typeof out.value !== 'string' &&
    typeof out.value !== 'object' &&
    pyText(out.value) === want
  );
}

describe('Jinja2 engine suite against ansible-core', () => {
  test.each(table.rows.map((r) => [`${r.mode === 'condition' ? 'when: ' : ''}${r.expr}`, r] as const))(
    '%s',
    (_name, row) => {
      const out = run(row);
      const ok = matches(row, out);
      if (DIFFERENCES[row.expr]) expect(ok, `listed as a difference: ${DIFFERENCES[row.expr]}`).toBe(false);
      else expect(out).toEqual(ok ? out : row.ansible);
    },
  );

  test('the share of rows that match ansible-core', () => {
    const matched = table.rows.filter((r) => matches(r, run(r))).length;
    // Printed for the record (docs/templates.md cites it).
    console.log(`jinja engine suite: ${matched}/${table.rows.length} rows match ansible-core`);
    expect(matched).toBe(table.rows.length - Object.keys(DIFFERENCES).length);
  });
});
