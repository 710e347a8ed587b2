/**
 * registry_auths' certsPath (KubeKey's registry.auths: a folder on the node
 * holding the registry's CA *.crt and client <name>.cert/<name>.key) reaching
 * each runtime's TLS configuration, on 3 systemd sandbox hosts (127.197.0.x)
 * side by side, against a FIXTURE registry (test/helpers/fixture-registry.ts)
 * on 127.197.0.250 that serves HTTPS with a throw-away CA and refuses every
 * connection without a client certificate that CA signed (mutual TLS), behind
 * basic auth:
 * - containerd FOR REAL (Debian's containerd 1.6.20 from the local runtime
 *   mirror): hosts.toml names the files (`ca`, `client`), and `ctr images
 *   pull --hosts-dir` really pulls through mutual TLS with them;
 * - CRI-O with the FIXTURE bundle (no real CRI-O here, so no pull): the files
 *   land in /etc/containers/certs.d/<host>/ (containers-certs.d(5));
 * - iSulad with the FIXTURE daemon and CLI, whose `isula login` reads
 *   /etc/isulad/certs.d/<host>/ as iSulad does (one CA, one pair, all or
 *   none) and logs in over mutual TLS with the files the role copied.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetDownloads } from '../../src/modules/lib/controller-download.js';
import { startFixtureRegistry, type FixtureRegistry } from '../helpers/fixture-registry.js';
import { runtimeDebsSkip } from '../helpers/network.js';
import { startRuntimeMirror, type RuntimeMirror } from '../helpers/runtime-mirror.js';
import { testAddress, withSandbox } from '../helpers/sandbox.js';
import { makeTestPki, type TestPki } from '../helpers/test-pki.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';
import {
  bosun,
  buildCrioBundle,
  changedTasks,
  exactCheckThenRun,
  expectRerunUnchanged,
  failedResults,
  type JsonEvent,
  onHost,
  recapOf,
  rolePlaybook,
} from '../fixtures/roles/harness.js';

const fixture = withSandbox(3, { base: '127.197.0.1', systemd: true, skip: await runtimeDebsSkip() });
const USER = 'puller';
const PASSWORD = 'Certs-registry-pw!';
const B64 = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const CERTS_PATH = '/etc/bosun-test/registry-certs';
const CRIO_V = '1.35.0';
const ISULAD_FIX = path.resolve('test/fixtures/roles/isulad');

let work: string;
let pki: TestPki;
let registry: FixtureRegistry;
let mirror: RuntimeMirror;
let srv: TestServer;
let crioSha: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-registry-certs-'));
  process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
  const ip = testAddress('127.197.0.250');
  pki = makeTestPki(ip);
  registry = await startFixtureRegistry(
    ip,
    { username: USER, password: PASSWORD },
    { key: pki.serverKey, cert: pki.serverCert, clientCa: pki.caCert },
  );
  mirror = await startRuntimeMirror();
  srv = await startServer();
  const b = buildCrioBundle(work, CRIO_V);
  crioSha = b.sha256;
  srv.routes.set(`/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${CRIO_V}.tar.gz`, { body: b.bytes });
}, 600_000);
afterAll(async () => {
  await (registry as FixtureRegistry | undefined)?.close();
  await (mirror as RuntimeMirror | undefined)?.server.close();
  await (srv as TestServer | undefined)?.close();
  delete process.env['XDG_CACHE_HOME'];
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A line of the client key's PEM body: never in any output (the copies' diffs included). */
const keyLine = () => pki.clientKey.split('\n')[1]!;

/** The messages of the failed results (a loop's from its items). */
const failMessages = (events: JsonEvent[]) =>
  failedResults(events)
    .flatMap((e) => [e.msg, ...((e as { items?: Array<{ msg?: string }> }).items ?? []).map((i) => i.msg)])
    .join('\n');

/** A shell script that writes `content` to `dest` with `mode`. */
const put = (dest: string, content: string, mode: string) =>
  `mkdir -p ${path.dirname(dest)} && cat > ${dest} <<'FIXTURE_EOF'\n${content}FIXTURE_EOF\nchmod ${mode} ${dest}\n`;
/** The operator's certsPath folder: the CA and the client pair, as KubeKey's certsPath holds them. */
const certsFolder = () =>
  put(`${CERTS_PATH}/ca.crt`, pki.caCert, '644') +
  put(`${CERTS_PATH}/client.cert`, pki.clientCert, '644') +
  put(`${CERTS_PATH}/client.key`, pki.clientKey, '600');

fixture.describe('registry_auths certsPath reaches containerd, CRI-O and iSulad (mutual-TLS fixture registry)', () => {
  const inv = () => fixture.sandbox.inventoryFile;
  const host = (i: number) => fixture.sandbox.hosts[i]!;
  const sh = (i: number, script: string) => onHost(fixture, host(i), script);
  const auths = (extra: Record<string, unknown> = {}) => ({
    [registry.host]: { username: USER, password: PASSWORD, certsPath: CERTS_PATH, ...extra },
  });

  it.concurrent(
    'containerd (real): hosts.toml names ca and client, ctr pulls over mutual TLS, exact --check, changed=0; a bad certsPath is refused before any change',
    async () => {
      const n = host(0).name;
      await sh(0, certsFolder());
      const play = (name: string, vars: Record<string, unknown>) =>
        rolePlaybook(
          work,
          name,
          ['containerd'],
          {
            ...mirror.vars,
            bosun_download: 'controller',
            containerd_unit_modprobe: false,
            containerd_snapshotter: 'native',
            ...vars,
          },
          { hosts: n },
        );
      const pb = play('containerd-certs', { registry_auths: auths() });
      const CERTS = '/etc/containerd/certs.d';
      const { check } = await exactCheckThenRun({
        pb,
        inv: inv(),
        probe: () => sh(0, `ls -la /etc/containerd ${CERTS} 2>&1`),
        secrets: [PASSWORD, B64, keyLine()],
        beforeRun: resetDownloads,
      });
      expect(changedTasks(check.events)).toEqual(
        expect.arrayContaining([`${n}|containerd : Registry hosts (hosts.toml)`]),
      );
      const hostsToml = await sh(0, `cat ${CERTS}/${registry.host}/hosts.toml`);
      expect(hostsToml).toContain(
        `server = "https://${registry.host}"\nca = ["${CERTS_PATH}/ca.crt"]\nclient = [["${CERTS_PATH}/client.cert", "${CERTS_PATH}/client.key"]]\n`,
      );
      // Without the hosts folder ctr does not trust the CA: the handshake fails, the registry answers nothing.
      const before = registry.requests.length;
      const refused = await sh(
        0,
        `ctr -n bosun-test images pull --snapshotter native ${registry.host}/${registry.image} 2>&1; echo rc=$?`,
      );
      expect(refused).not.toContain('rc=0');
      expect(registry.requests.length).toBe(before);
      // With it: containerd trusts the CA and presents the client pair (the registry accepts no connection
      // without one), and sends the credentials.
      const pulled = await sh(
        0,
        `ctr -n bosun-test images pull --hosts-dir ${CERTS} --snapshotter native ${registry.host}/${registry.image} 2>&1; echo rc=$?`,
      );
      expect(pulled).toContain('rc=0');
      const served = registry.requests.slice(before);
      expect(served.filter((r) => r.status === 200 && r.path.includes('/blobs/')).length).toBe(2);
      expect(served.filter((r) => r.status === 200).every((r) => r.authorized)).toBe(true);
      // containerd 1.x reads TLS from hosts.toml only once config_path is set: no registry.configs tls.
      const dump = await sh(0, 'containerd config dump');
      expect(dump).toContain(`[plugins."io.containerd.grpc.v1.cri".registry.configs."${registry.host}".auth]`);
      expect(dump).not.toContain(`registry.configs."${registry.host}".tls]`);
      await expectRerunUnchanged(pb, inv(), n);

      // A certsPath that is no folder, then a key without its certificate: refused before anything changes.
      const NOT_A_FOLDER = 'containerd : Refuse a certsPath that is not a folder on this host';
      for (const [name, vars, task, message] of [
        [
          'containerd-missing',
          { registry_auths: auths({ certsPath: '/nonexistent/certs' }) },
          NOT_A_FOLDER,
          'certsPath is "/nonexistent/certs"',
        ],
        [
          'containerd-relative',
          { registry_auths: auths({ certsPath: 'certs' }) },
          NOT_A_FOLDER,
          'expected the absolute path of a folder',
        ],
        [
          'containerd-climbing-host',
          { registry_auths: { '../../etc/evil': { certsPath: CERTS_PATH } } },
          'containerd : Refuse a registry_auths host with a certsPath that is not host[:port]',
          'registry_auths has a certsPath for "../../etc/evil": expected a registry host[:port]',
        ],
      ] as const) {
        const bad = await bosun(['run', play(name, vars), '-i', inv()]);
        expect(bad.code).not.toBe(0);
        expect(failedResults(bad.events).map((e) => e.task)).toEqual([task]);
        expect(failMessages(bad.events)).toContain(message);
        expect(bad.out).not.toContain(PASSWORD);
        expect(recapOf(bad.events)[n]).toMatchObject({ changed: 0 });
      }
      await sh(0, `: > ${CERTS_PATH}/lonely.key`);
      const unpaired = await bosun(['run', pb, '-i', inv()]);
      expect(failedResults(unpaired.events).map((e) => e.task)).toEqual([
        'containerd : Refuse a client certificate without its key (or a key without its certificate)',
      ]);
      expect(failMessages(unpaired.events)).toContain(
        `${CERTS_PATH}/lonely.key has no ${CERTS_PATH}/lonely.cert beside it`,
      );
      expect(recapOf(unpaired.events)[n]).toMatchObject({ changed: 0 });
      await sh(0, `rm ${CERTS_PATH}/lonely.key`);
    },
    600_000,
  );

  it.concurrent(
    'CRI-O (fixture bundle): the files land in /etc/containers/certs.d/<host>/ (key 0600), exact --check, changed=0; files and registries gone from certsPath are removed, an operator folder stays',
    async () => {
      const n = host(1).name;
      const D = `/etc/containers/certs.d/${registry.host}`;
      await sh(1, certsFolder() + put('/etc/containers/certs.d/operator.example.com/ca.crt', pki.caCert, '644'));
      const play = (name: string, vars: Record<string, unknown>) =>
        rolePlaybook(
          work,
          name,
          ['crio'],
          { download_mirror: srv.url('/'), crio_version: CRIO_V, crio_checksum: crioSha, ...vars },
          { hosts: n },
        );
      // A second registry with only TLS settings (no credentials), as KubeKey allows.
      const pb = play('crio-certs', {
        registry_auths: { ...auths(), 'tls-only.example.com': { certsPath: CERTS_PATH, skipTLSVerify: false } },
      });
      const probe = 'find /etc/containers/certs.d /etc/crio 2>&1 | sort';
      const { check } = await exactCheckThenRun({
        pb,
        inv: inv(),
        probe: () => sh(1, probe),
        secrets: [PASSWORD, B64, keyLine()],
      });
      expect(changedTasks(check.events)).toEqual(
        expect.arrayContaining([
          `${n}|crio : Folders of the registries' TLS files in the runtime's certs.d`,
          `${n}|crio : Mark the certs.d folders bosun created`,
          `${n}|crio : TLS files of the registries (copied from certsPath into the runtime's certs.d)`,
        ]),
      );
      expect(await sh(1, `cd ${D} && stat -c '%n %a' .bosun-managed ca.crt client.cert client.key`)).toBe(
        '.bosun-managed 644\nca.crt 644\nclient.cert 644\nclient.key 600\n',
      );
      expect(await sh(1, `cat ${D}/ca.crt ${D}/client.cert ${D}/client.key`)).toBe(
        pki.caCert + pki.clientCert + pki.clientKey,
      );
      expect(await sh(1, 'ls -A /etc/containers/certs.d/tls-only.example.com')).toBe(
        '.bosun-managed\nca.crt\nclient.cert\nclient.key\n',
      );
      // Only the entry with credentials is in containers-auth.json.
      expect(Object.keys((JSON.parse(await sh(1, 'cat /etc/crio/auth.json')) as { auths: object }).auths)).toEqual([
        registry.host,
      ]);
      await expectRerunUnchanged(pb, inv(), n);

      // The client pair leaves certsPath and the TLS-only registry leaves registry_auths: --check predicts
      // exactly their removal; the operator's unmarked folder stays.
      await sh(1, `mkdir -p ${CERTS_PATH}.ca-only && cp ${CERTS_PATH}/ca.crt ${CERTS_PATH}.ca-only/`);
      const pb2 = play('crio-certs-less', { registry_auths: auths({ certsPath: `${CERTS_PATH}.ca-only` }) });
      const { check: check2 } = await exactCheckThenRun({
        pb: pb2,
        inv: inv(),
        probe: () => sh(1, probe),
        secrets: [PASSWORD, B64, keyLine()],
      });
      expect(changedTasks(check2.events)).toEqual(
        [`${n}|crio : Remove what bosun no longer copies (registries without certsPath, files gone from it)`].sort(),
      );
      expect(await sh(1, 'find /etc/containers/certs.d -type f | sort')).toBe(
        `${D}/.bosun-managed\n${D}/ca.crt\n/etc/containers/certs.d/operator.example.com/ca.crt\n`,
      );
      await expectRerunUnchanged(pb2, inv(), n);
    },
    600_000,
  );

  it.concurrent(
    'iSulad (fixture daemon and CLI): the files land in /etc/isulad/certs.d/<host>/, isula login succeeds over mutual TLS with them, changed=0; a certsPath iSulad cannot read is refused',
    async () => {
      const n = host(2).name;
      const fix = (file: string) => readFileSync(path.join(ISULAD_FIX, file), 'utf8');
      await sh(
        2,
        certsFolder() +
          put('/usr/bin/isulad', fix('isulad'), '755') +
          put('/usr/bin/isula', fix('isula'), '755') +
          put('/usr/lib/systemd/system/isulad.service', fix('isulad.service'), '644') +
          'systemctl daemon-reload',
      );
      const play = (name: string, vars: Record<string, unknown>) =>
        rolePlaybook(work, name, ['isulad'], { isulad_install_package: false, ...vars }, { hosts: n });
      const pb = play('isulad-certs', { registry_auths: auths() });
      const D = `/etc/isulad/certs.d/${registry.host}`;
      const before = registry.requests.length;
      const { real } = await exactCheckThenRun({
        pb,
        inv: inv(),
        probe: () => sh(2, 'find /etc/isulad /root/.isulad /var/lib/bosun 2>&1 | sort'),
        secrets: [PASSWORD, B64, keyLine()],
      });
      expect(changedTasks(real.events)).toEqual(
        expect.arrayContaining([
          `${n}|isulad : TLS files of the registries (copied from certsPath into the runtime's certs.d)`,
          `${n}|isulad : Log in to the registries with credentials (isula login)`,
        ]),
      );
      expect(await sh(2, `cd ${D} && stat -c '%n %a' .bosun-managed ca.crt client.cert client.key`)).toBe(
        '.bosun-managed 644\nca.crt 644\nclient.cert 644\nclient.key 600\n',
      );
      // The login reached the registry, which accepts no connection without the client pair.
      expect(registry.requests.slice(before).some((r) => r.path === '/v2/' && r.authorized && r.status === 200)).toBe(
        true,
      );
      expect(await sh(2, 'cat /var/lib/isulad-fixture/logins')).toBe(`${registry.host} ${USER}\n`);
      await expectRerunUnchanged(pb, inv(), n);

      // A CA alone: iSulad refuses such a certs.d folder at each pull, the role before any change.
      await sh(2, `mkdir -p ${CERTS_PATH}.isula-ca && cp ${CERTS_PATH}/ca.crt ${CERTS_PATH}.isula-ca/`);
      const bad = await bosun([
        'run',
        play('isulad-ca-only', { registry_auths: auths({ certsPath: `${CERTS_PATH}.isula-ca` }) }),
        '-i',
        inv(),
      ]);
      expect(failedResults(bad.events).map((e) => e.task)).toEqual([
        'isulad : Refuse a certsPath the runtime cannot read (one CA and one client pair, or nothing)',
      ]);
      expect(failMessages(bad.events)).toContain(
        'holds 1 CA certificate(s) (*.crt) and 0 client certificate(s) (*.cert)',
      );
      expect(recapOf(bad.events)[n]).toMatchObject({ changed: 0 });
    },
    600_000,
  );
});
