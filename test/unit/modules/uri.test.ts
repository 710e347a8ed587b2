import { promises as fs } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { binWithout, startServer, type TestServer } from './http-fixture.js';

const h = new ModuleHarness();
let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(() => srv.close());
beforeEach(async () => {
  await h.setup();
  srv.routes.clear();
  srv.hits.clear();
  srv.routes.set('/api', { body: '{"ok":true,"n":2}', headers: { 'content-type': 'application/json' } });
  srv.routes.set('/text', { body: 'hello\n', headers: { 'content-type': 'text/plain' } });
});
afterEach(() => h.teardown());

describe('uri', () => {
  it('GET: status, json, content, headers; never changed; runs in check mode too', async () => {
    for (const check of [false, true]) {
      const r = await h.run('uri', { url: srv.url('/api'), return_content: true }, { check });
      expect(r, r.msg).toMatchObject({ changed: false, failed: false, skipped: false, msg: 'OK (17 bytes)' });
      expect(r.data).toMatchObject({
        status: 200,
        json: { ok: true, n: 2 },
        content: '{"ok":true,"n":2}',
        content_type: 'application/json',
        redirected: false,
        url: srv.url('/api'),
      });
    }
    const text = await h.run('uri', { url: srv.url('/text') });
    expect(text.data['content']).toBeUndefined();
    expect(text.data['json']).toBeUndefined();
  });

  it('checks status_code (int or list) with Ansible message', async () => {
    const r = await h.run('uri', { url: srv.url('/missing') });
    expect(r).toMatchObject({ failed: true, msg: 'Status code was 404 and not [200]: HTTP Error 404: Not Found' });
    expect(r.data['status']).toBe(404);
    expect((await h.run('uri', { url: srv.url('/missing'), status_code: [200, 404] })).failed).toBe(false);
    expect((await h.run('uri', { url: srv.url('/missing'), status_code: 404 })).failed).toBe(false);
    const refused = await h.run('uri', { url: 'http://127.0.0.1:1/x' });
    expect(refused.msg).toMatch(/^Status code was -1 and not \[200\]: Request failed: /);
  });

  it('POST: skipped in check mode, sent in a real run with a JSON body, not a change (as Ansible)', async () => {
    const args = {
      url: srv.url('/api'),
      method: 'POST',
      body: { name: 'x', n: 1 },
      body_format: 'json',
      status_code: [200, 201],
    };
    const check = await h.run('uri', args, { check: true });
    expect(check).toMatchObject({ skipped: true, unpredictable: 'uri POST would be sent if not in check mode' });
    expect(srv.hits.get('/api')).toBeUndefined();
    const real = await h.run('uri', args);
    expect(real).toMatchObject({ changed: false, failed: false });
    expect(srv.lastBody.get('/api')).toEqual({ method: 'POST', body: '{"name": "x", "n": 1}' });
    expect(srv.lastHeaders.get('/api')?.['content-type']).toBe('application/json');
  });

  it('form-urlencoded body, basic auth (password never shown), creates/removes decide', async () => {
    srv.routes.set('/form', { body: 'ok', auth: `Basic ${Buffer.from('u:pw-secret').toString('base64')}` });
    const r = await h.run('uri', {
      url: srv.url('/form'),
      method: 'PUT',
      body: { a: '1 2', b: 'x&y' },
      body_format: 'form-urlencoded',
      url_username: 'u',
      url_password: 'pw-secret',
    });
    expect(r.failed, r.msg).toBe(false);
    expect(srv.lastBody.get('/form')).toEqual({ method: 'PUT', body: 'a=1+2&b=x%26y' });
    expect(JSON.stringify(r)).not.toContain('pw-secret');
    await fs.writeFile(h.path('done'), '');
    const skip = await h.run(
      'uri',
      { url: srv.url('/form'), method: 'POST', creates: h.path('done') },
      { check: true },
    );
    expect(skip).toMatchObject({ changed: false, skipped: false });
    expect(skip.data['stdout']).toBe(`skipped, since '${h.path('done')}' exists`);
    const gone = await h.run('uri', { url: srv.url('/form'), method: 'POST', removes: h.path('nope') });
    expect(gone).toMatchObject({ changed: false });
    expect(gone.data['stdout']).toBe(`skipped, since '${h.path('nope')}' does not exist`);
  });

  it('follows redirects and says so; dest saves the body', async () => {
    srv.routes.set('/old', { status: 301, headers: { location: '/text' } });
    const r = await h.run('uri', { url: srv.url('/old'), return_content: true });
    expect(r.data).toMatchObject({ status: 200, redirected: true, url: srv.url('/text'), content: 'hello\n' });
    const none = await h.run('uri', { url: srv.url('/old'), follow_redirects: 'none', status_code: 301 });
    expect(none.data['status']).toBe(301);
    const dest = h.path('saved.txt');
    const saved = await h.run('uri', { url: srv.url('/text'), dest });
    expect(saved.changed).toBe(true);
    expect(await fs.readFile(dest, 'utf8')).toBe('hello\n');
    expect((await h.run('uri', { url: srv.url('/text'), dest })).changed).toBe(false);
    expect((await fs.readdir(h.dir)).filter((n) => n.startsWith('.bosun'))).toEqual([]);
  });

  it('works with wget, and says when neither curl nor wget exists', async () => {
    const path = process.env['PATH'];
    const noCurl = await binWithout(['curl']);
    const neither = await binWithout(['curl', 'wget']);
    try {
      await h.conn.close();
      process.env['PATH'] = noCurl;
      const r = await h.run('uri', { url: srv.url('/api'), return_content: true });
      expect(r, r.msg).toMatchObject({ failed: false });
      expect(r.data).toMatchObject({ status: 200, json: { ok: true, n: 2 } });
      expect((await h.run('uri', { url: srv.url('/missing') })).msg).toBe(
        'Status code was 404 and not [200]: HTTP Error 404: Not Found',
      );
      const dl = await h.run('get_url', { url: srv.url('/text'), dest: h.path('w.txt') });
      expect(dl.failed, dl.msg).toBe(false);
      expect(await fs.readFile(h.path('w.txt'), 'utf8')).toBe('hello\n');
      await h.conn.close();
      process.env['PATH'] = neither;
      expect((await h.run('uri', { url: srv.url('/api') })).msg).toBe(
        "uri needs 'curl' or 'wget' on the target (neither found)",
      );
    } finally {
      process.env['PATH'] = path;
      await h.conn.close();
      await fs.rm(noCurl, { recursive: true, force: true });
      await fs.rm(neither, { recursive: true, force: true });
    }
  });
});
