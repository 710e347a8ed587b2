/**
 * `bosun convert` on real hosts: the fixture role (test/fixtures/convert/roles/runtime, Galaxy/kubespray idioms) and
 * its converted copy, each run by `bosun run` on two sandbox hosts (127.198.0.0/16) whose variables take different
 * branches, write the same files with the same recap; a second run of each changes nothing.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { runCli } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';
import { writeTree } from '../helpers/tree.js';

const fixture = withSandbox(2, { base: '127.198.0.1' });
const open: SshConnection[] = [];
const ROLE = path.resolve('test/fixtures/convert/roles/runtime');
const FILES = ['etc/config.toml', 'etc/client.yaml', 'etc/99-runtime.conf', 'etc/proxy.conf', 'etc/daemon.json'];
const STATE = ['state/version', 'state/restarted'];

interface Recap {
  type: string;
  hosts?: Record<string, { ok: number; changed: number; failed: number; skipped: number }>;
}

/** A project running the role on every host, with the second host's variables flipping the templates' branches. */
function project(role: (dir: string) => void, hosts: string[]): string {
  const dir = writeTree({
    'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [runtime]\n',
    [`host_vars/${hosts[1]!}.yml`]: [
      'runtime_debug: true',
      'runtime_cgroup_driver: cgroupfs',
      'runtime_registry_mirrors: []',
      'runtime_insecure_registries: [reg.local:5000]',
      'runtime_http_proxy: http://proxy.local:3128',
      'runtime_log_level: debug',
      'runtime_labels: {}',
      '',
    ].join('\n'),
  });
  role(path.join(dir, 'roles/runtime'));
  return dir;
}

async function run(dir: string, base: string): Promise<Recap['hosts']> {
  const r = await runCli<Recap>([
    'run',
    path.join(dir, 'site.yml'),
    '-i',
    fixture.sandbox.inventoryFile,
    '-e',
    `runtime_config_dir=${base}/etc runtime_state_dir=${base}/state`,
    '--json',
  ]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.events.find((e) => e.type === 'recap')!.hosts;
}

/** Each file under `base` on each host ('' for a file that is not there). */
async function files(base: string): Promise<string[][]> {
  return Promise.all(
    fixture.sandbox.hosts.map(async (host) => {
      const conn = new SshConnection(fixture.specFor(host));
      open.push(conn);
      return Promise.all(
        // The folder's own name (in the configuration's paths) read as BASE.
        [...FILES, ...STATE].map(async (f) =>
          (await conn.exec(`cat ${base}/${f} 2>/dev/null || true`)).stdout.replaceAll(base, 'BASE'),
        ),
      );
    }),
  );
}

fixture.describe('a converted role runs as the original does', () => {
  afterAll(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('same files and recap on two hosts; rerun changed=0', async () => {
    const hosts = fixture.sandbox.hosts.map((h) => h.name);
    const original = project((to) => cpSync(ROLE, to, { recursive: true }), hosts);
    const converted = project((to) => {
      mkdirSync(path.dirname(to), { recursive: true });
      writeFileSync(path.join(path.dirname(to), '.keep'), '');
    }, hosts);
    const conv = await runCli(['convert', ROLE, '-o', path.join(converted, 'roles/runtime')]);
    expect(conv.code).toBe(0);
    expect(conv.out).toContain('4 templates converted to .hbs, 1 kept as .j2');

    const [first, second] = await Promise.all([run(original, '/srv/orig'), run(converted, '/srv/conv')]);
    expect(second).toEqual(first);
    expect(first![hosts[0]!]!.changed).toBeGreaterThan(5);
    const [a, b] = await Promise.all([files('/srv/orig'), files('/srv/conv')]);
    expect(b).toEqual(a);
    // The hosts took different branches: the proxy and the cgroup driver differ between them.
    expect(a[0]![3]).toContain('# no proxy for');
    expect(a[1]![3]).toContain('HTTP_PROXY=http://proxy.local:3128');
    expect(a[1]![0]).toContain('systemd_cgroup = false');

    const [again1, again2] = await Promise.all([run(original, '/srv/orig'), run(converted, '/srv/conv')]);
    for (const recap of [again1, again2]) for (const h of hosts) expect(recap![h]!.changed).toBe(0);
  });
});
