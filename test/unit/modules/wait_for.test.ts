import { promises as fs } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { binWithout } from './http-fixture.js';

const h = new ModuleHarness();
beforeEach(() => h.setup());
afterEach(() => h.teardown());

/** A TCP server on 127.0.0.1 that greets with `banner` and closes. */
async function listen(banner = ''): Promise<net.Server> {
  const srv = net.createServer((s) => s.end(banner));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}
const portOf = (s: net.Server): number => (s.address() as AddressInfo).port;

describe('wait_for', () => {
  it('returns at once for an open port, with elapsed and port; never changed', async () => {
    const srv = await listen();
    try {
      const r = await h.run('wait_for', { port: portOf(srv), timeout: 5 });
      expect(r).toMatchObject({ changed: false, failed: false });
      expect(r.data).toMatchObject({ port: portOf(srv), state: 'started' });
      // whole seconds, as Ansible reports them; 1 when the machine is busy
      expect(r.data['elapsed']).toBeLessThanOrEqual(1);
      const check = await h.run('wait_for', { port: portOf(srv), timeout: 5 }, { check: true });
      expect(check).toMatchObject({ changed: false, failed: false, skipped: false });
    } finally {
      srv.close();
    }
  });

  it('waits for a port that opens later', async () => {
    const probe = await listen();
    const port = portOf(probe);
    await new Promise((r) => probe.close(r));
    const late = net.createServer((s) => s.end());
    setTimeout(() => late.listen(port, '127.0.0.1'), 1500);
    try {
      const r = await h.run('wait_for', { port, timeout: 10 });
      expect(r.failed, r.msg).toBe(false);
      expect(Number(r.data['elapsed'])).toBeGreaterThanOrEqual(1);
    } finally {
      late.close();
    }
  }, 20_000);

  it('times out with Ansible message, or the given msg', async () => {
    const probe = await listen();
    const port = portOf(probe);
    await new Promise((r) => probe.close(r));
    const r = await h.run('wait_for', { port, timeout: 1 });
    expect(r).toMatchObject({ failed: true, msg: `Timeout when waiting for 127.0.0.1:${port}` });
    expect(Number(r.data['elapsed'])).toBeGreaterThanOrEqual(1);
    const m = await h.run('wait_for', { port, timeout: 0, msg: 'api never came up' });
    expect(m.msg).toBe('api never came up');
    const stopped = await h.run('wait_for', { port, state: 'stopped', timeout: 2 });
    expect(stopped.failed).toBe(false);
  }, 20_000);

  it('reads a banner and matches search_regex with groups', async () => {
    const srv = await listen('SSH-2.0-OpenSSH_9.2 hello\n');
    try {
      const r = await h.run('wait_for', { port: portOf(srv), search_regex: 'OpenSSH_([0-9.]+)', timeout: 5 });
      expect(r.failed, r.msg).toBe(false);
      expect(r.data['match_groups']).toEqual(['9.2']);
    } finally {
      srv.close();
    }
  });

  it('waits for a file, a pattern in it, and its absence', async () => {
    const p = h.path('ready');
    setTimeout(() => void fs.writeFile(p, 'booting\nstatus=ready pid=42\n'), 1200);
    const r = await h.run('wait_for', { path: p, search_regex: 'status=(\\w+) pid=(?<pid>\\d+)', timeout: 10 });
    expect(r.failed, r.msg).toBe(false);
    expect(r.data).toMatchObject({ path: p, match_groups: ['ready', '42'], match_groupdict: { pid: '42' } });
    const gone = await h.run('wait_for', { path: p, state: 'absent', timeout: 1 });
    expect(gone).toMatchObject({ failed: true, msg: `Timeout when waiting for file ${p} to stop` });
    await fs.rm(p);
    expect((await h.run('wait_for', { path: p, state: 'absent', timeout: 1 })).failed).toBe(false);
    const nope = await h.run('wait_for', { path: h.path('never'), search_regex: 'x', timeout: 1 });
    expect(nope.msg).toBe(`Timeout when waiting for search string x in file ${h.path('never')}`);
  }, 20_000);

  it('refuses drained and needs bash or nc for ports', async () => {
    expect((await h.run('wait_for', { port: 1, state: 'drained' })).msg).toMatch(
      /^wait_for state=drained is not supported/,
    );
    const bin = await binWithout(['bash', 'nc', 'ncat', 'netcat']);
    const path = process.env['PATH'];
    await h.conn.close();
    process.env['PATH'] = bin;
    try {
      const r = await h.run('wait_for', { port: 1, timeout: 1 });
      expect(r.msg).toBe("wait_for needs 'bash' or 'nc' on the target to test a port (neither found)");
    } finally {
      process.env['PATH'] = path;
      await h.conn.close();
      await fs.rm(bin, { recursive: true, force: true });
    }
  });
});
