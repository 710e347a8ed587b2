/**
 * The table runner of the lint rule tests: each case is a small file tree
 * written to a fresh folder and linted there; valid cases must give no
 * finding of the rule, invalid cases exactly the listed `file:line:col`s.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths, type Finding } from '../../../src/lint/index.js';

/** A file tree: relative path -> text. */
export type Tree = Record<string, string>;

/** One table row. */
export interface RuleCase {
  name: string;
  files: Tree;
  /** Paths to lint, relative to the tree (default: the whole tree). */
  paths?: string[];
}

/** An invalid row: the findings the rule must report, as `file:line:col`. */
export interface InvalidCase extends RuleCase {
  findings: string[];
  /** A part of the first finding's message. */
  message?: string;
}

/** Write a tree into a fresh folder. */
export function writeTree(files: Tree): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-lint-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Lint a tree with one rule (or all); findings with paths relative to the tree. */
export function lintTree(files: Tree, rule?: string, paths: string[] = ['.']): Finding[] {
  const dir = writeTree(files);
  return lintPaths(paths, { cwd: dir, ...(rule ? { rules: [rule] } : {}) }).findings;
}

/** The tests of one rule from its tables. */
export function ruleTests(rule: string, cases: { valid: RuleCase[]; invalid: InvalidCase[] }): void {
  describe(`lint rule ${rule}`, () => {
    it.each(cases.valid.map((c) => [c.name, c] as const))('valid: %s', (_name, c) => {
      const found = lintTree(c.files, rule, c.paths);
      expect(found.map((f) => `${f.file}:${f.line}:${f.col} ${f.message}`)).toEqual([]);
    });
    it.each(cases.invalid.map((c) => [c.name, c] as const))('invalid: %s', (_name, c) => {
      const found = lintTree(c.files, rule, c.paths);
      expect(found.map((f) => `${f.file}:${f.line}:${f.col}`)).toEqual(c.findings);
      for (const f of found) {
        expect(f.rule).toBe(rule);
        expect(f.fix.length).toBeGreaterThan(0);
      }
      if (c.message) expect(found[0]?.message).toContain(c.message);
    });
  });
}

/** A one-play playbook around a task list (lines of the tasks start at line 5). */
export function playbook(tasks: string, handlers = ''): string {
  return [
    '- name: Test',
    '  hosts: all',
    '  gather_facts: false',
    '  tasks:',
    tasks,
    handlers ? `  handlers:\n${handlers}` : '',
  ].join('\n');
}
