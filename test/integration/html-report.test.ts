/**
 * The HTML report for real: `bosun run --report --log` on the controller
 * itself, `bosun report` from the log, and the page in a headless Chromium
 * (Debian's `chromium`): nothing fetched, filters by host, status and tag,
 * a screenshot (BOSUN_UPDATE_SCREENSHOT=1 writes docs/images/report.png, the
 * one the README shows).
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHtmlReporter } from '../../src/reporters/html.js';
import { callHook } from '../../src/reporters/types.js';
import { playFixture } from '../unit/reporters/fixture-run.js';
import { runCli as bosun } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-report-'));
const CHROMIUM = '/usr/bin/chromium';

describe('--report and --log from a real run, bosun report from the log', () => {
  it('writes both; the report rendered later from the log shows the same run', async () => {
    const target = path.join(dir, 'motd');
    const playbook = path.join(dir, 'local.yml');
    writeFileSync(
      playbook,
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        `    - copy: { dest: ${target}, content: "hello <world>\\n" }`,
        '      tags: [files]',
        '    - command: "false"',
        '      ignore_errors: true',
        '      tags: [checks]',
        '    - debug: { msg: done }',
        '',
      ].join('\n'),
    );
    const report = path.join(dir, 'run.html');
    const log = path.join(dir, 'run.jsonl');
    const res = await bosun(['run', playbook, '--report', report, '--log', log, '--diff']);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('TASK [copy]');
    expect(html).toContain('<span class="add">+hello &lt;world&gt;</span>');
    expect(html).toContain('rc=1');
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines[0]!.type).toBe('run_start');
    expect(lines.at(-1)!.type).toBe('recap');
    const later = path.join(dir, 'later.html');
    const rendered = await bosun(['report', log, '-o', later]);
    expect(rendered.code).toBe(0);
    // The run's recap, then where the report went (the exit code is the run's).
    expect(rendered.out).toMatch(/^PLAY RECAP \*+\nlocalhost +: ok=3 +changed=2 .*ignored=1 *\n\n/);
    expect(rendered.out.endsWith(`report written to ${later}\n`)).toBe(true);
    const strip = (s: string) =>
      s.replace(/ ?\d+\.\d+ s|took [^·]+|started [^·]+|left:[\d.]+%;width:[\d.]+%|at [\d.]+ s/g, '');
    expect(strip(readFileSync(later, 'utf8'))).toBe(strip(html));
    expect((await bosun(['report', path.join(dir, 'missing.jsonl')])).code).toBe(5);
  });
});

const skip = existsSync(CHROMIUM) ? undefined : `needs Debian's chromium at ${CHROMIUM} (apt-get install -y chromium)`;
describe.skipIf(skip !== undefined)(`the report in headless Chromium${skip ? ` [skipped: ${skip}]` : ''}`, () => {
  type Browser = import('playwright-core').Browser;
  let browser: Browser;
  const file = path.join(dir, 'fixture.html');
  const requests: string[] = [];

  beforeAll(async () => {
    const clock = { now: 0 };
    const reporter = createHtmlReporter(file, () => clock.now);
    playFixture((e) => void callHook(reporter, e), clock);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  }, 60_000);
  // A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
  });

  it('opens with nothing fetched, filters by host, status and tag, and looks right', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) requests.push(r.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    expect(await page.title()).toBe('bosun report: site.yml');
    expect(await page.textContent('#f-count')).toBe('9 results shown');
    expect(await page.locator('.lane').count()).toBe(3);
    expect(await page.locator('.bar').count()).toBe(9);
    // BOSUN_UPDATE_SCREENSHOT=1 refreshes the README's image; otherwise it goes to the temp folder.
    const shot =
      process.env['BOSUN_UPDATE_SCREENSHOT'] === '1'
        ? path.resolve('docs/images/report.png')
        : path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    // Host web2 only: its 3 results; the tasks it did not run disappear.
    await page.selectOption('#f-host', 'web2');
    expect(await page.textContent('#f-count')).toBe('3 results shown');
    expect(await page.locator('tr.result:visible td.host').allTextContents()).toEqual(['web2', 'web2', 'web2']);
    expect(await page.locator('.task:visible .name').allTextContents()).toEqual([
      'TASK [install nginx]',
      'TASK [write nginx.conf]',
      'TASK [check config]',
    ]);
    expect(await page.locator('.lane:visible .lane-name').allTextContents()).toEqual(['web2']);

    // Click "ok" off: the failure is what is left.
    await page.click('label.st-ok input');
    expect(await page.textContent('#f-count')).toBe('1 result shown');
    expect(await page.locator('tr.result:visible').innerText()).toContain('unknown directive "worker_procs"');
    await page.screenshot({ path: path.join(dir, 'filtered.png'), fullPage: true });

    // Tag "config", all hosts and statuses: the two config tasks.
    await page.selectOption('#f-host', '');
    await page.click('label.st-ok input');
    await page.selectOption('#f-tag', 'config');
    expect(await page.locator('.task:visible .name').allTextContents()).toEqual([
      'TASK [write nginx.conf]',
      'TASK [check config]',
    ]);
    expect(await page.textContent('#f-count')).toBe('4 results shown');
    // The diff of the change is on the page; the no_log secret is not.
    expect(await page.locator('pre.diff .add').first().innerText()).toBe('+worker_processes 4;');
    expect(await page.content()).not.toContain('hunter2');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
