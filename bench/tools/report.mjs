#!/usr/bin/env node
/**
 * Re-render the markdown report and the chart from a results JSON:
 * `node bench/tools/report.mjs bench/results/latest.json`.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChart } from '../lib/chart.mjs';
import { markdown, targets } from '../lib/report.mjs';

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/tools/report.mjs RESULTS.json');
const results = JSON.parse(readFileSync(file, 'utf8'));
results.targets = targets(results);
const out = dirname(file);
writeFileSync(join(out, 'latest.md'), markdown(results));
const chart = writeChart(
  results.rows,
  `bosun, Ansible and the floor: ${results.tasks}-task playbook`,
  join(out, 'chart.svg'),
  join(out, 'chart.png'),
);
if (chart.png)
  copyFileSync(join(out, 'chart.png'), join(dirname(dirname(fileURLToPath(import.meta.url))), 'chart-latest.png'));
process.stdout.write(`${join(out, 'latest.md')}${chart.png ? `, ${join(out, 'chart.png')}` : ` (${chart.hint})`}\n`);
