/**
 * The built-in `isulad` role on 2 systemd sandbox hosts. The hosts are
 * Debian, where iSulad has no package: the role must fail with a clear
 * message before it changes anything. Then, with the test's stand-in for an
 * installed package (FIXTURE isulad daemon, isula CLI and unit from
 * test/fixtures/roles/isulad, put on the hosts by the test) and
 * `isulad_install_package: false`, the role renders daemon.json, starts the
 * service through its handler once, checks the socket answers, and is
 * idempotent; a changed sandbox image is predicted exactly by --check.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withSandbox } from '../helpers/sandbox.js';
import {
  bosun,
  changedTasks,
  failedResults,
  onHost,
  resultsOf,
  rolePlaybook,
  snapshot,
} from '../fixtures/roles/harness.js';

const fixture = withSandbox(2, { base: '127.106.0.1', systemd: true });
const FIX = path.resolve('test/fixtures/roles/isulad');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-isulad-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const play = (name: string, vars: Record<string, unknown>): string => rolePlaybook(work, name, ['isulad'], vars);
const PATHS = ['/etc/isulad', '/etc/isulad/daemon.json', '/opt/cni/bin', '/etc/cni/net.d'];
const starts = (h: number) =>
  onHost(fixture, fixture.sandbox.hosts[h]!, 'cat /var/lib/isulad-fixture/starts 2>/dev/null | wc -l').then((s) =>
    Number(s.trim()),
  );
const put = (file: string, dest: string, mode: string) =>
  `mkdir -p ${path.dirname(dest)} && cat > ${dest} <<'FIXTURE_EOF'\n${readFileSync(path.join(FIX, file), 'utf8')}FIXTURE_EOF\nchmod ${mode} ${dest}\n`;

fixture.describe('role isulad on Debian systemd sandbox hosts', () => {
  const inv = () => fixture.sandbox.inventoryFile;

  it('fails with a clear message naming the supported distributions, before anything changes', async () => {
    const before = await snapshot(fixture, PATHS);
    const res = await bosun(['run', play('refuse', {}), '-i', inv()]);
    expect(res.code).not.toBe(0);
    const failed = failedResults(res.events);
    expect(failed.map((e) => e.task)).toEqual([
      'isulad : Refuse a distribution without an iSulad package',
      'isulad : Refuse a distribution without an iSulad package',
    ]);
    expect(failed[0]!.msg).toMatch(
      /^iSulad is installed from the distribution's packages, which exist for: openEuler\. This host runs Debian [0-9.]+: choose container_manager containerd or crio for it, or install iSulad yourself and set isulad_install_package: false\.$/,
    );
    expect(changedTasks(res.events)).toEqual([]);
    expect(await snapshot(fixture, PATHS)).toEqual(before);
  }, 120_000);

  it('with iSulad installed otherwise (fixture): daemon.json, service, health, handler once, idempotent', async () => {
    for (const h of fixture.sandbox.hosts) {
      await onHost(
        fixture,
        h,
        put('isulad', '/usr/bin/isulad', '755') +
          put('isula', '/usr/bin/isula', '755') +
          put('isulad.service', '/usr/lib/systemd/system/isulad.service', '644') +
          'systemctl daemon-reload',
      );
    }
    const vars = {
      isulad_install_package: false,
      registry_mirrors: ['https://mirror.gcr.io/', 'docker.m.daocloud.io'],
      insecure_registries: ['registry.local:5000'],
    };
    const pb = play('configure', vars);
    const before = await snapshot(fixture, PATHS);
    const check = await bosun(['run', pb, '-i', inv(), '--check']);
    expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await snapshot(fixture, PATHS)).toEqual(before);

    const real = await bosun(['run', pb, '-i', inv()]);
    expect(real.err).toBe('');
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    // Predicted exactly: daemon.json in the folder the run creates, and its handler, too.
    expect(changedTasks(check.events)).toEqual(changedTasks(real.events));
    expect(changedTasks(check.events)).toContain(`${fixture.sandbox.hosts[0]!.name}|isulad : restart isulad`);
    expect(resultsOf(real.events, /restart isulad/).map((e) => e.status)).toEqual(['changed', 'changed']);
    for (const [i, h] of fixture.sandbox.hosts.entries()) {
      const snap = (await snapshot(fixture, PATHS))[i]!;
      expect(snap).toContain('/etc/isulad 750 root');
      expect(snap).toContain('/etc/isulad/daemon.json 600 root');
      const daemon: unknown = JSON.parse(await onHost(fixture, h, 'cat /etc/isulad/daemon.json'));
      expect(daemon).toMatchObject({
        'pod-sandbox-image': 'kubesphere/pause:3.9',
        'network-plugin': 'cni',
        'cni-bin-dir': '/opt/cni/bin',
        'cni-conf-dir': '/etc/cni/net.d',
        'registry-mirrors': ['mirror.gcr.io', 'docker.m.daocloud.io'],
        'insecure-registries': ['registry.local:5000'],
        'systemd-cgroup': true,
        'enable-cri-v1': true,
        hosts: ['unix:///var/run/isulad.sock'],
        'storage-driver': 'overlay2',
        'native.umask': 'normal',
      });
      expect(
        await onHost(
          fixture,
          h,
          'systemctl is-active isulad; systemctl is-enabled isulad; ISULAD_HOST=unix:///var/run/isulad.sock isula info',
        ),
      ).toBe(
        'active\nenabled\nServer Version: 2.1.6\nStorage Driver: overlay2\nCgroup Driver: systemd\nPod Sandbox Image: kubesphere/pause:3.9\nCRI v1: true\n',
      );
      expect(await starts(i)).toBe(1);
    }
    const again = await bosun(['run', pb, '-i', inv()]);
    expect(again.code).toBe(0);
    expect(changedTasks(again.events)).toEqual([]);

    const pb2 = play('pause', { ...vars, sandbox_image: 'registry.example.com/pause:3.9', cgroup_driver: 'cgroupfs' });
    const check2 = await bosun(['run', pb2, '-i', inv(), '--check', '--diff']);
    expect(check2.code).toBe(0);
    const predicted = changedTasks(check2.events);
    expect(predicted).toEqual(
      fixture.sandbox.hosts
        .flatMap((h) => [`${h.name}|isulad : Render /etc/isulad/daemon.json`, `${h.name}|isulad : restart isulad`])
        .sort(),
    );
    const real2 = await bosun(['run', pb2, '-i', inv()]);
    expect(changedTasks(real2.events)).toEqual(predicted);
    for (const [i, h] of fixture.sandbox.hosts.entries()) {
      expect(await starts(i)).toBe(2);
      expect(await onHost(fixture, h, 'isula info | grep -E "Cgroup|Sandbox"')).toBe(
        'Cgroup Driver: cgroupfs\nPod Sandbox Image: registry.example.com/pause:3.9\n',
      );
    }
    expect(changedTasks((await bosun(['run', pb2, '-i', inv()])).events)).toEqual([]);
  }, 300_000);
});
