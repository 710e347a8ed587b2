/**
 * The crio role's registry credentials (containers-auth.json named by
 * global_auth_file), extra runtimes, proxy drop-in, unit limits and the
 * KubeKey-derived pause image, on a systemd sandbox host (127.173.0.x) with
 * the FIXTURE bundle (its `crio` is a python stand-in that merges
 * crio.conf.d as CRI-O does; no real CRI-O can be had here, so no pull).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetDownloads } from '../../src/modules/lib/controller-download.js';
import { dig } from '../helpers/dig.js';
import { withSandbox } from '../helpers/sandbox.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';
import {
  buildCrioBundle,
  changedTasks,
  exactCheckThenRun,
  expectRerunUnchanged,
  onHost,
  rolePlaybook,
} from '../fixtures/roles/harness.js';

const fixture = withSandbox(1, { base: '127.173.0.1', systemd: true });
const V = '1.35.0';
const PASSWORD = 'Cr10-registry-pw!';
const B64 = Buffer.from(`puller:${PASSWORD}`).toString('base64');

let work: string;
let srv: TestServer;
let sha256: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-crio-registries-'));
  process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
  srv = await startServer();
  const b = buildCrioBundle(work, V);
  sha256 = b.sha256;
  srv.routes.set(`/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${V}.tar.gz`, { body: b.bytes });
});
afterAll(async () => {
  await (srv as TestServer | undefined)?.close();
  delete process.env['XDG_CACHE_HOME'];
  rmSync(work, { recursive: true, force: true });
});

const play = (name: string, vars: Record<string, unknown>) =>
  rolePlaybook(work, name, ['crio'], {
    download_mirror: srv.url('/'),
    crio_version: V,
    crio_checksum: sha256,
    ...vars,
  });

fixture.describe('role crio: credentials, runtimes, proxy, limits, pause image (fixture bundle)', () => {
  const inv = () => fixture.sandbox.inventoryFile;
  const sh = (script: string) => onHost(fixture, fixture.sandbox.hosts[0]!, script);

  it('exact --check, secrets never shown, auth.json 0600 in containers-auth.json format, changed=0; removing them removes the file', async () => {
    const vars = {
      registry_auths: { 'registry.example.com:5000': { username: 'puller', password: PASSWORD } },
      crio_additional_runtimes: [
        {
          name: 'kata-qemu',
          path: '/usr/local/bin/containerd-shim-kata-qemu-v2',
          type: 'vm',
          root: '/run/kata-containers',
          privileged_without_host_devices: true,
        },
        { name: 'youki', path: '/usr/local/bin/youki', root: '/run/youki' },
      ],
      https_proxy: 'http://proxy.example.com:3128',
      no_proxy: 'localhost,.svc',
      crio_limit_nofile: 524288,
      kubekey_private_registry: 'registry.example.com:5000',
      kubekey_namespace_override: 'mirror',
      kubekey_kubernetes_version: 'v1.25.3',
    };
    // CRI-O (and the fixture) refuse a runtime whose binary is missing: stand-ins for kata's shim and youki.
    await sh(
      'for b in containerd-shim-kata-qemu-v2 youki; do printf "#!/bin/sh\\n" > /usr/local/bin/$b; chmod 755 /usr/local/bin/$b; done',
    );
    const pb = play('auth', vars);
    const probe = 'ls -la /etc/crio /etc/systemd/system 2>&1';
    const { real } = await exactCheckThenRun({
      pb,
      inv: inv(),
      probe: () => sh(probe),
      secrets: [PASSWORD, B64],
      beforeRun: resetDownloads,
    });
    const n = fixture.sandbox.hosts[0]!.name;
    expect(changedTasks(real.events)).toEqual(
      expect.arrayContaining([
        `${n}|crio : Registry credentials (containers-auth.json)`,
        `${n}|crio : Proxy environment of crio (systemd drop-in)`,
      ]),
    );
    expect(await sh('stat -c "%n %a" /etc/crio/auth.json')).toBe('/etc/crio/auth.json 600\n');
    expect(JSON.parse(await sh('cat /etc/crio/auth.json'))).toEqual({
      auths: { 'registry.example.com:5000': { auth: B64 } },
    });
    const info: unknown = JSON.parse(await sh('crio status --socket /var/run/crio/crio.sock info'));
    expect(dig(info, 'config', 'crio', 'image', 'global_auth_file')).toBe('/etc/crio/auth.json');
    // kk's pause image for v1.25 from its private registry and namespace override.
    expect(dig(info, 'config', 'crio', 'image', 'pause_image')).toBe('registry.example.com:5000/mirror/pause:3.8');
    expect(dig(info, 'config', 'crio', 'runtime', 'runtimes', 'kata-qemu')).toEqual({
      runtime_path: '/usr/local/bin/containerd-shim-kata-qemu-v2',
      runtime_type: 'vm',
      runtime_root: '/run/kata-containers',
      privileged_without_host_devices: true,
      allowed_annotations: [],
    });
    expect(dig(info, 'config', 'crio', 'runtime', 'runtimes', 'youki')).toEqual({
      runtime_path: '/usr/local/bin/youki',
      runtime_type: 'oci',
      runtime_root: '/run/youki',
      monitor_path: '/usr/libexec/crio/conmon',
      monitor_cgroup: 'system.slice',
      privileged_without_host_devices: false,
      allowed_annotations: [],
    });
    // The bundle's runtimes are still there.
    expect(dig(info, 'config', 'crio', 'runtime', 'runtimes', 'crun', 'runtime_path')).toBe('/usr/libexec/crio/crun');
    const unit = await sh('systemctl show crio -p Environment -p LimitNOFILE -p LimitNPROC; systemctl is-active crio');
    expect(unit).toContain('HTTPS_PROXY=http://proxy.example.com:3128 https_proxy=http://proxy.example.com:3128');
    expect(unit).toContain('NO_PROXY=localhost,.svc no_proxy=localhost,.svc');
    expect(unit).toContain('LimitNOFILE=524288\nLimitNPROC=1048576\nactive');

    await expectRerunUnchanged(pb, inv(), n);

    const pb2 = play('noauth', { ...vars, registry_auths: {}, https_proxy: '', no_proxy: '' });
    const { check: check2 } = await exactCheckThenRun({
      pb: pb2,
      inv: inv(),
      probe: () => sh(probe),
      secrets: [PASSWORD, B64],
    });
    expect(changedTasks(check2.events)).toEqual(
      [
        "crio : Render the crio.conf.d drop-in (after the bundle's 10-crio.conf, so it wins)",
        'crio : No credentials file without registry_auths',
        'crio : No proxy drop-in without a proxy',
        'crio : restart crio',
      ]
        .map((t) => `${n}|${t}`)
        .sort(),
    );
    expect(
      await sh('ls /etc/crio/auth.json /etc/systemd/system/crio.service.d/bosun-proxy.conf 2>&1 | grep -c "No such"'),
    ).toBe('2\n');
    await expectRerunUnchanged(pb2, inv(), n);
  }, 600_000);
});
