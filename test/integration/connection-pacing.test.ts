/**
 * Pacing of SSH handshakes (src/connection/handshake-gate.ts), on real sshd
 * sandbox hosts reached through delay proxies (src/sandbox/delay-proxy.ts):
 * handshakes wait for a slot without the wait counting as their timeout, and a
 * handshake that stalls after the TCP connect while many others run is tried
 * once more, where one on its own is reported unreachable at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { delayedSandbox, type DelayedSandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';

const fixture = withSandbox(9, { base: '127.137.0.1' });
const dir = mkdtempSync(path.join(tmpdir(), 'bosun-pacing-'));
const playbook = path.join(dir, 'site.yml');
writeFileSync(playbook, '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: reach\n      ping:\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let delayed: DelayedSandbox | undefined;
afterEach(async () => {
  delete process.env['BOSUN_SSH_HANDSHAKES'];
  await delayed?.close();
  delayed = undefined;
});

/** The recap line of `host` as counts. */
function recapOf(out: string, host: string): string {
  return out.split('\n').find((l) => l.startsWith(`${host} `)) ?? `(no recap line for ${host})`;
}

fixture.describe('SSH handshake pacing', () => {
  it('waits for a slot without counting the wait as the connect timeout', async () => {
    const hosts = fixture.sandbox.hosts.slice(0, 3);
    // About 10 round trips per set-up at 250 ms: each set-up takes some 2.5 s, the three in turn 7.5 s.
    delayed = await delayedSandbox({ ...fixture.sandbox, hosts }, 250, path.join(dir, 'slow'));
    process.env['BOSUN_SSH_HANDSHAKES'] = '1';
    const r = await runCli(['run', playbook, '-i', delayed.inventoryFile, '-f', '3', '-T', '5', '--no-color']);
    expect(r.out).not.toContain('UNREACHABLE');
    for (const h of hosts) expect(recapOf(r.out, h.name)).toMatch(/ok=1 .*unreachable=0/);
    expect(r.code).toBe(0);
    // One handshake at a time: each host's connection was opened after the previous set-up ended.
    const opened = delayed.proxies.map((p) => p.counts.openedAt[0]!).sort((a, b) => a - b);
    expect(opened[1]! - opened[0]!).toBeGreaterThanOrEqual(1000);
    expect(opened[2]! - opened[1]!).toBeGreaterThanOrEqual(1000);
  }, 60_000);

  it('tries a handshake that stalled under load once more', async () => {
    const first = fixture.sandbox.hosts[0]!;
    delayed = await delayedSandbox(fixture.sandbox, 0, path.join(dir, 'stall'), {
      stallFirst: (h) => (h.name === first.name ? 1 : 0),
    });
    const r = await runCli(['run', playbook, '-i', delayed.inventoryFile, '-f', '9', '-T', '2', '--no-color']);
    expect(recapOf(r.out, first.name)).toMatch(/ok=1 .*unreachable=0/);
    expect(delayed.proxies[0]!.counts.connections).toBe(2);
    expect(r.code).toBe(0);
  }, 60_000);

  it('reports a stalled handshake on its own at once, as Ansible does', async () => {
    const first = fixture.sandbox.hosts[0]!;
    delayed = await delayedSandbox({ ...fixture.sandbox, hosts: [first] }, 0, path.join(dir, 'alone'), {
      stallFirst: () => 1,
    });
    const r = await runCli(['run', playbook, '-i', delayed.inventoryFile, '-T', '2', '--no-color']);
    expect(r.out).toContain('timed out after 2 s connecting');
    expect(recapOf(r.out, first.name)).toMatch(/unreachable=1/);
    expect(delayed.proxies[0]!.counts.connections).toBe(1);
  }, 60_000);
});
