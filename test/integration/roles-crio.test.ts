/**
 * The built-in `crio` role on 2 systemd sandbox hosts, against a FIXTURE
 * bundle (CRI-O cannot be downloaded here): a tar.gz of the upstream layout
 * (cri-o/bin, contrib, etc, cni-plugins) whose `crio` is a small python
 * daemon (test/fixtures/roles/crio/crio) that merges crio.conf.d like CRI-O,
 * listens on the socket and tells systemd READY=1, served from a local HTTP
 * mirror (download_mirror + upstream host as first path segment).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withSandbox } from '../helpers/sandbox.js';
import { dig } from '../helpers/dig.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';
import { resetDownloads } from '../../src/modules/lib/controller-download.js';
import {
  bosun,
  buildCrioBundle,
  changedTasks,
  failedResults,
  onHost,
  recapOf,
  resultsOf,
  rolePlaybook,
  snapshot,
} from '../fixtures/roles/harness.js';

const fixture = withSandbox(2, { base: '127.105.0.1', systemd: true });
const V1 = '1.35.0';
const V2 = '1.34.5';

let work: string;
let srv: TestServer;
const bundles: Record<string, { sha256: string }> = {};

const bundle = (version: string) => buildCrioBundle(work, version);

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-crio-'));
  process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
  srv = await startServer();
  for (const v of [V1, V2]) {
    const b = bundle(v);
    bundles[v] = b;
    srv.routes.set(`/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${v}.tar.gz`, { body: b.bytes });
  }
});
// A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
afterAll(async () => {
  await (srv as TestServer | undefined)?.close();
  delete process.env['XDG_CACHE_HOME'];
  rmSync(work, { recursive: true, force: true });
});

/** A playbook applying the role with these play vars. */
const play = (name: string, vars: Record<string, unknown>): string => rolePlaybook(work, name, ['crio'], vars);
const baseVars = (version = V1, extra: Record<string, unknown> = {}) => ({
  download_mirror: srv.url('/'), // a trailing slash is trimmed
  crio_version: version,
  crio_checksum: bundles[version]!.sha256,
  registry_mirrors: ['https://mirror.gcr.io', 'http://10.0.0.5:5000'],
  insecure_registries: ['registry.local:5000'],
  ...extra,
});

const PATHS = [
  '/usr/local/bin/crio',
  '/usr/local/bin/pinns',
  '/usr/local/bin/crictl',
  '/usr/libexec/crio/conmon',
  '/usr/libexec/crio/conmonrs',
  '/usr/libexec/crio/crun',
  '/usr/libexec/crio/runc',
  '/usr/libexec/crio/crio-credential-provider',
  '/opt/cni/bin/bridge',
  '/opt/cni/bin/host-local',
  '/opt/cni/bin/loopback',
  '/opt/cni/bin/portmap',
  '/etc/crio/crio.conf.d/10-crio.conf',
  '/etc/crio/crio.conf.d/20-bosun.conf',
  '/etc/crio/policy.json',
  '/etc/containers/registries.conf.d/registries.conf',
  '/etc/containers/registries.conf.d/50-bosun.conf',
  '/etc/sysconfig/crio',
  '/usr/local/lib/systemd/system/crio.service',
  '/var/lib/bosun/installed/crio.sha256',
];
const starts = (h: number) =>
  onHost(fixture, fixture.sandbox.hosts[h]!, 'cat /var/lib/crio-fixture/starts 2>/dev/null | wc -l').then((s) =>
    Number(s.trim()),
  );
/** The TOML files parsed by python's tomllib on the host, as JSON. */
const parsedToml = async (h: number, file: string) =>
  JSON.parse(
    await onHost(
      fixture,
      fixture.sandbox.hosts[h]!,
      `python3 -c 'import json,sys,tomllib; print(json.dumps(tomllib.load(open(sys.argv[1],"rb"))))' ${file}`,
    ),
  ) as unknown;

fixture.describe('role crio on systemd sandbox hosts (fixture bundle)', () => {
  const inv = () => fixture.sandbox.inventoryFile;

  it('refuses a version without a pinned checksum before anything changes', async () => {
    const before = await snapshot(fixture, PATHS);
    const res = await bosun([
      'run',
      play('refuse', { ...baseVars(), crio_version: '1.99.0', crio_checksum: '' }),
      '-i',
      inv(),
    ]);
    expect(res.code).not.toBe(0);
    const failed = failedResults(res.events);
    expect(failed.map((e) => e.task)).toEqual([
      'crio : Refuse a version without a pinned or given checksum',
      'crio : Refuse a version without a pinned or given checksum',
    ]);
    expect(failed[0]!.msg).toContain('CRI-O 1.99.0 for amd64 has no pinned sha256');
    expect(failed[0]!.msg).toContain('pinned for amd64: 1.35.0 1.34.5 1.33.12');
    expect(changedTasks(res.events)).toEqual([]);
    expect(await snapshot(fixture, PATHS)).toEqual(before);
  }, 120_000);

  it('installs the bundle where its installer puts it, configures, starts, answers; check mode first changes nothing', async () => {
    const pb = play('install', baseVars());
    const before = await snapshot(fixture, PATHS);
    const check = await bosun(['run', pb, '-i', inv(), '--check']);
    expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await snapshot(fixture, PATHS)).toEqual(before);

    resetDownloads();
    const real = await bosun(['run', pb, '-i', inv()]);
    expect(real.err).toBe('');
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    // Check mode predicted every change: the download, the unpacking, the drop-ins, the unit, the record, the restart.
    expect(changedTasks(check.events)).toEqual(changedTasks(real.events));
    expect(changedTasks(check.events).filter((t) => t.startsWith(`${fixture.sandbox.hosts[0]!.name}|`))).toEqual(
      [
        'crio : Create the download folder',
        'crio : Download the CRI-O bundle',
        'crio : Create the install folders',
        "crio : Unpack the bundle's files where its installer puts them",
        "crio : Unpack the bundle's crictl",
        'crio : Folder of the install records',
        `crio : Record the installed CRI-O ${V1} (amd64)`,
        'crio : Create the configuration folders',
        "crio : Render the crio.conf.d drop-in (after the bundle's 10-crio.conf, so it wins)",
        'crio : Render the registry mirrors and insecure registries',
        'crio : Render the crio unit',
        'crio : restart crio',
        'crio : Start crio and enable it at boot',
      ]
        .map((t) => `${fixture.sandbox.hosts[0]!.name}|${t}`)
        .sort(),
    );
    expect(srv.hits.get(`/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${V1}.tar.gz`)).toBe(2);

    for (const [i] of fixture.sandbox.hosts.entries()) {
      const snap = (await snapshot(fixture, PATHS))[i]!;
      for (const bin of PATHS.slice(0, 12)) expect(snap).toContain(`${bin} 755 root`);
      for (const conf of PATHS.slice(12)) expect(snap).toContain(`${conf} 644 root`);
      const dropin = await parsedToml(i, '/etc/crio/crio.conf.d/20-bosun.conf');
      expect(dropin).toEqual({
        crio: {
          log_dir: '/var/log/crio/pods',
          api: { listen: '/var/run/crio/crio.sock' },
          runtime: {
            cgroup_manager: 'systemd',
            default_runtime: 'crun',
            log_level: 'info',
            runtimes: {
              crun: {
                runtime_path: '/usr/libexec/crio/crun',
                runtime_root: '/run/crun',
                monitor_path: '/usr/libexec/crio/conmon',
                monitor_cgroup: 'system.slice',
                allowed_annotations: ['io.containers.trace-syscall'],
              },
              runc: {
                runtime_path: '/usr/libexec/crio/runc',
                runtime_root: '/run/runc',
                monitor_path: '/usr/libexec/crio/conmon',
                monitor_cgroup: 'system.slice',
              },
            },
          },
          image: { pause_image: 'kubesphere/pause:3.9', signature_policy: '/etc/crio/policy.json' },
          network: { network_dir: '/etc/cni/net.d/', plugin_dirs: ['/opt/cni/bin/'] },
        },
      });
      expect(await parsedToml(i, '/etc/containers/registries.conf.d/50-bosun.conf')).toEqual({
        registry: [
          {
            prefix: 'docker.io',
            location: 'docker.io',
            mirror: [{ location: 'mirror.gcr.io' }, { location: '10.0.0.5:5000', insecure: true }],
          },
          { location: 'registry.local:5000', insecure: true },
        ],
      });
      const h = fixture.sandbox.hosts[i]!;
      expect(
        await onHost(fixture, h, 'systemctl is-active crio; systemctl is-enabled crio; crio --version | head -1'),
      ).toBe(`active\nenabled\ncrio version ${V1}\n`);
      // The daemon merged 10-crio.conf and 20-bosun.conf: bosun's drop-in wins.
      const info: unknown = JSON.parse(await onHost(fixture, h, 'crio status --socket /var/run/crio/crio.sock info'));
      expect(dig(info, 'config', 'crio', 'image', 'pause_image')).toBe('kubesphere/pause:3.9');
      expect(dig(info, 'config', 'crio', 'runtime', 'runtimes', 'crun', 'runtime_path')).toBe('/usr/libexec/crio/crun');
      expect(await starts(i)).toBe(1);
    }
    expect(resultsOf(real.events, /restart crio/).map((e) => e.status)).toEqual(['changed', 'changed']);

    const again = await bosun(['run', pb, '-i', inv()]);
    expect(again.code).toBe(0);
    expect(changedTasks(again.events)).toEqual([]);
    expect(srv.hits.get(`/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${V1}.tar.gz`)).toBe(2);
    for (const h of [0, 1]) expect(await starts(h)).toBe(1);
  }, 300_000);

  it('a new sandbox image: check mode predicts exactly, the real run restarts crio once, then changed=0', async () => {
    const pb = play(
      'pause',
      baseVars(V1, { sandbox_image: 'registry.example.com/pause:3.9', cgroup_driver: 'cgroupfs' }),
    );
    const check = await bosun(['run', pb, '-i', inv(), '--check', '--diff']);
    expect(check.code).toBe(0);
    const predicted = changedTasks(check.events);
    expect(predicted.filter((t) => !t.includes('restart crio'))).toEqual(
      fixture.sandbox.hosts.map(
        (h) => `${h.name}|crio : Render the crio.conf.d drop-in (after the bundle's 10-crio.conf, so it wins)`,
      ),
    );
    const real = await bosun(['run', pb, '-i', inv()]);
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(predicted);
    for (const h of [0, 1]) {
      expect(await starts(h)).toBe(2);
      const dropin = await parsedToml(h, '/etc/crio/crio.conf.d/20-bosun.conf');
      expect(dig(dropin, 'crio', 'image', 'pause_image')).toBe('registry.example.com/pause:3.9');
      expect(dig(dropin, 'crio', 'runtime')).toMatchObject({
        cgroup_manager: 'cgroupfs',
        runtimes: { crun: { monitor_cgroup: 'pod' }, runc: { monitor_cgroup: 'pod' } },
      });
      expect(dig(dropin, 'crio', 'runtime', 'conmon_cgroup')).toBeUndefined();
    }
    const again = await bosun(['run', pb, '-i', inv()]);
    expect(changedTasks(again.events)).toEqual([]);
  }, 180_000);

  it('another version upgrades (download: controller fetches once for both hosts) and restarts once', async () => {
    resetDownloads();
    const pb = play('upgrade', {
      ...baseVars(V2, { sandbox_image: 'registry.example.com/pause:3.9', cgroup_driver: 'cgroupfs' }),
      bosun_download: 'controller',
    });
    const real = await bosun(['run', pb, '-i', inv()]);
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(srv.hits.get(`/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${V2}.tar.gz`)).toBe(1);
    for (const [i, h] of fixture.sandbox.hosts.entries()) {
      expect(await onHost(fixture, h, 'crio --version | head -1; /usr/local/bin/pinns; systemctl is-active crio')).toBe(
        `crio version ${V2}\npinns version ${V2} (fixture)\nactive\n`,
      );
      expect(await starts(i)).toBe(3);
    }
    const again = await bosun(['run', pb, '-i', inv()]);
    expect(changedTasks(again.events)).toEqual([]);
    expect(recapOf(again.events)[fixture.sandbox.hosts[0]!.name]).toMatchObject({ changed: 0, failed: 0 });
  }, 180_000);
});
