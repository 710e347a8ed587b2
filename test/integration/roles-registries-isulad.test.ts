/**
 * The isulad role's registry logins (`isula login --password-stdin`, done
 * again only when a login changes), the shipped cri-runtimes kept, the proxy
 * and limits drop-ins, and the KubeKey-derived pause image (KKZONE=cn), on a
 * systemd sandbox host (127.174.0.x) with the FIXTURE isulad daemon and isula
 * CLI (test/fixtures/roles/isulad: its `login` checks the credentials against
 * the registry's /v2/ as iSulad does), against the FIXTURE registry with
 * basic auth on 127.174.0.250.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFixtureRegistry, type FixtureRegistry } from '../helpers/fixture-registry.js';
import { testAddress, withSandbox } from '../helpers/sandbox.js';
import {
  bosun,
  changedTasks,
  exactCheckThenRun,
  expectRerunUnchanged,
  failedResults,
  onHost,
  rolePlaybook,
} from '../fixtures/roles/harness.js';

const fixture = withSandbox(1, { base: '127.174.0.1', systemd: true });
const FIX = path.resolve('test/fixtures/roles/isulad');
const PASSWORD = 'iSula-login-pw!';
let work: string;
let registry: FixtureRegistry;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-isulad-registries-'));
  registry = await startFixtureRegistry(testAddress('127.174.0.250'), { username: 'puller', password: PASSWORD });
});
afterAll(async () => {
  await (registry as FixtureRegistry | undefined)?.close();
  rmSync(work, { recursive: true, force: true });
});

const put = (file: string, dest: string, mode: string) =>
  `mkdir -p ${path.dirname(dest)} && cat > ${dest} <<'FIXTURE_EOF'\n${readFileSync(path.join(FIX, file), 'utf8')}FIXTURE_EOF\nchmod ${mode} ${dest}\n`;

fixture.describe('role isulad: registry logins, cri-runtimes, proxy, limits (fixture daemon and registry)', () => {
  const inv = () => fixture.sandbox.inventoryFile;
  const sh = (script: string) => onHost(fixture, fixture.sandbox.hosts[0]!, script);

  it('logs in once with exact --check, never shows the password, keeps cri-runtimes; a new password logs in again', async () => {
    await sh(
      put('isulad', '/usr/bin/isulad', '755') +
        put('isula', '/usr/bin/isula', '755') +
        put('isulad.service', '/usr/lib/systemd/system/isulad.service', '644') +
        'systemctl daemon-reload',
    );
    const vars = (password: string) => ({
      isulad_install_package: false,
      registry_auths: { [registry.host]: { username: 'puller', password } },
      insecure_registries: [registry.host],
      http_proxy: 'http://proxy.example.com:3128',
      no_proxy: registry.host.split(':')[0],
      isulad_limit_nofile: 65536,
      kubekey_environment: { KKZONE: 'cn' },
    });
    const pb = rolePlaybook(work, 'login', ['isulad'], vars(PASSWORD));
    const probe =
      'ls -la /root/.isulad /var/lib/bosun /etc/systemd/system 2>&1; cat /var/lib/isulad-fixture/logins 2>&1';
    const { real } = await exactCheckThenRun({ pb, inv: inv(), probe: () => sh(probe), secrets: [PASSWORD] });
    const n = fixture.sandbox.hosts[0]!.name;
    expect(changedTasks(real.events)).toEqual(
      expect.arrayContaining([
        `${n}|isulad : Log in to the registries with credentials (isula login)`,
        `${n}|isulad : Record the registry logins`,
        `${n}|isulad : Proxy environment of isulad (systemd drop-in)`,
        `${n}|isulad : Resource limits of isulad (systemd drop-in)`,
      ]),
    );
    // The fixture login checked the credentials against the registry, which saw them.
    expect(registry.requests.some((r) => r.path === '/v2/' && r.authorized && r.status === 200)).toBe(true);
    expect(await sh('cat /var/lib/isulad-fixture/logins')).toBe(`${registry.host} puller\n`);
    expect(
      await sh(`stat -c '%a' /var/lib/bosun/isulad-logins /var/lib/bosun/isulad-logins/${registry.host}.sha256`),
    ).toBe('700\n600\n');
    const daemon = JSON.parse(await sh('cat /etc/isulad/daemon.json')) as Record<string, unknown>;
    expect(daemon['cri-runtimes']).toEqual({ kata: 'io.containerd.kata.v2' });
    // KKZONE=cn without a private registry: KubeKey's China registry and namespace.
    expect(daemon['pod-sandbox-image']).toBe('registry.cn-beijing.aliyuncs.com/kubesphereio/pause:3.9');
    const unit = await sh('systemctl show isulad -p Environment -p LimitNOFILE; systemctl is-active isulad');
    expect(unit).toContain('HTTP_PROXY=http://proxy.example.com:3128 http_proxy=http://proxy.example.com:3128');
    expect(unit).toContain('LimitNOFILE=65536');
    expect(unit).toContain('active');

    await expectRerunUnchanged(pb, inv(), n);

    // Another password: --check predicts the login and the record, the real run logs in once more.
    const pb2 = rolePlaybook(work, 'relogin', ['isulad'], vars('wrong-password-1'));
    const check2 = await bosun(['run', pb2, '-i', inv(), '--check']);
    expect(changedTasks(check2.events)).toEqual(
      [
        `${n}|isulad : Log in to the registries with credentials (isula login)`,
        `${n}|isulad : Record the registry logins`,
      ].sort(),
    );
    // The registry refuses that password: the login fails, and nothing is recorded for it.
    const real2 = await bosun(['run', pb2, '-i', inv()]);
    expect(real2.code).not.toBe(0);
    expect(failedResults(real2.events).map((e) => e.task)).toEqual([
      'isulad : Log in to the registries with credentials (isula login)',
    ]);
    expect(real2.out).not.toContain('wrong-password-1');
    await expectRerunUnchanged(pb, inv(), n);

    // The registry dropped from registry_auths: --check predicts the logout, the real run logs out and forgets
    // the record; again: nothing to do.
    const pb3 = rolePlaybook(work, 'logout', ['isulad'], { ...vars(PASSWORD), registry_auths: {} });
    const { check: check3 } = await exactCheckThenRun({
      pb: pb3,
      inv: inv(),
      probe: () => sh(probe),
      secrets: [PASSWORD],
    });
    expect(changedTasks(check3.events)).toEqual(
      expect.arrayContaining([
        `${n}|isulad : Log out of the registries no longer in registry_auths (isula logout)`,
        `${n}|isulad : Forget the login records of those registries`,
      ]),
    );
    expect(JSON.parse(await sh('cat /root/.isulad/auths.json'))).toEqual({ auths: {} });
    expect(await sh(`ls /var/lib/bosun/isulad-logins; echo end`)).toBe('end\n');
    await expectRerunUnchanged(pb3, inv(), n);
  }, 600_000);
});
