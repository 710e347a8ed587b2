/** Scenarios (defaults, hosts, groups, errors), the default addresses, the mirror server, the skeleton's names. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveMirror } from '../../../src/role-test/mirror.js';
import { loadScenario, roleTestBase, roleTestSandboxName } from '../../../src/role-test/scenario.js';
import { roleSkeleton, varPrefix } from '../../../src/role-test/skeleton.js';
import { inBlock } from '../../../src/sandbox/address.js';

function role(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-scn-'));
  for (const [rel, text] of Object.entries({ 'tasks/main.yml': '[]\n', ...files })) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('scenarios', () => {
  it('a role without tests/ gets the default scenario: one host, generated converge, no verify', async () => {
    const s = await loadScenario(role({}), 'default');
    expect(s).toMatchObject({
      name: 'default',
      hosts: ['node01'],
      groups: {},
      vars: {},
      checkVars: undefined,
      systemd: false,
      converge: undefined,
      verify: undefined,
    });
  });

  it.each([
    ['a count', 'hosts: 3\n', {}, ['node01', 'node02', 'node03']],
    ['names', 'hosts: [web1, db1]\n', {}, ['web1', 'db1']],
    ['--hosts overrides a count', 'hosts: 3\n', { hosts: 1 }, ['node01']],
    ['--hosts fewer than the names keeps the first names', 'hosts: [a, b, c]\n', { hosts: 2 }, ['a', 'b']],
  ] as const)('hosts from %s', async (_n, text, overrides, hosts) => {
    const dir = role({ 'tests/default/scenario.yml': text });
    expect((await loadScenario(dir, 'default', overrides)).hosts).toEqual(hosts);
  });

  it('reads groups, vars, check_vars, systemd, mirror and the playbooks beside it', async () => {
    const dir = role({
      'tests/two/scenario.yml':
        'hosts: [a, b]\ngroups: { web: [a] }\nvars: { x: 1 }\ncheck_vars: { x: 2 }\nsystemd: true\nmirror: files\n',
      'tests/two/converge.yml': '- hosts: all\n',
      'tests/two/verify.yaml': '- hosts: all\n',
    });
    const s = await loadScenario(dir, 'two');
    expect(s).toMatchObject({
      groups: { web: ['a'] },
      vars: { x: 1 },
      checkVars: { x: 2 },
      systemd: true,
      mirror: 'files',
    });
    expect(s.converge).toBe(path.join(dir, 'tests/two/converge.yml'));
    expect(s.verify).toBe(path.join(dir, 'tests/two/verify.yaml'));
  });

  it.each([
    ['an unknown key, at its position', 'hosts: 1\nsystemd: true\nhost: 2\n', /scenario.yml:3:1.*unknown key 'host'/s],
    ['a group naming a host the scenario does not have', 'hosts: 1\ngroups: { web: [web9] }\n', /names 'web9'/],
    ['a host count of 0', 'hosts: 0\n', /hosts/],
  ])('rejects %s', async (_n, text, message) => {
    const dir = role({ 'tests/default/scenario.yml': text });
    const err = await loadScenario(dir, 'default').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const e = err as Error & { source?: { file: string; line: number; col: number } };
    expect(
      `${e.source ? `${path.basename(e.source.file)}:${e.source.line}:${e.source.col} ` : ''}${e.message}`,
    ).toMatch(message);
  });

  it('a missing scenario other than default is an error naming the folder', async () => {
    await expect(loadScenario(role({}), 'ha')).rejects.toThrow(/no scenario 'ha'/);
  });
});

describe('addresses and names', () => {
  it('the default base is 127.88.X.1, stable per role path, different for different roles', () => {
    const a = roleTestBase('/srv/roles/a');
    // 127.88 in the block of BOSUN_SANDBOX_BASE, when that is set.
    const b = inBlock('127.88.0.1').split('.')[1]!;
    expect(a).toMatch(new RegExp(`^127\\.${b}\\.([1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-4])\\.1$`));
    expect(roleTestBase('/srv/roles/a')).toBe(a);
    const many = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((r) => roleTestBase(`/srv/roles/${r}`)));
    expect(many.size).toBeGreaterThan(3);
  });

  it('BOSUN_SANDBOX_BASE moves the default base by the same shift as every other sandbox address', () => {
    const saved = process.env.BOSUN_SANDBOX_BASE;
    try {
      process.env.BOSUN_SANDBOX_BASE = '127.160.0.1';
      expect(roleTestBase('/srv/roles/a')).toMatch(/^127\.171\.\d+\.1$/);
    } finally {
      if (saved === undefined) delete process.env.BOSUN_SANDBOX_BASE;
      else process.env.BOSUN_SANDBOX_BASE = saved;
    }
  });

  it('sandbox names are unique per role folder and scenario', () => {
    expect(roleTestSandboxName('/x/demo', 'default')).toMatch(/^role-test-demo-default-[0-9a-f]{8}$/);
    expect(roleTestSandboxName('/y/demo', 'default')).not.toBe(roleTestSandboxName('/x/demo', 'default'));
  });
});

describe('skeleton', () => {
  it('prefixes variables with the role name (dashes as underscores) and names every file the issue lists', () => {
    expect(varPrefix('my-App')).toBe('my_app');
    const files = Object.keys(roleSkeleton('my-app'));
    for (const want of [
      'defaults/main.yml',
      'vars/main.yml',
      'tasks/main.yml',
      'handlers/main.yml',
      'meta/main.yml',
      'meta/argument_specs.yml',
      'README.md',
      'tests/default/scenario.yml',
    ])
      expect(files).toContain(want);
    expect(files.some((f) => f.startsWith('templates/'))).toBe(true);
    expect(files.some((f) => f.startsWith('files/'))).toBe(true);
  });
});

describe('mirror', () => {
  it('serves files of its folder read-only, 404 for anything else', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-mirror-'));
    mkdirSync(path.join(dir, 'github.com/x'), { recursive: true });
    writeFileSync(path.join(dir, 'github.com/x/a.tgz'), 'payload');
    const mirror = await serveMirror(dir);
    try {
      expect(mirror.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ok = await fetch(`${mirror.url}/github.com/x/a.tgz`);
      expect([ok.status, await ok.text()]).toEqual([200, 'payload']);
      expect((await fetch(`${mirror.url}/github.com/x/b.tgz`)).status).toBe(404);
      expect((await fetch(`${mirror.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
      expect((await fetch(`${mirror.url}/github.com/x/a.tgz`, { method: 'POST' })).status).toBe(405);
    } finally {
      await mirror.close();
    }
  });
});
