/**
 * Every built-in role that CI can feed has a scenario under roles/<role>/tests/default, run here
 * through `bosun role test` exactly as an author would: runc and containerd with Debian's real
 * binaries published as upstream's release files, crictl with a fixture archive, all from a
 * local download mirror on 127.0.0.1 passed with -e.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSupport } from '../../src/sandbox/index.js';
import { readFileSync } from 'node:fs';
import { buildCrioBundle, buildTarGz } from '../fixtures/roles/harness.js';
import { runCli } from '../helpers/cli.js';
import { runtimeDebsSkip, skipNote } from '../helpers/network.js';
import { testAddress } from '../helpers/sandbox.js';
import { startRuntimeMirror, type RuntimeMirror } from '../helpers/runtime-mirror.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';

const support = sandboxSupport();
const ROLES: Array<[role: string, base: string]> = [
  ['runc', '127.113.0.1'],
  ['crictl', '127.113.1.1'],
  ['containerd', '127.113.2.1'],
  ['crio', '127.113.3.1'],
  ['isulad', '127.113.4.1'],
  ['kubekey', '127.113.5.1'],
  ['download', '127.113.6.1'],
];
const CRIO_FIXTURE_VERSION = '1.35.0';
const KK_FIXTURE_VERSION = '3.1.12';

// The mirror repacks Debian's containerd and runc: fetched once, then cached.
const skip = support.ok ? await runtimeDebsSkip() : support.reason;

describe.skipIf(skip !== undefined)(skipNote('built-in role scenarios through bosun role test', skip), () => {
  let mirror: RuntimeMirror;
  let fixtures: TestServer;
  let varsFile: string;
  beforeAll(async () => {
    mirror = await startRuntimeMirror();
    const work = mkdtempSync(path.join(tmpdir(), 'bosun-roles-'));
    // CRI-O cannot be downloaded in CI: a fixture bundle of upstream's layout, from a second local server.
    fixtures = await startServer();
    const crio = buildCrioBundle(work, CRIO_FIXTURE_VERSION);
    fixtures.routes.set(`/storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v${CRIO_FIXTURE_VERSION}.tar.gz`, {
      body: crio.bytes,
    });
    varsFile = path.join(work, 'mirror.json');
    writeFileSync(varsFile, JSON.stringify(mirror.vars));
    writeFileSync(
      path.join(work, 'crio.json'),
      JSON.stringify({
        download_mirror: fixtures.url('/'),
        crio_version: CRIO_FIXTURE_VERSION,
        crio_checksum: crio.sha256,
      }),
    );
    // KubeKey neither: a FIXTURE kk that records its calls instead of creating a cluster.
    const kk = buildTarGz(work, 'kubekey', {
      kk: [
        readFileSync('test/fixtures/roles/kubekey/kk', 'utf8').replace('@VERSION@', `v${KK_FIXTURE_VERSION}`),
        0o755,
      ],
    });
    fixtures.routes.set(
      `/github.com/kubesphere/kubekey/releases/download/v${KK_FIXTURE_VERSION}/kubekey-v${KK_FIXTURE_VERSION}-linux-amd64.tar.gz`,
      { body: kk.bytes },
    );
    writeFileSync(
      path.join(work, 'kubekey.json'),
      JSON.stringify({
        download_mirror: fixtures.url('/'),
        kubekey_version: KK_FIXTURE_VERSION,
        kubekey_checksum: kk.sha256,
      }),
    );
  }, 300_000);
  // A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
  afterAll(async () => {
    await (mirror as RuntimeMirror | undefined)?.server.close();
    await (fixtures as TestServer | undefined)?.close();
  });

  for (const [role, base] of ROLES) {
    it(`${role}: create, converge, idempotence, check, verify, destroy`, async () => {
      const own = ['crio', 'kubekey'].includes(role) ? path.join(path.dirname(varsFile), `${role}.json`) : undefined;
      const vars = own ?? varsFile;
      const extra = role === 'isulad' ? ['-e', `fixture_dir=${path.resolve('test/fixtures/roles/isulad')}`] : [];
      const res = await runCli([
        'role',
        'test',
        path.resolve('roles', role),
        '--base',
        testAddress(base),
        '-e',
        `@${vars}`,
        ...extra,
        '--json',
      ]);
      const summary = res.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; phase?: string; status?: string; details?: string[] });
      const failed = summary.filter((p) => p.type === 'phase' && p.status === 'failed');
      expect(failed, JSON.stringify(failed, null, 1) + res.err).toEqual([]);
      expect(res.code).toBe(0);
      expect(summary.filter((p) => p.type === 'phase' && p.status === 'passed').map((p) => p.phase)).toEqual([
        'create',
        'converge',
        'idempotence',
        'check',
        'verify',
        'destroy',
      ]);
    }, 300_000);
  }
});
