/**
 * Shards for real (issue 18 item 4): 4 `bosun run --shard` processes at once
 * over 40 sandbox hosts, their logs merged by `bosun report`, compared with
 * one unsharded run of the same playbook: the same recap lines, the same
 * exit code, the same hosts and results in the HTML report. Beside it, on
 * the controller alone: an empty shard, run_once once per shard, localhost
 * in every shard, --list-hosts of a shard.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shardOfHost } from '../../src/inventory/shard.js';
import { runCli } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';
import { writeTree } from '../helpers/tree.js';

const HOSTS = 40;
const SHARDS = 4;
const fixture = withSandbox(HOSTS, { base: '127.97.0.1' });
const CHILD = path.resolve('test/helpers/bosun-source.mjs');

/** `bosun ARGS` in a child process of its own: output, exit code, wall time. */
function bosunChild(args: string[]): Promise<{ code: number | null; out: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, ms: Date.now() - started })));
}

/** The PLAY RECAP's host lines of some output. */
function recapLines(out: string): string[] {
  const at = out.lastIndexOf('PLAY RECAP *');
  return out
    .slice(at)
    .split('\n')
    .slice(1)
    .filter((l) => / : ok=\d+/.test(l));
}

/** The hosts a report's host filter lists, and its results as `host status` (sorted). */
function reportFacts(file: string): { hosts: string[]; results: string[]; tasks: string[] } {
  const html = readFileSync(file, 'utf8');
  const hosts = [...html.matchAll(/<option>([^<]+)<\/option>/g)].map((m) => m[1]!).filter((h) => h.startsWith('node'));
  const results = [...html.matchAll(/<tr class="result" data-host="([^"]+)" data-status="([^"]+)"/g)]
    .map((m) => `${m[1]} ${m[2]}`)
    .sort();
  const tasks = [...html.matchAll(/<span class="name">([^<]+)<\/span>/g)].map((m) => m[1]!);
  return { hosts, results, tasks };
}

const PLAYBOOK = [
  '- hosts: sandbox',
  '  gather_facts: false',
  '  tasks:',
  '    - copy: { dest: "/tmp/bosun-shards-{{ run }}", content: "{{ inventory_hostname }}\\n" }',
  '    - command: cat /tmp/bosun-shards-{{ run }}',
  '      register: written',
  '      changed_when: false',
  '    - name: the whole inventory is seen from every shard',
  '      assert:',
  '        that:',
  "          - groups['sandbox'] | length == 40",
  '          - written.stdout == inventory_hostname',
  "          - hostvars[groups['sandbox'][0]]['ansible_host'] is defined",
  '    - name: delegated to a host of another shard, reached with its inventory variables',
  '      command: echo {{ inventory_hostname }}',
  '      delegate_to: "{{ groups[\'sandbox\'][0] }}"',
  '      changed_when: false',
  '    - fail: { msg: planned failure }',
  "      when: inventory_hostname in ['node07', 'node23']",
  '- hosts: sandbox[0:9]',
  '  gather_facts: false',
  '  serial: 4',
  '  tasks:',
  '    - debug: { msg: "batch of {{ ansible_play_batch | length }}" }',
  '',
].join('\n');

fixture.describe('4 shards over 40 sandbox hosts against one unsharded run', () => {
  it('gives the same recap lines, exit code and report hosts and results; each host in exactly one shard', async () => {
    const dir = writeTree({ 'site.yml': PLAYBOOK });
    const inventory = fixture.sandbox.inventoryFile;
    const common = ['run', path.join(dir, 'site.yml'), '-i', inventory, '-f', '10'];

    // The shards at once, as an Indexed Job's pods would run; half of them with the 0-based index.
    const shardArgs = (k: number): string[] =>
      k % 2 === 0 ? ['--shard', `${k + 1}/${SHARDS}`] : ['--shard-index', `${k}/${SHARDS}`];
    const started = Date.now();
    const shards = await Promise.all(
      Array.from({ length: SHARDS }, (_, k) =>
        bosunChild([...common, '-e', 'run=sharded', ...shardArgs(k), '--log', path.join(dir, `shard-${k + 1}.jsonl`)]),
      ),
    );
    const shardedMs = Date.now() - started;
    const whole = await bosunChild([
      ...common,
      '-e',
      'run=whole',
      '--log',
      path.join(dir, 'whole.jsonl'),
      '--report',
      path.join(dir, 'whole.html'),
    ]);
    console.log(
      `shards: ${SHARDS} processes at once ${shardedMs} ms (each ${shards.map((s) => s.ms).join(', ')} ms); unsharded ${whole.ms} ms`,
    );

    expect(whole.code, whole.out).toBe(2);
    // Each host in exactly one shard, the one its name gives; the shards' own exit codes follow their hosts.
    const byShard = shards.map((s) => recapLines(s.out).map((l) => l.split(' ')[0]!));
    expect(byShard.flat().sort()).toEqual(recapLines(whole.out).map((l) => l.split(' ')[0]!));
    byShard.forEach((hosts, k) => {
      for (const h of hosts) expect(shardOfHost(h, SHARDS)).toBe(k);
      expect(shards[k]!.out).toContain(`SHARD [${k + 1}/${SHARDS}: ${hosts.length} of the ${HOSTS} selected host(s)]`);
      expect(shards[k]!.code, shards[k]!.out).toBe(hosts.includes('node07') || hosts.includes('node23') ? 2 : 0);
    });

    const merged = await runCli([
      'report',
      ...[3, 1, 4, 2].map((k) => path.join(dir, `shard-${k}.jsonl`)),
      '-o',
      path.join(dir, 'merged.html'),
    ]);
    expect(merged.err).toBe('');
    expect(merged.code).toBe(whole.code);
    expect(recapLines(merged.out)).toEqual(recapLines(whole.out));
    expect(recapLines(merged.out)).toHaveLength(HOSTS);

    const mergedReport = reportFacts(path.join(dir, 'merged.html'));
    const wholeReport = reportFacts(path.join(dir, 'whole.html'));
    expect(mergedReport.hosts).toHaveLength(HOSTS);
    expect(mergedReport.hosts).toEqual(wholeReport.hosts);
    expect(mergedReport.results).toEqual(wholeReport.results);
    expect(new Set(mergedReport.tasks)).toEqual(new Set(wholeReport.tasks));
    expect(readFileSync(path.join(dir, 'merged.html'), 'utf8')).toContain('merged from shards 1, 2, 3, 4 of 4');

    // The unsharded log through bosun report: the same recap and exit code as the run printed.
    const again = await runCli(['report', path.join(dir, 'whole.jsonl'), '-o', path.join(dir, 'again.html')]);
    expect(again.code).toBe(2);
    expect(recapLines(again.out)).toEqual(recapLines(whole.out));
  }, 300_000);
});

describe('shards on the controller alone', () => {
  const dir = writeTree({
    'hosts.ini': Array.from({ length: 12 }, (_, i) => `web${i + 1} ansible_connection=local`).join('\n') + '\n',
    'site.yml': [
      '- hosts: localhost',
      '  gather_facts: false',
      '  tasks:',
      '    - debug: { msg: "controller work" }',
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - debug: { msg: "once" }',
      '      run_once: true',
      '    - debug: { msg: "each" }',
      '',
    ].join('\n'),
  });
  const run = (...args: string[]) =>
    runCli(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini'), ...args]);
  const shardOf = (h: string): number => shardOfHost(h, 3);

  it('runs run_once once in each shard (warned about), and localhost plays in every shard', async () => {
    const outs = await Promise.all([1, 2, 3].map((k) => run('--shard', `${k}/3`)));
    for (const [k, res] of outs.entries()) {
      expect(res.code).toBe(0);
      expect(res.out).toContain('[WARNING]: run_once runs once in each shard, not once in all (debug (');
      const lines = recapLines(res.out);
      expect(lines.some((l) => l.startsWith('localhost '))).toBe(true);
      const mine = lines.map((l) => l.split(' ')[0]!).filter((h) => h !== 'localhost');
      for (const h of mine) expect(shardOf(h)).toBe(k);
      expect(res.out.match(/"msg": "once"/g)).toHaveLength(1);
    }
  });

  it('says so when a shard holds none of the selected hosts, and exits 0 as a play that matches no host', async () => {
    const host = 'web1';
    const other = [1, 2, 3].find((k) => k - 1 !== shardOf(host))!;
    const res = await run('--limit', host, '--shard', `${other}/3`);
    expect(res.code).toBe(0);
    expect(res.out).toContain(
      `[WARNING]: shard ${other}/3 holds none of the 1 selected host(s): its plays match no host (the hosts are spread by name; see docs/scale.md)`,
    );
    expect(res.out).toContain('PLAY [all] ****');
    expect(res.out).toContain('skipping: no hosts matched');
    // A --limit that matches nothing stays an error, as in Ansible (before any shard is taken).
    expect((await run('--limit', 'nosuchhost', '--shard', '1/3')).code).toBe(1);
  });

  it('lists the hosts of a shard with --list-hosts, the same for --shard K/N and --shard-index K-1/N', async () => {
    const listed = async (...args: string[]): Promise<string[]> => {
      const res = await run('--list-hosts', ...args);
      expect(res.code).toBe(0);
      return res.out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^web\d+$/.test(l));
    };
    const all = await listed();
    const parts = await Promise.all([1, 2, 3].map((k) => listed('--shard', `${k}/3`)));
    expect(parts.flat().sort()).toEqual([...all].sort());
    expect(await listed('--shard-index', '1/3')).toEqual(parts[1]);
    expect((await run('--shard', '4/3')).code).toBe(5);
  });
});
