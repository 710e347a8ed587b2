/**
 * The built-in `kubekey` role on 3 sandbox hosts (one control-plane+etcd
 * host that drives kk, two workers), against a FIXTURE kk release archive
 * (test/fixtures/roles/kubekey/kk records its arguments instead of building
 * a cluster) served from a local HTTP mirror. The rendered Cluster config
 * is parsed and validated against roles/kubekey/files/cluster-v1alpha2.schema.json,
 * a JSON schema written from KubeKey's own Go types; `kk create cluster`
 * must run only when the config changed or the cluster is absent.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** The sandbox inventory with kubespray-style groups: node01 control plane + etcd, node02/03 workers. */
function inventory(): string {
  const file = path.join(work, 'hosts.ini');
  const [cp, ...workers] = fixture.sandbox.hosts.map((h) => h.name);
  writeFileSync(
    file,
    `${readFileSync(fixture.sandbox.inventoryFile, 'utf8')}
[kube_control_plane]
${cp}

[etcd]
${cp}

[kube_node]
${workers.join('\n')}

[k8s_cluster:children]
kube_control_plane
kube_node
`,
  );
  return file;
}
function play(name: string, vars: Record<string, unknown>): string {
  const file = path.join(work, `${name}.yml`);
  writeFileSync(file, `- hosts: k8s_cluster\n  vars: ${JSON.stringify(vars)}\n  roles: [kubekey]\n`);
  return file;
}
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
const PATHS = [
  '/usr/local/bin/kk',
  '/root/kubekey-bosun.yaml',
  '/var/lib/kk-fixture/calls',
  '/etc/kubernetes/admin.conf',
];

fixture.describe('role kubekey on 3 sandbox hosts (fixture kk)', () => {
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

  it('check mode shows the Cluster config as a diff and predicts kk; the real run installs kk on the driver only and runs it once', async () => {
    const pb = play('create', baseVars());
    const before = await snapshot(fixture, PATHS);
    const check = await bosun(['run', pb, '-i', inventory(), '--check']);
    expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await snapshot(fixture, PATHS)).toEqual(before);
    const diff = resultsOf(check.events, 'kubekey : Render the KubeKey Cluster config')[0]!;
    expect(diff.status).toBe('changed');
    expect(diff.diff?.[0]?.after).toContain('apiVersion: kubekey.kubesphere.io/v1alpha2');
    expect(resultsOf(check.events, 'kubekey : Create the cluster with kk')[0]!.status).toBe('changed');

    const real = await bosun(['run', pb, '-i', inventory()]);
    expect(real.err).toBe('');
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(
      [
        'Create the download folder',
        'Download the KubeKey release',
        'Unpack kk',
        'Render the KubeKey Cluster config',
        'Create the cluster with kk',
      ]
        .map((t) => `${driver().name}|kubekey : ${t}`)
        .sort(),
    );
    // Check mode predicted all but the steps it could not take without the download.
    expect(changedTasks(check.events)).toEqual(
      changedTasks(real.events).filter((t) => !/Download the|Unpack kk/.test(t)),
    );
    expect(srv.hits.get(ARCHIVE)).toBe(1);

    const snaps = await snapshot(fixture, PATHS);
    expect(snaps[0]).toContain('/usr/local/bin/kk 755 root');
    expect(snaps[0]).toContain('/root/kubekey-bosun.yaml 600 root');
    for (const s of snaps.slice(1)) expect(s).toContain('/usr/local/bin/kk absent');
    expect(await calls()).toEqual(['/root create cluster -f /root/kubekey-bosun.yaml --yes']);

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
          version: 'v1.31.4',
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
    expect(await calls()).toHaveLength(1);
    expect(srv.hits.get(ARCHIVE)).toBe(1);
  }, 180_000);

  it('a changed config runs kk again (predicted exactly by --check); a missing cluster too; otherwise never', async () => {
    const pb = play(
      'upgrade',
      baseVars({
        kubekey_kubernetes_version: 'v1.32.0',
        kubekey_kubesphere_version: 'v3.4.1',
        container_manager: 'containerd',
      }),
    );
    const check = await bosun(['run', pb, '-i', inventory(), '--check', '--diff']);
    expect(check.code).toBe(0);
    const predicted = changedTasks(check.events);
    expect(predicted).toEqual(
      ['Create the cluster with kk', 'Render the KubeKey Cluster config'].map((t) => `${driver().name}|kubekey : ${t}`),
    );
    const diff = resultsOf(check.events, 'kubekey : Render the KubeKey Cluster config')[0]!.diff![0]!;
    expect(diff.before).toContain('version: v1.31.4');
    expect(diff.after).toContain('version: v1.32.0');
    const real = await bosun(['run', pb, '-i', inventory()]);
    expect(changedTasks(real.events)).toEqual(predicted);
    expect((await calls())[1]).toBe('/root create cluster -f /root/kubekey-bosun.yaml --yes --with-kubesphere v3.4.1');
    const config = await renderedConfig();
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(dig(config, 'spec', 'kubernetes')).toMatchObject({
      version: 'v1.32.0',
      containerManager: 'containerd',
      containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    });

    expect(changedTasks((await bosun(['run', pb, '-i', inventory()])).events)).toEqual([]);
    await onHost(fixture, driver(), 'rm /etc/kubernetes/admin.conf');
    const absent = await bosun(['run', pb, '-i', inventory(), '--check']);
    expect(changedTasks(absent.events)).toEqual([`${driver().name}|kubekey : Create the cluster with kk`]);
    const rerun = await bosun(['run', pb, '-i', inventory()]);
    expect(changedTasks(rerun.events)).toEqual([`${driver().name}|kubekey : Create the cluster with kk`]);
    expect(await calls()).toHaveLength(3);
  }, 180_000);

  it('the schema catches what kk would silently ignore', () => {
    const bad = {
      apiVersion: 'kubekey.kubesphere.io/v1alpha2',
      kind: 'Cluster',
      metadata: { name: 'x' },
      spec: {
        hosts: [{ name: 'a', address: '1.1.1.1', internalAddress: '1.1.1.1' }],
        roleGroups: { 'control-plane': ['a'], workers: ['a'] },
        kubernetes: { version: 'v1.31.4', containerManger: 'crio' },
      },
    };
    expect(validate(bad)).toBe(false);
    expect(validate.errors!.map((e) => `${e.instancePath} ${e.message}`).sort()).toEqual([
      '/spec/kubernetes must NOT have additional properties',
      '/spec/roleGroups must NOT have additional properties',
    ]);
  });
});

describe('the Cluster config from connection variables, driven from the controller (check mode: nothing is written)', () => {
  it('passwords, ports, key files, internal addresses and group names come from the inventory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-kk-local-'));
    try {
      writeFileSync(
        path.join(dir, 'hosts.ini'),
        [
          '[masters]',
          'cp1 ansible_host=10.0.0.11 ansible_user=admin ansible_password="p@ss w0rd" kubekey_internal_address=192.168.0.11',
          '[workers]',
          'w1 ansible_host=10.0.0.21 ansible_port=2222 ansible_ssh_private_key_file=/keys/w1',
          'w2 ansible_ssh_user=ops ansible_private_key_file=/keys/w2',
          '[etcd_nodes]',
          'cp1',
          '[cluster:children]',
          'masters',
          'workers',
          '[all:vars]',
          'ansible_connection=local',
          '',
        ].join('\n'),
      );
      const pb = path.join(dir, 'site.yml');
      writeFileSync(
        pb,
        `- hosts: cluster\n  gather_facts: false\n  vars: ${JSON.stringify({
          kubekey_driver_host: 'localhost',
          kubekey_arch: 'amd64',
          kubekey_checksum: '0'.repeat(64),
          kubekey_bin_dir: path.join(dir, 'bin'),
          kubekey_download_dir: path.join(dir, 'dl'),
          kubekey_work_dir: dir,
          kubekey_cluster_group: 'cluster',
          kubekey_control_plane_group: 'masters',
          kubekey_worker_group: 'workers',
          kubekey_etcd_group: 'etcd_nodes',
          container_manager: 'isula',
          kubekey_private_registry: 'registry.local:5000',
          kubekey_control_plane_endpoint: {
            internalLoadbalancer: 'haproxy',
            domain: 'lb.example.com',
            address: '',
            port: 6443,
          },
        })}\n  roles: [kubekey]\n`,
      );
      const res = await bosun(['run', pb, '-i', path.join(dir, 'hosts.ini'), '--check']);
      expect(res.code, JSON.stringify(failedResults(res.events))).toBe(0);
      const render = resultsOf(res.events, 'kubekey : Render the KubeKey Cluster config');
      expect(render.map((e) => `${e.host} ${e.status}`)).toEqual(['cp1 changed']);
      // The password is a secret: bosun masks it in the diff (quoted here so the YAML parses).
      const after = render[0]!.diff![0]!.after!;
      expect(after).not.toContain('p@ss w0rd');
      const config = parseYaml(after.replace(/\*{8}/g, '"********"')) as unknown;
      expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
      expect(dig(config, 'spec', 'hosts')).toEqual([
        {
          name: 'cp1',
          address: '10.0.0.11',
          internalAddress: '192.168.0.11',
          port: 22,
          user: 'admin',
          password: '********',
        },
        {
          name: 'w1',
          address: '10.0.0.21',
          internalAddress: '10.0.0.21',
          port: 2222,
          user: 'root',
          privateKeyPath: '/keys/w1',
        },
        { name: 'w2', address: 'w2', internalAddress: 'w2', port: 22, user: 'ops', privateKeyPath: '/keys/w2' },
      ]);
      expect(dig(config, 'spec', 'roleGroups')).toEqual({
        etcd: ['cp1'],
        'control-plane': ['cp1'],
        worker: ['w1', 'w2'],
      });
      expect(dig(config, 'spec', 'controlPlaneEndpoint')).toEqual({
        internalLoadbalancer: 'haproxy',
        domain: 'lb.example.com',
        address: '',
        port: 6443,
      });
      expect(dig(config, 'spec', 'kubernetes')).toMatchObject({
        containerManager: 'isula',
        containerRuntimeEndpoint: 'unix:///var/run/isulad.sock',
      });
      expect(dig(config, 'spec', 'registry', 'privateRegistry')).toBe('registry.local:5000');
      expect(resultsOf(res.events, 'kubekey : Create the cluster with kk').map((e) => e.status)).toEqual(['changed']);
      expect(readdirSync(dir).sort()).toEqual(['hosts.ini', 'site.yml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
