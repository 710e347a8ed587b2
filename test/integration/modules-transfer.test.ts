/**
 * get_url + unarchive on 10 sandbox hosts over SSH, against a local HTTP
 * server on 127.0.0.1 serving a real tar.gz: `download: controller` fetches
 * it ONCE for all hosts, the second run changes nothing, check mode after a
 * hand edit predicts exactly and downloads nothing; `download: target`,
 * a checksum mismatch, a checksum file URL through the hosts' own curl; no
 * built-in retry (as Ansible): until/retries retry a flaky server; then
 * fetch, slurp, script, uri and wait_for over SSH.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, promises as fs, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { resetDownloads } from '../../src/modules/lib/controller-download.js';
import { runJson } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';

const PLAYBOOK = path.resolve('test/fixtures/modules-transfer/install.yml');
const HOSTS = 10;
const fixture = withSandbox(HOSTS, { base: '127.83.0.1' });

interface JsonEvent {
  type: string;
  host?: string;
  task?: string;
  status?: string;
  msg?: string;
  hosts?: Record<string, Record<string, number>>;
  data?: Record<string, unknown>;
}

const bosun = (args: string[]) => runJson<JsonEvent>(args);
const recapOf = (events: JsonEvent[]) => events.at(-1)!.hosts!;
const byStatus = (events: JsonEvent[], status: string) =>
  events
    .filter((e) => e.type === 'task_result' && e.status === status)
    .map((e) => `${e.host}|${e.task}`)
    .sort();

let work: string;
let srv: TestServer;
let archive: Buffer;
let sha: string;
const TOOL = '#!/bin/sh\necho tool 1.0\n';

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'bosun-xfer-'));
  process.env['XDG_CACHE_HOME'] = path.join(work, 'cache');
  const root = path.join(work, 'src', 'tool-1.0');
  await fs.mkdir(path.join(root, 'bin'), { recursive: true });
  await fs.mkdir(path.join(root, 'share'), { recursive: true });
  writeFileSync(path.join(root, 'bin', 'tool'), TOOL, { mode: 0o755 });
  writeFileSync(path.join(root, 'share', 'data.bin'), Buffer.alloc(256 * 1024, 7));
  execFileSync('tar', ['-czf', path.join(work, 'tool.tgz'), '-C', path.join(work, 'src'), 'tool-1.0']);
  archive = readFileSync(path.join(work, 'tool.tgz'));
  sha = createHash('sha256').update(archive).digest('hex');
  srv = await startServer();
  srv.routes.set('/releases/tool.tgz', { body: archive });
  srv.routes.set('/releases/SHA256SUMS', { body: `${'0'.repeat(64)}  other.tgz\n${sha}  tool.tgz\n` });
  srv.routes.set('/flaky/tool.tgz', { body: archive, failFirst: 2 });
});
// A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
afterAll(async () => {
  await (srv as TestServer | undefined)?.close();
  delete process.env['XDG_CACHE_HOME'];
  rmSync(work, { recursive: true, force: true });
});

/** sha256 and mode of every file under `dir` on every host, through our own SSH connections. */
async function snapshot(dir: string): Promise<string[]> {
  return Promise.all(
    fixture.sandbox.hosts.map(async (h) => {
      const conn = new SshConnection(fixture.specFor(h));
      try {
        await conn.connect();
        const r = await conn.exec(
          `cd ${dir} 2>/dev/null && find . -exec stat -c '%n %a %s' {} + | sort && find . -type f -exec sha256sum {} + | sort`,
        );
        return `${h.name}\n${r.stdout}`;
      } finally {
        await conn.close();
      }
    }),
  );
}

const vars = (base: string, mode: string, checksum: string, url = srv.url('/releases/tool.tgz')): string[] => [
  '-e',
  `base=${base}`,
  '-e',
  `bosun_download=${mode}`,
  '-e',
  `checksum=${checksum}`,
  '-e',
  `archive_url=${url}`,
];

fixture.describe('get_url + unarchive on 10 sandbox hosts', () => {
  const inv = () => fixture.sandbox.inventoryFile;

  it('download: controller installs the archive on 10 hosts with ONE download; second run changed=0', async () => {
    resetDownloads();
    const t0 = Date.now();
    const first = await bosun(['run', PLAYBOOK, '-i', inv(), ...vars('/opt/xfer', 'controller', `sha256:${sha}`)]);
    const ms = Date.now() - t0;
    expect(first.err).toBe('');
    expect(first.code, JSON.stringify(first.events.filter((e) => e.status === 'failed'))).toBe(0);
    expect(srv.hits.get('/releases/tool.tgz')).toBe(1);
    for (const h of fixture.sandbox.hosts)
      expect(recapOf(first.events)[h.name]).toMatchObject({ ok: 3, changed: 3, failed: 0 });
    const snap = await snapshot('/opt/xfer');
    for (const s of snap) {
      expect(s).toContain(`./bin/tool 755 ${TOOL.length}`);
      expect(s).toContain(`${createHash('sha256').update(TOOL).digest('hex')}  ./bin/tool`);
      expect(s).toContain(`${sha}  ./pkg.tgz`);
      expect(s).not.toContain('.bosun');
    }
    const second = await bosun(['run', PLAYBOOK, '-i', inv(), ...vars('/opt/xfer', 'controller', `sha256:${sha}`)]);
    expect(second.code).toBe(0);
    expect(byStatus(second.events, 'changed')).toEqual([]);
    expect(srv.hits.get('/releases/tool.tgz')).toBe(1);
    console.info(
      `get_url download: controller on ${HOSTS} hosts: ${ms} ms, ${srv.hits.get('/releases/tool.tgz')} request(s) to the server`,
    );
  }, 120_000);

  it('check mode after a hand edit predicts exactly, touches nothing, downloads nothing', async () => {
    const victim = fixture.sandbox.hosts[3]!;
    const other = fixture.sandbox.hosts[6]!;
    for (const [h, cmd] of [
      [victim, "printf 'edited\\n' > /opt/xfer/bin/tool"],
      [other, 'chmod 0600 /opt/xfer/pkg.tgz'],
    ] as const) {
      const conn = new SshConnection(fixture.specFor(h));
      await conn.connect();
      await conn.exec(cmd);
      await conn.close();
    }
    const before = await snapshot('/opt/xfer');
    const hits = srv.hits.get('/releases/tool.tgz');
    resetDownloads();
    const check = await bosun([
      'run',
      PLAYBOOK,
      '-i',
      inv(),
      '--check',
      '--diff',
      ...vars('/opt/xfer', 'controller', `sha256:${sha}`),
    ]);
    expect(check.code).toBe(0);
    expect(await snapshot('/opt/xfer')).toEqual(before);
    expect(srv.hits.get('/releases/tool.tgz')).toBe(hits);
    expect(byStatus(check.events, 'changed')).toEqual([`${victim.name}|unpack`, `${other.name}|download`]);
    const real = await bosun(['run', PLAYBOOK, '-i', inv(), ...vars('/opt/xfer', 'controller', `sha256:${sha}`)]);
    expect(byStatus(real.events, 'changed')).toEqual(byStatus(check.events, 'changed'));
    expect(srv.hits.get('/releases/tool.tgz')).toBe(hits);
    expect((await snapshot('/opt/xfer'))[3]).toEqual(before[0]!.replace(fixture.sandbox.hosts[0]!.name, victim.name));
  }, 120_000);

  it('download: target: every host downloads with its own curl, once; a checksum file URL works', async () => {
    const hits = srv.hits.get('/releases/tool.tgz') ?? 0;
    const first = await bosun([
      'run',
      PLAYBOOK,
      '-i',
      inv(),
      ...vars('/opt/xfer-t', 'target', `sha256:${srv.url('/releases/SHA256SUMS')}`),
    ]);
    expect(first.code, JSON.stringify(first.events.filter((e) => e.status === 'failed'))).toBe(0);
    expect(srv.hits.get('/releases/tool.tgz')).toBe(hits + HOSTS);
    for (const s of await snapshot('/opt/xfer-t')) expect(s).toContain(`${sha}  ./pkg.tgz`);
    const second = await bosun([
      'run',
      PLAYBOOK,
      '-i',
      inv(),
      ...vars('/opt/xfer-t', 'target', `sha256:${srv.url('/releases/SHA256SUMS')}`),
    ]);
    expect(byStatus(second.events, 'changed')).toEqual([]);
    expect(srv.hits.get('/releases/tool.tgz')).toBe(hits + HOSTS);
  }, 120_000);

  it('a checksum mismatch is a hard error on every host and leaves no file', async () => {
    const wrong = createHash('sha256').update('not it').digest('hex');
    for (const mode of ['target', 'controller']) {
      const res = await bosun([
        'run',
        PLAYBOOK,
        '-i',
        inv(),
        ...vars(`/opt/xfer-bad-${mode}`, mode, `sha256:${wrong}`),
      ]);
      expect(res.code).toBe(2);
      const failures = res.events.filter((e) => e.type === 'task_result' && e.status === 'failed');
      expect(failures).toHaveLength(HOSTS);
      for (const f of failures) expect(f.msg).toMatch(new RegExp(`did not match ${wrong}; it was ${sha}\\.$`));
      for (const s of await snapshot(`/opt/xfer-bad-${mode}`))
        expect(s.split('\n').filter(Boolean).slice(1)).toEqual(['. 755 4096']);
    }
  }, 120_000);

  it('no built-in retry (as Ansible): a server that fails twice (503) is retried by until/retries', async () => {
    const one = fixture.sandbox.hosts[0]!.name;
    const url = srv.url('/flaky/tool.tgz');
    const dir = mkdtempSync(path.join(work, 'pb-'));
    const pb = path.join(dir, 'flaky.yml');
    const task = (name: string, dest: string, retry: boolean): string[] => [
      `    - name: ${name}`,
      `      get_url: { url: "${url}", dest: "${dest}", checksum: "sha256:${sha}" }`,
      ...(retry ? ['      register: dl', '      until: dl is succeeded', '      retries: 3', '      delay: 0'] : []),
      ...(retry ? [] : ['      ignore_errors: true']),
    ];
    writeFileSync(
      pb,
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - file: { path: /opt/xfer-flaky, state: directory }',
        ...task('once', '/opt/xfer-flaky/once.tgz', false),
        ...task('with until', '/opt/xfer-flaky/pkg.tgz', true),
        '',
      ].join('\n'),
    );
    // The server fails the first two requests: the task without until fails on the first (one request, as
    // Ansible's get_url makes), the task with until fails once more and then downloads.
    const res = await bosun(['run', pb, '-i', inv(), '--limit', one]);
    expect(res.code, JSON.stringify(res.events.filter((e) => e.status === 'failed'))).toBe(0);
    const once = res.events.find((e) => e.type === 'task_result' && e.task === 'once')!;
    expect(once.status).toBe('failed');
    expect(once.data).toMatchObject({ msg: 'Request failed', status_code: 503 });
    const retried = res.events.find((e) => e.type === 'task_result' && e.task === 'with until')!;
    expect(retried.status).toBe('changed');
    expect(retried.data).toMatchObject({ attempts: 2 });
    expect(srv.hits.get('/flaky/tool.tgz')).toBe(3);
    expect(recapOf(res.events)[one]).toMatchObject({ ok: 3, changed: 2, failed: 0, ignored: 1 });
  }, 60_000);

  it('fetch, slurp, script, uri and wait_for over SSH', async () => {
    const dir = mkdtempSync(path.join(work, 'pb-'));
    writeFileSync(path.join(dir, 'hello.sh'), '#!/bin/sh\necho "hello $1 from $(hostname)"\n');
    const pb = path.join(dir, 'misc.yml');
    writeFileSync(
      pb,
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: fetch',
        `      fetch: { src: /opt/xfer/bin/tool, dest: "${dir}/fetched" }`,
        '    - name: slurp',
        '      slurp: { src: /opt/xfer/bin/tool }',
        '      register: tool',
        '    - name: check slurp',
        `      assert: { that: [ '(eq (b64decode tool.content) (b64decode "${Buffer.from(TOOL).toString('base64')}"))' ] }`,
        '    - name: script',
        `      script: "${path.join(dir, 'hello.sh')} world"`,
        '      register: hello',
        '    - name: uri',
        `      uri: { url: "${srv.url('/releases/SHA256SUMS')}", return_content: true }`,
        '    - name: wait_for',
        '      wait_for: { port: 22, host: "{{ ansible_host }}", search_regex: OpenSSH, timeout: 10, connect_timeout: 1 }',
        '',
      ].join('\n'),
    );
    const res = await bosun(['run', pb, '-i', inv()]);
    expect(res.code, JSON.stringify(res.events.filter((e) => e.status === 'failed'))).toBe(0);
    for (const h of fixture.sandbox.hosts) {
      expect(readFileSync(path.join(dir, 'fetched', h.name, 'opt/xfer/bin/tool'), 'utf8')).toBe(TOOL);
      expect(recapOf(res.events)[h.name]).toMatchObject({ ok: 6, changed: 2, failed: 0 });
    }
    const again = await bosun(['run', pb, '-i', inv()]);
    expect(byStatus(again.events, 'changed').filter((t) => !t.endsWith('|script'))).toEqual([]);
  }, 120_000);
});
