/**
 * Load: 200 sandbox hosts with forks 100 finish with bounded controller
 * memory, and under `strategy: free` a slow host never holds the others back.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { withSandbox } from '../helpers/sandbox.js';

const HOSTS = 200;
const fixture = withSandbox(HOSTS, { base: '127.112.0.1' });

fixture.describe(`${HOSTS} sandbox hosts`, () => {
  it(`forks 100: every host finishes, controller peak RSS stays bounded`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-load-'));
    writeFileSync(
      path.join(dir, 'site.yml'),
      [
        '- hosts: sandbox',
        '  gather_facts: false',
        '  tasks:',
        '    - file: { path: /opt/load, state: directory }',
        '    - copy: { dest: /opt/load/a.conf, content: "host={{ inventory_hostname }}\\n" }',
        '    - lineinfile: { path: /opt/load/b.conf, line: x = 1, create: true }',
        '    - stat: { path: /opt/load/a.conf }',
        '      register: st',
        '    - assert: { that: [st.stat.exists] }',
        '',
      ].join('\n'),
    );
    if (!existsSync(path.resolve('dist/cli/main.js'))) throw new Error('run npm run build first (npm ci does it)');
    // A child process, so its own peak RSS is measured (not the test runner's).
    const script = `import(${JSON.stringify(path.resolve('dist/cli/main.js'))}).then(async (m) => {
      const code = await m.main(process.argv.slice(1), { out: () => {}, err: (t) => process.stderr.write(t), isTTY: false });
      process.stderr.write('MAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n');
      process.exit(code);
    });`;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script,
        'run',
        path.join(dir, 'site.yml'),
        '-i',
        fixture.sandbox.inventoryFile,
        '--forks',
        '100',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const t0 = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const seconds = (Date.now() - t0) / 1000;
    expect(code, err).toBe(0);
    const rssMb = Number(/MAXRSS_KB (\d+)/.exec(err)?.[1]) / 1024;
    console.info(`${HOSTS} hosts, forks 100: ${seconds.toFixed(1)} s, controller peak RSS ${rssMb.toFixed(0)} MB`);
    expect(rssMb).toBeLessThan(300);
  }, 300_000);

  it('strategy: free — a slow host does not hold the others back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-free-'));
    writeFileSync(
      path.join(dir, 'site.yml'),
      [
        '- hosts: sandbox',
        '  gather_facts: false',
        '  strategy: free',
        '  tasks:',
        '    - command: sleep 4',
        '      when: (eq inventory_hostname "node001")',
        '    - debug: msg=one',
        '    - debug: msg=two',
        '',
      ].join('\n'),
    );
    let out = '';
    const code = await main(
      [
        'run',
        path.join(dir, 'site.yml'),
        '-i',
        fixture.sandbox.inventoryFile,
        '--limit',
        'node00*:node01*',
        '--forks',
        '50',
        '--json',
      ],
      {
        out: (t) => {
          out += t;
        },
        err: () => {},
        isTTY: false,
      },
    );
    expect(code).toBe(0);
    const results = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; host?: string; module?: string })
      .filter((e) => e.type === 'task_result');
    const lastOf = (h: string) => results.map((r) => r.host).lastIndexOf(h);
    const slow = lastOf('node001');
    const others = [...new Set(results.map((r) => r.host!))].filter((h) => h !== 'node001');
    expect(others.length).toBeGreaterThan(10);
    for (const h of others) expect(lastOf(h)).toBeLessThan(slow);
  }, 120_000);
});
