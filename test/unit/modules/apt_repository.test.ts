/**
 * apt_repository: the sources edits as ansible-core 2.14 makes them (parsing, file names, enabling, removal
 * with Ansible's pop quirk) and the commands against a scripted target with hostile file names and lines.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import {
  addSource,
  dumpSources,
  parseSourceLine,
  parseSourcesText,
  removeSource,
  repoSource,
  suggestFilename,
  type SourcesFiles,
} from '../../../src/modules/lib/apt-sources.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('sources lines (ansible-core 2.14 apt_repository)', () => {
  it.each<[string, ReturnType<typeof parseSourceLine>]>([
    ['deb  http://a  b c', { valid: true, enabled: true, source: 'deb http://a b c', comment: '' }],
    ['#deb http://a b', { valid: true, enabled: false, source: 'deb http://a b', comment: '' }],
    ['deb http://a b # note ', { valid: true, enabled: true, source: 'deb http://a b', comment: 'note' }],
    ['# just words', { valid: false, enabled: false, source: 'just words', comment: '' }],
    ['', { valid: false, enabled: true, source: '', comment: '' }],
    ['deb-src\thttp://a\tb\n', { valid: true, enabled: true, source: 'deb-src http://a b', comment: '' }],
  ])('%j', (line, want) => expect(parseSourceLine(line)).toEqual(want));

  it.each<[string, string | undefined, string]>([
    ['deb http://dl.google.com/linux/chrome/deb/ stable main', undefined, 'dl_google_com_linux_chrome_deb.list'],
    ['deb [arch=amd64] https://user:pw@example.org:8443/a stable', undefined, 'example_org_8443_a.list'],
    ['deb http://x y', "-n 'q' $(id)", "-n 'q' $(id).list"],
    ['deb http://x y', '/opt/t/f', '/opt/t/f.list'],
  ])('file name of %j (filename %j)', (source, filename, want) => expect(suggestFilename(source, filename)).toBe(want));

  it('refuses what is not an enabled source line, with the words Ansible shows', () => {
    expect(() => repoSource('http://x y')).toThrow('http://x y');
    expect(() => repoSource('# deb http://x y # c')).toThrow(' deb http://x y ');
    expect(repoSource('deb http://x\ny')).toBe('deb http://x y');
  });

  it('enables every equal disabled line instead of adding one', () => {
    const files: SourcesFiles = new Map([['/l/a.list', parseSourcesText('#deb http://x y\n# other\n')]]);
    expect([...addSource(files, 'deb http://x y', '/l/new.list')]).toEqual([]);
    expect(dumpSources(files).get('/l/a.list')).toBe('deb http://x y\n# other\n');
  });

  it('removes with the pop quirk of Ansible: two equal lines in a row leave one', () => {
    const files: SourcesFiles = new Map([['/l/a.list', parseSourcesText('deb http://x y\ndeb http://x y\n')]]);
    removeSource(files, 'deb http://x y');
    expect(dumpSources(files).get('/l/a.list')).toBe('deb http://x y\n');
    removeSource(files, 'deb http://x y');
    expect(dumpSources(files).has('/l/a.list')).toBe(false);
  });
});

describe('apt_repository commands', () => {
  const reply = (files: Record<string, string>) =>
    new FakeConnection([
      {
        match: /apt-config shell/,
        result: {
          stdout: [
            `L ${b64('/etc/apt/sources.list')}`,
            `D ${b64('/etc/apt/sources.list.d/')}`,
            ...Object.entries(files).map(([p, t]) => `F 644 ${b64(p)} ${b64(t)}`),
          ].join('\n'),
        },
      },
    ]);

  it('a hostile file name is one quoted path; the line is data', async () => {
    const conn = reply({});
    const d = await getModule('apt_repository')!.decide(
      { ...h.context(), conn },
      { repo: 'deb http://x/$(id) `y` "q"', filename: "-x '$(touch p)'", update_cache: false },
    );
    if (d.kind !== 'change') throw new Error(d.kind);
    expect(d.diff?.[0]).toMatchObject({
      path: "/etc/apt/sources.list.d/-x '$(touch p)'.list",
      beforeHeader: '/dev/null',
      after: 'deb http://x/$(id) `y` "q"\n',
    });
    expect(d.data).toEqual({ repo: 'deb http://x/$(id) `y` "q"', state: 'present' });
  });

  it('no change when the line is there; absent removes the emptied file', async () => {
    const conn = reply({ '/etc/apt/sources.list.d/x.list': 'deb http://x y\n' });
    const decide = (args: Record<string, unknown>) =>
      getModule('apt_repository')!.decide({ ...h.context(), conn }, { update_cache: false, ...args });
    expect((await decide({ repo: 'deb   http://x y' })).kind).toBe('ok');
    const gone = await decide({ repo: 'deb http://x y', state: 'absent' });
    expect(gone).toMatchObject({ kind: 'change', diff: [{ afterHeader: '/dev/null', after: '' }] });
  });

  it('fails as Ansible on bad lines, and clearly without apt or for ppa:', async () => {
    const conn = reply({});
    const decide = (args: Record<string, unknown>) =>
      getModule('apt_repository')!.decide({ ...h.context(), conn }, args);
    expect(await decide({ repo: 'http://x y' })).toMatchObject({ msg: 'Invalid repository string: http://x y' });
    expect(await decide({ repo: '' })).toMatchObject({ msg: "Please set argument 'repo' to a non-empty value" });
    expect(await decide({ repo: 'ppa:a/b' })).toMatchObject({
      kind: 'fail',
      msg: /ppa: repositories are not supported/,
    });
    const none = new FakeConnection([{ match: /apt-config/, result: { stdout: 'NOAPT\n' } }]);
    expect(
      await getModule('apt_repository')!.decide({ ...h.context(), conn: none }, { repo: 'deb http://x y' }),
    ).toMatchObject({
      msg: /apt-config was not found/,
    });
  });
});
