/**
 * Static import cycles (import_tasks, import_role, import_playbook, role
 * dependencies) are found when the playbook is loaded: a BosunError naming
 * the cycle with the position of each import, positioned at the import that
 * closes it. Before, the loader recursed until the heap ran out; each test
 * has a short timeout so that shows as a failure, not a hang.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { allTasks, type Playbook } from '../../../src/playbook/types.js';
import { createTemplateEngine } from '../../../src/template/index.js';
import { writeTree } from '../../helpers/tree.js';

const engine = createTemplateEngine();
const TIMEOUT = 5_000;

/** A play whose tasks import `first`. */
const SITE = (first: string): string => `- hosts: all\n  gather_facts: false\n  tasks:\n    - import_tasks: ${first}\n`;

async function load(files: Record<string, string>, entry = 'site.yml'): Promise<{ dir: string; pb: Playbook }> {
  const dir = writeTree(files, 'bosun-cycles-');
  return { dir, pb: await loadPlaybook(path.join(dir, entry), { engine, rolesPath: [] }) };
}

async function loadError(files: Record<string, string>, entry = 'site.yml'): Promise<{ dir: string; err: BosunError }> {
  const dir = writeTree(files, 'bosun-cycles-');
  try {
    await loadPlaybook(path.join(dir, entry), { engine, rolesPath: [] });
  } catch (e) {
    if (e instanceof BosunError) return { dir, err: e };
    throw e;
  }
  throw new Error('expected an error');
}

const debugNames = (pb: Playbook): string[] =>
  pb.plays.flatMap((p) => [...allTasks(p.sections.tasks)].map((t) => String((t.args as { msg?: unknown }).msg)));

describe('static import cycles', () => {
  it(
    'a file that imports itself',
    async () => {
      const { dir, err } = await loadError({
        'site.yml': SITE('a.yml'),
        'a.yml': '- debug: msg=a\n- import_tasks: a.yml\n',
      });
      expect(err.code).toBe('IMPORT_CYCLE');
      expect(err.message).toBe('import cycle: a.yml:2:3 imports a.yml');
      expect(err.source).toEqual({ file: path.join(dir, 'a.yml'), line: 2, col: 3 });
    },
    TIMEOUT,
  );

  it(
    'a -> b -> a',
    async () => {
      const { dir, err } = await loadError({
        'site.yml': SITE('a.yml'),
        'a.yml': '- debug: msg=a\n- import_tasks: b.yml\n',
        'b.yml': '- debug: msg=b\n- debug: msg=b2\n- import_tasks: a.yml\n',
      });
      expect(err.code).toBe('IMPORT_CYCLE');
      expect(err.message).toBe('import cycle: a.yml:2:3 imports b.yml, b.yml:3:3 imports a.yml');
      expect(err.source).toEqual({ file: path.join(dir, 'b.yml'), line: 3, col: 3 });
    },
    TIMEOUT,
  );

  it(
    'a -> b -> c -> b: the chain shows only the cycle',
    async () => {
      const { dir, err } = await loadError({
        'site.yml': SITE('a.yml'),
        'a.yml': '- import_tasks: b.yml\n',
        'b.yml': '- debug: msg=b\n- import_tasks: c.yml\n',
        'c.yml': '- block:\n    - import_tasks: b.yml\n',
      });
      expect(err.code).toBe('IMPORT_CYCLE');
      expect(err.message).toBe('import cycle: b.yml:2:3 imports c.yml, c.yml:2:7 imports b.yml');
      expect(err.source).toEqual({ file: path.join(dir, 'c.yml'), line: 2, col: 7 });
    },
    TIMEOUT,
  );

  it(
    'through import_role with tasks_from: the role tasks import the file back',
    async () => {
      const { dir, err } = await loadError({
        'site.yml': SITE('a.yml'),
        'a.yml': '- import_role: { name: r, tasks_from: x }\n',
        'roles/r/tasks/x.yml': '- debug: msg=x\n- import_tasks: a.yml\n',
      });
      expect(err.code).toBe('IMPORT_CYCLE');
      expect(err.message).toBe(
        'import cycle: a.yml:1:3 imports role r (roles/r/tasks/x.yml), roles/r/tasks/x.yml:2:3 imports a.yml',
      );
      expect(err.source).toEqual({ file: path.join(dir, 'roles/r/tasks/x.yml'), line: 2, col: 3 });
    },
    TIMEOUT,
  );

  it(
    'a role of the play whose tasks import the role again',
    async () => {
      const { err } = await loadError({
        'site.yml': '- hosts: all\n  roles: [r]\n',
        'roles/r/tasks/main.yml': '- import_tasks: more.yml\n',
        'roles/r/tasks/more.yml': '- import_role: { name: r }\n',
      });
      expect(err.code).toBe('IMPORT_CYCLE');
      expect(err.message).toBe(
        'import cycle: roles/r/tasks/main.yml:1:3 imports roles/r/tasks/more.yml, roles/r/tasks/more.yml:1:3 imports role r (roles/r/tasks/main.yml)',
      );
    },
    TIMEOUT,
  );

  it(
    'role dependencies in a circle, with allow_duplicates',
    async () => {
      const { dir, err } = await loadError({
        'site.yml': '- hosts: all\n  roles: [a]\n',
        'roles/a/meta/main.yml': 'allow_duplicates: true\ndependencies:\n  - role: b\n',
        'roles/a/tasks/main.yml': '- debug: msg=a\n',
        'roles/b/meta/main.yml': 'allow_duplicates: true\ndependencies:\n  - role: a\n',
        'roles/b/tasks/main.yml': '- debug: msg=b\n',
      });
      expect(err.code).toBe('IMPORT_CYCLE');
      expect(err.message).toBe(
        'import cycle: roles/a/meta/main.yml:3:5 depends on role b (roles/b/tasks/main.yml), roles/b/meta/main.yml:3:5 depends on role a (roles/a/tasks/main.yml)',
      );
      expect(err.source).toEqual({ file: path.join(dir, 'roles/b/meta/main.yml'), line: 3, col: 5 });
    },
    TIMEOUT,
  );

  it(
    'role dependencies in a circle without allow_duplicates: the once-per-play rule does not hide it',
    async () => {
      const { err } = await loadError({
        'site.yml': '- hosts: all\n  roles: [a]\n',
        'roles/a/meta/main.yml': 'dependencies: [b]\n',
        'roles/b/meta/main.yml': 'dependencies: [a]\n',
      });
      expect(err.code).toBe('IMPORT_CYCLE');
      expect(err.message).toBe(
        'import cycle: roles/a/meta/main.yml:1:16 depends on role b (roles/b/tasks/main.yml), roles/b/meta/main.yml:1:16 depends on role a (roles/a/tasks/main.yml)',
      );
    },
    TIMEOUT,
  );

  it(
    'an import_playbook cycle',
    async () => {
      const { dir, err } = await loadError({
        'site.yml': '- import_playbook: other.yml\n',
        'other.yml': '- hosts: all\n  tasks: []\n- import_playbook: site.yml\n',
      });
      expect(err.code).toBe('IMPORT_CYCLE');
      expect(err.message).toBe('import cycle: site.yml:1:20 imports other.yml, other.yml:3:20 imports site.yml');
      expect(err.source).toEqual({ file: path.join(dir, 'other.yml'), line: 3, col: 20 });
    },
    TIMEOUT,
  );

  it(
    'a diamond (a imports b and c, both import d) is not a cycle',
    async () => {
      const { pb } = await load({
        'site.yml': SITE('a.yml'),
        'a.yml': '- import_tasks: b.yml\n- import_tasks: c.yml\n',
        'b.yml': '- debug: msg=b\n- import_tasks: d.yml\n',
        'c.yml': '- debug: msg=c\n- import_tasks: d.yml\n',
        'd.yml': '- debug: msg=d\n',
      });
      expect(debugNames(pb)).toEqual(['b', 'd', 'c', 'd']);
    },
    TIMEOUT,
  );

  it(
    'the same file imported twice in sequence, and a playbook imported twice, are fine',
    async () => {
      const { pb } = await load({
        'site.yml': '- import_playbook: one.yml\n- import_playbook: one.yml\n',
        'one.yml': SITE('a.yml') + '    - import_tasks: a.yml\n',
        'a.yml': '- debug: msg=a\n',
      });
      expect(debugNames(pb)).toEqual(['a', 'a', 'a', 'a']);
    },
    TIMEOUT,
  );

  it(
    'an include_tasks of itself is not a static cycle (it is resolved at run time, and may stop)',
    async () => {
      const { pb } = await load({
        'site.yml': SITE('a.yml'),
        'a.yml': '- debug: msg=a\n- include_tasks: a.yml\n  when: (lt 1 0)\n',
      });
      expect(debugNames(pb)).toEqual(['a']);
    },
    TIMEOUT,
  );
});
