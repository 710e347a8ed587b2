/**
 * Registry credentials, per-mirror options, certs.d clean-up, extra runtimes,
 * proxy drop-ins and unit limits of the containerd role, FOR REAL on a
 * systemd sandbox host (127.172.0.x): Debian's containerd 1.6.20 and runc from
 * the local upstream-shaped mirror (test/helpers/runtime-mirror.ts), and a
 * FIXTURE registry with basic auth (test/helpers/fixture-registry.ts) on
 * 127.172.0.250 that containerd really pulls an image from, with the
 * credentials the role rendered. The CRI path of the credentials
 * (registry.configs auth) is checked as containerd's own `config dump` reads
 * it: no CRI client (crictl) exists here to pull through CRI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetDownloads } from '../../src/modules/lib/controller-download.js';
import { startFixtureRegistry, type FixtureRegistry } from '../helpers/fixture-registry.js';
import { runtimeDebsSkip } from '../helpers/network.js';
import { startRuntimeMirror, type RuntimeMirror } from '../helpers/runtime-mirror.js';
import { testAddress, withSandbox } from '../helpers/sandbox.js';
import {
  changedTasks,
  exactCheckThenRun,
  expectRerunUnchanged,
  onHost,
  rolePlaybook,
} from '../fixtures/roles/harness.js';

const fixture = withSandbox(1, { base: '127.172.0.1', systemd: true, skip: await runtimeDebsSkip() });
const PASSWORD = 'Reg1stry-s3cret!';
const USER = 'puller';
const B64 = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const CERTS = '/etc/containerd/certs.d';

fixture.describe(
  'containerd: registry credentials, mirrors, runtimes, proxy (real containerd, fixture registry)',
  () => {
    let mirror: RuntimeMirror;
    let registry: FixtureRegistry;
    let work: string;
    const inv = () => fixture.sandbox.inventoryFile;
    const host = () => fixture.sandbox.hosts[0]!;
    const sh = (script: string) => onHost(fixture, host(), script);
    const play = (name: string, vars: Record<string, unknown>) =>
      rolePlaybook(work, name, ['containerd'], {
        ...mirror.vars,
        bosun_download: 'controller',
        containerd_unit_modprobe: false,
        containerd_snapshotter: 'native',
        ...vars,
      });
    const full = () => ({
      registry_auths: { [registry.host]: { username: USER, password: PASSWORD } },
      insecure_registries: [registry.host],
      containerd_registry_mirrors: {
        'docker.io': [{ host: 'https://mirror.example.com', skip_verify: true, capabilities: ['pull'] }],
        'quay.io': ['https://quay-mirror.example.com'],
      },
      containerd_additional_runtimes: [
        { name: 'crun', type: 'io.containerd.runc.v2', options: { BinaryName: '/usr/local/bin/crun' } },
        { name: 'kata', type: 'io.containerd.kata.v2', privileged_without_host_devices: true },
      ],
      http_proxy: 'http://proxy.example.com:3128',
      no_proxy: `localhost,127.0.0.1,${registry.host.split(':')[0]}`,
      containerd_limit_nofile: 65536,
    });

    beforeAll(async () => {
      mirror = await startRuntimeMirror();
      registry = await startFixtureRegistry(testAddress('127.172.0.250'), { username: USER, password: PASSWORD });
      work = mkdtempSync(path.join(tmpdir(), 'bosun-registries-'));
      process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
    }, 600_000);
    afterAll(async () => {
      await (mirror as RuntimeMirror | undefined)?.server.close();
      await (registry as FixtureRegistry | undefined)?.close();
      delete process.env['XDG_CACHE_HOME'];
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('credentials, per-mirror options, extra runtimes, proxy and limits: exact --check, secrets never shown, a real authenticated pull, changed=0', async () => {
      // An operator's own registry folder: bosun never touches it.
      await sh(
        `mkdir -p ${CERTS}/operator.example.com && echo 'server = "https://operator.example.com"' > ${CERTS}/operator.example.com/hosts.toml`,
      );
      const pb = play('full', full());
      const probe = `ls -la /etc/containerd ${CERTS} 2>&1; ls /etc/systemd/system/containerd.service.d 2>&1`;
      // No secret in anything bosun printed (the diffs included).
      const { check } = await exactCheckThenRun({
        pb,
        inv: inv(),
        probe: () => sh(probe),
        secrets: [PASSWORD, B64],
        beforeRun: resetDownloads,
      });
      const n = host().name;
      expect(changedTasks(check.events)).toEqual(
        expect.arrayContaining([
          `${n}|containerd : Proxy environment of containerd (systemd drop-in)`,
          `${n}|containerd : Registry hosts (hosts.toml)`,
          `${n}|containerd : Mark the registry folders bosun created`,
          `${n}|containerd : containerd config (version 2)`,
        ]),
      );

      const files = await sh(
        [
          `stat -c '%n %a' /etc/containerd/config.toml ${CERTS}/${registry.host}/hosts.toml ${CERTS}/docker.io/hosts.toml`,
          `ls -A ${CERTS}/${registry.host} ${CERTS}/quay.io ${CERTS}/operator.example.com`,
          `cat ${CERTS}/docker.io/hosts.toml`,
          `cat ${CERTS}/${registry.host}/hosts.toml`,
        ].join('; echo ---; '),
      );
      expect(files).toContain(
        `/etc/containerd/config.toml 600\n${CERTS}/${registry.host}/hosts.toml 600\n${CERTS}/docker.io/hosts.toml 600`,
      );
      // Marked: the folders bosun created; the operator's own has no marker.
      expect(files).toContain(`${CERTS}/${registry.host}:\n.bosun-managed\nhosts.toml`);
      expect(files).toContain(`${CERTS}/operator.example.com:\nhosts.toml`);
      expect(files).toContain('[host."https://mirror.example.com"]\n  capabilities = ["pull"]\n  skip_verify = true\n');
      expect(files).toContain(
        `[host."http://${registry.host}"]\n  capabilities = ["pull", "resolve", "push"]\n  skip_verify = true\n  [host."http://${registry.host}".header]\n    authorization = "Basic ${B64}"\n`,
      );
      // containerd itself reads the CRI credentials and the extra runtimes.
      const dump = await sh('containerd config dump');
      expect(dump).toContain(`[plugins."io.containerd.grpc.v1.cri".registry.configs."${registry.host}".auth]`);
      expect(dump).toContain(`password = "${PASSWORD}"`);
      expect(dump).toMatch(
        /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.crun\.options\]\n\s+BinaryName = "\/usr\/local\/bin\/crun"/,
      );
      const kata = dump.split('.containerd.runtimes.kata]')[1]!.split('.containerd.runtimes.kata.options]')[0]!;
      expect(kata).toContain('privileged_without_host_devices = true');
      expect(kata).toContain('runtime_type = "io.containerd.kata.v2"');
      const unit = await sh(
        'systemctl show containerd -p Environment -p LimitNOFILE -p LimitNPROC; systemctl is-active containerd',
      );
      expect(unit).toContain('HTTP_PROXY=http://proxy.example.com:3128 http_proxy=http://proxy.example.com:3128');
      expect(unit).toContain(`NO_PROXY=localhost,127.0.0.1,${registry.host.split(':')[0]}`);
      expect(unit).toContain('LimitNOFILE=65536');
      expect(unit).toContain('active');

      // A real pull through hosts.toml: without it the registry refuses, with it containerd sends the credentials.
      const before401 = registry.requests.length;
      const refused = await sh(
        `ctr -n bosun-test images pull --plain-http --snapshotter native ${registry.host}/${registry.image} 2>&1; echo rc=$?`,
      );
      expect(refused).not.toContain('rc=0');
      expect(registry.requests.slice(before401).every((r) => !r.authorized)).toBe(true);
      const since = registry.requests.length;
      const pulled = await sh(
        `ctr -n bosun-test images pull --hosts-dir ${CERTS} --snapshotter native ${registry.host}/${registry.image} 2>&1; echo rc=$?; ctr -n bosun-test images ls -q`,
      );
      expect(pulled).toContain('rc=0');
      expect(pulled).toContain(`${registry.host}/${registry.image}`);
      const served = registry.requests.slice(since);
      expect(served.filter((r) => r.status === 200 && r.path.includes('/blobs/')).length).toBe(2);
      expect(served.filter((r) => r.status === 200).every((r) => r.authorized)).toBe(true);

      await expectRerunUnchanged(pb, inv(), n);
    }, 600_000);

    it('a mirror and the credentials removed: its marked folder goes (exact --check), the operator folder stays, files back to 0644, no proxy drop-in', async () => {
      const vars = { ...full(), registry_auths: {}, http_proxy: '', no_proxy: '' };
      vars.containerd_registry_mirrors = { 'docker.io': ['https://mirror.example.com'] } as never;
      const pb = play('reduced', vars);
      const probe = `find ${CERTS} /etc/systemd/system/containerd.service.d | sort; stat -c '%n %a' /etc/containerd/config.toml`;
      const { check } = await exactCheckThenRun({ pb, inv: inv(), probe: () => sh(probe), secrets: [PASSWORD, B64] });
      const n = host().name;
      expect(changedTasks(check.events)).toEqual(
        [
          `${n}|containerd : No proxy drop-in without a proxy`,
          `${n}|containerd : containerd config (version 2)`,
          `${n}|containerd : Registry hosts (hosts.toml)`,
          `${n}|containerd : Remove the registry folders bosun no longer renders`,
          `${n}|containerd : restart containerd`,
        ].sort(),
      );
      const after = await sh(`${probe}; cat ${CERTS}/docker.io/hosts.toml`);
      expect(after).not.toContain(`${CERTS}/quay.io`);
      expect(after).toContain(`${CERTS}/operator.example.com/hosts.toml`);
      expect(after).not.toContain('bosun-proxy.conf');
      expect(after).toContain('/etc/containerd/config.toml 644');
      expect(after).not.toContain('skip_verify');
      expect(after).not.toContain('authorization');
      await expectRerunUnchanged(pb, inv(), n);
    }, 600_000);
  },
);
