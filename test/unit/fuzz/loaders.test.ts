/**
 * Property-based fuzzing of every user-facing loader: thousands of mutated
 * playbooks, task files, inventories (INI and YAML), vars files, -e values
 * and templates. The only allowed outcomes are success or a BosunError that
 * names file:line:col; never a crash, a TypeError or a stack trace. Loading
 * never touches a host, so no fuzzed input can reach one.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExtraVars } from '../../../src/cli/extra-vars.js';
import { BosunError } from '../../../src/errors.js';
import { loadInventory } from '../../../src/inventory/index.js';
import { PlaybookLoader } from '../../../src/playbook/load.js';
import { createTemplateEngine } from '../../../src/template/index.js';

/** Runs per property; CI runs them all (several thousand inputs in total). */
const RUNS = Number(process.env['BOSUN_FUZZ_RUNS'] ?? 1500);

const PLAYBOOKS = [
  `- name: web
  hosts: web:&prod
  vars: { port: 80, list: [a, b] }
  roles:
    - role: app
      app_port: 8080
  tasks:
    - name: config
      copy: { dest: "/etc/{{ port }}.conf", content: "x={{ port }}\\n", mode: "0644" }
      when: (eq port 80)
      register: out
      notify: restart
    - block:
        - command: /bin/true creates=/x
      rescue:
        - debug: { msg: "{{ ansible_failed_task.name }}" }
      always:
        - file: path=/tmp/x state=absent
    - include_tasks: other.yml
      loop: "{{ list }}"
  handlers:
    - name: restart
      debug: msg=restarted
`,
  `- hosts: all
  gather_facts: no
  serial: [1, "50%"]
  tasks:
    - lineinfile:
        path: /etc/hosts
        regexp: '^127'
        line: 127.0.0.1 localhost
    - assert:
        that:
          - (gt 2 1)
          - x.y
    - set_fact: { a: "{{ default b 'c' }}" }
      tags: [t1, always]
- import_playbook: other.yml
`,
];

const INVENTORIES_INI = [
  `[web]
node[01:03] ansible_user=root
db.example.com:2222 x="a b"

[web:vars]
http_port=80

[all:children]
web
`,
];

const INVENTORIES_YAML = [
  `all:
  vars: { a: 1 }
  hosts:
    h1: { ansible_host: 127.0.0.1 }
  children:
    web:
      hosts:
        node[1:3]:
      vars: { port: 80 }
`,
];

const NOISE = [
  ...Array.from(': -\n\t{}[]"\'|>#&*!%@,?`=~$()\\'),
  'a',
  'Z',
  '0',
  '9',
  '{{',
  '}}',
  '- ',
  ': ',
  '\n  ',
  'when:',
  'block:',
  'hosts:',
];

/** A mutation of a seed text: insertions, deletions, duplicated or swapped lines, re-indentation. */
function mutated(seeds: string[]): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(fc.constantFrom(...NOISE), fc.string({ maxLength: 4 })),
    }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => {
    let text = seed;
    for (const e of edits) {
      const lines = text.split('\n');
      switch (e.kind) {
        case 'insert': {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.text + text.slice(at);
          break;
        }
        case 'delete': {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + text.slice(at + e.length);
          break;
        }
        case 'dupline': {
          const i = e.at % lines.length;
          lines.splice(i, 0, lines[i]!);
          text = lines.join('\n');
          break;
        }
        case 'swap': {
          const i = e.at % lines.length;
          const j = (i + 1) % lines.length;
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          text = lines.join('\n');
          break;
        }
        case 'indent': {
          const i = e.at % lines.length;
          lines[i] = e.by > 0 ? `${' '.repeat(e.by)}${lines[i]!}` : lines[i]!.replace(new RegExp(`^ {0,${-e.by}}`), '');
          text = lines.join('\n');
          break;
        }
      }
    }
    return text;
  });
}

/** The outcome must be success or a BosunError positioned in `file`. */
async function expectPositionedOrOk(file: string | undefined, action: () => unknown): Promise<'ok' | 'error'> {
  try {
    await action();
    return 'ok';
  } catch (e) {
    if (!(e instanceof BosunError)) {
      throw new Error(`not a BosunError: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, { cause: e });
    }
    if (file !== undefined) {
      expect(e.source, `${e.code}: ${e.message}`).toBeDefined();
      expect(e.source!.line).toBeGreaterThanOrEqual(1);
      expect(e.source!.col).toBeGreaterThanOrEqual(1);
    }
    return 'error';
  }
}

describe('fuzzing the loaders', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-fuzz-'));
  mkdirSync(path.join(dir, 'roles', 'app', 'tasks'), { recursive: true });
  writeFileSync(path.join(dir, 'roles', 'app', 'tasks', 'main.yml'), '- debug: msg=app\n');
  writeFileSync(path.join(dir, 'other.yml'), '- hosts: all\n  tasks: []\n');
  const engine = createTemplateEngine();

  it(`playbooks: ${RUNS} mutations load or fail with a position`, async () => {
    const file = path.join(dir, 'site.yml');
    const tally = { ok: 0, error: 0 };
    await fc.assert(
      fc.asyncProperty(mutated(PLAYBOOKS), async (text) => {
        writeFileSync(file, text);
        const loader = new PlaybookLoader({ engine, rolesPath: [] });
        tally[await expectPositionedOrOk(undefined, () => loader.playbook(file, []))]++;
      }),
      { numRuns: RUNS },
    );
    expect(tally.ok + tally.error).toBe(RUNS);
    expect(tally.error).toBeGreaterThan(RUNS / 10);
  }, 120_000);

  it(`playbook errors always carry file:line:col (${RUNS} mutations)`, async () => {
    const file = path.join(dir, 'pos.yml');
    await fc.assert(
      fc.asyncProperty(mutated(PLAYBOOKS), async (text) => {
        writeFileSync(file, text);
        const loader = new PlaybookLoader({ engine, rolesPath: [] });
        await expectPositionedOrOk(file, () => loader.playbook(file, []));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`INI inventories: ${RUNS} mutations`, async () => {
    const file = path.join(dir, 'hosts.ini');
    await fc.assert(
      fc.asyncProperty(mutated(INVENTORIES_INI), async (text) => {
        writeFileSync(file, text);
        await expectPositionedOrOk(file, () => loadInventory([file]));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`YAML inventories: ${RUNS} mutations`, async () => {
    const file = path.join(dir, 'hosts.yml');
    await fc.assert(
      fc.asyncProperty(mutated(INVENTORIES_YAML), async (text) => {
        writeFileSync(file, text);
        await expectPositionedOrOk(file, () => loadInventory([file]));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`-e values and @files: ${RUNS} inputs`, async () => {
    const file = path.join(dir, 'vars.yml');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 40 }), mutated(['a: 1\nb: [x, y]\nc: { d: "{{ a }}" }\n'])),
        async (text) => {
          writeFileSync(file, text);
          await expectPositionedOrOk(undefined, () => parseExtraVars(text, 0));
          await expectPositionedOrOk(undefined, () => parseExtraVars(`@${file}`, 0));
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`templates and conditions: ${RUNS} inputs`, async () => {
    const pieces = [
      '{{',
      '}}',
      '(',
      ')',
      'eq',
      ' ',
      'a',
      '"x"',
      'default',
      '#if',
      '/if',
      '#each',
      'this',
      '.',
      '@index',
      '|',
      '=',
      '!',
    ];
    const text = fc
      .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 })), { maxLength: 12 })
      .map((p) => p.join(''));
    const source = { file: 't.yml', line: 3, col: 5 };
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        await expectPositionedOrOk('t.yml', () => {
          engine.check(t, source);
        });
        await expectPositionedOrOk('t.yml', () => {
          engine.checkExpression(t, source);
        });
        await expectPositionedOrOk('t.yml', () => engine.renderString(t, { a: 1, x: [1, 2] }, source));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
