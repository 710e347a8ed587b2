/**
 * User and target errors in modules are failed tasks in words, never
 * "internal error" or a stack trace: controller folders with a symlink loop
 * or a dangling link, a folder where a file is expected, a template that is
 * not UTF-8, controller fs calls that the OS refuses (EACCES, ENOENT, EISDIR,
 * ENOTDIR, EEXIST), and permission errors under become (su to nobody on the
 * local connection). Each case failed as "internal error" before the fix.
 */
import { execFileSync } from 'node:child_process';
import fs, {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { ModuleArgError } from '../../../src/errors.js';
import { toBool } from '../../../src/modules/lib/bool.js';

interface Run {
  code: number;
  out: string;
  dir: string;
  /** The --json task results. */
  results: Array<{
    status: string;
    msg?: string;
    error?: { code: string; message: string; source?: { file: string; line: number; col: number } };
  }>;
}

const STACK_LINE = /^\s+at .+[:(]/m;

/** Run `tasks` on localhost (local connection) in a fresh folder prepared by `setup`; text and --json. */
async function run(tasks: string[], setup: (dir: string) => void = () => {}, extra: string[] = []): Promise<Run> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-error-paths-'));
  writeFileSync(path.join(dir, 'hosts'), 'localhost ansible_connection=local\n');
  setup(dir);
  const play = [
    '- hosts: all',
    '  gather_facts: false',
    '  tasks:',
    ...tasks.map((t) => t.replaceAll('@DIR@', dir)),
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'site.yml'), play);
  const args = ['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts'), ...extra];
  const once = async (more: string[]): Promise<string> => {
    let out = '';
    await main([...args, ...more], {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        out += t;
      },
      isTTY: false,
    });
    return out;
  };
  let text = '';
  const code = await main(args, {
    out: (t) => {
      text += t;
    },
    err: (t) => {
      text += t;
    },
    isTTY: false,
  });
  const json = await once(['--json', '-vvv']);
  const results = json
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; status: string })
    .filter((e) => e.type === 'task_result') as Run['results'];
  return { code, out: `${text}\n${await once(['-vvv'])}`, dir, results };
}

/** Failed in words: exit 2, the message, no "internal error", no stack even with -vvv. */
function expectFailedInWords(r: Run, msg: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.out).toMatch(msg);
  expect(r.out).not.toMatch(/internal error|exception occurred|traceback/i);
  expect(r.out).not.toMatch(STACK_LINE);
  expect(r.results.at(-1)?.status).toBe('failed');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('copy of a controller folder', () => {
  const tree = (dir: string): string => {
    mkdirSync(path.join(dir, 'files/tree/sub'), { recursive: true });
    writeFileSync(path.join(dir, 'files/tree/a'), 'a\n');
    return path.join(dir, 'files/tree');
  };

  // As Ansible's copy action (_walk_dirs): a link it cannot follow (a loop, itself, nothing) is made again as a link.
  it('with a link back to a folder above it (a loop): the link made again, not followed', async () => {
    const r = await run(['    - copy: { src: tree/, dest: "@DIR@/out/" }'], (d) =>
      symlinkSync('..', path.join(tree(d), 'sub/up')),
    );
    expect(r.code).toBe(0);
    expect(readlinkSync(path.join(r.dir, 'out/sub/up'))).toBe('..');
    expect(readFileSync(path.join(r.dir, 'out/a'), 'utf8')).toBe('a\n');
  });

  it('with a link to itself (ELOOP): the link made again', async () => {
    const r = await run(['    - copy: { src: tree/, dest: "@DIR@/out/" }'], (d) =>
      symlinkSync('self', path.join(tree(d), 'self')),
    );
    expect(r.code).toBe(0);
    expect(readlinkSync(path.join(r.dir, 'out/self'))).toBe('self');
  });

  it('with a dangling link: the link made again, pointing where it pointed', async () => {
    const r = await run(['    - copy: { src: tree, dest: "@DIR@/out/" }'], (d) =>
      symlinkSync('../nowhere', path.join(tree(d), 'sub/dangling')),
    );
    expect(r.code).toBe(0);
    expect(readlinkSync(path.join(r.dir, 'out/tree/sub/dangling'))).toBe('../nowhere');
  });

  it('a link to a sibling folder is no loop: copied', async () => {
    const r = await run(['    - copy: { src: tree/, dest: "@DIR@/out/" }'], (d) =>
      symlinkSync('sub', path.join(tree(d), 'alias')),
    );
    expect(r.code).toBe(0);
    expect(existsSync(path.join(r.dir, 'out/alias'))).toBe(true);
  });

  it('a file the OS refuses to read (EACCES): failed with the path and what to check', async () => {
    // The file is read as a stream when it is hashed (opened, then read a piece at a time).
    const real = fs.promises.open;
    vi.spyOn(fs.promises, 'open').mockImplementation(async (...a: Parameters<typeof real>) => {
      const file = a[0];
      if (typeof file === 'string' && file.endsWith('/files/tree/a')) {
        throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), {
          code: 'EACCES',
          errno: -13,
          syscall: 'open',
          path: file,
        });
      }
      return real(...a);
    });
    const r = await run(['    - copy: { src: tree/, dest: "@DIR@/out/" }'], tree);
    expectFailedInWords(r, /cannot copy tree\/a on the controller: permission denied \(EACCES\)/);
    expect(r.out).toContain('hint: check the permissions of the file and of the folders above it');
  });
});

describe('template', () => {
  it('of a folder: failed, "it is a folder, not a file"', async () => {
    const r = await run(['    - template: { src: conf, dest: "@DIR@/out" }'], (d) =>
      mkdirSync(path.join(d, 'templates/conf'), { recursive: true }),
    );
    expectFailedInWords(r, /cannot read the template conf on the controller: it is a folder, not a file/);
    expect(r.results.at(-1)?.error?.code).toBe('CONTROLLER_FILE');
  });

  it('of a file that is not UTF-8: failed with the byte, its line and column in the template, and the fix; nothing written', async () => {
    const r = await run(['    - template: { src: motd.j2, dest: "@DIR@/out" }'], (d) => {
      mkdirSync(path.join(d, 'templates'));
      writeFileSync(
        path.join(d, 'templates/motd.j2'),
        Buffer.concat([Buffer.from('Welcome\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])]),
      );
    });
    expectFailedInWords(r, /the template motd\.j2 is not UTF-8 text: byte 0xe9 at line 2, column 4/);
    expect(r.out).toMatch(
      /fatal: .*templates\/motd\.j2:2:4: .*\n {2}2 \| caf.\n {4}\| {4}\^\nhint: convert it to UTF-8 \(for example: iconv -f latin1 -t utf-8 /,
    );
    expect(r.results.at(-1)?.error).toMatchObject({
      code: 'ENCODING',
      source: { file: path.join(r.dir, 'templates/motd.j2'), line: 2, col: 4 },
    });
    expect(existsSync(path.join(r.dir, 'out'))).toBe(false);
  });

  it('a UTF-8 template with accents renders as before', async () => {
    const r = await run(['    - template: { src: motd.j2, dest: "@DIR@/out" }'], (d) => {
      mkdirSync(path.join(d, 'templates'));
      writeFileSync(path.join(d, 'templates/motd.j2'), 'café {{ inventory_hostname }}\n');
    });
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(r.dir, 'out'), 'utf8')).toBe('café localhost\n');
  });
});

describe('fetch', () => {
  it('to a dest under a file (EEXIST): failed, naming the folder it cannot create', async () => {
    const r = await run(['    - fetch: { src: /etc/hostname, dest: "@DIR@/afile/x", flat: true }'], (d) =>
      writeFileSync(path.join(d, 'afile'), 'x'),
    );
    expectFailedInWords(r, /cannot create the folder .*\/afile on the controller: it already exists \(EEXIST\)/);
    expect(r.out).toContain('hint: something of that name is in the way');
  });

  it('over a folder (EISDIR): failed in words', async () => {
    const r = await run(['    - fetch: { src: /etc/hostname, dest: "@DIR@/adir", flat: true }'], (d) =>
      mkdirSync(path.join(d, 'adir')),
    );
    expectFailedInWords(
      r,
      /cannot write .*\/adir on the controller: it is a folder, not a file \(EISDIR\)|cannot write .*\/adir on the controller: .*\(E[A-Z]+\)/,
    );
  });
});

describe('toBool on a value that is not a boolean', () => {
  it('throws a ModuleArgError (MODULE_ARGS), a user error, not a bug', () => {
    expect(() => toBool('perhaps')).toThrow(ModuleArgError);
    expect(() => toBool('perhaps')).toThrow('not a boolean: "perhaps" (yes/no, true/false, on/off, 1/0)');
  });
});

const canSu =
  process.getuid?.() === 0 &&
  existsSync('/usr/bin/su') &&
  (() => {
    try {
      return execFileSync('su', ['nobody', '-s', '/bin/sh', '-c', 'id -u'], { encoding: 'utf8' }).trim() !== '0';
    } catch {
      return false;
    }
  })();

describe.skipIf(!canSu)('permission errors under become (su to nobody, local connection)', () => {
  const asNobody = ['      become: true', '      become_user: nobody', '      become_method: su'];

  it("copy into /root: failed with the shell's reason", async () => {
    const r = await run(['    - copy: { content: "x", dest: /root/bosun-error-paths-nobody }', ...asNobody]);
    expectFailedInWords(
      r,
      /cannot write \/root\/bosun-error-paths-nobody: cannot write \/root\/\.bosun-tmp-\w+ as nobody: cannot create \/root\/\.bosun-tmp-\w+: Permission denied/,
    );
    expect(existsSync('/root/bosun-error-paths-nobody')).toBe(false);
  });

  it('copy --diff over a file the become user may not read: failed, "cannot read ... as nobody" (was an internal error)', async () => {
    const r = await run(
      ['    - copy: { content: "y", dest: "@DIR@/secret" }', ...asNobody],
      (d) => {
        fs.chmodSync(d, 0o755);
        writeFileSync(path.join(d, 'secret'), 'x', { mode: 0o600 });
      },
      ['--diff'],
    );
    expectFailedInWords(r, /cannot read .*\/secret as nobody: cannot open .*\/secret: Permission denied/);
    expect(readFileSync(path.join(r.dir, 'secret'), 'utf8')).toBe('x');
  });

  it('unarchive into /root: failed, "cannot write ... as nobody" (was an internal error)', async () => {
    const r = await run(['    - unarchive: { src: a.tgz, dest: /root/ }', ...asNobody], (d) => {
      mkdirSync(path.join(d, 'files'));
      writeFileSync(path.join(d, 'files/x'), 'x\n');
      execFileSync('tar', ['czf', 'a.tgz', 'x'], { cwd: path.join(d, 'files') });
    });
    expectFailedInWords(
      r,
      /cannot write \/root\/\.bosun-archive-\w+ as nobody: cannot create \/root\/\.bosun-archive-\w+: Permission denied/,
    );
  });
});
