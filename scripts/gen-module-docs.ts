/**
 * `npm run docs:modules`: regenerate every module's argument table in
 * docs/modules.md (between `<!-- args:NAME -->` markers) from the module
 * schemas, keeping the hand-written prose around them. `--check` only
 * reports whether the file is up to date (exit 1 when not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { updateModulesMarkdown } from '../src/modules/docs.js';
import { moduleRegistry } from '../src/modules/index.js';

const file = fileURLToPath(new URL('../docs/modules.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = updateModulesMarkdown(before, moduleRegistry.values());
if (process.argv.includes('--check')) {
  process.stdout.write(
    after === before ? 'docs/modules.md is up to date\n' : 'docs/modules.md is out of date: run npm run docs:modules\n',
  );
  process.exitCode = after === before ? 0 : 1;
} else if (after !== before) {
  writeFileSync(file, after);
  process.stdout.write(`docs/modules.md: argument tables of ${moduleRegistry.size} modules regenerated\n`);
} else {
  process.stdout.write('docs/modules.md is up to date\n');
}
