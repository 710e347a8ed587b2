/**
 * playbooks/site.yml's first play for KubeKey on 2 sandbox hosts
 * (127.92.0.x, Debian like this machine): the checks that stop every host
 * before anything changes (container_manager isula without an iSulad
 * package, a Kubernetes version kk cannot install, CRI-O or crictl of
 * another minor), and the packages KubeKey's precheck looks for (sudo,
 * conntrack, socat, ebtables, ipset, ipvsadm, chrony) installed FOR REAL
 * from Debian's mirror (skipped without it), predicted exactly by --check,
 * changed=0 on the second run. Only the node_prep play runs (--tags), with
 * the live-kernel part off (the hosts share this machine's kernel), and a
 * policy-rc.d on the hosts so that chrony's package starts no daemon.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { bosun, changedTasks, failedResults, onHost, snapshot } from '../fixtures/roles/harness.js';
import { debianMirrorSkip, skipNote } from '../helpers/network.js';
import { withSandbox } from '../helpers/sandbox.js';

const SITE = path.resolve('playbooks/site.yml');
const fixture = withSandbox(2, { base: '127.92.0.1' });
const aptSkip = await debianMirrorSkip();
const PATHS = ['/etc/modules-load.d/overlay.conf', '/etc/sysctl.d/99-kubernetes.conf', '/usr/sbin/conntrack'];
const TOOLS = ['sudo', 'conntrack', 'socat', 'ebtables', 'ipset', 'ipvsadm', 'chronyd'];

const site = (...extra: string[]) =>
  bosun([
    'run',
    SITE,
    '-i',
    fixture.sandbox.inventoryFile,
    '--tags',
    'node_prep',
    '-e',
    'node_prep_live_kernel=false',
    ...extra,
  ]);
const hostTask = (task: string) => fixture.sandbox.hosts.map((h) => `${h.name}|${task}`).sort();

/** A run that fails every host at `task` (its message containing each of `parts`) with nothing changed. */
async function refused(extra: string[], task: string, ...parts: string[]) {
  const before = await snapshot(fixture, PATHS);
  const res = await site(...extra);
  expect(res.code).toBe(2);
  const failed = failedResults(res.events);
  expect(failed.map((e) => `${e.host}|${e.task}`).sort()).toEqual(hostTask(task));
  for (const p of parts) expect(failed[0]!.msg).toContain(p);
  expect(changedTasks(res.events)).toEqual([]);
  expect(await snapshot(fixture, PATHS)).toEqual(before);
}

fixture.describe('site.yml prepares the nodes for KubeKey on 2 sandbox hosts', () => {
  it('container_manager isula on Debian fails on every host before the node preparation changes anything', async () => {
    await refused(
      ['-e', 'container_manager=isula'],
      'iSulad has a package for this distribution (container_manager isula)',
      'exist for openEuler only; this host runs Debian',
      'Nothing was changed on any host',
    );
  }, 120_000);

  it('versions: Kubernetes one kk supports, CRI-O and crictl of its minor; refused before any change', async () => {
    const task = 'KubeKey can install the Kubernetes version, and CRI-O and crictl have its minor';
    await refused(
      ['-e', 'crictl_version=1.35.0'],
      task,
      'crictl 1.35.0 (crictl_version) must have the Kubernetes minor 1.33',
    );
    await refused(
      ['-e', 'container_manager=crio', '-e', 'crio_version=1.34.5'],
      task,
      'CRI-O 1.34.5 (crio_version) must have the Kubernetes minor 1.33 (v1.33.4, kubekey_kubernetes_version)',
    );
    await refused(
      ['-e', 'kubekey_kubernetes_version=v1.34.1'],
      task,
      'KubeKey 3.1.12 (kubekey_version) cannot install Kubernetes v1.34.1',
      'crictl 1.33.0 (crictl_version) must have the Kubernetes minor 1.34',
    );
    // Under --tags kubekey the checks still run first (tagged always).
    const res = await bosun([
      'run',
      SITE,
      '-i',
      fixture.sandbox.inventoryFile,
      '--tags',
      'kubekey',
      '-e',
      'crictl_version=1.35.0',
      '--check',
    ]);
    expect(failedResults(res.events).map((e) => e.task)).toContain(task);
    // kubekey_enabled=false: no KubeKey, no check of its versions.
    const off = await site('-e', 'crictl_version=1.35.0', '-e', 'kubekey_enabled=false', '--check');
    expect(off.code, JSON.stringify(failedResults(off.events))).toBe(0);
  }, 180_000);

  it.skipIf(aptSkip !== undefined)(
    skipNote(
      "the packages KubeKey's precheck looks for are installed for real, predicted by --check; then changed=0",
      aptSkip,
    ),
    async () => {
      await Promise.all(
        fixture.sandbox.hosts.map((h) =>
          onHost(
            fixture,
            h,
            "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d",
          ),
        ),
      );
      const missing = `for t in ${TOOLS.join(' ')}; do command -v $t >/dev/null || echo "missing $t"; done`;
      for (const h of fixture.sandbox.hosts) expect(await onHost(fixture, h, missing)).toContain('missing conntrack');
      const before = await snapshot(fixture, PATHS);
      const check = await site('--check');
      expect(check.code, JSON.stringify(failedResults(check.events))).toBe(0);
      expect(await snapshot(fixture, PATHS)).toEqual(before);
      const pkgTask = "Packages KubeKey's precheck looks for (Debian family)";
      expect(changedTasks(check.events).filter((t) => t.endsWith(pkgTask))).toEqual(hostTask(pkgTask));
      const real = await site();
      expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
      expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
      for (const h of fixture.sandbox.hosts) expect(await onHost(fixture, h, missing)).toBe('');
      const again = await site();
      expect(again.code).toBe(0);
      expect(changedTasks(again.events)).toEqual([]);
      expect(changedTasks((await site('--check')).events)).toEqual([]);
    },
    600_000,
  );
});
