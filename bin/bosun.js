#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';

// `bosun ... | head` closes the pipe early: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Output is gathered and written once per event-loop turn: a write to a pipe
// is a synchronous syscall on Linux, and a run prints one line per host and
// task (measured: 0.9 s of a 100-host run went to line-by-line writes).
let pending = [];
let size = 0;
let scheduled = false;
function flush() {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  size = 0;
  process.stdout.write(text);
}
const io = {
  out: (text) => {
    pending.push(text);
    size += text.length;
    if (size >= 1 << 16) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  },
  err: (text) => {
    flush();
    process.stderr.write(text);
  },
  isTTY: Boolean(process.stdout.isTTY),
};

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  // Answered without loading the CLI (its commands import the inventory, YAML and more).
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`bosun ${version}\n`);
} else {
  // The bundle (scripts/bundle.mjs) when the build made one: it starts faster than the ~250 files it holds.
  const bundle = new URL('../dist/bundle/main.js', import.meta.url);
  const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');
  main(argv, io).then((code) => {
    flush();
    process.exitCode = code;
  });
}
