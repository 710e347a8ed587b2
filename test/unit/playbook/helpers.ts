/** Shared helpers of the playbook unit tests: a playbook tree in a temp folder, loaded. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BosunError } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { allTasks, type Play, type Playbook, type Task } from '../../../src/playbook/types.js';
import { createTemplateEngine } from '../../../src/template/index.js';

export const engine = createTemplateEngine();

/** Every task of a play's four sections, in order. */
export const tasksOf = (p: Play): Task[] => [
  ...allTasks([...p.sections.preTasks, ...p.sections.roles, ...p.sections.tasks, ...p.sections.postTasks]),
];

/** Write files (relative path -> text) into a new temp folder. */
export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-pb-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Load `site.yml` with `text` (plus other files). */
export async function loadText(text: string, extra: Record<string, string> = {}): Promise<Playbook> {
  const dir = writeTree({ 'site.yml': text, ...extra });
  return loadPlaybook(path.join(dir, 'site.yml'), { engine, rolesPath: [] });
}

/** The BosunError loading `site.yml` throws. */
export async function loadError(text: string, extra: Record<string, string> = {}): Promise<BosunError> {
  try {
    await loadText(text, extra);
  } catch (e) {
    if (e instanceof BosunError) return e;
    throw e;
  }
  throw new Error('expected an error');
}
