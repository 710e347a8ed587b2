/**
 * deb822_repository: the .sources text as ansible-core 2.15's module writes it (fields in argument-name order,
 * lists, booleans, multi-line keys, the slug of the name), and hostile names against a scripted target.
 */
import { describe, expect, it } from 'vitest';
import { deb822Slug, renderStanza } from '../../../src/modules/deb822_repository.js';
import { getModule } from '../../../src/modules/index.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();

describe('deb822 stanzas (ansible-core 2.15 deb822_repository)', () => {
  it.each<[string, string]>([
    ['Docker CE', 'docker-ce'],
    ['my_repo  two', 'my-repo-two'],
    ["-x '$(id)' ../..", '-x-id-'],
    ['Ünïcode', 'ncode'],
  ])('slug of %j', (name, slug) => expect(deb822Slug(name)).toBe(slug));

  it('orders fields by argument name, with Ansible field names and yes/no', () => {
    expect(
      renderStanza(
        {
          name: 'x',
          uris: ['http://a', 'http://b'],
          suites: 'bookworm',
          components: ['main', 'contrib'],
          enabled: false,
          by_hash: 'yes',
          date_max_future: 10,
          inrelease_path: 'p',
          mode: '0600',
          state: 'present',
        },
        undefined,
      ),
    ).toBe(
      'By-Hash: yes\nComponents: main contrib\nDate-Max-Future: 10\nEnabled: no\nInrelease-Path: p\nX-Repolib-Name: x\nSuites: bookworm\nTypes: deb\nURIs: http://a http://b\n',
    );
  });

  it('writes key text as continuation lines, blank lines as a dot', () => {
    expect(renderStanza({ name: 'k', signed_by: '-----BEGIN-----\n\n abc \n-----END-----\n' }, undefined)).toBe(
      'X-Repolib-Name: k\nSigned-By:\n    -----BEGIN-----\n    .\n    abc\n    -----END-----\nTypes: deb\n',
    );
  });
});

describe('deb822_repository commands', () => {
  it('a hostile name becomes a safe file name; values are data in the file', async () => {
    const conn = new FakeConnection([{ match: /./, result: { stdout: 'AS\nAA\nAG\nAR\n' } }]);
    const d = await getModule('deb822_repository')!.decide(
      { ...h.context(), conn },
      { name: "-r '$(touch /tmp/p)'\n", uris: '$(id)', suites: '`x`' },
    );
    if (d.kind !== 'change') throw new Error(d.kind);
    expect(d.data).toMatchObject({ dest: '/etc/apt/sources.list.d/-r-touch-tmpp-.sources' });
    // A line break cannot start a field of its own: the value becomes indented continuation lines.
    expect(d.diff?.[0]?.after).toBe(
      "X-Repolib-Name:\n    -r '$(touch /tmp/p)'\nSuites: `x`\nTypes: deb\nURIs: $(id)\n",
    );
  });

  it('a key URL that cannot be fetched fails as Ansible words it', async () => {
    const conn = new FakeConnection([{ match: /./, result: { stdout: 'AS\nAA\nAG\nAR\nKFAIL no such file\n' } }]);
    expect(
      await getModule('deb822_repository')!.decide({ ...h.context(), conn }, { name: 'k', signed_by: 'file:///nope' }),
    ).toMatchObject({ kind: 'fail', msg: 'Could not fetch signed_by key: no such file' });
  });
});
