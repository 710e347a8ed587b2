/**
 * reboot and wait_for_connection on a scripted connection that goes away and
 * comes back: the session dropped after each failed try, the boot id
 * compared, the reboot command found in search_paths, the failures worded as
 * Ansible's, check mode (reboot predicts, wait skips), and a local connection refused.
 */
import { describe, expect, it } from 'vitest';
import type { Connection, ConnectionSpec, ExecResult } from '../../../src/connection/types.js';
import { ConnectionError } from '../../../src/errors.js';
import { getModule } from '../../../src/modules/index.js';
import type { ModuleContext } from '../../../src/modules/types.js';
import { settle } from '../../../src/executor/settle.js';
import { ModuleHarness } from '../../helpers/module-harness.js';

/** A host that reboots: after the reboot command, `down` commands fail with a lost connection, then a new boot id. */
class RebootingHost implements Connection {
  readonly spec: ConnectionSpec = {
    name: 'h',
    type: 'ssh',
    address: '127.0.0.1',
    port: 22,
    user: 'root',
    strictHostKeyChecking: true,
    knownHostsFiles: [],
    connectTimeoutMs: 1000,
  };
  readonly scripts: string[] = [];
  resets = 0;
  boot = 'first';
  down = 0;
  constructor(private readonly opts: { downFor?: number; rebootRc?: number } = {}) {}
  connect(): Promise<void> {
    return Promise.resolve();
  }
  exec(script: string): Promise<ExecResult> {
    this.scripts.push(script);
    if (this.down > 0) {
      this.down--;
      if (this.down === 0) this.boot = 'second';
      return Promise.reject(new ConnectionError('h', 'connection refused'));
    }
    if (script.includes('boot_id')) return Promise.resolve({ rc: 0, stdout: `${this.boot}\n`, stderr: '' });
    if (script.includes('for d in')) return Promise.resolve({ rc: 0, stdout: '/sbin/shutdown\n', stderr: '' });
    if (script.includes('shutdown')) {
      this.down = this.opts.downFor ?? 1;
      return Promise.resolve({ rc: this.opts.rebootRc ?? 0, stdout: '', stderr: this.opts.rebootRc ? 'denied' : '' });
    }
    return Promise.resolve({ rc: 0, stdout: script === 'echo pong' ? 'pong\n' : 'root\n', stderr: '' });
  }
  writeFile(): Promise<void> {
    return Promise.resolve();
  }
  readFile(): Promise<Buffer | null> {
    return Promise.resolve(null);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  reset(): Promise<void> {
    this.resets++;
    return Promise.resolve();
  }
}

const h = new ModuleHarness();

async function run(module: string, args: Record<string, unknown>, conn: Connection, check = false) {
  const ctx: ModuleContext = { ...h.context({ check }), conn };
  const d = await getModule(module)!.decide(ctx, args);
  return settle(d, { check, diff: false });
}

describe('reboot', () => {
  it('reboots with shutdown -r 0 "MSG", waits for a new boot id over new sessions, then the test command', async () => {
    const host = new RebootingHost({ downFor: 1 });
    const v = await run('reboot', { msg: 'it\'s "time"' }, host);
    expect(v).toMatchObject({ status: 'changed', returned: { rebooted: true } });
    // Quoted as one word (Ansible puts the message between double quotes as it is).
    expect(host.scripts.find((s) => s.includes(' -r '))).toBe('/sbin/shutdown -r 0 "it\'s \\"time\\""');
    expect(host.resets).toBeGreaterThan(0);
    expect(host.scripts.at(-1)).toBe('whoami');
  }, 20_000);

  it('a failing reboot command fails with its output, not rebooted', async () => {
    const v = await run('reboot', {}, new RebootingHost({ rebootRc: 1 }));
    expect(v).toMatchObject({ status: 'failed', msg: "Reboot command failed. Error was: ', denied'" });
  });

  it('a reboot command not found in search_paths fails as Ansible words it', async () => {
    const host = new RebootingHost();
    host.exec = (script: string) =>
      Promise.resolve({ rc: 0, stdout: script.includes('for d in') ? '' : 'first\n', stderr: '' });
    const v = await run('reboot', { reboot_command: 'nope now', search_paths: ['/x y'] }, host);
    expect(v).toMatchObject({ status: 'failed', msg: `Unable to find command "nope" in search paths: ['/x y']` });
  });

  it('check mode predicts the reboot without running anything but the connection', async () => {
    const host = new RebootingHost();
    const v = await run('reboot', {}, host, true);
    expect(v).toMatchObject({ status: 'changed', returned: { rebooted: true, elapsed: 0 } });
    expect(host.scripts).toEqual([]);
  });

  it('refuses a local connection (it would reboot the controller)', async () => {
    const host = new RebootingHost();
    (host.spec as { type: string }).type = 'local';
    expect(await run('reboot', {}, host)).toMatchObject({ status: 'failed' });
  });
});

describe('wait_for_connection', () => {
  it('retries over new sessions until the host answers', async () => {
    const host = new RebootingHost();
    host.down = 2;
    const v = await run('wait_for_connection', { sleep: 0, timeout: 10 }, host);
    expect(v).toMatchObject({ status: 'ok', returned: { elapsed: 0 } });
    expect(host.resets).toBe(3);
  });

  it('times out with the last error; check mode skips', async () => {
    const host = new RebootingHost();
    host.down = 1000;
    const v = await run('wait_for_connection', { sleep: 0, timeout: 1 }, host);
    expect(v).toMatchObject({ status: 'failed' });
    expect(v.msg).toMatch(/^timed out waiting for ping module test: .*connection refused/);
    expect((await run('wait_for_connection', {}, new RebootingHost(), true)).status).toBe('skipped');
  });
});
