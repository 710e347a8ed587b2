/**
 * Property-based fuzzing of every user-facing loader: thousands of mutated
 * playbooks, task files, inventories (INI and YAML), vars files, -e values
 * and templates. The only allowed outcomes are success or a BosunError that
 * names file:line:col; never a crash, a TypeError or a stack trace. Loading
 * never touches a host, so no fuzzed input can reach one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** How a file of an import graph reaches another: an import (bare or in a block), an include (run time only), a role dependency. */
type EdgeKind = 'import' | 'block' | 'include' | 'dep';

/** Files that import one another: each node a task file (`f<i>.yml`) or a role (`roles/r<i>`); the play imports node 0. */
interface ImportGraph {
  roles: boolean[];
  edges: Array<Array<{ to: number; kind: EdgeKind }>>;
}

/** Random import graphs of 1 to 7 files, each with up to 3 edges to any file (itself included). */
const importGraphs: fc.Arbitrary<ImportGraph> = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.record({
    roles: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    edges: fc.array(
      fc.array(
        fc.record({
          to: fc.nat({ max: n - 1 }),
          kind: fc.constantFrom<EdgeKind>('import', 'block', 'include', 'dep'),
        }),
        { maxLength: 3 },
      ),
      { minLength: n, maxLength: n },
    ),
  }),
);

/** The edges the loader follows: imports and dependencies (a dependency between two roles; else it is an import), not includes. */
function staticEdges(g: ImportGraph): number[][] {
  return g.edges.map((out) => out.filter((e) => e.kind !== 'include').map((e) => e.to));
}

/** Whether a cycle is reachable from node 0. */
function cyclicFrom0(edges: number[][]): boolean {
  const state = new Map<number, 'open' | 'done'>();
  const visit = (i: number): boolean => {
    if (state.get(i) === 'open') return true;
    if (state.get(i) === 'done') return false;
    state.set(i, 'open');
    if (edges[i]!.some(visit)) return true;
    state.set(i, 'done');
    return false;
  };
  return visit(0);
}

/** The files of an import graph, and site.yml with the play that imports node 0. */
function graphFiles(g: ImportGraph): Record<string, string> {
  const files: Record<string, string> = {};
  const ref = (to: number, dynamic: boolean): string =>
    g.roles[to]
      ? `${dynamic ? 'include_role' : 'import_role'}: { name: r${String(to)} }`
      : `${dynamic ? 'include_tasks' : 'import_tasks'}: f${String(to)}.yml`;
  g.roles.forEach((role, i) => {
    const lines = [`- debug: { msg: n${String(i)} }`];
    const deps: string[] = [];
    for (const e of g.edges[i]!) {
      if (e.kind === 'dep' && role && g.roles[e.to]) deps.push(`r${String(e.to)}`);
      else if (e.kind === 'include') lines.push(`- ${ref(e.to, true)}`, '  when: (lt 1 0)');
      else if (e.kind === 'block') lines.push('- block:', `    - ${ref(e.to, false)}`);
      else lines.push(`- ${ref(e.to, false)}`);
    }
    const text = `${lines.join('\n')}\n`;
    if (!role) files[`f${String(i)}.yml`] = text;
    else {
      files[`roles/r${String(i)}/tasks/main.yml`] = text;
      files[`roles/r${String(i)}/meta/main.yml`] = `dependencies: [${deps.join(', ')}]\n`;
    }
  });
  files['site.yml'] = g.roles[0]
    ? '- hosts: all\n  roles: [r0]\n'
    : '- hosts: all\n  tasks:\n    - import_tasks: f0.yml\n';
  return files;
}

/**
 * Write `files` into `root`, over the files of the runs before (creating and
 * removing files is what costs on a busy disk). A file of an earlier graph
 * left there is never read: only the nodes of this graph are named.
 */
function writeFiles(root: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/**
 * A cycle error must name a closed cycle: each step "file:line:col imports
 * (or depends on) target", the target of each step the file of the next
 * (the node: `f3.yml`, or role r3's files), the last target the first file,
 * the error positioned at the last step. `node` names the node of a path.
 */
function expectClosedCycle(e: BosunError, root: string, node: (file: string) => string): void {
  expect(e.code, e.message).toBe('IMPORT_CYCLE');
  expect(e.message).toMatch(/^import cycle: /);
  const steps = e.message
    .slice('import cycle: '.length)
    .split(', ')
    .map((part) => {
      const m = /^(\S+):(\d+):(\d+) (?:imports|depends on) (?:role \S+ \((\S+)\)|(\S+))$/.exec(part);
      expect(m, part).not.toBeNull();
      return { file: m![1]!, line: Number(m![2]), col: Number(m![3]), target: m![4] ?? m![5]! };
    });
  steps.forEach((step, k) => {
    expect(node(step.target), e.message).toBe(node(steps[(k + 1) % steps.length]!.file));
  });
  const last = steps.at(-1)!;
  expect(e.source).toEqual({ file: path.join(root, last.file), line: last.line, col: last.col });
}

/** f3.yml and roles/r3/... are node 3 ("f3" or "r3"). */
const graphNode = (file: string): string =>
  /^(?:(f\d+)\.yml|roles\/(r\d+)\/.*)$/.exec(file)?.slice(1).find(Boolean) ?? file;

/** Playbooks that import one another: p<i>.yml, each a play and its import_playbook entries; site.yml is p0. */
const playbookGraphs: fc.Arbitrary<number[][]> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.array(fc.array(fc.nat({ max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }));

function playbookFiles(edges: number[][]): Record<string, string> {
  const files: Record<string, string> = {};
  edges.forEach((out, i) => {
    const play = `- hosts: all\n  tasks:\n    - debug: { msg: p${String(i)} }\n`;
    files[`p${String(i)}.yml`] = play + out.map((to) => `- import_playbook: p${String(to)}.yml\n`).join('');
  });
  return files;
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

  /**
   * One graph property: each generated graph is written out and loaded from
   * `entry`; it loads when no cycle is reachable, else fails with the cycle
   * error (positioned at the import that closes it), never anything else.
   */
  async function checkGraphs<G>(
    graphs: fc.Arbitrary<G>,
    files: (g: G) => Record<string, string>,
    cyclic: (g: G) => boolean,
    entry: string,
    nodeName: Parameters<typeof expectClosedCycle>[2],
  ): Promise<void> {
    const tally = { ok: 0, cycle: 0 };
    const base = mkdtempSync(path.join(tmpdir(), 'bosun-fuzz-graphs-'));
    try {
      await fc.assert(
        fc.asyncProperty(graphs, async (g) => {
          const root = writeFiles(base, files(g));
          const loader = new PlaybookLoader({ engine, rolesPath: [] });
          try {
            await loader.playbook(path.join(root, entry), []);
          } catch (e) {
            if (!(e instanceof BosunError)) throw e;
            expectClosedCycle(e, root, nodeName);
            expect(cyclic(g), e.message).toBe(true);
            tally.cycle++;
            return;
          }
          expect(cyclic(g)).toBe(false);
          tally.ok++;
        }),
        { numRuns: RUNS, plugins: [fc.timeout(5_000)] },
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
    expect(tally.ok).toBeGreaterThan(RUNS / 10);
    expect(tally.cycle).toBeGreaterThan(RUNS / 10);
  }

  it(`import graphs: ${String(RUNS)} random graphs load when acyclic, else fail with the cycle, never hang`, async () => {
    await checkGraphs(importGraphs, graphFiles, (g) => cyclicFrom0(staticEdges(g)), 'site.yml', graphNode);
  }, 120_000);

  it(`import_playbook graphs: ${String(RUNS)} random graphs load when acyclic, else fail with the cycle`, async () => {
    await checkGraphs(playbookGraphs, playbookFiles, cyclicFrom0, 'p0.yml', (file) => file);
  }, 120_000);
});
