/**
 * A fresh temporary folder with the files a test needs (a playbook, an
 * inventory, roles), for tests that run the CLI or the loader on them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Write `files` (relative path -> text) into a new folder; `@DIR@` in a text becomes the folder's path. */
export function writeTree(files: Record<string, string>, prefix = 'bosun-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text.replaceAll('@DIR@', dir));
  }
  return dir;
}
