/**
 * Check mode never lies: every registered module runs through its scenario
 * table (test/fixtures/check-mode/<module>.yml) on real sandbox hosts with
 * the differential harness (test/helpers/check-harness.ts). Light hosts
 * (127.87.0.x) run the tables side by side, one table at a time per host; a
 * systemd host (127.87.1.1) runs systemd and service. A local web server on
 * 127.0.0.1 serves files and archives for get_url, unarchive and uri; an iptables proxy on 127.180.250.1
 * (test/helpers/fw-proxy.ts) runs the iptables table's commands in a network namespace per host.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleRegistry } from '../../src/modules/index.js';
import { loadTable, onHost, runTable, type ScenarioOutcome, type TableEnv } from '../helpers/check-harness.js';
import { fwStandInScript, startFwProxy, type FwProxy } from '../helpers/fw-proxy.js';
import { debianMirrorSkip } from '../helpers/network.js';
import { withSandbox, type SandboxFixture } from '../helpers/sandbox.js';

/** Modules without a table, and why. */
const EXEMPT: Record<string, string> = {
  assert: 'evaluates expressions on the controller; nothing on the target to snapshot',
  debug: 'prints on the controller; nothing on the target to snapshot',
  fail: 'fails by design; nothing on the target to snapshot',
  meta: 'controls the run (handlers, end_play); nothing on the target to snapshot',
  pause: 'waits on the controller; nothing on the target to snapshot',
  set_fact: 'sets variables on the controller; nothing on the target to snapshot',
  validate_argument_spec: 'checks variables on the controller; nothing on the target to snapshot',
  dnf: 'needs an RPM host; the sandbox hosts are this Debian machine (covered by unit tests with a fake connection)',
  yum: 'needs an RPM host; the sandbox hosts are this Debian machine (covered by unit tests with a fake connection)',
};

const TABLES = path.resolve('test/fixtures/check-mode');
const tableNames = (): string[] => [...moduleRegistry.keys()].filter((m) => !(m in EXEMPT)).sort();
const hasTable = (m: string): boolean => existsSync(path.join(TABLES, `${m}.yml`));

/** The modules listed under "## Check mode" in docs/modules.md as unable to always predict. */
function documentedUnpredictable(): string[] {
  const docs = readFileSync(path.resolve('docs/modules.md'), 'utf8');
  const start = docs.indexOf('\n## Check mode\n');
  if (start < 0) return [];
  const end = docs.indexOf('\n## ', start + 1);
  return [...docs.slice(start, end < 0 ? undefined : end).matchAll(/^- `([a-z_]+)`/gm)].map((m) => m[1]!).sort();
}

describe('check-mode tables', () => {
  it('every registered module has a table or a reason not to', () => {
    for (const name of moduleRegistry.keys()) {
      expect(
        existsSync(path.join(TABLES, `${name}.yml`)) || name in EXEMPT,
        `${name}: add test/fixtures/check-mode/${name}.yml`,
      ).toBe(true);
    }
    for (const name of Object.keys(EXEMPT))
      expect(existsSync(path.join(TABLES, `${name}.yml`)), `${name} is exempt and has a table`).toBe(false);
  });

  it.each(tableNames().filter(hasTable))('%s: the table is well formed', (name) => {
    const table = loadTable(name);
    expect(table.scenarios.length).toBeGreaterThan(0);
    expect(new Set(table.scenarios.map((s) => s.name)).size).toBe(table.scenarios.length);
    for (const s of table.scenarios) expect(['changed', 'ok', 'skipped', 'failed']).toContain(s.expect);
  });

  it('docs/modules.md lists exactly the modules that may not predict (checkMode partial)', () => {
    const partial = [...moduleRegistry.values()]
      .filter((m) => m.checkMode === 'partial')
      .map((m) => m.name)
      .sort();
    expect(documentedUnpredictable()).toEqual(partial);
  });
});

/** Everything the tables produced, by module. */
const outcomes = new Map<string, ScenarioOutcome[]>();

let server: Server;
let http = '';
// iptables runs for real in a network namespace per host that the proxy makes (never the machine's).
const FW = ['127.180.250.1', 47180] as const;
let fwProxy: FwProxy | undefined;
const served = mkdtempSync(path.join(tmpdir(), 'bosun-check-served-'));

beforeAll(async () => {
  mkdirSync(path.join(served, 'tree', 'sub'), { recursive: true });
  writeFileSync(path.join(served, 'hello.txt'), 'hello\n');
  writeFileSync(path.join(served, 'other.txt'), 'other\n');
  writeFileSync(path.join(served, 'tree', 'a.txt'), 'alpha\n');
  writeFileSync(path.join(served, 'tree', 'sub', 'b.txt'), 'beta\n');
  execFileSync('tar', ['-czf', 'tree.tar.gz', 'tree'], { cwd: served });
  execFileSync('zip', ['-qr', 'tree.zip', 'tree'], { cwd: served });
  execFileSync('sh', ['-c', 'sha256sum hello.txt other.txt tree.tar.gz > SHA256SUMS'], { cwd: served });
  server = createServer((req, res) => {
    const file = path.join(served, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(served) || !existsSync(file) || (!file.includes('.') && !file.endsWith('SUMS'))) {
      res.writeHead(404).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  http = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fwProxy = await startFwProxy(...FW);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fwProxy?.close();
});

/** Run tables of one kind of host, one at a time per host, the hosts side by side. */
function tableTests(fixture: SandboxFixture, kind: 'light' | 'systemd', hosts: number): void {
  const names = tableNames().filter((n) => hasTable(n) && loadTable(n).host === kind);
  const queues: Array<Promise<unknown>> = Array.from({ length: hosts }, () => Promise.resolve());
  beforeAll(async () => {
    // A user and a group to own files in "different owner" scenarios.
    await Promise.all(
      fixture.sandbox.hosts.map((h) =>
        onHost(
          fixture,
          h,
          'getent group bosunckg >/dev/null || groupadd bosunckg; id bosunck >/dev/null 2>&1 || useradd -M -s /bin/sh bosunck',
        ),
      ),
    );
  });
  // Scenarios that need Debian's mirror are left out when it cannot be reached; the title says so.
  const offline = (n: string) =>
    networkSkip !== undefined && loadTable(n).scenarios.some((s) => s.network) ? networkSkip : undefined;
  const title = (n: string) => {
    const why = offline(n);
    return why === undefined ? n : `${n} [some scenarios skipped: ${why}]`;
  };
  it.concurrent.each(names.map((n, i) => [title(n), n, i] as const))(
    '%s: check mode predicts the real run',
    async (_title, name, i) => {
      const slot = i % hosts;
      const env = (): TableEnv => ({
        fixture,
        host: fixture.sandbox.hosts[slot]!,
        http,
        served,
        fw: fwStandInScript(...FW),
      });
      const table = loadTable(name);
      if (offline(name) !== undefined) table.scenarios = table.scenarios.filter((s) => !s.network);
      const run = queues[slot]!.then(() => runTable(env(), table));
      queues[slot] = run.catch(() => undefined);
      const result = await run;
      outcomes.set(name, result);
      if (process.env['BOSUN_CHECK_VERBOSE'])
        console.info(result.map((o) => `${name} ${o.name}: ${o.predicted} -> ${o.real}`).join('\n'));
      const bad = result.filter((o) => o.problems.length).map((o) => `${o.name}: ${o.problems.join('; ')}`);
      expect(bad).toEqual([]);
    },
    170_000,
  );
}

/** Why the scenarios marked `network` cannot run here, or undefined. */
const networkSkip = await debianMirrorSkip();
const light = withSandbox(4, { base: '127.87.0.1' });
light.describe('check mode on light sandbox hosts', () => tableTests(light, 'light', 4));

const systemd = withSandbox(1, { base: '127.87.1.1', systemd: true });
systemd.describe('check mode on a systemd sandbox host', () => tableTests(systemd, 'systemd', 1));

describe.skipIf(light.skipReason !== undefined)('check mode: what the tables showed', () => {
  it('the modules whose check mode said skipped are the ones docs/modules.md lists', () => {
    const skipping = [...outcomes]
      // A skip the real run shares (unarchive's creates) is a prediction, not a check mode that cannot know.
      .filter(([, os]) => os.some((o) => o.predicted === 'skipped' && o.real !== 'skipped'))
      .map(([m]) => m)
      .sort();
    expect(skipping).toEqual(documentedUnpredictable());
    const counts = [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([m, os]) => `${m}=${os.length}`);
    console.info(
      `check-mode scenarios: ${[...outcomes.values()].reduce((n, os) => n + os.length, 0)} (${counts.join(' ')})`,
    );
  });
});
