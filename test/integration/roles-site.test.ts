/**
 * playbooks/site.yml on 3 systemd sandbox hosts (127.102.0.x) with
 * container_manager crio and isula (containerd is in roles-containerd.test.ts,
 * for real). Both runtimes are FIXTURES here: a CRI-O bundle of the upstream
 * layout whose crio is the stand-in daemon of test/fixtures/roles/crio, and
 * iSulad's daemon/CLI/unit of test/fixtures/roles/isulad put on the hosts as
 * if a package had installed them (isulad_install_package: false); crictl is
 * the mirror's fixture archive. The live kernel part of node preparation is
 * off: sandbox hosts share this machine's kernel.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetDownloads } from '../../src/modules/lib/controller-download.js';
import { bosun, buildTarGz, changedTasks, failedResults, onHost } from '../fixtures/roles/harness.js';
import { buildRuntimeMirror, mirrorVars, serveMirror, type MirrorServer } from '../helpers/runtime-mirror.js';
import { withSandbox } from '../helpers/sandbox.js';

const SITE = path.resolve('playbooks/site.yml');
const CRIO_FIX = path.resolve('test/fixtures/roles/crio');
const ISULAD_FIX = path.resolve('test/fixtures/roles/isulad');
const CRIO = '1.35.0';
const fixture = withSandbox(3, { base: '127.102.0.1', systemd: true });

fixture.describe('site.yml with container_manager crio and isula on 3 systemd sandbox hosts (fixtures)', () => {
  let work: string;
  let server: MirrorServer;
  let varsFile: string;
  const onAll = (script: string) => Promise.all(fixture.sandbox.hosts.map((h) => onHost(fixture, h, script)));
  const site = (...extra: string[]) =>
    bosun(['run', SITE, '-i', fixture.sandbox.inventoryFile, '-e', `@${varsFile}`, ...extra]);

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'bosun-site-'));
    process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
    // A mirror of our own: the crictl fixture of the runtime mirror and a CRI-O fixture bundle.
    const cache = path.join(homedir(), '.cache', 'bosun', 'runtime-mirror');
    const manifest = buildRuntimeMirror(cache);
    const dir = path.join(work, 'mirror');
    mkdirSync(path.dirname(path.join(dir, manifest.crictl.upstream)), { recursive: true });
    copyFileSync(path.join(cache, manifest.crictl.upstream), path.join(dir, manifest.crictl.upstream));
    const script = (name: string, version: string): [string, number] => [
      `#!/bin/sh\necho "${name} version ${version} (fixture)"\n`,
      0o755,
    ];
    const bundle = buildTarGz(work, `cri-o.amd64.v${CRIO}`, {
      'cri-o/bin/crio': [readFileSync(path.join(CRIO_FIX, 'crio'), 'utf8').replace('@VERSION@', CRIO), 0o755],
      'cri-o/bin/pinns': script('pinns', CRIO),
      'cri-o/bin/crictl': script('crictl', `v${CRIO}`),
      'cri-o/bin/conmon': script('conmon', '2.1.13'),
      'cri-o/bin/conmonrs': script('conmonrs', '0.7.2'),
      'cri-o/bin/crun': script('crun', '1.21'),
      'cri-o/bin/runc': script('runc', '1.3.0'),
      'cri-o/bin/crio-credential-provider': script('crio-credential-provider', CRIO),
      'cri-o/cni-plugins/bridge': script('bridge', '1.7.1'),
      'cri-o/contrib/crio.service': ['[Service]\nExecStart=/usr/local/bin/crio\n', 0o644],
      'cri-o/contrib/policy.json': [readFileSync(path.join(CRIO_FIX, 'policy.json'), 'utf8'), 0o644],
      'cri-o/contrib/registries.conf': [readFileSync(path.join(CRIO_FIX, 'registries.conf'), 'utf8'), 0o644],
      'cri-o/etc/10-crio.conf': [readFileSync(path.join(CRIO_FIX, '10-crio.conf'), 'utf8'), 0o644],
      'cri-o/etc/crictl.yaml': ['runtime-endpoint: unix:///var/run/crio/crio.sock\n', 0o644],
      'cri-o/etc/crio': [readFileSync(path.join(CRIO_FIX, 'sysconfig-crio'), 'utf8'), 0o644],
      'cri-o/install': ['#!/bin/sh\necho "fixture installer (unused)"\n', 0o755],
    });
    const crioPath = `storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${CRIO}.tar.gz`;
    mkdirSync(path.dirname(path.join(dir, crioPath)), { recursive: true });
    copyFileSync(bundle.file, path.join(dir, crioPath));
    server = await serveMirror(dir);
    const { download_mirror, crictl_version, crictl_checksum } = mirrorVars(manifest, server.url);
    varsFile = path.join(work, 'vars.json');
    writeFileSync(
      varsFile,
      JSON.stringify({
        download_mirror,
        crictl_version,
        crictl_checksum,
        crio_version: CRIO,
        crio_checksum: bundle.sha256,
        isulad_install_package: false,
        bosun_download: 'controller',
        node_prep_live_kernel: false,
        kubekey_enabled: false,
      }),
    );
  }, 600_000);
  // A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
  afterAll(async () => {
    await (server as MirrorServer | undefined)?.close();
    delete process.env['XDG_CACHE_HOME'];
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('container_manager=crio: CRI-O and crictl for it; second run changed=0', async () => {
    resetDownloads();
    const first = await site('-e', 'container_manager=crio');
    expect(first.code, JSON.stringify(failedResults(first.events))).toBe(0);
    for (const s of await onAll(
      'systemctl is-active crio; crictl --version; cat /etc/crictl.yaml; test -e /usr/local/bin/containerd && echo containerd-installed || echo no-containerd',
    )) {
      expect(s).toMatch(/^active\n/);
      expect(s).toContain('crictl version v1.31.1');
      expect(s).toContain(
        'runtime-endpoint: unix:///var/run/crio/crio.sock\nimage-endpoint: unix:///var/run/crio/crio.sock\n',
      );
      expect(s).toContain('no-containerd');
    }
    const again = await site('-e', 'container_manager=crio');
    expect(again.code).toBe(0);
    expect(changedTasks(again.events)).toEqual([]);
  }, 600_000);

  it('container_manager=isula: iSulad (installed otherwise, fixture) and crictl for it; second run changed=0', async () => {
    const put = (file: string, dest: string, mode: string) =>
      `mkdir -p ${path.dirname(dest)} && cat > ${dest} <<'FIXTURE_EOF'\n${readFileSync(path.join(ISULAD_FIX, file), 'utf8')}FIXTURE_EOF\nchmod ${mode} ${dest}\n`;
    await onAll(
      `${put('isulad', '/usr/bin/isulad', '755')}${put('isula', '/usr/bin/isula', '755')}${put('isulad.service', '/usr/lib/systemd/system/isulad.service', '644')}systemctl daemon-reload`,
    );
    const first = await site('-e', 'container_manager=isula');
    expect(first.code, JSON.stringify(failedResults(first.events))).toBe(0);
    for (const s of await onAll('systemctl is-active isulad; cat /etc/crictl.yaml')) {
      expect(s).toMatch(/^active\n/);
      expect(s).toContain(
        'runtime-endpoint: unix:///var/run/isulad.sock\nimage-endpoint: unix:///var/run/isulad.sock\n',
      );
    }
    const again = await site('-e', 'container_manager=isula');
    expect(again.code).toBe(0);
    expect(changedTasks(again.events)).toEqual([]);
  }, 600_000);

  it('an unknown container_manager is refused before anything changes', async () => {
    const res = await site('-e', 'container_manager=docker');
    expect(res.code).toBe(2);
    expect(failedResults(res.events).map((e) => e.task)).toEqual([
      'container_manager is one bosun can install',
      'container_manager is one bosun can install',
      'container_manager is one bosun can install',
    ]);
    expect(changedTasks(res.events)).toEqual([]);
  }, 120_000);
});
