/**
 * The built-in `kubekey` role on 3 sandbox hosts (node1 control plane + etcd,
 * driving kk; node2 and node3 workers as the inventory says), against a
 * FIXTURE kk release archive (test/fixtures/roles/kubekey/kk records its
 * arguments instead of building a cluster, and fails when told to) served
 * from a local HTTP mirror. Every rendered Cluster config is validated
 * against roles/kubekey/files/cluster-v1alpha2.schema.json (written from
 * KubeKey's Go types). The lifecycle runs in order over the cases: a create
 * that fails and its retry, --limit, upgrade, refusals, add nodes (failing
 * once), delete node; each step predicted exactly by --check (the kk command
 * in the task's `cmd`) and followed by a run with changed=0.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { withSandbox } from '../helpers/sandbox.js';
import { dig } from '../helpers/dig.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';
import {
  bosun,
  buildTarGz,
  changedTasks,
  failedResults,
  onHost,
  resultsOf,
  rolePlaybook,
  sha256,
  snapshot,
} from '../fixtures/roles/harness.js';

const fixture = withSandbox(3, { base: '127.91.0.1' });
const VERSION = '3.1.12';
const ARCHIVE = `/github.com/kubesphere/kubekey/releases/download/v${VERSION}/kubekey-v${VERSION}-linux-amd64.tar.gz`;
const SCHEMA = JSON.parse(readFileSync('roles/kubekey/files/cluster-v1alpha2.schema.json', 'utf8')) as object;
const validate = new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(SCHEMA);

let work: string;
let srv: TestServer;
let sha = '';

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-kk-'));
  srv = await startServer();
  const kk = readFileSync('test/fixtures/roles/kubekey/kk', 'utf8').replace('@VERSION@', `v${VERSION}`);
  const archive = buildTarGz(work, 'kubekey', { kk: [kk, 0o755] });
  sha = archive.sha256;
  srv.routes.set(ARCHIVE, { body: archive.bytes });
});
// A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
afterAll(async () => {
  await (srv as TestServer | undefined)?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The sandbox inventory with kubespray-style groups: node1 control plane + etcd, `workers` (default node2, node3). */
function inventory(workers = [2, 3], extra = ''): string {
  const file = path.join(work, 'hosts.ini');
  const names = fixture.sandbox.hosts.map((h) => h.name);
  writeFileSync(
    file,
    `${readFileSync(fixture.sandbox.inventoryFile, 'utf8')}
[kube_control_plane]
${names[0]}

[etcd]
${names[0]}

[kube_node]
${workers.map((n) => names[n - 1]).join('\n')}

[k8s_cluster:children]
kube_control_plane
kube_node
${extra}`,
  );
  return file;
}
const play = (name: string, vars: Record<string, unknown>): string =>
  rolePlaybook(work, name, ['kubekey'], vars, { hosts: 'k8s_cluster' });
const baseVars = (extra: Record<string, unknown> = {}) => ({
  download_mirror: srv.url(''),
  kubekey_checksum: sha,
  kubekey_private_key_path: '/root/.ssh/id_ed25519',
  container_manager: 'crio',
  registry_mirrors: ['https://mirror.gcr.io'],
  insecure_registries: ['registry.local:5000'],
  ...extra,
});
const driver = () => fixture.sandbox.hosts[0]!;
const calls = async () =>
  (await onHost(fixture, driver(), 'cat /var/lib/kk-fixture/calls 2>/dev/null || true')).split('\n').filter(Boolean);
const renderedConfig = async () =>
  parseYaml(await onHost(fixture, driver(), 'cat /root/kubekey-bosun.yaml')) as unknown;
const STATE = '/root/kubekey-bosun.state.json';
const PATHS = [
  '/usr/local/bin/kk',
  '/root/kubekey-bosun.yaml',
  STATE,
  '/root/kubekey-bosun.previous.yaml',
  '/var/lib/kk-fixture/calls',
  '/etc/kubernetes/admin.conf',
];
/** `host|kubekey : task` of the driver for each task name, sorted as changedTasks sorts. */
const onDriver = (...tasks: string[]) => tasks.map((t) => `${driver().name}|kubekey : ${t}`).sort();
/** The `cmd` a kk task registered (check mode: the command it would run). */
const cmdOf = (events: Awaited<ReturnType<typeof bosun>>['events'], task: string) =>
  resultsOf(events, `kubekey : ${task}`)[0]?.data?.['cmd'];
/** Tell the fixture kk to fail its next `verb` runs (create, add, upgrade, delete), or to stop failing. */
const failKk = (verb: string | undefined) =>
  onHost(
    fixture,
    driver(),
    verb ? `mkdir -p /var/lib/kk-fixture && echo ${verb} > /var/lib/kk-fixture/fail` : 'rm -f /var/lib/kk-fixture/fail',
  );
const RECORD = 'Record the state kk brought the cluster to';

fixture.describe('role kubekey on 3 sandbox hosts (fixture kk)', () => {
  const V1 = 'v1.32.8';
  const createVars = () => baseVars({ kubekey_kubernetes_version: V1 });

  it('refuses a kk version without a checksum before anything changes', async () => {
    const before = await snapshot(fixture, PATHS);
    const res = await bosun(['run', play('refuse', baseVars({ kubekey_checksum: '' })), '-i', inventory()]);
    expect(res.code).not.toBe(0);
    const failed = failedResults(res.events);
    expect(failed.map((e) => `${e.host}|${e.task}`)).toEqual([
      `${driver().name}|kubekey : Refuse a kk version without a pinned or given checksum`,
    ]);
    expect(failed[0]!.msg).toContain(`KubeKey ${VERSION} for amd64 has no pinned sha256`);
    expect(changedTasks(res.events)).toEqual([]);
    expect(await snapshot(fixture, PATHS)).toEqual(before);
  }, 120_000);

  it('a create that fails (admin.conf written) is not a cluster: the next run creates again, predicted by --check', async () => {
    const pb = play('create', createVars());
    const before = await snapshot(fixture, PATHS);
    const check = await bosun(['run', pb, '-i', inventory(), '--check']);
    expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await snapshot(fixture, PATHS)).toEqual(before);
    const diff = resultsOf(check.events, 'kubekey : Render the KubeKey Cluster config')[0]!;
    expect(diff.diff?.[0]?.after).toContain('apiVersion: kubekey.kubesphere.io/v1alpha2');
    expect(cmdOf(check.events, 'Create the cluster with kk')).toEqual([
      '/usr/local/bin/kk',
      'create',
      'cluster',
      '-f',
      '/root/kubekey-bosun.yaml',
      '--yes',
    ]);
    // Check mode predicts all but the steps it cannot take without the download.
    expect(changedTasks(check.events)).toEqual(
      onDriver('Create the download folder', 'Render the KubeKey Cluster config', 'Create the cluster with kk', RECORD),
    );

    await failKk('create');
    const failing = await bosun(['run', pb, '-i', inventory()]);
    expect(failing.code).toBe(2);
    expect(failedResults(failing.events).map((e) => e.task)).toEqual(['kubekey : Create the cluster with kk']);
    expect(srv.hits.get(ARCHIVE)).toBe(1);
    const snaps = await snapshot(fixture, PATHS);
    expect(snaps[0]).toContain('/usr/local/bin/kk 755 root');
    expect(snaps[0]).toContain('/root/kubekey-bosun.yaml 600 root');
    expect(snaps[0]).toContain('/etc/kubernetes/admin.conf 644 root');
    expect(snaps[0]).toContain(`${STATE} absent`);
    for (const s of snaps.slice(1)) expect(s).toContain('/usr/local/bin/kk absent');

    await failKk(undefined);
    const retryCheck = await bosun(['run', pb, '-i', inventory(), '--check']);
    expect(changedTasks(retryCheck.events)).toEqual(onDriver('Create the cluster with kk', RECORD));
    const retry = await bosun(['run', pb, '-i', inventory()]);
    expect(retry.err).toBe('');
    expect(retry.code, JSON.stringify(failedResults(retry.events))).toBe(0);
    expect(changedTasks(retry.events)).toEqual(changedTasks(retryCheck.events));
    expect(await calls()).toEqual([
      '/root create cluster -f /root/kubekey-bosun.yaml --yes',
      '/root create cluster -f /root/kubekey-bosun.yaml --yes',
    ]);
    const state = JSON.parse(await onHost(fixture, driver(), `cat ${STATE}`)) as Record<string, unknown>;
    const text = await onHost(fixture, driver(), 'cat /root/kubekey-bosun.yaml');
    expect(state['digest']).toBe(sha256(text));
    expect(state['cluster']).toEqual(parseYaml(text));
    expect((await snapshot(fixture, [STATE]))[0]).toContain(`${STATE} 600 root`);

    const config = await renderedConfig();
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    const [n1, n2, n3] = fixture.sandbox.hosts;
    const host = (h: typeof n1) => ({
      name: h!.name,
      address: h!.address,
      internalAddress: h!.address,
      port: 22,
      user: 'root',
      privateKeyPath: '/root/.ssh/id_ed25519',
      arch: 'amd64',
    });
    expect(config).toEqual({
      apiVersion: 'kubekey.kubesphere.io/v1alpha2',
      kind: 'Cluster',
      metadata: { name: 'bosun' },
      spec: {
        hosts: [host(n1), host(n2), host(n3)],
        roleGroups: { etcd: [n1!.name], 'control-plane': [n1!.name], worker: [n2!.name, n3!.name] },
        controlPlaneEndpoint: { domain: 'lb.kubesphere.local', address: '', port: 6443 },
        kubernetes: {
          version: V1,
          clusterName: 'cluster.local',
          autoRenewCerts: true,
          containerManager: 'crio',
          containerRuntimeEndpoint: 'unix:///var/run/crio/crio.sock',
        },
        etcd: { type: 'kubekey' },
        network: {
          plugin: 'calico',
          kubePodsCIDR: '10.233.64.0/18',
          kubeServiceCIDR: '10.233.0.0/18',
          multusCNI: { enabled: false },
        },
        registry: {
          privateRegistry: '',
          namespaceOverride: '',
          registryMirrors: ['https://mirror.gcr.io'],
          insecureRegistries: ['registry.local:5000'],
          auths: {},
        },
        addons: [],
      },
    });

    const again = await bosun(['run', pb, '-i', inventory()]);
    expect(again.code).toBe(0);
    expect(changedTasks(again.events)).toEqual([]);
    expect(await calls()).toHaveLength(2);
    expect(srv.hits.get(ARCHIVE)).toBe(1);
  }, 240_000);

  it('under --limit the config is the same (arch from the state of the last run), so nothing runs; an unknown arch is refused', async () => {
    const pb = play('create', createVars());
    const worker = fixture.sandbox.hosts[1]!.name;
    for (const extra of [['--check'], []]) {
      const res = await bosun(['run', pb, '-i', inventory(), '--limit', worker, ...extra]);
      expect(res.code, JSON.stringify(failedResults(res.events))).toBe(0);
      expect(changedTasks(res.events)).toEqual([]);
    }
    // Another cluster (no state yet): the hosts outside --limit have no known arch.
    const other = play('other', baseVars({ kubekey_metadata_name: 'other', kubekey_kubernetes_version: V1 }));
    const before = await snapshot(fixture, PATHS);
    const res = await bosun(['run', other, '-i', inventory(), '--limit', worker]);
    expect(res.code).toBe(2);
    const failed = failedResults(res.events);
    expect(failed.map((e) => e.task)).toEqual(["kubekey : Check that every cluster host's architecture is known"]);
    const [n1, , n3] = fixture.sandbox.hosts;
    expect(failed[0]!.msg).toContain(`The architecture of ${n1!.name}, ${n3!.name} is unknown`);
    expect(failed[0]!.msg).toContain('set kubekey_arch (amd64 or arm64) for them in the inventory');
    expect(await snapshot(fixture, PATHS)).toEqual(before);
    // An inventory variable is enough.
    const arch = `[all:vars]\nkubekey_arch=amd64\n`;
    const withArch = await bosun(['run', other, '-i', inventory([2, 3], arch), '--limit', worker, '--check']);
    expect(withArch.code, JSON.stringify(failedResults(withArch.events))).toBe(0);
    expect(cmdOf(withArch.events, 'Create the cluster with kk')).toContain('/root/kubekey-other.yaml');
  }, 180_000);

  it('a new Kubernetes (and KubeSphere) version is kk upgrade, predicted exactly by --check --diff', async () => {
    const pb = play('upgrade', baseVars({ kubekey_kubesphere_version: 'v3.4.1' }));
    const check = await bosun(['run', pb, '-i', inventory(), '--check', '--diff']);
    expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
    expect(changedTasks(check.events)).toEqual(
      onDriver('Render the KubeKey Cluster config', 'Upgrade the cluster with kk', RECORD),
    );
    const argv = ['/usr/local/bin/kk', 'upgrade', '-f', '/root/kubekey-bosun.yaml', '--with-kubernetes', 'v1.33.4'];
    expect(cmdOf(check.events, 'Upgrade the cluster with kk')).toEqual([
      ...argv,
      '--with-kubesphere',
      'v3.4.1',
      '--yes',
    ]);
    const diff = resultsOf(check.events, 'kubekey : Render the KubeKey Cluster config')[0]!.diff![0]!;
    expect(diff.before).toContain(`version: ${V1}`);
    expect(diff.after).toContain('version: v1.33.4');
    const real = await bosun(['run', pb, '-i', inventory()]);
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
    expect((await calls()).slice(2)).toEqual([
      '/root upgrade -f /root/kubekey-bosun.yaml --with-kubernetes v1.33.4 --with-kubesphere v3.4.1 --yes',
    ]);
    const config = await renderedConfig();
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(dig(config, 'spec', 'kubernetes', 'version')).toBe('v1.33.4');
    expect(changedTasks((await bosun(['run', pb, '-i', inventory()])).events)).toEqual([]);
  }, 180_000);

  it('what kk cannot change is refused before anything runs', async () => {
    const now = { kubekey_kubesphere_version: 'v3.4.1' };
    const refused = async (vars: Record<string, unknown>, inv: string, task: string, ...parts: string[]) => {
      const before = await snapshot(fixture, PATHS);
      const res = await bosun(['run', play('refused', baseVars({ ...now, ...vars })), '-i', inv]);
      expect(res.code).toBe(2);
      const failed = failedResults(res.events);
      expect(failed.map((e) => e.task)).toEqual([`kubekey : ${task}`]);
      for (const p of parts) expect(failed[0]!.msg).toContain(p);
      expect(changedTasks(res.events)).toEqual([]);
      expect(await snapshot(fixture, PATHS)).toEqual(before);
    };
    const cannot = 'Refuse what kk cannot change on the running cluster';
    await refused(
      {
        kubekey_network: {
          plugin: 'calico',
          kubePodsCIDR: '10.10.0.0/16',
          kubeServiceCIDR: '10.233.0.0/18',
          multusCNI: { enabled: false },
        },
      },
      inventory(),
      cannot,
      'spec.network',
      '"kubePodsCIDR": "10.10.0.0/16"',
    );
    await refused(
      { kubekey_control_plane_endpoint: { domain: 'lb.example.com', address: '', port: 6443 } },
      inventory(),
      cannot,
      'spec.controlPlaneEndpoint',
    );
    await refused({ kubekey_etcd_type: 'kubeadm' }, inventory(), cannot, 'spec.etcd');
    await refused({ kubekey_kubernetes_version: V1 }, inventory(), cannot, `v1.33.4 -> ${V1} (a downgrade`);
    const n2 = fixture.sandbox.hosts[1]!.name;
    await refused({}, inventory([2, 3], `\n[etcd]\n${n2}\n`), cannot, `host ${n2}: added to roleGroups.etcd`);
    await refused(
      { kubekey_kubernetes_version: 'v1.33.5' },
      inventory(),
      'Check the host names and the Kubernetes version',
      'cannot install Kubernetes v1.33.5',
    );
    await refused({ kubekey_kubernetes_version: 'v1.33.3' }, inventory([2]), cannot, 'v1.33.4 -> v1.33.3');
    await refused(
      { kubekey_kubesphere_version: 'v3.4.0' },
      inventory([2]),
      'Refuse to leave removed hosts in the cluster silently',
      `${fixture.sandbox.hosts[2]!.name} left the inventory`,
      'kubekey_delete_removed_nodes=true',
    );
    await refused(
      { kubekey_kubesphere_version: 'v3.4.0', kubekey_delete_removed_nodes: true },
      inventory([2]),
      'Refuse an upgrade together with added or removed hosts',
      'One kk step at a time',
      `removed (${fixture.sandbox.hosts[2]!.name})`,
    );
  }, 240_000);

  it('hosts added to the inventory are kk add nodes (a failed add runs again); removed ones kk delete node, only with the switch', async () => {
    // Start from node1 + node2: node3 leaves the cluster first (with the switch) ...
    const vars = { kubekey_kubesphere_version: 'v3.4.1' };
    const [, n2, n3] = fixture.sandbox.hosts.map((h) => h.name);
    const shrink = play('shrink', baseVars({ ...vars, kubekey_delete_removed_nodes: true }));
    const check = await bosun(['run', shrink, '-i', inventory([2]), '--check']);
    expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
    expect(changedTasks(check.events)).toEqual(
      onDriver(
        'Render the KubeKey Cluster config',
        'Write the config of the last successful run for kk delete node',
        `Delete ${n3} from the cluster with kk`,
        `Record the state without ${n3}`,
      ),
    );
    expect(cmdOf(check.events, `Delete ${n3} from the cluster with kk`)).toEqual([
      '/usr/local/bin/kk',
      'delete',
      'node',
      n3,
      '-f',
      '/root/kubekey-bosun.previous.yaml',
      '--yes',
    ]);
    const real = await bosun(['run', shrink, '-i', inventory([2])]);
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
    expect((await calls()).slice(3)).toEqual([`/root delete node ${n3} -f /root/kubekey-bosun.previous.yaml --yes`]);
    // kk delete node got the config that still lists the host it removes.
    const previous = parseYaml(await onHost(fixture, driver(), 'cat /var/lib/kk-fixture/config.4.yaml')) as unknown;
    expect((dig(previous, 'spec', 'hosts') as Array<{ name: string }>).map((h) => h.name)).toContain(n3);
    expect(changedTasks((await bosun(['run', shrink, '-i', inventory([2])])).events)).toEqual([]);

    // ... then comes back: kk add nodes, failing once.
    const grow = play('grow', baseVars(vars));
    const growCheck = await bosun(['run', grow, '-i', inventory([2, 3]), '--check']);
    expect(changedTasks(growCheck.events)).toEqual(
      onDriver('Render the KubeKey Cluster config', 'Add the new hosts with kk', RECORD),
    );
    expect(cmdOf(growCheck.events, 'Add the new hosts with kk')).toEqual([
      '/usr/local/bin/kk',
      'add',
      'nodes',
      '-f',
      '/root/kubekey-bosun.yaml',
      '--yes',
    ]);
    await failKk('add');
    const failing = await bosun(['run', grow, '-i', inventory([2, 3])]);
    expect(failedResults(failing.events).map((e) => e.task)).toEqual(['kubekey : Add the new hosts with kk']);
    await failKk(undefined);
    const retryCheck = await bosun(['run', grow, '-i', inventory([2, 3]), '--check']);
    expect(changedTasks(retryCheck.events)).toEqual(onDriver('Add the new hosts with kk', RECORD));
    const retry = await bosun(['run', grow, '-i', inventory([2, 3])]);
    expect(retry.code, JSON.stringify(failedResults(retry.events))).toBe(0);
    expect(changedTasks(retry.events)).toEqual(changedTasks(retryCheck.events));
    expect((await calls()).slice(4)).toEqual([
      '/root add nodes -f /root/kubekey-bosun.yaml --yes',
      '/root add nodes -f /root/kubekey-bosun.yaml --yes',
    ]);
    const config = await renderedConfig();
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(dig(config, 'spec', 'roleGroups', 'worker')).toEqual([n2, n3]);
    expect(changedTasks((await bosun(['run', grow, '-i', inventory([2, 3])])).events)).toEqual([]);

    // A cluster torn down (admin.conf gone) with the same config is created again.
    await onHost(fixture, driver(), 'rm /etc/kubernetes/admin.conf');
    const absent = await bosun(['run', grow, '-i', inventory([2, 3]), '--check']);
    expect(changedTasks(absent.events)).toEqual(onDriver('Create the cluster with kk'));
    expect(changedTasks((await bosun(['run', grow, '-i', inventory([2, 3])])).events)).toEqual(
      onDriver('Create the cluster with kk'),
    );
    expect(await calls()).toHaveLength(7);
  }, 300_000);
});
