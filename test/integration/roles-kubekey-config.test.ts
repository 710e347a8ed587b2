/**
 * The kubekey role's Cluster config and its refusals, driven from the
 * controller in check mode (kubekey_driver_host: localhost, every host
 * ansible_connection=local; nothing is written, so no sandbox hosts): the
 * connection variables in spec.hosts, custom group names, the role's own
 * messages for a missing control-plane group, role-group hosts outside the
 * cluster group, host names that are no Kubernetes node names; and the JSON
 * schema of the Cluster (written from KubeKey's Go types).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dig } from '../helpers/dig.js';
import { bosun, changedTasks, failedResults, resultsOf, rolePlaybook } from '../fixtures/roles/harness.js';

const SCHEMA = JSON.parse(readFileSync('roles/kubekey/files/cluster-v1alpha2.schema.json', 'utf8')) as object;
const validate = new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(SCHEMA);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bosun-kk-local-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Check-mode run of the role from the controller over `inventory` (INI lines; `allVars` more lines under
 * `[all:vars]`), with the play's vars, on the play's `hosts`.
 */
async function checkRun(
  inventory: string[],
  vars: Record<string, unknown> = {},
  opts: { hosts?: string; allVars?: string[] } = {},
) {
  const hostsFile = path.join(dir, 'hosts.ini');
  const allVars = ['[all:vars]', 'ansible_connection=local', ...(opts.allVars ?? []), ''];
  writeFileSync(hostsFile, [...inventory, ...allVars].join('\n'));
  const pb = rolePlaybook(
    dir,
    'site',
    ['kubekey'],
    {
      kubekey_driver_host: 'localhost',
      kubekey_arch: 'amd64',
      kubekey_checksum: '0'.repeat(64),
      kubekey_bin_dir: path.join(dir, 'bin'),
      kubekey_download_dir: path.join(dir, 'dl'),
      kubekey_work_dir: dir,
      ...vars,
    },
    { gatherFacts: false, ...(opts.hosts ? { hosts: opts.hosts } : {}) },
  );
  return bosun(['run', pb, '-i', hostsFile, '--check']);
}
const KUBESPRAY = [
  '[kube_control_plane]',
  'cp1 kubekey_arch=amd64',
  '[etcd]',
  'cp1',
  '[kube_node]',
  'w1 kubekey_arch=amd64',
  '[k8s_cluster:children]',
  'kube_control_plane',
  'kube_node',
];

describe('the kubekey role refuses an inventory kk could not use, with its own messages (check mode, from the controller)', () => {
  it('a missing or renamed control-plane group names the group variables; nothing is written', async () => {
    const res = await checkRun(['[masters]', 'cp1', '[etcd]', 'cp1', '[k8s_cluster:children]', 'masters']);
    expect(res.code).toBe(2);
    const failed = failedResults(res.events);
    expect([...new Set(failed.map((e) => e.task))]).toEqual(['kubekey : Check the inventory groups KubeKey needs']);
    expect(failed[0]!.msg).toContain("kubekey_control_plane_group ('kube_control_plane': the control plane, 0 found)");
    expect(failed[0]!.msg).toContain('The inventory has the groups etcd, k8s_cluster, masters');
    expect(failed[0]!.msg).toContain('set the kubekey_*_group variables to your group names');
    expect(failed[0]!.msg).not.toContain('argument_specs');
    expect(readdirSync(dir).sort()).toEqual(['hosts.ini', 'site.yml']);
  });

  it('hosts in etcd or the control plane but not in the cluster group are refused', async () => {
    const res = await checkRun([...KUBESPRAY, '[etcd]', 'e9 kubekey_arch=amd64']);
    expect(res.code).toBe(2);
    const failed = failedResults(res.events);
    expect([...new Set(failed.map((e) => e.task))]).toEqual([
      'kubekey : Check that every KubeKey role group host is a cluster host',
    ]);
    expect(failed[0]!.msg).toContain("not in kubekey_cluster_group 'k8s_cluster'");
    expect(failed[0]!.msg).toContain(': e9.');
    expect(changedTasks(res.events)).toEqual([]);
  });

  it('a host name that is no Kubernetes node name, and a Kubernetes version kk cannot install, are refused', async () => {
    const res = await checkRun([...KUBESPRAY, '[kube_node]', 'Bad_Name kubekey_arch=amd64'], {
      kubekey_kubernetes_version: 'v1.34.0',
    });
    expect(res.code).toBe(2);
    const msg = failedResults(res.events)[0]!.msg!;
    expect(msg).toContain('not valid Kubernetes node names');
    expect(msg).toContain('"Bad_Name"');
    expect(msg).toContain('kk 3.1.12 cannot install Kubernetes v1.34.0');
    expect(msg).toContain('v1.33');
  });
});

describe('the Cluster config from connection variables, driven from the controller (check mode: nothing is written)', () => {
  it('passwords, ports, key files, internal addresses and group names come from the inventory', async () => {
    {
      const res = await checkRun(
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
        ],
        {
          kubekey_cluster_group: 'cluster',
          kubekey_control_plane_group: 'masters',
          kubekey_worker_group: 'workers',
          kubekey_etcd_group: 'etcd_nodes',
          container_manager: 'isula',
          kubekey_private_registry: 'registry.local:5000',
          registry_auths: { 'registry.local:5000': { username: 'kk', password: 'Kk-registry-pw!', plainHTTP: true } },
          kubekey_control_plane_endpoint: {
            internalLoadbalancer: 'haproxy',
            domain: 'lb.example.com',
            address: '',
            port: 6443,
          },
        },
        { hosts: 'cluster', allVars: ['kubekey_arch=amd64'] },
      );
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
          arch: 'amd64',
        },
        {
          name: 'w1',
          address: '10.0.0.21',
          internalAddress: '10.0.0.21',
          port: 2222,
          user: 'root',
          privateKeyPath: '/keys/w1',
          arch: 'amd64',
        },
        {
          name: 'w2',
          address: 'w2',
          internalAddress: 'w2',
          port: 22,
          user: 'ops',
          privateKeyPath: '/keys/w2',
          arch: 'amd64',
        },
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
      // The shared registry_auths is kk's registry.auths; its password never shows.
      expect(dig(config, 'spec', 'registry', 'auths')).toEqual({
        'registry.local:5000': { username: 'kk', password: '********', plainHTTP: true },
      });
      expect(JSON.stringify(res.events)).not.toContain('Kk-registry-pw!');
      expect(resultsOf(res.events, 'kubekey : Create the cluster with kk').map((e) => e.status)).toEqual(['changed']);
      expect(readdirSync(dir).sort()).toEqual(['hosts.ini', 'site.yml']);
    }
  });
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
