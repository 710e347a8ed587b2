/**
 * Issue 16 item 6, "no slower": in a run, each template text is parsed (and, for Handlebars, compiled) once, however
 * many hosts and loop items render it. Real runs of the CLI in process on local-connection hosts, with the engine's
 * counters (src/template/counters.ts) read before and after: the bench playbooks on 10 hosts, and a loop of 1,000
 * items on 10 hosts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { templateCounters } from '../../../src/template/counters.js';
import { isHandlebars } from '../../../src/template/index.js';
import { runCli } from '../../helpers/cli.js';

const BENCH = fileURLToPath(new URL('../../../bench/', import.meta.url));
const CONDITION_KEYS = new Set(['when', 'changed_when', 'failed_when', 'until', 'that']);
const HOSTS = 10;
const work = mkdtempSync(path.join(os.tmpdir(), 'bosun-parse-once-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const inventory = path.join(work, 'inventory.yml');
writeFileSync(
  inventory,
  `all:\n  hosts:\n${Array.from({ length: HOSTS }, (_, i) => `    h${i}: { ansible_connection: local }\n`).join('')}`,
);

/** The distinct template texts of a playbook, as the engine sees them (a condition wrapped in braces). */
function templateTexts(file: string): { jinja: Set<string>; handlebars: Set<string> } {
  const jinja = new Set<string>();
  const handlebars = new Set<string>();
  const add = (text: string): void => void (isHandlebars(text) ? handlebars : jinja).add(text);
  const walk = (v: unknown, key?: string): void => {
    if (typeof v === 'string') {
      if (key && CONDITION_KEYS.has(key)) add(`{{${v}}}`);
      else if (v.includes('{{') || v.includes('{%')) add(v);
    } else if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (typeof v === 'object' && v !== null)
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        walk(x, k);
        // A template task's file: one text more, in the dialect its name and syntax say.
        if (k === 'template') {
          const src = (x as { src: string }).src;
          (src.endsWith('.hbs') ? handlebars : jinja).add(`file:${src}`);
        }
      }
  };
  walk(parse(readFileSync(file, 'utf8')));
  return { jinja, handlebars };
}

/** Run a playbook on the local hosts; the counters' growth during the run. */
async function counted(playbook: string, extra: string[] = []): Promise<typeof templateCounters> {
  const before = { ...templateCounters };
  const r = await runCli(['run', playbook, '-i', inventory, '-f', String(HOSTS), '--no-color', ...extra]);
  expect(r.code, r.out + r.err).toBe(0);
  expect(r.out).toMatch(new RegExp(`h${HOSTS - 1} +: ok=\\d+ +changed=\\d+ +unreachable=0 +failed=0`));
  const out = { ...templateCounters };
  for (const k of Object.keys(out) as Array<keyof typeof out>) out[k] -= before[k];
  return out;
}

describe('each template text is parsed once per run', () => {
  // Every host writes under its own root; `-e` is one Jinja2 text more.
  const root = ['-e', `rt_root=${work}/{{ inventory_hostname }}`];

  it('the Jinja2 bench playbook on 10 hosts: parses = distinct Jinja2 texts, no literal re-parses', async () => {
    const texts = templateTexts(path.join(BENCH, 'playbook-jinja.yml'));
    expect(texts.handlebars.size).toBe(0);
    expect(texts.jinja.size).toBeGreaterThan(20);
    const n = await counted(path.join(BENCH, 'playbook-jinja.yml'), root);
    expect(n).toEqual({
      jinjaParses: texts.jinja.size + 1,
      jinjaChecks: texts.jinja.size + 1,
      literalParses: 0,
      handlebarsParses: 0,
      handlebarsCompiles: 0,
    });
  });

  it('the Handlebars bench playbook on 10 hosts: parses = distinct texts, at most two compiles each', async () => {
    const texts = templateTexts(path.join(BENCH, 'playbook-handlebars.yml'));
    expect(texts.jinja.size).toBe(0);
    const n = await counted(path.join(BENCH, 'playbook-handlebars.yml'), root);
    expect(n.handlebarsParses).toBe(texts.handlebars.size);
    expect(n.handlebarsCompiles).toBeGreaterThanOrEqual(texts.handlebars.size);
    expect(n.handlebarsCompiles).toBeLessThanOrEqual(2 * texts.handlebars.size);
    // The `-e` text, unless the test before parsed it already.
    expect(n.jinjaParses).toBeLessThanOrEqual(1);
  });

  it('a loop of 1,000 items on 10 hosts: three texts, three parses', async () => {
    const dir = path.join(work, 'loop');
    mkdirSync(dir, { recursive: true });
    const playbook = path.join(dir, 'loop.yml');
    writeFileSync(
      playbook,
      `- hosts: all
  gather_facts: false
  tasks:
    - debug: { msg: "{{ item * 2 }} of {{ inventory_hostname }}" }
      loop: "{{ range(1000) | list }}"
      when: item is even and item > 10
`,
    );
    const n = await counted(playbook);
    expect(n).toEqual({ jinjaParses: 3, jinjaChecks: 3, literalParses: 0, handlebarsParses: 0, handlebarsCompiles: 0 });
  });
});
