/**
 * Drift repair of the runc, containerd and crictl roles, and containerd's unit
 * and CNI keys, on 2 systemd sandbox hosts. FOR REAL: Debian's containerd and
 * runc binaries repacked as upstream's release files, from the local runtime
 * mirror (test/helpers/runtime-mirror.ts); crictl is the mirror's FIXTURE
 * archive. A deleted ctr, a modified shim, a runc and a crictl of mode 0700
 * and a deleted install record are each predicted exactly by --check, repaired
 * by the real run (from the archive kept on the host: nothing is downloaded
 * again) and followed by a run with changed=0. containerd 2.0 and 2.1+ configs
 * are checked in --check --diff only (only Debian's 1.6 binaries are here).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetDownloads } from '../../src/modules/lib/controller-download.js';
import {
  bosun,
  changedTasks,
  failedResults,
  onHost,
  recapOf,
  resultsOf,
  rolePlaybook,
} from '../fixtures/roles/harness.js';
import { dig } from '../helpers/dig.js';
import { runtimeDebsSkip } from '../helpers/network.js';
import { startRuntimeMirror, type RuntimeMirror } from '../helpers/runtime-mirror.js';
import { withSandbox } from '../helpers/sandbox.js';

const fixture = withSandbox(2, { base: '127.95.0.1', systemd: true, skip: await runtimeDebsSkip() });

/** Parse TOML with a real parser (Python's tomllib), as JSON. */
function parseToml(text: string): unknown {
  return JSON.parse(
    execFileSync('python3', ['-c', 'import json, sys, tomllib; print(json.dumps(tomllib.load(sys.stdin.buffer)))'], {
      input: text,
    }).toString(),
  );
}

const BINS = [
  '/usr/local/bin/runc',
  '/usr/local/bin/crictl',
  '/usr/local/bin/containerd',
  '/usr/local/bin/containerd-shim-runc-v2',
  '/usr/local/bin/ctr',
];
/** sha256, mode and owner of the binaries (or `absent`), and the install records. */
const STATE = `for f in ${BINS.join(' ')}; do if [ -e "$f" ]; then stat -c '%n %a %u' "$f"; sha256sum < "$f"; else echo "$f absent"; fi; done; ls /var/lib/bosun/installed 2>&1; systemctl show -p MainPID --value containerd`;

fixture.describe('drift repair of runc, containerd and crictl on 2 systemd sandbox hosts', () => {
  let mirror: RuntimeMirror;
  let work: string;
  let pb: string;
  const inv = () => fixture.sandbox.inventoryFile;
  const host = (i: number) => fixture.sandbox.hosts[i]!;
  const onAll = (script: string) => Promise.all(fixture.sandbox.hosts.map((h) => onHost(fixture, h, script)));
  const run = (...extra: string[]) => bosun(['run', pb, '-i', inv(), ...extra]);

  beforeAll(async () => {
    mirror = await startRuntimeMirror();
    work = mkdtempSync(path.join(tmpdir(), 'bosun-drift-'));
    process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
    const vars = { ...mirror.vars, bosun_download: 'controller', containerd_unit_modprobe: false };
    pb = rolePlaybook(work, 'runtime', ['containerd', 'crictl'], vars);
  }, 600_000);
  afterAll(async () => {
    await (mirror as RuntimeMirror | undefined)?.server.close();
    delete process.env['XDG_CACHE_HOME'];
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('fresh hosts: --check predicts exactly; the unit starts after dbus.service, 1.x config has cni.bin_dir; records written; rerun changed=0', async () => {
    const before = await onAll(STATE);
    resetDownloads();
    const check = await run('--check');
    expect(check.code, check.err + JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await onAll(STATE)).toEqual(before);
    resetDownloads();
    const real = await run();
    expect(real.err).toBe('');
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
    expect(changedTasks(real.events)).toContain(
      `${host(0).name}|containerd : Record the installed containerd ${mirror.manifest.containerd.version} (amd64)`,
    );
    for (const s of await onAll(
      'systemctl show -p After containerd; cat /var/lib/bosun/installed/containerd.sha256; cat /var/lib/bosun/installed/crictl.sha256; containerd config dump | grep -E "^\\s+bin_dirs? ="',
    )) {
      expect(s).toMatch(/^After=.*\bdbus\.service\b/m);
      expect(s).toMatch(/\blocal-fs\.target\b/);
      expect(s).toMatch(/\bnetwork\.target\b/);
      expect(s).toContain(`# release sha256:${mirror.manifest.containerd.sha256}\n`);
      expect(s).toMatch(/^[0-9a-f]{64} {2}\/usr\/local\/bin\/ctr$/m);
      expect(s).toMatch(/^[0-9a-f]{64} {2}\/usr\/local\/bin\/containerd-shim-runc-v2$/m);
      expect(s).toContain(`# release sha256:${mirror.manifest.crictl.sha256}\n`);
      expect(s).toMatch(/^[0-9a-f]{64} {2}\/usr\/local\/bin\/crictl$/m);
      // containerd 1.6 merged our config: the CNI binaries folder under 1.x's own key.
      expect(s).toMatch(/^\s+bin_dir = "\/opt\/cni\/bin"$/m);
    }
    const config = parseToml(await onHost(fixture, host(0), 'cat /etc/containerd/config.toml'));
    expect(dig(config, 'plugins', 'io.containerd.grpc.v1.cri', 'cni')).toEqual({
      bin_dir: '/opt/cni/bin',
      conf_dir: '/etc/cni/net.d',
    });
    const again = await run();
    expect(changedTasks(again.events)).toEqual([]);
    for (const h of fixture.sandbox.hosts)
      expect(recapOf(again.events)[h.name]).toMatchObject({ changed: 0, failed: 0 });
  }, 600_000);

  it('a deleted ctr, a modified shim, runc and crictl of mode 0700, a deleted record: --check predicts each repair exactly, the run repairs from the kept archive, rerun changed=0', async () => {
    const intact = await onAll(STATE);
    await onHost(
      fixture,
      host(0),
      'rm /usr/local/bin/ctr; printf x >> /usr/local/bin/containerd-shim-runc-v2; chmod 0700 /usr/local/bin/runc',
    );
    await onHost(fixture, host(1), 'chmod 0700 /usr/local/bin/crictl; rm /var/lib/bosun/installed/containerd.sha256');
    const drifted = await onAll(STATE);
    const hits = new Map(mirror.server.hits);
    resetDownloads();
    const check = await run('--check', '--diff');
    expect(check.code, check.err + JSON.stringify(failedResults(check.events))).toBe(0);
    expect(await onAll(STATE)).toEqual(drifted);
    const v = mirror.manifest;
    const [a, b] = [host(0).name, host(1).name];
    expect(changedTasks(check.events)).toEqual(
      [
        `${a}|runc : Download runc ${v.runc.version} (amd64)`,
        `${a}|containerd : Unpack containerd ${v.containerd.version} into /usr/local`,
        `${a}|containerd : restart containerd`,
        `${b}|containerd : Record the installed containerd ${v.containerd.version} (amd64)`,
        `${b}|crictl : Unpack crictl ${v.crictl.version} into /usr/local/bin`,
      ].sort(),
    );
    // What the drift check saw, and what the unpacking would write back.
    const probe = resultsOf(
      check.events,
      `containerd : Read the installed files of containerd ${v.containerd.version} (amd64)`,
    );
    expect(probe.find((e) => e.host === a)!.data!['stdout']).toBe(
      'release: same\ndrift: /usr/local/bin/containerd-shim-runc-v2: FAILED\ndrift: /usr/local/bin/ctr: FAILED open or read',
    );
    expect(probe.find((e) => e.host === b)!.data!['stdout']).toBe('release: none');
    const unpack = resultsOf(check.events, `containerd : Unpack containerd ${v.containerd.version} into /usr/local`);
    expect(unpack.find((e) => e.host === a)!.diff!.at(-1)!.after).toBe(
      'changed: bin/containerd-shim-runc-v2\nadded: bin/ctr\n',
    );

    resetDownloads();
    const real = await run();
    expect(real.code, JSON.stringify(failedResults(real.events))).toBe(0);
    expect(changedTasks(real.events)).toEqual(changedTasks(check.events));
    // Repaired from the archive on the host, or (runc) the controller's cache: no request to the mirror.
    expect(mirror.server.hits).toEqual(hits);
    const repaired = await onAll(STATE);
    // Everything as after the install, but host 0's containerd restarted once.
    expect(repaired[1]).toBe(intact[1]);
    expect(repaired[0]!.trim().split('\n').slice(0, -1)).toEqual(intact[0]!.trim().split('\n').slice(0, -1));
    expect(repaired[0]!.trim().split('\n').at(-1)).not.toBe(intact[0]!.trim().split('\n').at(-1));
    expect(resultsOf(real.events, 'containerd : restart containerd').map((e) => `${e.host} ${e.status}`)).toEqual([
      `${a} changed`,
    ]);
    expect(
      await onHost(fixture, host(0), 'ctr --address /run/containerd/containerd.sock version | grep -c Version:'),
    ).toBe('2\n');

    const again = await run();
    expect(changedTasks(again.events)).toEqual([]);
  }, 600_000);

  it('containerd 2.0 renders cni.bin_dir, 2.1+ cni.bin_dirs (--check --diff of the config only)', async () => {
    const config = async (version: string) => {
      const res = await run(
        '--check',
        '--diff',
        '-e',
        JSON.stringify({ containerd_version: version, containerd_checksum: 'a'.repeat(64) }),
      );
      expect(res.code, JSON.stringify(failedResults(res.events))).toBe(0);
      const diff = resultsOf(res.events, 'containerd : containerd config (version 3)').find(
        (e) => e.host === host(0).name,
      )!;
      return parseToml(diff.diff!.at(-1)!.after!);
    };
    const cni = (c: unknown) => dig(c, 'plugins', 'io.containerd.cri.v1.runtime', 'cni');
    expect(cni(await config('2.0.7'))).toEqual({ bin_dir: '/opt/cni/bin', conf_dir: '/etc/cni/net.d' });
    expect(cni(await config('2.1.0'))).toEqual({ bin_dirs: ['/opt/cni/bin'], conf_dir: '/etc/cni/net.d' });
    expect(cni(await config('2.3.4'))).toEqual({ bin_dirs: ['/opt/cni/bin'], conf_dir: '/etc/cni/net.d' });
  }, 300_000);
});
