#!/usr/bin/env node
/**
 * Print the top frames of a V8 .cpuprofile by self time, and self time per file:
 * `node bench/tools/top-frames.mjs FILE [N]`.
 */
import { readFileSync } from 'node:fs';

const [file, n = '25'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) {
  const node = byId.get(prof.samples[i]);
  self.set(node.id, (self.get(node.id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const frames = new Map();
const files = new Map();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const short = url.replace(/^file:\/\/\/work\/main\//, '').replace(/^.*node_modules\//, 'nm/');
  const key = `${functionName || '(anon)'} ${short}:${lineNumber + 1}`;
  frames.set(key, (frames.get(key) ?? 0) + us);
  const f = short.replace(/:\d+$/, '') || '(native/gc/idle)';
  const pkg = f.startsWith('nm/') ? f.split('/').slice(0, 2).join('/') : f;
  files.set(pkg, (files.get(pkg) ?? 0) + us);
}
const show = (m) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(n))
    .map(([k, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
process.stdout.write(
  `total ${(total / 1000).toFixed(0)} ms\n--- frames\n${show(frames)}\n--- files/packages\n${show(files)}\n`,
);

// With a third argument, show the call stacks (5 frames up) that spend the most self time in that function.
const focus = process.argv[4];
if (focus) {
  const parent = new Map();
  for (const node of prof.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const stacks = new Map();
  for (const [id, us] of self) {
    if (byId.get(id).callFrame.functionName !== focus) continue;
    const names = [];
    for (let p = parent.get(id), k = 0; p !== undefined && k < 14; p = parent.get(p), k++) {
      const f = byId.get(p).callFrame;
      names.push(`${f.functionName || '(anon)'}@${f.url.split('/').pop()}:${f.lineNumber + 1}`);
    }
    const key = names.join(' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  process.stdout.write(`--- callers of ${focus}\n${show(stacks)}\n`);
}
