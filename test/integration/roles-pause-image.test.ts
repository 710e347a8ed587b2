/**
 * One image source: the runtime roles' default sandbox (pause) image is the
 * one KubeKey v3.1.12 pulls (cmd/kk/pkg/images: GetImage and ImageRepo),
 * derived from the kubekey role's own variables. Rendered by the real CLI on
 * the controller (connection local) from each role's defaults file, and the
 * block is the same text in containerd, crio and isulad.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJson } from '../helpers/cli.js';

const ROLES = ['containerd', 'crio', 'isulad'];
const MARK = '# --- one image source';

/** The shared block of a role's defaults file. */
const block = (role: string) => {
  const text = readFileSync(path.resolve(`roles/${role}/defaults/main.yml`), 'utf8');
  return text.slice(text.indexOf(MARK));
};

// [kubernetes version, private registry, namespace override, KKZONE, the image kk 3.1.12 pulls]
const CASES: Array<[string, string, string, string, string]> = [
  ['v1.33.4', '', '', '', 'kubesphere/pause:3.9'],
  ['v1.26.0', '', '', '', 'kubesphere/pause:3.9'],
  ['v1.25.16', '', '', '', 'kubesphere/pause:3.8'],
  ['v1.24.17', '', '', '', 'kubesphere/pause:3.7'],
  ['v1.23.17', '', '', '', 'kubesphere/pause:3.6'],
  ['v1.22.17', '', '', '', 'kubesphere/pause:3.5'],
  ['v1.21.14', '', '', '', 'kubesphere/pause:3.4.1'],
  ['v1.19.8', '', '', '', 'kubesphere/pause:3.4.1'],
  // Without a private registry the namespace override is not used (ImageRepo's empty-RepoAddr branch).
  ['v1.33.4', '', 'mirror', '', 'kubesphere/pause:3.9'],
  ['v1.33.4', 'reg.local:5000', '', '', 'reg.local:5000/kubesphere/pause:3.9'],
  ['v1.33.4', 'reg.local:5000', 'mirror', '', 'reg.local:5000/mirror/pause:3.9'],
  ['v1.33.4', '', '', 'cn', 'registry.cn-beijing.aliyuncs.com/kubesphereio/pause:3.9'],
  ['v1.33.4', '', 'mirror', 'cn', 'registry.cn-beijing.aliyuncs.com/kubesphereio/pause:3.9'],
  // KKZONE=cn applies only without a private registry of one's own.
  ['v1.33.4', 'reg.local:5000', '', 'cn', 'reg.local:5000/kubesphere/pause:3.9'],
];

describe('the sandbox image follows KubeKey (kk 3.1.12)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bosun-pause-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the block is the same in every runtime role', () => {
    const [first, ...rest] = ROLES.map(block);
    expect(first).toContain('sandbox_image: "{{ kubekey_pause_image }}"');
    for (const other of rest) expect(other).toBe(first);
  });

  it.each(ROLES)('%s: the image kk pulls, for each version and registry setting', async (role) => {
    const tasks = CASES.map(
      ([version, registry, override, zone], i) =>
        `    - name: case ${i}\n      debug: { msg: "{{ sandbox_image }}" }\n      vars: ${JSON.stringify({
          kubekey_kubernetes_version: version,
          kubekey_private_registry: registry,
          kubekey_namespace_override: override,
          kubekey_environment: zone ? { KKZONE: zone } : {},
        })}\n`,
    ).join('');
    const pb = path.join(dir, `${role}.yml`);
    writeFileSync(
      pb,
      `- hosts: localhost\n  connection: local\n  gather_facts: false\n  vars_files: [${path.resolve(`roles/${role}/defaults/main.yml`)}]\n  tasks:\n${tasks}`,
    );
    const res = await runJson<{ type: string; task?: string; msg?: string }>(['run', pb, '-i', 'localhost,']);
    expect(res.code, res.err).toBe(0);
    const got = res.events.filter((e) => e.type === 'task_result').map((e) => e.msg);
    expect(got).toEqual(CASES.map((c) => c[4]));
  });
});
