/**
 * The kubekey role verifies kk's release archive against its sha256 (issue 19
 * item 5; KubeKey publishes no checksums, so none are pinned and the tests give
 * kubekey_checksum): on a sandbox host (127.197.2.1) with a FIXTURE archive
 * served from a local HTTP mirror, an archive whose sha256 is not the given one
 * is refused at the download and nothing is installed; with the archive's own
 * sha256 kk is installed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withSandbox } from '../helpers/sandbox.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';
import { bosun, buildTarGz, failedResults, onHost, rolePlaybook, sha256 } from '../fixtures/roles/harness.js';

const fixture = withSandbox(1, { base: '127.197.2.1' });
const VERSION = '3.1.12';
const ARCHIVE = `/github.com/kubesphere/kubekey/releases/download/v${VERSION}/kubekey-v${VERSION}-linux-amd64.tar.gz`;

let work: string;
let srv: TestServer;
let sha = '';

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-kk-sum-'));
  srv = await startServer();
  const kk = readFileSync('test/fixtures/roles/kubekey/kk', 'utf8').replace('@VERSION@', `v${VERSION}`);
  const archive = buildTarGz(work, 'kubekey', { kk: [kk, 0o755] });
  sha = archive.sha256;
  srv.routes.set(ARCHIVE, { body: archive.bytes });
});
afterAll(async () => {
  await (srv as TestServer | undefined)?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

fixture.describe('role kubekey: the release archive is verified by its sha256 (fixture archive)', () => {
  it('an archive that does not match kubekey_checksum is refused and nothing is installed; its own sha256 installs kk', async () => {
    const host = fixture.sandbox.hosts[0]!;
    const inv = path.join(work, 'hosts.ini');
    writeFileSync(
      inv,
      `${readFileSync(fixture.sandbox.inventoryFile, 'utf8')}
[kube_control_plane]
${host.name}

[etcd]
${host.name}

[kube_node]
${host.name}

[k8s_cluster:children]
kube_control_plane
kube_node
`,
    );
    const play = (name: string, checksum: string) =>
      rolePlaybook(
        work,
        name,
        ['kubekey'],
        {
          download_mirror: srv.url(''),
          kubekey_checksum: checksum,
          kubekey_private_key_path: '/root/.ssh/id_ed25519',
          kubekey_kubernetes_version: 'v1.32.8',
        },
        { hosts: 'k8s_cluster' },
      );
    const installed = () =>
      onHost(fixture, host, 'ls /usr/local/bin/kk /var/cache/bosun/kubekey/*.tar.gz 2>/dev/null; echo end');
    const wrong = sha256('another archive');
    expect(wrong).not.toBe(sha);
    const bad = await bosun(['run', play('wrong-sum', wrong), '-i', inv]);
    expect(bad.code).not.toBe(0);
    const failed = failedResults(bad.events);
    expect(failed.map((e) => e.task)).toEqual(['kubekey : Download the KubeKey release']);
    expect(failed[0]!.msg).toMatch(/checksum/i);
    expect(await installed()).toBe('end\n');

    // The same archive with its own sha256: downloaded, kk unpacked (the fixture kk then records its create).
    const good = await bosun(['run', play('right-sum', `sha256:${sha}`), '-i', inv]);
    expect(good.code, JSON.stringify(failedResults(good.events))).toBe(0);
    expect(await installed()).toBe(
      `/usr/local/bin/kk\n/var/cache/bosun/kubekey/kubekey-v${VERSION}-linux-amd64.tar.gz\nend\n`,
    );
  }, 300_000);
});
