/**
 * `npm run docs:cli`: regenerate the options table of `bosun run` in
 * docs/cli.md (between the run-options markers) from the option table in
 * src/cli/run-options.ts, keeping the prose around it. `--check` only
 * reports whether the file is up to date (exit 1 when not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { updateCliMarkdown } from '../src/cli/run-options.js';

const file = fileURLToPath(new URL('../docs/cli.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = updateCliMarkdown(before);
if (process.argv.includes('--check')) {
  process.stdout.write(
    after === before ? 'docs/cli.md is up to date\n' : 'docs/cli.md is out of date: run npm run docs:cli\n',
  );
  process.exitCode = after === before ? 0 : 1;
} else if (after !== before) {
  writeFileSync(file, after);
  process.stdout.write('docs/cli.md: the bosun run options table regenerated\n');
} else {
  process.stdout.write('docs/cli.md is up to date\n');
}
