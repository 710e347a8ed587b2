/**
 * Shell safety: hostile file names and values (command substitution,
 * backticks, quotes, newlines, spaces, globs, leading dashes, unicode, shell
 * operators, template-looking text) through every file-touching module on a
 * sandbox host. Asserts the exact files were created with the exact content,
 * that nothing else changed on the host (/tmp and /var/tmp, and the top level of
 * /, /opt and /root, snapshotted before and after), and that no `pwned` file ever appears, on the
 * target or on the controller.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SshConnection } from '../../src/connection/ssh.js';
import { startServer, type TestServer } from '../unit/modules/http-fixture.js';
import { withSandbox } from '../helpers/sandbox.js';

/** Hostile values; none holds '/', so each is also a valid file name. */
export const HOSTILE = [
  // `cd` goes home, `cd ..` to /: these make /tmp/pwned without a '/' in the name.
  '$(cd;cd ..;cd tmp;touch pwned)',
  '`cd;cd ..;cd tmp;touch pwned`',
  'it\'s a "quote"',
  "'$(touch pwned-sq)'",
  '"$(touch pwned-dq)"',
  'new\nline',
  'sp ace  s',
  '*',
  'glob[ab]?*',
  '-leading-dash',
  '--help',
  'ünïcødé ✓ 日本',
  'x;touch pwned-semi;y',
  'a|b&c>d<e',
  '$HOME${IFS}x',
  'back\\slash',
  '~tilde',
  'trail ',
  '%s%n%x',
];

const BASE = '/opt/hostile-test';
const fixture = withSandbox(1, { base: '127.110.2.1' });
const work = mkdtempSync(path.join(tmpdir(), 'bosun-hostile-'));
const fetchDir = path.join(work, 'fetched');
let srv: TestServer;

interface JsonEvent {
  type: string;
  host?: string;
  task?: string;
  status?: string;
  msg?: string;
  items?: JsonEvent[];
  item?: unknown;
  stdout?: string;
  data?: Record<string, unknown>;
}

beforeAll(async () => {
  srv = await startServer();
  srv.routes.set('/payload.txt', { body: 'downloaded\n' });
  execFileSync('sh', [
    '-c',
    `mkdir -p '${work}/arch' && printf 'payload\\n' > '${work}/arch/payload.txt' && tar -czf '${work}/payload.tgz' -C '${work}/arch' payload.txt`,
  ]);
  mkdirSync(path.join(work, 'src'));
  for (const v of HOSTILE) writeFileSync(path.join(work, 'src', v), `src ${v}\n`);
  writeFileSync(
    path.join(work, 'hostile.json'),
    JSON.stringify({
      hostile: HOSTILE,
      base: BASE,
      fetch_dir: fetchDir,
      src_dir: path.join(work, 'src'),
      archive: path.join(work, 'payload.tgz'),
      url: srv.url('/payload.txt'),
    }),
  );
});
// A beforeAll that failed leaves these unassigned: the cleanup must not throw over the real failure.
afterAll(async () => {
  await (srv as TestServer | undefined)?.close();
});

async function onHost<T>(fn: (conn: SshConnection) => Promise<T>): Promise<T> {
  const conn = new SshConnection(fixture.specFor(fixture.sandbox.hosts[0]!));
  try {
    await conn.connect();
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

/** Every entry under the watched folders: type, mode, size, sha256 (files), path; NUL-separated so newlines in names survive. */
async function snapshot(): Promise<Set<string>> {
  const out = await onHost((c) =>
    c.exec(
      "find /tmp /var/tmp -xdev -mindepth 1 -printf '%y %m %s %p\\0' 2>/dev/null; find / /opt /root -xdev -mindepth 1 -maxdepth 1 -printf '%y %m %s %p\\0' 2>/dev/null; true",
    ),
  );
  return new Set(out.stdout.split('\0').filter(Boolean));
}

/** Files, folders and links under BASE: relative path -> content (files), '<dir>' or '<link TARGET>'. */
async function tree(): Promise<Map<string, string>> {
  const r = await onHost((c) =>
    c.exec(
      `cd ${BASE} && find . -mindepth 1 -printf '%y\\0%P\\0%l\\0' && printf 'END-OF-LISTING\\0' && find . -type f -print0 | xargs -0 -r -n1 sh -c 'printf "%s\\0" "$1"; base64 -w0 "$1"; printf "\\0"' _`,
    ),
  );
  const cut = r.stdout.indexOf('END-OF-LISTING\0');
  const listing = r.stdout.slice(0, cut).split('\0');
  const map = new Map<string, string>();
  for (let i = 0; i + 2 < listing.length; i += 3) {
    if (listing[i] === 'd') map.set(listing[i + 1]!, '<dir>');
    if (listing[i] === 'l') map.set(listing[i + 1]!, `<link ${listing[i + 2]}>`);
  }
  const parts = r.stdout.slice(cut + 15).split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2)
    map.set(parts[i]!.replace(/^\.\//, ''), Buffer.from(parts[i + 1]!, 'base64').toString('utf8'));
  return map;
}

const BLOCK = (v: string): string => `# BEGIN ANSIBLE MANAGED BLOCK\nblock ${v}\n# END ANSIBLE MANAGED BLOCK\n`;

fixture.describe(`${HOSTILE.length} hostile values through every file-touching module`, () => {
  let events: JsonEvent[] = [];
  let before: Set<string>;
  let files: Map<string, string>;

  beforeAll(async () => {
    before = await snapshot();
    const started = Date.now();
    let out = '';
    let err = '';
    const code = await main(
      [
        'run',
        path.resolve('test/fixtures/hostile/site.yml'),
        '-i',
        fixture.sandbox.inventoryFile,
        '-e',
        `@${path.join(work, 'hostile.json')}`,
        '--json',
      ],
      {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          err += t;
        },
        isTTY: false,
      },
    );
    events = out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JsonEvent);
    console.info(`hostile run: exit ${code} in ${Date.now() - started} ms${err ? `\n${err}` : ''}`);
    const failed = events
      .filter((e) => e.type === 'task_result' && e.status === 'failed')
      .flatMap((e) =>
        (e.items ?? [e])
          .filter((r) => r.status === 'failed')
          .map((r) => `${e.task} ${JSON.stringify(r.item)}: ${r.msg}`),
      );
    if (failed.length > 0) console.info(`failed items:\n${failed.join('\n')}`);
    files = await tree();
  }, 300_000);

  const resultsOf = (task: string): JsonEvent[] =>
    events.find((e) => e.type === 'task_result' && e.task === task)?.items ?? [];
  const expectAllOk = (task: string): void => {
    const items = resultsOf(task);
    expect(items.map((r) => r.item)).toEqual(HOSTILE);
    const bad = items.filter((r) => r.status === 'failed').map((r) => `${JSON.stringify(r.item)}: ${r.msg}`);
    expect(bad, task).toEqual([]);
  };

  it('nothing was run by the shell: no pwned file on the target or the controller', async () => {
    const found = await onHost((c) =>
      c.exec(
        `find / /root /opt /tmp -xdev -maxdepth 1 \\( -name pwned -o -name 'pwned-*' \\) 2>/dev/null; find /tmp ${BASE} \\( -name pwned -o -name 'pwned-*' \\) 2>/dev/null; true`,
      ),
    );
    expect(found.stdout).toBe('');
    expect(existsSync('/tmp/pwned')).toBe(false);
    expect(existsSync(path.join(process.cwd(), 'pwned-semi'))).toBe(false);
  });

  it('nothing changed outside the test folder', async () => {
    const after = await snapshot();
    const outside = (s: Set<string>, other: Set<string>): string[] =>
      [...s]
        .filter((e) => !other.has(e) && !e.includes(` ${BASE}`) && !/ \/(root|tmp)\/\.ansible/.test(e))
        // The user module changes these (user comment task); checked separately.
        .filter((e) => !e.includes(' /etc/'));
    expect(outside(after, before)).toEqual([]);
    expect(outside(before, after)).toEqual([]);
  });

  it.each([
    ['copy', (v: string) => `copy ${v}\n`],
    ['copysrc', (v: string) => `src ${v}\n`],
    ['template', (v: string) => `value=${v}\n`],
    ['file', () => ''],
    ['lineinfile', (v: string) => `line ${v}\n`],
    ['blockinfile', BLOCK],
    ['replace', (v: string) => `replaced ${v}\n`],
    ['command', () => ''],
    ['shell', (v: string) => v],
    ['get_url', () => 'downloaded\n'],
  ] as const)('%s: exactly the files named by the values, with the exact content', (dir, content) => {
    const got = [...files.entries()]
      .filter(([p]) => p.startsWith(`${dir}/`))
      .map(([p, c]) => [p.slice(dir.length + 1), c])
      .sort();
    // command expands $NAME of the environment in its words, as Ansible's run_command (os.path.expandvars):
    // `command/$HOME${IFS}x` is `command//root${IFS}x`, the file `root${IFS}x` (IFS is not exported).
    const want = HOSTILE.map((v) => [dir === 'command' ? v.replace('$HOME', 'root') : v, content(v)]).sort();
    expect(got).toEqual(want);
  });

  it('file state=directory and unarchive: one folder per value, the archive inside each', () => {
    const dirs = [...files.entries()]
      .filter(([p]) => p.startsWith('dirs/'))
      .map(([p, c]) => [p.slice(5), c])
      .sort();
    expect(dirs).toEqual(HOSTILE.map((v) => [v, '<dir>']).sort());
    const un = [...files.entries()]
      .filter(([p]) => p.startsWith('unarchive/'))
      .map(([p, c]) => [p.slice(10), c])
      .sort();
    expect(un).toEqual(
      HOSTILE.flatMap((v) => [
        [v, '<dir>'],
        [`${v}/payload.txt`, 'payload\n'],
      ]).sort(),
    );
    expectAllOk('unarchive');
  });

  it('file state=link: one link per value, to the exact file', () => {
    const links = [...files.entries()]
      .filter(([p]) => p.startsWith('links/'))
      .map(([p, c]) => [p.slice(6), c])
      .sort();
    expect(links).toEqual(HOSTILE.map((v) => [v, `<link ${BASE}/copy/${v}>`]).sort());
  });

  it('file state=absent removes exactly the file named (a glob never expands): only the sentinel is left', () => {
    const left = [...files.keys()].filter((p) => p.startsWith('absent/'));
    expect(left).toEqual(['absent/keep']);
    expect(resultsOf('file absent').map((r) => r.status)).toEqual(HOSTILE.map(() => 'changed'));
  });

  it('every looping module succeeded for every value', () => {
    for (const task of [
      'copy',
      'copy src',
      'template',
      'file touch',
      'file directory',
      'file link',
      'absent targets',
      'file absent',
      'lineinfile',
      'blockinfile',
      'replace',
      'stat',
      'command argv touch',
      'command argv printf',
      'shell with quote',
      'get_url',
      'fetch',
      'slurp',
    ]) {
      expectAllOk(task);
    }
  });

  it('git: one checkout per value, at the exact folder', () => {
    for (const v of HOSTILE) expect(files.get(`git/${v}/README`), JSON.stringify(v)).toBe('hostile\n');
    expectAllOk('git clone');
  });

  it('command argv passes each value as one exact argument', () => {
    // As Ansible: an exported variable is expanded ($HOME of the login user, root here), IFS (not exported) is not.
    expect(resultsOf('command argv printf').map((r) => r.stdout)).toEqual(
      HOSTILE.map((v) => v.replace('$HOME', '/root')),
    );
  });

  it('stat and slurp read the exact files', () => {
    for (const [i, r] of resultsOf('stat').entries()) {
      expect((r.data?.['stat'] as { exists: boolean; size: number }).exists).toBe(true);
      expect((r.data?.['stat'] as { size: number }).size).toBe(Buffer.byteLength(`copy ${HOSTILE[i]}\n`));
    }
    expect(resultsOf('slurp').map((r) => Buffer.from(String(r.data?.['content']), 'base64').toString('utf8'))).toEqual(
      HOSTILE.map((v) => `copy ${v}\n`),
    );
  });

  it('fetch wrote each file to the controller under its exact name', () => {
    const host = fixture.sandbox.hosts[0]!.name;
    for (const v of HOSTILE) {
      expect(readFileSync(path.join(fetchDir, host, BASE, 'copy', v), 'utf8')).toBe(`copy ${v}\n`);
    }
  });

  it('sysctl: the file named by the value holds the value, or a value with a newline is refused', () => {
    for (const v of HOSTILE) {
      const got = files.get(`sysctl/${v}.conf`);
      if (v.includes('\n')) expect(got).toBeUndefined();
      else expect(got).toBe(`bosun.hostile.test=${v.trim()}\n`); // sysctl trims values, as Ansible does
    }
  });

  it('user comment: the exact GECOS, or a clear failure for values passwd cannot hold (":" or newline)', async () => {
    const passwd = (await onHost((c) => c.exec('getent passwd | grep "^bosunh"'))).stdout;
    const items = resultsOf('user comment');
    HOSTILE.forEach((v, i) => {
      const line = passwd.split('\n').find((l) => l.startsWith(`bosunh${i}:`));
      if (/[:\n]/.test(v)) {
        expect(items[i]?.status).toBe('failed');
      } else {
        expect(items[i]?.status, `${JSON.stringify(v)}: ${items[i]?.msg}`).toBe('changed');
        expect(line?.split(':')[4]).toBe(v);
      }
    });
  });

  it('a second run changes nothing: every module reads the hostile names back correctly', async () => {
    let out = '';
    const code = await main(
      [
        'run',
        path.resolve('test/fixtures/hostile/site.yml'),
        '-i',
        fixture.sandbox.inventoryFile,
        '-e',
        `@${path.join(work, 'hostile.json')}`,
        '--json',
      ],
      {
        out: (t) => {
          out += t;
        },
        err: () => {},
        isTTY: false,
      },
    );
    expect(code).toBe(0);
    const second = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JsonEvent);
    // command, shell and file state=touch always change; replace's and absent's sources are written again;
    // everything else must find its file as it left it.
    const always = [
      'command argv printf',
      'command argv touch',
      'shell with quote',
      'file touch',
      'replace source',
      'replace',
      'absent targets',
      'file absent',
    ];
    const unexpected = second
      .filter((e) => e.type === 'task_result' && !always.includes(e.task ?? ''))
      .flatMap((e) =>
        (e.items ?? [e])
          .filter((r) => r.status !== 'ok' && r.status !== 'failed')
          .map((r) => `${e.task} ${JSON.stringify(r.item)}`),
      );
    // As in Ansible, a lineinfile `line` holding a newline never equals a line of the file: it is added again.
    expect(unexpected).toEqual(['lineinfile "new\\nline"']);
    const again = await tree();
    again.delete('lineinfile/new\nline');
    const first = new Map(files);
    first.delete('lineinfile/new\nline');
    expect(again).toEqual(first);
  });

  it('group names: invalid names fail cleanly, none is created', async () => {
    const groups = (await onHost((c) => c.exec('getent group'))).stdout;
    for (const [i, r] of resultsOf('group name').entries()) {
      const v = HOSTILE[i]!;
      if (r.status !== 'failed')
        expect(
          groups.split('\n').some((l) => l.split(':')[0] === v),
          JSON.stringify(v),
        ).toBe(true);
    }
  });
});
