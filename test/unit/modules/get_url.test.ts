import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadStats, resetDownloads } from '../../../src/modules/lib/controller-download.js';
import { ModuleHarness, snapshot } from '../../helpers/module-harness.js';
import { binWithout, startServer, type TestServer } from './http-fixture.js';

const h = new ModuleHarness();
let srv: TestServer;
let cache: string;
const BODY = 'payload v1\n';
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

beforeAll(async () => {
  srv = await startServer();
  cache = await fs.mkdtemp(join(tmpdir(), 'bosun-cache-'));
  process.env['XDG_CACHE_HOME'] = cache;
});
afterAll(async () => {
  await srv.close();
  await fs.rm(cache, { recursive: true, force: true });
  delete process.env['XDG_CACHE_HOME'];
});
beforeEach(async () => {
  await h.setup();
  srv.routes.clear();
  srv.hits.clear();
  resetDownloads();
  srv.routes.set('/f/app.txt', { body: BODY });
});
afterEach(() => h.teardown());

const leftovers = async (): Promise<string[]> => (await fs.readdir(h.dir)).filter((n) => n.startsWith('.bosun'));

describe('get_url (download: target)', () => {
  it('downloads, then with a checksum never downloads again', async () => {
    const dest = h.path('app.txt');
    const args = { url: srv.url('/f/app.txt'), dest, checksum: `sha256:${sha256(BODY)}`, mode: '0600' };
    const first = await h.run('get_url', args);
    expect(first.failed, first.msg).toBe(false);
    expect(first.changed).toBe(true);
    expect(await fs.readFile(dest, 'utf8')).toBe(BODY);
    expect((await fs.stat(dest)).mode & 0o777).toBe(0o600);
    expect(first.data).toMatchObject({
      dest,
      url: srv.url('/f/app.txt'),
      status_code: 200,
      size: BODY.length,
      checksum_src: sha1(BODY),
      // As Ansible: the sha1 of dest before the download (none).
      checksum_dest: null,
      md5sum: createHash('md5').update(BODY).digest('hex'),
      mode: '0600',
    });
    expect(first.msg).toBe(`OK (${BODY.length} bytes)`);
    expect(typeof first.data['elapsed']).toBe('number');
    const second = await h.run('get_url', args);
    expect(second.changed).toBe(false);
    expect(second.msg).toBe('file already exists');
    expect(srv.hits.get('/f/app.txt')).toBe(1);
    expect(await leftovers()).toEqual([]);
  });

  it('check mode predicts exactly and touches nothing', async () => {
    const dest = h.path('app.txt');
    const args = { url: srv.url('/f/app.txt'), dest, checksum: `sha256:${sha256(BODY)}` };
    const check = await h.run('get_url', args, { check: true, diff: true });
    expect(check.changed).toBe(true);
    expect(check.diff).toEqual([{ path: dest, before: 'state: absent\n', after: `sha256: ${sha256(BODY)}\n` }]);
    expect(await snapshot(dest)).toEqual({ bytes: null, mode: null });
    // As Ansible, check mode asks with HEAD (a URL that fails fails the check run too).
    expect(srv.lastBody.get('/f/app.txt')?.method).toBe('HEAD');
    await fs.writeFile(dest, 'old\n');
    const check2 = await h.run('get_url', args, { check: true, diff: true });
    expect(check2.diff[0]).toEqual({
      path: dest,
      before: `sha256: ${sha256('old\n')}\n`,
      after: `sha256: ${sha256(BODY)}\n`,
    });
    expect(await fs.readFile(dest, 'utf8')).toBe('old\n');
    const real = await h.run('get_url', args);
    expect(real.changed).toBe(true);
    expect(await fs.readFile(dest, 'utf8')).toBe(BODY);
  });

  it('without a checksum an existing dest is downloaded again (If-Modified-Since unless force), replaced only when different', async () => {
    const dest = h.path('app.txt');
    await fs.writeFile(dest, 'mine\n');
    // As Ansible: check mode sends HEAD and reports changed unless dest is empty.
    const check = await h.run('get_url', { url: srv.url('/f/app.txt'), dest }, { check: true });
    expect(check).toMatchObject({ changed: true, msg: `OK (${BODY.length} bytes)` });
    expect(await fs.readFile(dest, 'utf8')).toBe('mine\n');
    const replaced = await h.run('get_url', { url: srv.url('/f/app.txt'), dest });
    expect(replaced.changed).toBe(true);
    expect(srv.lastHeaders.get('/f/app.txt')?.['if-modified-since']).toMatch(/ GMT$/);
    expect(await fs.readFile(dest, 'utf8')).toBe(BODY);
    const again = await h.run('get_url', { url: srv.url('/f/app.txt'), dest });
    expect(again).toMatchObject({ changed: false, msg: `OK (${BODY.length} bytes)` });
    const forced = await h.run('get_url', { url: srv.url('/f/app.txt'), dest, force: true });
    expect(forced.changed).toBe(false);
    expect(srv.lastHeaders.get('/f/app.txt')?.['if-modified-since']).toBeUndefined();
    expect(srv.lastHeaders.get('/f/app.txt')?.['cache-control']).toBe('no-cache');
    expect(await leftovers()).toEqual([]);
  });

  it('a checksum mismatch is a hard error and leaves no file', async () => {
    const dest = h.path('app.txt');
    const wrong = sha256('something else');
    const r = await h.run('get_url', { url: srv.url('/f/app.txt'), dest, checksum: `sha256:${wrong}` });
    expect(r.failed).toBe(true);
    expect(r.msg).toBe(`The checksum for ${dest} did not match ${wrong}; it was ${sha256(BODY)}.`);
    expect(await fs.readdir(h.dir)).toEqual([]);
  });

  it('takes the checksum from a sha256sum-format file by the URL basename', async () => {
    srv.routes.set('/f/SHA256SUMS', { body: `${sha256('x')}  other.txt\n${sha256(BODY)} *app.txt\n` });
    const dest = h.path('app.txt');
    const r = await h.run('get_url', {
      url: srv.url('/f/app.txt'),
      dest,
      checksum: `sha256:${srv.url('/f/SHA256SUMS')}`,
    });
    expect(r.failed, r.msg).toBe(false);
    expect(await fs.readFile(dest, 'utf8')).toBe(BODY);
    srv.routes.set('/f/SHA256SUMS', { body: `${sha256('x')}  other.txt\n` });
    const missing = await h.run('get_url', {
      url: srv.url('/f/app.txt'),
      dest,
      checksum: `sha256:${srv.url('/f/SHA256SUMS')}`,
    });
    expect(missing.msg).toBe(`Unable to find a checksum for file 'app.txt' in '${srv.url('/f/SHA256SUMS')}'`);
  });

  it('accepts sha512, sha1 and md5 checksums', async () => {
    for (const algo of ['sha512', 'sha1', 'md5']) {
      const dest = h.path(`app-${algo}`);
      const hex = createHash(algo).update(BODY).digest('hex');
      const r = await h.run('get_url', { url: srv.url('/f/app.txt'), dest, checksum: `${algo}:${hex}` });
      expect(r.changed, r.msg).toBe(true);
      expect((await h.run('get_url', { url: srv.url('/f/app.txt'), dest, checksum: `${algo}:${hex}` })).changed).toBe(
        false,
      );
    }
  });

  it('a folder dest takes the URL basename, or Content-Disposition, else index.html', async () => {
    const r = await h.run('get_url', { url: srv.url('/f/app.txt'), dest: h.dir });
    expect(r.data['dest']).toBe(h.path('app.txt'));
    srv.routes.set('/dl/', { body: 'cd\n', headers: { 'content-disposition': 'attachment; filename="named.tgz"' } });
    const cd = await h.run('get_url', { url: srv.url('/dl/'), dest: `${h.dir}/` });
    expect(cd.failed, cd.msg).toBe(false);
    expect(await fs.readFile(h.path('named.tgz'), 'utf8')).toBe('cd\n');
    srv.routes.set('/plain/', { body: 'index\n' });
    const plain = await h.run('get_url', { url: srv.url('/plain/'), dest: `${h.dir}/` });
    expect(plain.failed, plain.msg).toBe(false);
    expect(await fs.readFile(h.path('index.html'), 'utf8')).toBe('index\n');
  });

  it('does not retry a 503, as Ansible', async () => {
    srv.routes.set('/flaky', { body: BODY, failFirst: 2 });
    const r = await h.run('get_url', { url: srv.url('/flaky'), dest: h.path('flaky') });
    expect(r).toMatchObject({ failed: true, msg: 'Request failed' });
    expect(r.data['status_code']).toBe(503);
    expect(srv.hits.get('/flaky')).toBe(1);
  });

  it('reports HTTP errors without retrying them and keeps no file', async () => {
    const r = await h.run('get_url', { url: srv.url('/nope'), dest: h.path('nope') });
    expect(r).toMatchObject({ failed: true, msg: 'Request failed' });
    expect(r.data).toMatchObject({ status_code: 404, response: expect.stringMatching(/^HTTP Error 404: /) as unknown });
    expect(srv.hits.get('/nope')).toBe(1);
    expect(await fs.readdir(h.dir)).toEqual([]);
  });

  it('sends headers and basic auth, and never shows the password', async () => {
    srv.routes.set('/secret', { body: 'ok\n', auth: `Basic ${Buffer.from('bob:s3cr3t-pw').toString('base64')}` });
    const r = await h.run(
      'get_url',
      {
        url: srv.url('/secret'),
        dest: h.path('s'),
        url_username: 'bob',
        url_password: 's3cr3t-pw',
        headers: { 'X-Token': 'abc' },
      },
      { diff: true },
    );
    expect(r.failed, r.msg).toBe(false);
    expect(srv.lastHeaders.get('/secret')?.['x-token']).toBe('abc');
    expect(JSON.stringify(r)).not.toContain('s3cr3t-pw');
    const bad = await h.run('get_url', {
      url: srv.url('/secret'),
      dest: h.path('s2'),
      url_username: 'bob',
      url_password: 'wrong',
    });
    expect(bad.data['response']).toContain('HTTP Error 401');
  });

  it('fails clearly on a missing folder or a folder as the file', async () => {
    const r = await h.run('get_url', { url: srv.url('/f/app.txt'), dest: h.path('no', 'such', 'x') });
    expect(r.msg).toBe(`Destination ${h.path('no', 'such')} does not exist`);
    const bad = await h.run('get_url', { url: srv.url('/f/app.txt'), dest: h.path('x'), checksum: 'sha256:xyz' });
    expect(bad.msg).toBe('The checksum format is invalid');
    const algo = await h.run('get_url', { url: srv.url('/f/app.txt'), dest: h.path('x'), checksum: 'crc32:abc' });
    expect(algo.msg).toMatch(/^checksum algorithm 'crc32' is not supported/);
  });

  it('changes only the attributes when the content is right', async () => {
    const dest = h.path('app.txt');
    await fs.writeFile(dest, BODY, { mode: 0o644 });
    const args = { url: srv.url('/f/app.txt'), dest, checksum: `sha256:${sha256(BODY)}`, mode: '0640' };
    const check = await h.run('get_url', args, { check: true, diff: true });
    expect(check.diff).toEqual([{ path: dest, before: 'mode: 0644\n', after: 'mode: 0640\n' }]);
    const real = await h.run('get_url', args);
    expect(real.changed).toBe(true);
    expect((await fs.stat(dest)).mode & 0o777).toBe(0o640);
    expect(srv.hits.get('/f/app.txt')).toBeUndefined();
  });
});

describe('get_url without the needed commands on the target', () => {
  it('says which command is missing', async () => {
    const bin = await binWithout(['curl', 'wget', 'md5sum']);
    const path = process.env['PATH'];
    await h.conn.close();
    process.env['PATH'] = bin;
    try {
      const r = await h.run('get_url', { url: srv.url('/f/app.txt'), dest: h.path('x') });
      expect(r).toMatchObject({ failed: true, msg: "get_url needs 'curl' or 'wget' on the target (neither found)" });
      const md5 = await h.run('get_url', {
        url: srv.url('/f/app.txt'),
        dest: h.path('x'),
        checksum: `md5:${createHash('md5').update(BODY).digest('hex')}`,
      });
      expect(md5.msg).toBe("get_url needs 'md5sum' on the target (not found)");
    } finally {
      process.env['PATH'] = path;
      await h.conn.close();
      await fs.rm(bin, { recursive: true, force: true });
    }
  });
});

describe('get_url with wget only on the target', () => {
  it("downloads, reports Ansible's failure keys, sends credentials", async () => {
    const bin = await binWithout(['curl']);
    const path = process.env['PATH'];
    await h.conn.close();
    process.env['PATH'] = bin;
    try {
      const dest = h.path('w.txt');
      const r = await h.run('get_url', { url: srv.url('/f/app.txt'), dest });
      expect(r, r.msg).toMatchObject({ changed: true, msg: `OK (${BODY.length} bytes)` });
      expect(r.data).toMatchObject({ status_code: 200, checksum_src: sha1(BODY), checksum_dest: null });
      expect(await fs.readFile(dest, 'utf8')).toBe(BODY);
      const again = await h.run('get_url', { url: srv.url('/f/app.txt'), dest });
      expect(again.changed).toBe(false);
      expect(srv.lastHeaders.get('/f/app.txt')?.['if-modified-since']).toMatch(/ GMT$/);
      const nf = await h.run('get_url', { url: srv.url('/nope'), dest: h.path('nf') });
      expect(nf).toMatchObject({ failed: true, msg: 'Request failed' });
      expect(nf.data).toMatchObject({ status_code: 404, response: 'HTTP Error 404: Not Found' });
      srv.routes.set('/secret', { body: 'ok\n', auth: `Basic ${Buffer.from('bob:pw').toString('base64')}` });
      const auth = await h.run('get_url', {
        url: srv.url('/secret'),
        dest: h.path('s'),
        username: 'bob',
        password: 'pw',
      });
      expect(auth.failed, auth.msg).toBe(false);
      expect(await leftovers()).toEqual([]);
    } finally {
      process.env['PATH'] = path;
      await h.conn.close();
      await fs.rm(bin, { recursive: true, force: true });
    }
  });
});

describe('get_url (download: controller)', () => {
  it('downloads once for concurrent hosts, caches by checksum, pushes atomically', async () => {
    const checksum = `sha256:${sha256(BODY)}`;
    const before = downloadStats.requests;
    const runs = await Promise.all(
      [1, 2, 3].map((i) =>
        h.run('get_url', { url: srv.url('/f/app.txt'), dest: h.path(`c${i}`), checksum, download: 'controller' }),
      ),
    );
    for (const r of runs) expect(r, r.msg).toMatchObject({ changed: true, failed: false });
    expect(srv.hits.get('/f/app.txt')).toBe(1);
    expect(downloadStats.requests - before).toBe(1);
    expect(await fs.readFile(join(cache, 'bosun', 'downloads', 'sha256', sha256(BODY)), 'utf8')).toBe(BODY);
    resetDownloads();
    const fromCache = await h.run(
      'get_url',
      { url: srv.url('/f/app.txt'), dest: h.path('c4'), checksum },
      { vars: { bosun_download: 'controller' } },
    );
    expect(fromCache.msg).toMatch(/from the controller cache/);
    expect(srv.hits.get('/f/app.txt')).toBe(1);
    expect(
      (await h.run('get_url', { url: srv.url('/f/app.txt'), dest: h.path('c1'), checksum, download: 'controller' }))
        .changed,
    ).toBe(false);
    expect(await leftovers()).toEqual([]);
  });

  it('predicts force without a checksum exactly by downloading on the controller only', async () => {
    const dest = h.path('f');
    await fs.writeFile(dest, BODY);
    const same = await h.run(
      'get_url',
      { url: srv.url('/f/app.txt'), dest, force: true, download: 'controller' },
      { check: true },
    );
    expect(same.changed).toBe(false);
    await fs.writeFile(dest, 'other\n');
    const diff = await h.run(
      'get_url',
      { url: srv.url('/f/app.txt'), dest, force: true, download: 'controller' },
      { check: true },
    );
    expect(diff.changed).toBe(true);
    expect(await fs.readFile(dest, 'utf8')).toBe('other\n');
  });

  it('a checksum mismatch fails and caches nothing', async () => {
    const wrong = sha256('nope');
    const r = await h.run('get_url', {
      url: srv.url('/f/app.txt'),
      dest: h.path('m'),
      checksum: `sha256:${wrong}`,
      download: 'controller',
    });
    expect(r.failed).toBe(true);
    expect(r.msg).toBe(`The checksum for ${srv.url('/f/app.txt')} did not match ${wrong}; it was ${sha256(BODY)}.`);
    expect(await fs.readdir(h.dir)).toEqual([]);
    await expect(fs.stat(join(cache, 'bosun', 'downloads', 'sha256', wrong))).rejects.toThrow();
  });
});
