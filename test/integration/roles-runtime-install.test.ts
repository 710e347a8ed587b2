/**
 * The crio and isulad roles' install details on 2 systemd sandbox hosts, with
 * FIXTURES (CRI-O cannot be downloaded here, iSulad is packaged for openEuler
 * only): a CRI-O bundle of upstream's layout whose `crio` is a small daemon
 * that merges crio.conf.d as CRI-O does (test/fixtures/roles/crio/crio),
 * `selinuxenabled`/`restorecon` stand-ins on host 0 only (the hosts are
 * Debian, without SELinux), and an iSulad daemon/CLI whose `--version` the
 * test sets. Each case: --check predicts exactly, the real run does it, the
 * next run changes nothing.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
import { dig } from '../helpers/dig.js';
import { withSandbox } from '../helpers/sandbox.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';

const fixture = withSandbox(2, { base: '127.96.0.1', systemd: true });
const V = '1.35.0';
const LIBEXEC = '/usr/local/libexec/crio';
const BUNDLE = `/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${V}.tar.gz`;
const CRIO_FIX = path.resolve('test/fixtures/roles/crio');
const ISULAD_FIX = path.resolve('test/fixtures/roles/isulad');

let work: string;
let srv: TestServer;
let sha: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-runtime-install-'));
  process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
  srv = await startServer();
  const b = buildCrioBundle(work, V);
  sha = b.sha256;
  srv.routes.set(BUNDLE, { body: b.bytes });
});
afterAll(async () => {
  await (srv as TestServer | undefined)?.close();
  delete process.env['XDG_CACHE_HOME'];
  if (work) rmSync(work, { recursive: true, force: true });
});

const play = (name: string, role: string, vars: Record<string, unknown>): string =>
  rolePlaybook(work, name, [role], vars);
/** A script that writes a fixture file on a host. */
const put = (src: string, dest: string, mode: string, edit = (t: string) => t) =>
  `mkdir -p ${path.dirname(dest)} && cat > ${dest} <<'FIXTURE_EOF'\n${edit(readFileSync(src, 'utf8'))}FIXTURE_EOF\nchmod ${mode} ${dest}\n`;

const BINARIES = [
  '/usr/local/bin/crio',
  '/usr/local/bin/pinns',
  `${LIBEXEC}/conmon`,
  `${LIBEXEC}/conmonrs`,
  `${LIBEXEC}/crun`,
  `${LIBEXEC}/runc`,
  `${LIBEXEC}/crio-credential-provider`,
];
const PATHS = [...BINARIES, '/etc/crio/crio.conf.d/10-crio.conf', '/var/lib/bosun/installed/crio.sha256'];

fixture.describe('crio and isulad install details on 2 systemd sandbox hosts (fixtures)', () => {
  const inv = () => fixture.sandbox.inventoryFile;
  const host = (i: number) => fixture.sandbox.hosts[i]!;
  const names = () => fixture.sandbox.hosts.map((h) => h.name);
  const crio = () =>
    play('crio', 'crio', {
      download_mirror: srv.url('/'),
      crio_version: V,
      crio_checksum: sha,
      crio_libexec_dir: LIBEXEC,
    });

  it('crio with another libexec folder and SELinux on host 0: --check on fresh hosts predicts everything exactly; 10-crio.conf rewritten, credential provider installed, restorecon on host 0 only; rerun changed=0', async () => {
    await onHost(
      fixture,
      host(0),
      put(path.join(CRIO_FIX, 'selinuxenabled'), '/usr/local/sbin/selinuxenabled', '755') +
        put(path.join(CRIO_FIX, 'restorecon'), '/usr/local/sbin/restorecon', '755'),
    );
    const pb = crio();
    const before = await snapshot(fixture, PATHS);
    const check = await bosun(['run', pb, '-i', inv(), '--check']);
    expect(check.code, check.err + JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await snapshot(fixture, PATHS)).toEqual(before);
    resetDownloads();
    const real = await bosun(['run', pb, '-i', inv()]);
    expect(real.err).toBe('');
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
    const [a, b] = names();
    for (const n of [a, b])
      expect(changedTasks(real.events)).toContain(`${n}|crio : Point the bundle's 10-crio.conf at ${LIBEXEC}`);
    expect(changedTasks(real.events)).toContain(`${a}|crio : SELinux labels of the CRI-O files (restorecon)`);
    expect(
      resultsOf(real.events, 'crio : SELinux labels of the CRI-O files (restorecon)')
        .map((e) => `${e.host} ${e.status}`)
        .sort(),
    ).toEqual([`${a} changed`, `${b} skipped`]);
    for (const [i, h] of fixture.sandbox.hosts.entries()) {
      const snap = (await snapshot(fixture, PATHS))[i]!;
      for (const bin of BINARIES) expect(snap).toContain(`${bin} 755 root`);
      const ten = await onHost(fixture, h, 'cat /etc/crio/crio.conf.d/10-crio.conf');
      expect(ten).toContain(`runtime_path = "${LIBEXEC}/crun"`);
      expect(ten).toContain(`monitor_path = "${LIBEXEC}/conmon"`);
      expect(ten).not.toContain('/usr/libexec/crio/');
      // What the daemon merged (10-crio.conf, then 20-bosun.conf, whose runtime tables replace the bundle's).
      const info: unknown = JSON.parse(await onHost(fixture, h, 'crio status --socket /var/run/crio/crio.sock info'));
      const runtime = dig(info, 'config', 'crio', 'runtime');
      expect(dig(runtime, 'conmon_cgroup')).toBeUndefined();
      expect(dig(runtime, 'runtimes')).toEqual({
        crun: {
          runtime_path: `${LIBEXEC}/crun`,
          runtime_root: '/run/crun',
          monitor_path: `${LIBEXEC}/conmon`,
          monitor_cgroup: 'system.slice',
          allowed_annotations: ['io.containers.trace-syscall'],
        },
        runc: {
          runtime_path: `${LIBEXEC}/runc`,
          runtime_root: '/run/runc',
          monitor_path: `${LIBEXEC}/conmon`,
          monitor_cgroup: 'system.slice',
        },
      });
      expect(await onHost(fixture, h, 'systemctl is-active crio')).toBe('active\n');
    }
    expect(await onHost(fixture, host(0), 'cat /var/lib/selinux-fixture/calls')).toBe(
      `restorecon /usr/local/bin/crio /usr/local/bin/pinns ${LIBEXEC} /opt/cni/bin /etc/crio /usr/local/lib/systemd/system/crio.service /usr/local/bin/crictl\n`,
    );
    expect(await onHost(fixture, host(1), 'ls /var/lib/selinux-fixture 2>&1 | wc -l')).toBe('1\n');
    const again = await bosun(['run', pb, '-i', inv()]);
    expect(changedTasks(again.events)).toEqual([]);
    for (const n of names()) expect(recapOf(again.events)[n]).toMatchObject({ changed: 0, failed: 0 });
  }, 300_000);

  it('crio drift: a deleted conmon, a crun of mode 0700, a modified crio: --check predicts the repair (binaries only, restart, relabel) exactly; repaired from the kept bundle; rerun changed=0', async () => {
    await onHost(fixture, host(0), `rm ${LIBEXEC}/conmon; chmod 0700 ${LIBEXEC}/crun`);
    await onHost(fixture, host(1), 'printf "\\n# modified\\n" >> /usr/local/bin/crio');
    const pb = crio();
    const drifted = await snapshot(fixture, [...PATHS, '/etc/crio/policy.json']);
    const hits = srv.hits.get(BUNDLE);
    const check = await bosun(['run', pb, '-i', inv(), '--check', '--diff']);
    expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await snapshot(fixture, [...PATHS, '/etc/crio/policy.json'])).toEqual(drifted);
    const [a, b] = names();
    const unpack = "crio : Unpack the bundle's files where its installer puts them";
    expect(changedTasks(check.events)).toEqual(
      [
        `${a}|${unpack}`,
        `${a}|crio : restart crio`,
        `${a}|crio : SELinux labels of the CRI-O files (restorecon)`,
        `${b}|${unpack}`,
        `${b}|crio : restart crio`,
      ].sort(),
    );
    const probe = resultsOf(check.events, `crio : Read the installed files of CRI-O ${V} (amd64)`);
    expect(probe.find((e) => e.host === a)!.data!['stdout']).toBe(
      `release: same\ndrift: ${LIBEXEC}/conmon: FAILED open or read\ndrift: mode 700 0 0 ${LIBEXEC}/crun`,
    );
    expect(probe.find((e) => e.host === b)!.data!['stdout']).toBe('release: same\ndrift: /usr/local/bin/crio: FAILED');
    const real = await bosun(['run', pb, '-i', inv()]);
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
    expect(srv.hits.get(BUNDLE)).toBe(hits);
    for (const [i, h] of fixture.sandbox.hosts.entries()) {
      const snap = (await snapshot(fixture, BINARIES))[i]!;
      for (const bin of BINARIES) expect(snap).toContain(`${bin} 755 root`);
      expect(await onHost(fixture, h, 'crio --version | head -1; systemctl is-active crio')).toBe(
        `crio version ${V}\nactive\n`,
      );
    }
    // Only the binaries were unpacked again: 10-crio.conf keeps its rewrite.
    expect(await onHost(fixture, host(1), 'grep -c /usr/libexec/crio/ /etc/crio/crio.conf.d/10-crio.conf')).toBe('0\n');
    expect(changedTasks((await bosun(['run', pb, '-i', inv()])).events)).toEqual([]);
  }, 300_000);

  it('isulad: enable-cri-v1 refused on iSulad 2.1.3 before anything changes, left out with isulad_enable_cri_v1: false; on 2.1.6 rendered, --check exact; rerun changed=0', async () => {
    const install = (version: string) =>
      Promise.all(
        fixture.sandbox.hosts.map((h) =>
          onHost(
            fixture,
            h,
            put(path.join(ISULAD_FIX, 'isulad'), '/usr/bin/isulad', '755', (t) =>
              t.replace('Version 2.1.6, commit fixture', `Version ${version}, commit fixture`),
            ) +
              put(path.join(ISULAD_FIX, 'isula'), '/usr/bin/isula', '755') +
              put(path.join(ISULAD_FIX, 'isulad.service'), '/usr/lib/systemd/system/isulad.service', '644') +
              'systemctl daemon-reload',
          ),
        ),
      );
    await install('2.1.3');
    const files = ['/etc/isulad', '/etc/isulad/daemon.json'];
    const before = await snapshot(fixture, files);
    const refused = await bosun([
      'run',
      play('isulad-refuse', 'isulad', { isulad_install_package: false }),
      '-i',
      inv(),
    ]);
    expect(refused.code).toBe(2);
    const failed = failedResults(refused.events);
    expect(failed.map((e) => `${e.host} ${e.task}`)).toEqual(
      names().map((n) => `${n} isulad : Refuse CRI v1 on an iSulad that does not know it`),
    );
    expect(failed[0]!.msg).toBe(
      "iSulad 2.1.3 does not know enable-cri-v1, which came with iSulad 2.1.4 (isulad --version says 'Version 2.1.3, commit fixture'); kubelet 1.26 and later need CRI v1. Install iSulad 2.1.4 or later (isulad_packages), or set isulad_enable_cri_v1: false for an older kubelet (then daemon.json has no enable-cri-v1 key).",
    );
    expect(changedTasks(refused.events)).toEqual([]);
    expect(await snapshot(fixture, files)).toEqual(before);

    const old = play('isulad-old', 'isulad', { isulad_install_package: false, isulad_enable_cri_v1: false });
    const check = await bosun(['run', old, '-i', inv(), '--check']);
    expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await snapshot(fixture, files)).toEqual(before);
    const real = await bosun(['run', old, '-i', inv()]);
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
    expect(changedTasks(real.events)).toContain(`${host(0).name}|isulad : Render /etc/isulad/daemon.json`);
    for (const h of fixture.sandbox.hosts) {
      const daemon = JSON.parse(await onHost(fixture, h, 'cat /etc/isulad/daemon.json')) as Record<string, unknown>;
      expect(daemon).not.toHaveProperty('enable-cri-v1');
      expect(daemon['network-plugin']).toBe('cni');
      expect(await onHost(fixture, h, 'ISULAD_HOST=unix:///var/run/isulad.sock isula info | tail -1')).toBe(
        'CRI v1: false\n',
      );
    }
    expect(changedTasks((await bosun(['run', old, '-i', inv()])).events)).toEqual([]);

    // The package upgraded to 2.1.6 (the fixture's binary replaced): CRI v1 is rendered.
    await install('2.1.6');
    const current = play('isulad-new', 'isulad', { isulad_install_package: false });
    const check2 = await bosun(['run', current, '-i', inv(), '--check', '--diff']);
    expect(check2.code, JSON.stringify(failedResults(check2.events))).toBe(0);
    expect(changedTasks(check2.events)).toEqual(
      names()
        .flatMap((n) => [`${n}|isulad : Render /etc/isulad/daemon.json`, `${n}|isulad : restart isulad`])
        .sort(),
    );
    const real2 = await bosun(['run', current, '-i', inv()]);
    expect(changedTasks(real2.events)).toEqual(changedTasks(check2.events));
    for (const h of fixture.sandbox.hosts) {
      const daemon = JSON.parse(await onHost(fixture, h, 'cat /etc/isulad/daemon.json')) as Record<string, unknown>;
      expect(daemon['enable-cri-v1']).toBe(true);
      expect(await onHost(fixture, h, 'ISULAD_HOST=unix:///var/run/isulad.sock isula info | tail -1')).toBe(
        'CRI v1: true\n',
      );
    }
    expect(changedTasks((await bosun(['run', current, '-i', inv()])).events)).toEqual([]);
  }, 300_000);
});
