/**
 * Secrets never shown: a run on the local connection and one sandbox host
 * with a password in the inventory, a token in -e, a vaulted group_vars file
 * and an inline `!vault` value. Each secret reaches a debug message, a
 * failing command's stderr, a --diff, a `fail` message and a "command not
 * found" error; none may appear in any output line or event, in text (-v)
 * and --json modes. A no_log task with a loop shows neither its values nor
 * its items.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyVaultOptions } from '../../src/cli/run-vault-options.js';
import { encryptVault, setVaultSecrets } from '../../src/vault/index.js';
import { withSandbox } from '../helpers/sandbox.js';
import { runCli as bosun, squeezed } from '../helpers/cli.js';

const fixture = withSandbox(1, { base: '127.110.1.1' });

const SECRETS = {
  inventory: 'inv-Pw-4417',
  extra: 'tok-Zx-9921',
  vaultFile: 'vlt-Qq-5531',
  vaultInline: 'inl-Ww-7788',
  noLog: 'nolog-Val-3141',
  noLogItem: 'nolog-item-2718',
};
const VAULT_PASSWORD = 'vault pass for tests';

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-secrets-'));
const io = { out: (): void => {}, err: (): void => {}, isTTY: false };

function writeTree(): void {
  const secret = { id: 'default', password: VAULT_PASSWORD };
  writeFileSync(path.join(dir, 'pw'), `${VAULT_PASSWORD}\n`);
  writeFileSync(
    path.join(dir, 'hosts.ini'),
    ['[local]', 'localhost ansible_connection=local', '', '[all:vars]', `db_password=${SECRETS.inventory}`, ''].join(
      '\n',
    ),
  );
  mkdirSync(path.join(dir, 'group_vars'), { recursive: true });
  // A name that does not look secret: the value is masked because it came out of a vault.
  writeFileSync(path.join(dir, 'group_vars', 'all.yml'), encryptVault(`plain_looking: ${SECRETS.vaultFile}\n`, secret));
  const inline = encryptVault(SECRETS.vaultInline, secret)
    .trimEnd()
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
  writeFileSync(
    path.join(dir, 'site.yml'),
    [
      '- hosts: all',
      '  gather_facts: false',
      '  vars:',
      '    motd_text: !vault |',
      inline,
      `    out_dir: "${dir}/out-{{ inventory_hostname }}"`,
      '    all_four: "{{ db_password }} {{ api_token }} {{ plain_looking }} {{ motd_text }}"',
      '  tasks:',
      '    - name: debug message',
      '      debug: { msg: "values: {{ all_four }}" }',
      '    - name: failing command',
      '      shell: "echo {{ all_four }} >&2; exit 3"',
      '      ignore_errors: true',
      '    - name: a diff',
      '      file: { path: "{{ out_dir }}", state: directory }',
      '    - copy: { dest: "{{ out_dir }}/conf", content: "{{ all_four }}\\n" }',
      '    - name: command not found',
      '      command: "{{ plain_looking }} {{ motd_text }}"',
      '      ignore_errors: true',
      '    - name: bad argument',
      '      file: { path: "{{ out_dir }}/x", state: touch, mode: "{{ api_token }}" }',
      '      ignore_errors: true',
      '    - name: fail message',
      '      fail: { msg: "cannot use {{ all_four }}" }',
      '      ignore_errors: true',
      '    - name: assert message',
      '      assert: { that: [false], fail_msg: "bad {{ db_password }} {{ api_token }}" }',
      '      ignore_errors: true',
      '    - set_fact: { derived: "x-{{ api_token }}-y" }',
      '    - debug: { var: derived }',
      '    - name: hidden',
      `      shell: "echo ${SECRETS.noLog} {{ item }}"`,
      `      loop: ["${SECRETS.noLogItem}"]`,
      '      no_log: true',
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  writeTree();
  await applyVaultOptions({ vaultPasswordFile: [path.join(dir, 'pw')] }, io);
});
afterAll(() => setVaultSecrets([]));

fixture.describe('secrets never shown', () => {
  const runArgs = (): string[] => [
    'run',
    path.join(dir, 'site.yml'),
    '-i',
    fixture.sandbox.inventoryFile,
    '-i',
    path.join(dir, 'hosts.ini'),
    '-e',
    `api_token=${SECRETS.extra}`,
    '--diff',
  ];

  const expectNoSecret = (text: string): void => {
    for (const [where, value] of Object.entries(SECRETS)) {
      const line = text.split('\n').find((l) => l.includes(value));
      expect(line, `${where} secret shown`).toBeUndefined();
    }
  };

  it('in text mode with -v: every secret masked, the values really used', async () => {
    const r = await bosun([...runArgs(), '-v']);
    expectNoSecret(r.out + r.err);
    expect(r.code).toBe(0);
    expect(r.out).toContain('********');
    expect(squeezed(r.out)).toMatch(/localhost : ok=\d+ changed=\d+ unreachable=0 failed=0/);
    expect(r.out).toContain("'no_log: true' was specified");
    const expected = `${SECRETS.inventory} ${SECRETS.extra} ${SECRETS.vaultFile} ${SECRETS.vaultInline}\n`;
    expect(readFileSync(path.join(dir, 'out-localhost', 'conf'), 'utf8')).toBe(expected);
  });

  it('in --json mode: no event holds a secret, the sandbox host ran every task', async () => {
    const host = fixture.sandbox.hosts[0]!.name;
    // Remove the copies so the diff shows up again.
    const r = await bosun([...runArgs(), '-e', 'out_dir=/tmp/bosun-secrets-json-{{ inventory_hostname }}', '--json']);
    expectNoSecret(r.out + r.err);
    const events = r.out
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            host?: string;
            task?: string;
            diff?: unknown[];
            stderr?: string;
            msg?: string;
            error?: { message: string };
          },
      );
    const results = events.filter((e) => e.type === 'task_result' && e.host === host);
    expect(results.find((e) => e.task === 'failing command')?.stderr).toBe('******** ******** ******** ********');
    expect(results.find((e) => e.task === 'copy')?.diff).toHaveLength(1);
    expect(JSON.stringify(results.find((e) => e.task === 'copy')?.diff)).toContain('********');
    expect(results.find((e) => e.task === 'fail message')?.msg).toBe('cannot use ******** ******** ******** ********');
    // Ansible's OSError message names the program: masked there too.
    expect(results.find((e) => e.task === 'command not found')?.msg).toBe(
      "[Errno 2] No such file or directory: b'********'",
    );
    const badArgument = results.find((e) => e.task === 'bad argument');
    expect(badArgument?.error?.message ?? badArgument?.msg).toMatch(/\*{8}/);
    expect(events.at(-1)).toMatchObject({ type: 'recap' });
  });
});
