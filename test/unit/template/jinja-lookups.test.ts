/**
 * lookup()/query() beyond the engine suite's rows: what they do on the
 * controller (the password file, a role's files/ folder, a URL from a local
 * server, the inventory), errors='warn', and that what they read is data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { createTemplateEngine } from '../../../src/template/index.js';

const src = { file: 'play.yml', line: 4, col: 9 };
let dir: string;
let vars: Record<string, unknown>;

function failure(fn: () => unknown): BosunError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BosunError) return err;
    throw err;
  }
  throw new Error('no error');
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bosun-lookups-'));
  const role = path.join(dir, 'roles', 'web');
  mkdirSync(path.join(role, 'files'), { recursive: true });
  mkdirSync(path.join(role, 'tasks'), { recursive: true });
  mkdirSync(path.join(dir, 'files'), { recursive: true });
  writeFileSync(path.join(role, 'tasks', 'main.yml'), '[]\n');
  writeFileSync(path.join(role, 'files', 'motd'), 'from the role\n');
  writeFileSync(path.join(dir, 'files', 'motd'), 'from the playbook\n');
  writeFileSync(path.join(dir, 'files', 'secret.txt'), '{{ db_password }}\n');
  vars = {
    playbook_dir: dir,
    ansible_search_path: [role, path.join(role, 'tasks'), dir],
    db_password: 'hunter2',
  };
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('controller files', () => {
  const engine = createTemplateEngine();

  it("a role's files/ comes before the playbook's", () => {
    expect(engine.renderString("{{ lookup('file', 'motd') }}", vars, src)).toBe('from the role');
    const outside = { ...vars, ansible_search_path: [dir] };
    expect(engine.renderString("{{ lookup('file', 'motd') }}", outside, src)).toBe('from the playbook');
  });

  it('what a file holds is data: its braces are never rendered', () => {
    expect(engine.renderString("{{ lookup('file', 'secret.txt') }}", vars, src)).toBe('{{ db_password }}');
    const lazy = { ...vars, content: "{{ lookup('file', 'secret.txt') }}" };
    expect(engine.renderString('x {{ content }}', lazy, src)).toBe('x {{ db_password }}');
    expect(engine.renderString("{{ lookup('pipe', 'echo \"{{ db_password }}\"') }}", vars, src)).toBe(
      '{{ db_password }}',
    );
  });

  it('lookups run inside Jinja2 template files too (fileglob: the first search folder with matches wins)', () => {
    const text =
      "{% for f in query('fileglob', '*') | map('basename') | sort %}{{ f }}\n{% endfor %}{{ lookup('file', 'motd') }}\n";
    expect(engine.renderText(text, vars, path.join(dir, 'page.j2'))).toBe('motd\nfrom the role\n');
  });

  it('a missing file is an error at the lookup, with the name', () => {
    const err = failure(() => engine.renderString("{{ lookup('file', 'nope.txt') }}", vars, src));
    expect(err.message).toBe("lookup('file') failed: could not locate file in lookup: nope.txt");
    expect(err.source).toEqual({ file: 'play.yml', line: 4, col: 12 });
  });

  it('first_found with paths searches those folders (and, as Ansible, only for files given as an option)', () => {
    const files = path.join(dir, 'files');
    const found = engine.renderString(
      `{{ lookup('first_found', {'files': ['nope', 'motd'], 'paths': ['${files}']}) }}`,
      vars,
      src,
    );
    expect(found).toBe(path.join(files, 'motd'));
    // ansible-core 2.14 searches nothing for a term with paths= but no files=.
    expect(() => engine.renderString(`{{ lookup('first_found', 'motd', paths=['${files}']) }}`, vars, src)).toThrow(
      /No file was found when using first_found/,
    );
  });

  it('an unknown option is an error even with errors=ignore', () => {
    const err = failure(() => engine.renderString("{{ lookup('env', 'HOME', nope=1, errors='ignore') }}", vars, src));
    expect(err.message).toMatch(/the env lookup has no option 'nope'/);
  });
});

describe('the password lookup', () => {
  const engine = createTemplateEngine();

  it('creates the file (0600, folder 0700) once, then reads it back', () => {
    const expr = "{{ lookup('password', 'credentials/db length=16 chars=ascii_letters') }}";
    const first = engine.renderString(expr, vars, src) as string;
    expect(first).toMatch(/^[A-Za-z]{16}$/);
    const file = path.join(dir, 'credentials', 'db');
    expect(readFileSync(file, 'utf8')).toBe(`${first}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(engine.renderString(expr, vars, src)).toBe(first);
  });

  it('a seed gives the same password as Ansible', () => {
    // ansible-core 2.14 gave PHReYru8me for both forms.
    expect(engine.renderString("{{ lookup('password', '/dev/null seed=web1 length=10') }}", vars, src)).toBe(
      'PHReYru8me',
    );
    expect(engine.renderString("{{ lookup('password', '/dev/null', seed='web1', length=10) }}", vars, src)).toBe(
      'PHReYru8me',
    );
  });

  it('encrypt= keeps a salt in the file so that the hash stays the same', () => {
    const expr = "{{ lookup('password', 'credentials/hashed encrypt=sha512_crypt') }}";
    const hash = engine.renderString(expr, vars, src) as string;
    expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$/);
    expect(readFileSync(path.join(dir, 'credentials', 'hashed'), 'utf8')).toMatch(/^\S{20} salt=[./0-9A-Za-z]{16}\n$/);
    expect(engine.renderString(expr, vars, src)).toBe(hash);
  });
});

describe('runs: inventory_hostnames and errors=warn', () => {
  it('selects hosts through the run, and warns', () => {
    const engine = createTemplateEngine();
    const warnings: string[] = [];
    engine.useRun({
      hostPattern: (p) => (p === 'web:!web2' ? ['web1'] : []),
      warn: (m) => warnings.push(m),
    });
    expect(engine.renderString("{{ query('inventory_hostnames', 'web:!web2') }}", vars, src)).toEqual(['web1']);
    expect(engine.renderString("{{ lookup('file', 'nope', errors='warn') }}", vars, src)).toBeNull();
    expect(warnings).toEqual(['Lookup failed but the error is being ignored: could not locate file in lookup: nope']);
  });

  it('without a run, inventory_hostnames says so', () => {
    const err = failure(() =>
      createTemplateEngine().renderString("{{ lookup('inventory_hostnames', 'all') }}", vars, src),
    );
    expect(err.message).toMatch(/there is no inventory here/);
  });
});

describe('the url lookup, against a local server', () => {
  let server: ChildProcess;
  let base: string;

  beforeAll(async () => {
    // In a child process: the lookup waits synchronously, so a server in this process could not answer.
    const script = `
      const http = require('node:http');
      const s = http.createServer((req, res) => {
        if (req.url === '/lines') { res.end('one\\ntwo\\r\\nthree\\n'); return; }
        if (req.url === '/agent') { res.end(req.headers['user-agent'] + ' ' + (req.headers['x-token'] ?? '')); return; }
        if (req.url === '/auth') {
          if (!req.headers.authorization) { res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }); res.end(); return; }
          res.end(Buffer.from(req.headers.authorization.slice(6), 'base64').toString()); return;
        }
        if (req.url === '/moved') { res.writeHead(302, { location: '/lines' }); res.end(); return; }
        res.writeHead(404, 'Not Found'); res.end('no');
      });
      s.listen(0, '127.149.0.1', () => console.log(s.address().port));`;
    server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolve) =>
      server.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );
    base = `http://127.149.0.1:${port}`;
  });

  afterAll(() => {
    server.kill();
  });

  const engine = createTemplateEngine();
  const render = (expr: string): unknown => engine.renderString(expr.replace('BASE', base), vars, src);

  it('gives the lines joined by commas, or the list with query, or the body with split_lines=False', () => {
    expect(render("{{ lookup('url', 'BASE/lines') }}")).toBe('one,two,three');
    expect(render("{{ query('url', 'BASE/lines') }}")).toEqual(['one', 'two', 'three']);
    expect(render("{{ lookup('url', 'BASE/lines', split_lines=False) }}")).toBe('one\ntwo\r\nthree\n');
  });

  it("sends Ansible's user agent and the headers given", () => {
    expect(render("{{ lookup('url', 'BASE/agent', headers={'X-Token': 't1'}) }}")).toBe('ansible-httpget t1');
  });

  it('answers a basic-auth challenge, follows redirects unless told not to', () => {
    expect(render("{{ lookup('url', 'BASE/auth', username='u', password='p') }}")).toBe('u:p');
    expect(render("{{ lookup('url', 'BASE/moved') }}")).toBe('one,two,three');
    expect(() => render("{{ lookup('url', 'BASE/moved', follow_redirects='none') }}")).toThrow(/HTTP Error 302/);
  });

  it('an HTTP error fails the lookup (errors=ignore gives None)', () => {
    expect(() => render("{{ lookup('url', 'BASE/missing') }}")).toThrow(
      /Received HTTP error for http:\/\/127\.149\.0\.1:\d+\/missing : HTTP Error 404: Not Found/,
    );
    expect(render("{{ lookup('url', 'BASE/missing', errors='ignore') }}")).toBeNull();
  });

  it('a refused connection says so', () => {
    expect(() => engine.renderString("{{ lookup('url', 'http://127.149.0.1:2/') }}", vars, src)).toThrow(
      /Failed lookup url for http:\/\/127\.149\.0\.1:2\/ : ECONNREFUSED/,
    );
  });
});
