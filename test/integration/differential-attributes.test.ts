/**
 * The `attributes` (chattr flags) argument of the file modules, Ansible vs bosun: file, copy, template,
 * lineinfile, blockinfile and replace on sandbox hosts (127.199.0.x), whose files live on ext4 below an
 * overlay, where lsattr -d and chattr work. Every case ends with the flags listed and cleared
 * (chattr -R -ia), and afterAll clears them again from this machine, so no immutable file outlives a
 * failed run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.199.0.1', slots: 6 });

/** The flags of every path below /opt/diff (sorted), then cleared. */
const listFlags =
  'cd /opt/diff && find . -mindepth 1 | sort | while read -r p; do lsattr -d "$p" 2>&1; done; chattr -R -ia /opt/diff 2>&1';

const RECAP = { changed: 0, failed: 0, ignored: 0, ok: 0, rescued: 0, skipped: 0, unreachable: 0 };

const keys = (tasks: string[], k: string[]): Record<string, string[]> => Object.fromEntries(tasks.map((t) => [t, k]));

suite.describe('attributes (chattr flags): Ansible vs bosun', () => {
  afterAll(() => {
    // Never leave an immutable or append-only file behind, also when a case failed before its own cleanup.
    for (const host of suite.fixture.sandbox.hosts) {
      const dir = path.join(host.dir, 'upper', 'opt', 'diff');
      if (existsSync(dir)) execFileSync('chattr', ['-R', '-ia', dir], { stdio: 'ignore' });
      // The no-chattr case's copy of chattr in the host's own layer, executable again.
      const chattr = path.join(host.dir, 'upper', 'usr', 'bin', 'chattr');
      if (existsSync(chattr)) execFileSync('chmod', ['755', chattr]);
    }
  });

  suite.case(
    'file: +, -, = and bare flags, check mode, new folder and file, refused values',
    'modules/attributes/file',
    {
      extraArgs: ['--diff'],
      compare: {
        command: listFlags,
        files: '/opt/diff',
        registered: {
          ...keys(
            [
              'immutable',
              'immutable again',
              'not immutable',
              'exact flags',
              'exact flags again',
              'exact flags only e',
              'append only in check mode',
              'append only',
              'no append',
              'new folder',
              'new folder again',
              'touch a new file in check mode',
              'touch a new file',
            ],
            // bosun registers no `diff` for file (Ansible's before/after dicts): the flags are compared on the host.
            ['changed', 'failed', 'mode'],
          ),
          ...keys(['a bad letter', 'an option', 'a shell word'], ['changed', 'failed']),
          'flags of a missing file': ['changed', 'failed', 'msg'],
          // chattr's own refusal on a filesystem without the flag: Ansible's message and details.
          'a flag tmpfs does not support': ['changed', 'failed', 'msg', 'details', 'path'],
          'empty attributes': ['changed', 'failed', 'msg', 'details', 'path'],
          'no flags on tmpfs': ['changed', 'failed'],
        },
      },
      check: (r) => {
        const failure = r.bosun.registered['a flag tmpfs does not support']?.['h1']?.[0] as Record<string, unknown>;
        expect(failure['msg']).toBe('chattr failed');
        expect(String(failure['details'])).toMatch(
          /^Error while setting attributes: .*chattr: Operation not supported/,
        );
        // The flags really were set (the comparison alone would pass if neither tool set any).
        expect(r.bosun.command['h1']).toMatch(/^-*d-*e-* \.\/t$/m);
      },
    },
  );

  suite.case(
    'a target whose chattr cannot run: Ansible sets nothing, bosun fails clearly',
    'modules/attributes/no-chattr',
    {
      setup: 'chmod a-x /usr/bin/chattr',
      compare: {
        command: 'chmod 755 /usr/bin/chattr; lsattr -d /opt/diff/f; ls /opt/diff',
        registered: { 'flags without chattr': ['changed', 'failed', 'msg'] },
        differs: {
          why: 'docs/ansible-differences.md: bosun does not report a silent no-op for flags it cannot set',
          ansible: {
            results: ['tree|h1|changed', 'flags without chattr|h1|ok', 'a new file without chattr|h1|changed'],
            recap: { h1: { ...RECAP, changed: 2, ok: 3 } },
            command: { h1: '--------------e------- /opt/diff/f\nf\nnew\n' },
            registered: { 'flags without chattr': { h1: [{ changed: false, failed: false, msg: undefined }] } },
          },
          bosun: {
            exitCode: 0,
            results: [
              'tree|h1|changed',
              'flags without chattr|h1|failed (ignored)',
              'a new file without chattr|h1|failed (ignored)',
            ],
            recap: { h1: { ...RECAP, changed: 1, ok: 3, ignored: 2 } },
            // Nothing is written when the flags cannot be set.
            command: { h1: '--------------e------- /opt/diff/f\nf\n' },
            registered: {
              'flags without chattr': {
                h1: [
                  {
                    changed: false,
                    failed: true,
                    msg: 'attributes: chattr and lsattr (e2fsprogs) are not installed on the target: cannot set file flags',
                  },
                ],
              },
            },
          },
        },
      },
    },
  );

  suite.case('ini_file: flags after the edit, real run only', 'modules/attributes/ini', {
    compare: {
      command: listFlags,
      files: '/opt/diff',
      registered: keys(
        [
          'new file with flags',
          'the same again',
          'more flags in check mode',
          'more flags',
          'a new value and a flag added',
          'a flag added again',
          'a refused letter',
        ],
        ['changed', 'failed'],
      ),
    },
    check: (r) => expect(r.bosun.command['h1']).toMatch(/^-*d-*e-* \.\/a\.ini$/m),
  });

  suite.case('copy and template: flags after the write, idempotent = form, check mode', 'modules/attributes/copy', {
    extraArgs: ['--diff'],
    compare: {
      command: listFlags,
      files: '/opt/diff',
      registered: {
        ...keys(
          [
            'copy new',
            'copy same content, exact flags',
            'copy again',
            'copy new content in check mode',
            'copy new content',
            'copy immutable',
            'copy immutable again',
            'template new',
            'template again',
            'template remove d in check mode',
            'template remove d',
          ],
          ['changed', 'failed', 'checksum'],
        ),
        'copy bad letter': ['changed', 'failed'],
      },
    },
  });

  suite.case('lineinfile, blockinfile, replace: registered attribute diff and message', 'modules/attributes/text', {
    extraArgs: ['--diff'],
    compare: {
      command: listFlags,
      files: '/opt/diff',
      registered: {
        ...keys(
          [
            'line and flags',
            'flags only, check mode',
            'flags only',
            'flags only again',
            'a new file',
            'a new file in check mode',
          ],
          ['changed', 'failed', 'msg', 'diff.1.before', 'diff.1.after', 'diff.1.before_header'],
        ),
        ...keys(['block', 'block flags', 'replace flags', 'replace again'], ['changed', 'failed', 'msg']),
        'bad letter': ['changed', 'failed'],
        // Ansible runs `chattr ==d` (it strips only + and -), which fails; bosun refuses '=' before acting.
        'an equals sign': ['changed', 'failed'],
      },
    },
    check: (r) => {
      // The flags really are there (the comparison alone would pass if neither tool set any).
      expect(r.bosun.command['h1']).toMatch(/^-*d-*e-* \.\/n$/m);
    },
  });
});
