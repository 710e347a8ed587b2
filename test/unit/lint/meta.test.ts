/** Every lint rule at once: registered under its file name, documented in docs/lint.md, with a table test file. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { RULES, ruleRegistry } from '../../../src/lint/index.js';

const root = path.resolve(import.meta.dirname, '../../..');
const ruleFiles = readdirSync(path.join(root, 'src/lint/rules'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''));
const docs = readFileSync(path.join(root, 'docs/lint.md'), 'utf8');

describe('lint rules (meta)', () => {
  it('every file under src/lint/rules is registered, and nothing else', () => {
    expect([...ruleRegistry.keys()].sort()).toEqual([...ruleFiles].sort());
  });

  it.each(RULES.map((r) => [r.id, r] as const))(
    '%s: id equals its file, docs and fix are one line, documented, tested',
    async (id, rule) => {
      const mod = (await import(
        /* @vite-ignore */ pathToFileURL(path.join(root, 'src/lint/rules', `${id}.ts`)).href
      )) as { default: unknown };
      expect(mod.default).toBe(rule);
      for (const text of [rule.docs.short, rule.docs.fix]) {
        expect(text.length).toBeGreaterThan(10);
        expect(text).not.toContain('\n');
      }
      expect(docs).toContain(`## \`${id}\``);
      expect(docs).toMatch(new RegExp(`\\| \\[\`${id}\`\\]`));
      const test = path.join(root, 'test/unit/lint/rules', `${id}.test.ts`);
      expect(existsSync(test)).toBe(true);
      const text = readFileSync(test, 'utf8');
      expect(text).toContain(`ruleTests('${id}'`);
      expect(text).toMatch(/valid: \[\s*\{/);
      expect(text).toMatch(/invalid: \[\s*\{/);
    },
  );

  it('bosun lint --list-rules lists every rule with its one line; an unknown -r is a bad option', async () => {
    let out = '';
    let err = '';
    const io = {
      out: (t: string) => {
        out += t;
      },
      err: (t: string) => {
        err += t;
      },
      isTTY: false,
    };
    expect(await main(['lint', '--list-rules'], io)).toBe(0);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(RULES.map((r) => r.id));
    expect(await main(['lint', '-r', 'nope', '.'], io)).toBe(5);
    expect(err).toContain("unknown lint rule 'nope'");
  });
});
