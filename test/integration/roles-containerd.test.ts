/**
 * The runc, containerd and crictl roles and playbooks/site.yml, FOR REAL on
 * 3 systemd-booted sandbox hosts (127.100.0.x): Debian's containerd and runc
 * binaries, repacked as upstream's release files, come from a local mirror on
 * 127.0.0.1 laid out as `<mirror>/github.com/...` (test/helpers/runtime-mirror.ts).
 * crictl is a FIXTURE archive of upstream's layout (a script printing
 * `crictl version v1.31.1`). Checksums of these files are passed as test
 * variables, never shipped as defaults. The live kernel part of node
 * preparation is off (node_prep_live_kernel=false, containerd_unit_modprobe=false):
 * sandbox hosts share this machine's kernel.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { resetDownloads } from '../../src/modules/lib/controller-download.js';
import type { SandboxHost } from '../../src/sandbox/index.js';
import { runtimeDebsSkip } from '../helpers/network.js';
import { startRuntimeMirror, type RuntimeMirror } from '../helpers/runtime-mirror.js';
import { runJson } from '../helpers/cli.js';
import { dig } from '../helpers/dig.js';
import { withSandbox } from '../helpers/sandbox.js';

interface JsonEvent {
  type: string;
  host?: string;
  task?: string;
  status?: string;
  msg?: string;
  diff?: Array<{ before?: string; after?: string }>;
  hosts?: Record<string, Record<string, number>>;
}

/** Parse TOML with a real parser (Python's tomllib), as JSON. */
function parseToml(text: string): unknown {
  return JSON.parse(
    execFileSync('python3', ['-c', 'import json, sys, tomllib; print(json.dumps(tomllib.load(sys.stdin.buffer)))'], {
      input: text,
    }).toString(),
  );
}

const SITE = path.resolve('playbooks/site.yml');
// The mirror repacks Debian's containerd and runc: fetched once, then cached.
const fixture = withSandbox(3, { base: '127.100.0.1', systemd: true, skip: await runtimeDebsSkip() });

const bosun = (args: string[]) => runJson<JsonEvent>(args);
const results = (events: JsonEvent[]) => events.filter((e) => e.type === 'task_result');
const changed = (events: JsonEvent[]) =>
  results(events)
    .filter((e) => e.status === 'changed')
    .map((e) => `${e.host}|${e.task}`)
    .sort();
const failures = (events: JsonEvent[]) => JSON.stringify(results(events).filter((e) => e.status === 'failed'));
const RESTART = 'containerd : restart containerd';

async function onHost(host: SandboxHost, script: string): Promise<string> {
  const conn = new SshConnection(fixture.specFor(host));
  try {
    await conn.connect();
    return (await conn.exec(script)).stdout;
  } finally {
    await conn.close();
  }
}
const onAll = (script: string) => Promise.all(fixture.sandbox.hosts.map((h) => onHost(h, script)));

fixture.describe('runc, containerd, crictl and site.yml on 3 systemd sandbox hosts', () => {
  let mirror: RuntimeMirror;
  let work: string;
  let varsFile: string;
  const inv = () => fixture.sandbox.inventoryFile;
  const site = (...extra: string[]) => bosun(['run', SITE, '-i', inv(), '-e', `@${varsFile}`, ...extra]);

  beforeAll(async () => {
    mirror = await startRuntimeMirror();
    work = mkdtempSync(path.join(tmpdir(), 'bosun-roles-'));
    process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
    varsFile = path.join(work, 'vars.json');
    writeFileSync(
      varsFile,
      JSON.stringify({
        ...mirror.vars,
        bosun_download: 'controller',
        node_prep_live_kernel: false,
        containerd_unit_modprobe: false,
        kubekey_enabled: false,
      }),
    );
  }, 600_000);
  // A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
  afterAll(async () => {
    await (mirror as RuntimeMirror | undefined)?.server.close();
    delete process.env['XDG_CACHE_HOME'];
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('site.yml: --check on fresh hosts predicts exactly, then installs runc, containerd and crictl for real; containerd answers with the CRI plugin; second run changed=0', async () => {
    // --check on fresh hosts: nothing is downloaded or changed, and it predicts exactly what the real run changes.
    const fresh = 'ls /usr/local/bin/containerd /usr/local/bin/runc /etc/containerd /var/cache/bosun 2>&1 | sort';
    const untouched = await onAll(fresh);
    resetDownloads();
    const check = await site('--check');
    expect(check.code, failures(check.events)).toBe(0);
    expect(await onAll(fresh)).toEqual(untouched);
    expect(mirror.server.hits.size).toBe(0);
    resetDownloads();
    const first = await site();
    expect(first.err).toBe('');
    expect(first.code, failures(first.events)).toBe(0);
    expect(changed(first.events)).toEqual(changed(check.events));
    const { containerd, runc, crictl } = mirror.manifest;
    // download: controller: one request per file for the 3 hosts.
    expect(mirror.server.hits.get(`/${containerd.upstream}`)).toBe(1);
    expect(mirror.server.hits.get(`/${runc.upstream}`)).toBe(1);
    expect(mirror.server.hits.get(`/${crictl.upstream}`)).toBe(1);
    // A first install starts containerd through the handler, once per host.
    expect(results(first.events).filter((e) => e.task === RESTART && e.status === 'changed')).toHaveLength(3);

    const state = await onAll(
      [
        'systemctl is-active containerd; systemctl is-enabled containerd',
        'ctr --address /run/containerd/containerd.sock version',
        'ctr --address /run/containerd/containerd.sock plugins ls | awk \'$2 == "cri" {print "cri", $4}\'',
        'containerd config dump | grep -E "sandbox_image|SystemdCgroup|config_path"',
        'runc --version | head -1; sha256sum /usr/local/bin/runc; stat -c "%n %a" /usr/local/bin/runc /usr/local/bin/crictl /usr/local/bin/containerd /etc/containerd/config.toml',
        'crictl --version; cat /etc/crictl.yaml',
        'cat /etc/modules-load.d/overlay.conf /etc/modules-load.d/br_netfilter.conf /etc/sysctl.d/99-kubernetes.conf',
      ].join('; echo ---; '),
    );
    for (const s of state) {
      expect(s).toMatch(/^active\nenabled\n/);
      expect(s).toMatch(/Client:\n\s+Version:\s+1\.6\.20[^\n]*\n[\s\S]*Server:\n\s+Version:\s+1\.6\.20/);
      expect(s).toContain('cri ok');
      expect(s).toContain('sandbox_image = "kubesphere/pause:3.9"');
      expect(s).toContain('SystemdCgroup = true');
      expect(s).toContain('config_path = "/etc/containerd/certs.d"');
      expect(s).toContain('runc version 1.1.5');
      expect(s).toContain(`${runc.sha256}  /usr/local/bin/runc`);
      expect(s).toContain(
        '/usr/local/bin/runc 755\n/usr/local/bin/crictl 755\n/usr/local/bin/containerd 755\n/etc/containerd/config.toml 644',
      );
      expect(s).toContain('crictl version v1.31.1');
      expect(s).toContain(
        'runtime-endpoint: unix:///run/containerd/containerd.sock\nimage-endpoint: unix:///run/containerd/containerd.sock\ntimeout: 10\ndebug: false\npull-image-on-create: false',
      );
      expect(s).toContain(
        'overlay\nbr_netfilter\nnet.ipv4.ip_forward=1\nnet.bridge.bridge-nf-call-iptables=1\nnet.bridge.bridge-nf-call-ip6tables=1',
      );
    }

    const config = parseToml(await onHost(fixture.sandbox.hosts[0]!, 'cat /etc/containerd/config.toml'));
    const cri = dig(config, 'plugins', 'io.containerd.grpc.v1.cri');
    expect(dig(config, 'version')).toBe(2);
    expect(dig(config, 'disabled_plugins')).toEqual([]);
    expect(dig(config, 'grpc', 'address')).toBe('/run/containerd/containerd.sock');
    expect(dig(cri, 'sandbox_image')).toBe('kubesphere/pause:3.9');
    expect(dig(cri, 'containerd', 'runtimes', 'runc', 'options')).toEqual({
      BinaryName: '/usr/local/bin/runc',
      SystemdCgroup: true,
    });
    expect(dig(cri, 'registry')).toEqual({ config_path: '/etc/containerd/certs.d' });

    const second = await site();
    expect(second.code, failures(second.events)).toBe(0);
    expect(changed(second.events)).toEqual([]);
    for (const h of fixture.sandbox.hosts)
      expect(second.events.at(-1)!.hosts![h.name]).toMatchObject({ changed: 0, failed: 0 });
  }, 600_000);

  it('a new sandbox image: --check predicts exactly, the real run changes the config and restarts containerd once', async () => {
    const image = ['-e', 'sandbox_image=registry.k8s.io/pause:3.9'];
    const probe = 'systemctl show -p MainPID --value containerd; sha256sum /etc/containerd/config.toml';
    const before = await onAll(probe);
    const check = await site('--check', ...image);
    expect(check.code, failures(check.events)).toBe(0);
    expect(await onAll(probe)).toEqual(before);
    const names = fixture.sandbox.hosts.map((h) => h.name);
    const expected = names
      .flatMap((n) => [`${n}|containerd : containerd config (version 2)`, `${n}|${RESTART}`])
      .sort();
    expect(changed(check.events)).toEqual(expected);

    const real = await site(...image);
    expect(real.code, failures(real.events)).toBe(0);
    expect(changed(real.events)).toEqual(changed(check.events));
    for (const n of names)
      expect(results(real.events).filter((e) => e.task === RESTART && e.host === n)).toHaveLength(1);
    const after = await onAll(`${probe}; containerd config dump | grep sandbox_image; ctr version | grep -c Version:`);
    for (const [i, s] of after.entries()) {
      expect(s.split('\n')[0]).not.toBe(before[i]!.split('\n')[0]);
      expect(s).toContain('sandbox_image = "registry.k8s.io/pause:3.9"');
      expect(s.trim().endsWith('2')).toBe(true);
    }
    const again = await site(...image);
    expect(changed(again.events)).toEqual([]);
  }, 600_000);

  it('registry mirrors and insecure registries become hosts.toml files; no restart', async () => {
    const extra = [
      '-e',
      '{"sandbox_image": "registry.k8s.io/pause:3.9", "registry_mirrors": ["https://mirror.example.com"], "insecure_registries": ["registry.local:5000"]}',
    ];
    const res = await site(...extra);
    expect(res.code, failures(res.events)).toBe(0);
    expect(results(res.events).filter((e) => e.task === RESTART && e.status === 'changed')).toEqual([]);
    const [s] = await onAll(
      'cat /etc/containerd/certs.d/docker.io/hosts.toml; echo ---; cat /etc/containerd/certs.d/registry.local:5000/hosts.toml',
    );
    expect(s).toContain(
      'server = "https://registry-1.docker.io"\n\n[host."https://mirror.example.com"]\n  capabilities = ["pull", "resolve"]\n',
    );
    expect(s).toContain(
      'server = "http://registry.local:5000"\n\n[host."http://registry.local:5000"]\n  capabilities = ["pull", "resolve", "push"]\n  skip_verify = true\n',
    );
    const docker = parseToml(s!.split('---')[0]!);
    expect(docker).toEqual({
      server: 'https://registry-1.docker.io',
      host: { 'https://mirror.example.com': { capabilities: ['pull', 'resolve'] } },
    });
    expect(changed((await site(...extra)).events)).toEqual([]);
    // Without them, the folders bosun created for them go (they carry its marker), predicted exactly.
    const plain = ['-e', 'sandbox_image=registry.k8s.io/pause:3.9'];
    const check = await site('--check', ...plain);
    const removal = fixture.sandbox.hosts.map(
      (h) => `${h.name}|containerd : Remove the registry folders bosun no longer renders`,
    );
    expect(changed(check.events)).toEqual(removal.sort());
    const real = await site(...plain);
    expect(changed(real.events)).toEqual(changed(check.events));
    for (const out of await onAll('ls -A /etc/containerd/certs.d')) expect(out).toBe('');
  }, 600_000);

  it('--check of an upgrade to containerd 2.3.4 with cgroupfs predicts download, unpack, a version = 3 config and one restart; nothing changes', async () => {
    const probe =
      'systemctl show -p MainPID --value containerd; sha256sum /etc/containerd/config.toml; ls /var/cache/bosun/downloads';
    const before = await onAll(probe);
    const hits = mirror.server.hits.size;
    resetDownloads();
    const check = await site(
      '--check',
      '--diff',
      '-e',
      '{"containerd_version": "2.3.4", "containerd_checksum": "", "cgroup_driver": "cgroupfs", "sandbox_image": "registry.k8s.io/pause:3.9"}',
    );
    expect(check.code, failures(check.events)).toBe(0);
    expect(await onAll(probe)).toEqual(before);
    expect(mirror.server.hits.size).toBe(hits);
    const n = fixture.sandbox.hosts[0]!.name;
    expect(changed(check.events).filter((t) => t.startsWith(`${n}|`))).toEqual(
      [
        `${n}|containerd : Download containerd 2.3.4 (amd64)`,
        `${n}|containerd : Unpack containerd 2.3.4 into /usr/local`,
        `${n}|containerd : Record the installed containerd 2.3.4 (amd64)`,
        `${n}|containerd : Binaries containerd 2.x no longer ships`,
        `${n}|containerd : containerd config (version 3)`,
        `${n}|${RESTART}`,
      ].sort(),
    );
    const rendered = results(check.events)
      .find((e) => e.host === n && e.task === 'containerd : containerd config (version 3)')!
      .diff!.at(-1)!.after!;
    const v3 = parseToml(rendered);
    expect(dig(v3, 'version')).toBe(3);
    const images = dig(v3, 'plugins', 'io.containerd.cri.v1.images');
    const runtime = dig(v3, 'plugins', 'io.containerd.cri.v1.runtime');
    expect(dig(images, 'pinned_images')).toEqual({ sandbox: 'registry.k8s.io/pause:3.9' });
    expect(dig(images, 'registry')).toEqual({ config_path: '/etc/containerd/certs.d' });
    expect(dig(runtime, 'containerd', 'runtimes', 'runc', 'options')).toEqual({
      BinaryName: '/usr/local/bin/runc',
      SystemdCgroup: false,
    });
    expect(dig(runtime, 'cni')).toEqual({ bin_dirs: ['/opt/cni/bin'], conf_dir: '/etc/cni/net.d' });
  }, 300_000);

  it('changing crictl_version upgrades crictl (a second FIXTURE version in the mirror)', async () => {
    // A fixture archive of upstream's layout for 1.31.2, added beside the mirror's 1.31.1.
    const upstream = mirror.manifest.crictl.upstream.replaceAll('1.31.1', '1.31.2');
    const src = path.join(work, 'crictl-1.31.2');
    mkdirSync(src, { recursive: true });
    writeFileSync(path.join(src, 'crictl'), '#!/bin/sh\n# bosun test fixture\necho "crictl version v1.31.2"\n', {
      mode: 0o755,
    });
    const archive = path.join(mirror.dir, upstream);
    mkdirSync(path.dirname(archive), { recursive: true });
    execFileSync('tar', ['-czf', archive, '-C', src, 'crictl']);
    const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
    const upgrade = [
      '-e',
      `{"crictl_version": "1.31.2", "crictl_checksum": "${sha}", "sandbox_image": "registry.k8s.io/pause:3.9"}`,
    ];
    const res = await site(...upgrade);
    expect(res.code, failures(res.events)).toBe(0);
    expect(changed(res.events)).toEqual(
      fixture.sandbox.hosts
        .flatMap((h) => [
          `${h.name}|crictl : Download crictl 1.31.2 (amd64)`,
          `${h.name}|crictl : Unpack crictl 1.31.2 into /usr/local/bin`,
          `${h.name}|crictl : Record the installed crictl 1.31.2 (amd64)`,
        ])
        .sort(),
    );
    for (const s of await onAll('crictl --version')) expect(s.trim()).toBe('crictl version v1.31.2');
    expect(changed((await site(...upgrade)).events)).toEqual([]);
  }, 300_000);

  it('a version without a pinned sha256 is refused before anything changes', async () => {
    const res = await site('-e', 'containerd_version=1.6.99', '-e', 'containerd_checksum=');
    expect(res.code).toBe(2);
    const refused = results(res.events).filter((e) => e.status === 'failed');
    expect(refused.map((e) => e.task)).toEqual(
      fixture.sandbox.hosts.map(() => 'containerd : Refuse containerd 1.6.99 (amd64) without a pinned sha256'),
    );
    expect(refused[0]!.msg).toContain('has no pinned sha256');
    expect(changed(res.events)).toEqual([]);
  }, 300_000);
});
