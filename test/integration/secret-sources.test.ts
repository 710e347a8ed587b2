/**
 * Every place a secret-named variable can come from is masked: task, block,
 * include_tasks/import_tasks `vars:`, role params, include_role/import_role
 * `vars:`, the defaults of a role only include_role loads, `register` under a
 * secret name, `set_fact`, and BOSUN_KEY_PASSPHRASE. A run on one sandbox
 * host and the local connection, in every output (text -v with --diff,
 * --json, --log, --report, the retry file). Local commands (the local
 * connection and delegate_to localhost) do not see bosun's own secret
 * environment variables. A load error that quotes an inventory line masks
 * the password in it. And a secret that is a common word (`root`) is masked
 * where it is a whole value, not in every task name and path.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVaultOptions } from '../../src/cli/run-vault-options.js';
import { setVaultSecrets } from '../../src/vault/index.js';
import { withSandbox } from '../helpers/sandbox.js';
import { runCli as bosun, squeezed } from '../helpers/cli.js';

const fixture = withSandbox(1, { base: '127.150.0.1' });

/** One value per source; each is rendered into output by some task. */
const SECRETS = {
  roleParam: 'rp-Sec-5501',
  importRoleVars: 'irv-Sec-5502',
  includeRoleVars: 'inrv-Sec-5503',
  includeRoleDefault: 'ird-Sec-5504',
  taskVars: 'tv-Sec-5505',
  blockVars: 'bv-Sec-5506',
  includeTasksVars: 'itv-Sec-5507',
  importTasksVars: 'imtv-Sec-5508',
  registered: 'reg-Sec-5509',
  setFact: 'sf-Sec-5510',
  keyPassphrase: 'kp-Sec-5511',
  becomeEnv: 'be-Sec-5512',
};
/** bosun's own secret environment variables (the vault one names a file: still not for local commands). */
const OWN_ENV = ['BOSUN_KEY_PASSPHRASE', 'BOSUN_BECOME_PASSWORD', 'BOSUN_VAULT_PASSWORD_FILE'];

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-secret-sources-'));
const io = { out: (): void => {}, err: (): void => {}, isTTY: false };

function write(rel: string, lines: string[]): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A debug, a failing command's stderr and a --diff of one value (`vars` added to each task when given). */
function shown(label: string, expr: string, vars?: string): string[] {
  const own = vars ? [`  vars: ${vars}`] : [];
  return [
    `- name: "${label} debug"`,
    `  debug: { msg: "${label} {{ ${expr} }}" }`,
    ...own,
    `- name: "${label} stderr"`,
    `  shell: "echo {{ ${expr} }} >&2; exit 3"`,
    '  ignore_errors: true',
    ...own,
    `- name: "${label} diff"`,
    `  copy: { dest: "{{ out_dir }}/${label}", content: "{{ ${expr} }}\\n" }`,
    ...own,
  ];
}

const indent = (lines: string[], n: number): string[] => lines.map((l) => `${' '.repeat(n)}${l}`);

function writeTree(): void {
  write('hosts.ini', ['[local]', 'localhost ansible_connection=local']);
  write('pw', ['vault pass for the env test']);
  write('roles/params/tasks/main.yml', shown('roleParam', 'db_password'));
  write('roles/withvars/tasks/main.yml', shown('{{ label }}', 'role_token'));
  write('roles/defaulted/defaults/main.yml', [`defaulted_secret: ${SECRETS.includeRoleDefault}`]);
  write('roles/defaulted/tasks/main.yml', shown('includeRoleDefault', 'defaulted_secret'));
  write('inc.yml', shown('{{ label }}', 'inc_password'));
  const [regHead, regTail] = SECRETS.registered.split('-Sec-');
  write('site.yml', [
    '- hosts: all',
    '  gather_facts: false',
    '  vars:',
    `    out_dir: "${dir}/out-{{ inventory_hostname }}"`,
    '  pre_tasks:',
    `    - file: { path: "{{ out_dir }}", state: directory }`,
    '  roles:',
    '    - role: params',
    `      db_password: ${SECRETS.roleParam}`,
    '  tasks:',
    '    - import_role: { name: withvars }',
    `      vars: { role_token: ${SECRETS.importRoleVars}, label: importRoleVars }`,
    '    - include_role: { name: withvars }',
    `      vars: { role_token: ${SECRETS.includeRoleVars}, label: includeRoleVars }`,
    '    - include_role: { name: defaulted }',
    ...indent(shown('taskVars', 'task_password', `{ task_password: ${SECRETS.taskVars} }`), 4),
    '    - block:',
    ...indent(shown('blockVars', 'block_secret'), 8),
    `      vars: { block_secret: ${SECRETS.blockVars} }`,
    '    - include_tasks: inc.yml',
    `      vars: { inc_password: ${SECRETS.includeTasksVars}, label: includeTasksVars }`,
    '    - import_tasks: inc.yml',
    `      vars: { inc_password: ${SECRETS.importTasksVars}, label: importTasksVars }`,
    // The secret only exists on the target: printf puts it together, the playbook never holds it whole.
    '    - name: read a token',
    `      shell: "printf '%s-Sec-%s' ${regHead} ${regTail}"`,
    '      register: api_token',
    ...indent(shown('registered', 'api_token.stdout'), 4),
    '    - set_fact:',
    `        db_pass: "${SECRETS.setFact}"`,
    ...indent(shown('setFact', 'db_pass'), 4),
    // A value that is not named secret but is the key passphrase: masked because it is the passphrase.
    ...indent(shown('keyPassphrase', 'plain_value'), 4),
    '    - name: local environment',
    '      shell: "env | grep \'^BOSUN_\' || true"',
    '      delegate_to: localhost',
    '      register: local_env',
    '    - name: what local commands saw',
    '      assert: { that: ["(eq local_env.stdout \'\')"], fail_msg: "local commands saw {{ local_env.stdout }}" }',
    '- hosts: localhost',
    '  gather_facts: true',
    '  tasks:',
    '    - name: facts of the local shell',
    '      debug: { var: ansible_env }',
  ]);
}

const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  writeTree();
  for (const name of OWN_ENV) savedEnv[name] = process.env[name];
  process.env['BOSUN_KEY_PASSPHRASE'] = SECRETS.keyPassphrase;
  process.env['BOSUN_BECOME_PASSWORD'] = SECRETS.becomeEnv;
  process.env['BOSUN_VAULT_PASSWORD_FILE'] = path.join(dir, 'pw');
  await applyVaultOptions({}, io);
});
afterAll(() => {
  for (const name of OWN_ENV) {
    if (savedEnv[name] === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = savedEnv[name];
  }
  setVaultSecrets([]);
});

/** Each secret that a line of the text shows, with the line. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [where, value] of Object.entries(SECRETS)) {
    const line = text.split('\n').find((l) => l.includes(value));
    if (line !== undefined) found.push(`${where}: ${line.trim().slice(0, 160)}`);
  }
  return found;
}

fixture.describe('secrets from every source never shown', () => {
  const args = (): string[] => [
    'run',
    path.join(dir, 'site.yml'),
    '-i',
    fixture.sandbox.inventoryFile,
    '-i',
    path.join(dir, 'hosts.ini'),
    '-e',
    `plain_value=${SECRETS.keyPassphrase}`,
    '--diff',
  ];

  it('text -v --diff, --log, --report and the retry file: no secret, the values really used', async () => {
    const log = path.join(dir, 'run.jsonl');
    const report = path.join(dir, 'run.html');
    const retry = path.join(dir, 'run.retry');
    const r = await bosun([...args(), '-v', '--log', log, '--report', report, '--retry-file', retry]);
    const outputs = {
      text: r.out + r.err,
      log: readFileSync(log, 'utf8'),
      report: readFileSync(report, 'utf8'),
      retry: readFileSync(retry, 'utf8'),
    };
    for (const [name, text] of Object.entries(outputs)) expect(leaks(text), `${name} shows a secret`).toEqual([]);
    expect(r.out).not.toMatch(/BOSUN_(KEY_PASSPHRASE|BECOME_PASSWORD|VAULT_PASSWORD_FILE)/);
    expect(squeezed(r.out)).toMatch(/localhost : ok=\d+ changed=\d+ unreachable=0 failed=0/);
    const host = fixture.sandbox.hosts[0]!.name;
    expect(squeezed(r.out)).toMatch(new RegExp(`${host} : ok=\\d+ changed=\\d+ unreachable=0 failed=0`));
    expect(r.code).toBe(0);
    // The values really reached the files (the sandbox host's out_dir is on the controller's name space too).
    expect(readFileSync(path.join(dir, 'out-localhost', 'registered'), 'utf8')).toBe(`${SECRETS.registered}\n`);
    expect(readFileSync(path.join(dir, 'out-localhost', 'includeRoleDefault'), 'utf8')).toBe(
      `${SECRETS.includeRoleDefault}\n`,
    );
  });

  it('--json: no event holds a secret, every debug shows the mask', async () => {
    const r = await bosun([...args(), '--json', '-e', `out_dir=${dir}/json-{{ inventory_hostname }}`]);
    expect(leaks(r.out + r.err)).toEqual([]);
    const events = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; task?: string; host?: string; msg?: string });
    const debugs = events.filter((e) => e.type === 'task_result' && e.task?.endsWith(' debug'));
    // 11 labels (the key passphrase one too; the become password has none) on two hosts.
    expect(debugs.length).toBe(2 * (Object.keys(SECRETS).length - 1));
    for (const e of debugs) expect(e.msg, e.task).toMatch(/ \*{8}$/);
    expect(r.code).toBe(0);
  });
});

describe('a load error quoting an inventory line', () => {
  it.each([
    ['INI, a bad quote after the password', 'bad.ini', "web1 ansible_user=root ansible_password=inv-Sec-6601 'oops"],
    ['INI, a bad host range', 'range.ini', 'web[1:x] ansible_become_password="inv-Sec-6601 two"'],
    ['INI, a short password', 'short.ini', "web1 ansible_user=root ansible_password=root 'oops"],
  ])('%s: the excerpt masks the value', async (_title, name, line) => {
    const inv = write(name, ['[web]', line]);
    const r = await bosun(['run', path.join(dir, 'site.yml'), '-i', inv]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/ERROR \[INVENTORY\]/);
    expect(r.err).not.toContain('inv-Sec-6601');
    expect(r.err).toMatch(/ansible_(become_)?password="?\*{8}"?( |$)/m);
    // What is not secret stays readable.
    if (line.includes('ansible_user=root')) expect(r.err).toContain('ansible_user=root');
  });

  it('YAML: the excerpt masks the value', async () => {
    const inv = write('bad.yml', ['all:', '  hosts:', '    web1:', '      ansible_password: inv-Sec-6602: x']);
    const r = await bosun(['run', path.join(dir, 'site.yml'), '-i', inv]);
    expect(r.code).not.toBe(0);
    expect(r.err).not.toContain('inv-Sec-6602');
    expect(r.err).toContain('ansible_password: ********');
  });
});

describe('a common-word secret is masked where it is a value, not everywhere', () => {
  it('mysql_root_password: root leaves task names and paths alone', async () => {
    const pb = write('common-word.yml', [
      '- hosts: localhost',
      '  gather_facts: false',
      '  vars: { mysql_root_password: root, admin_password: admin }',
      '  tasks:',
      '    - name: write /root/.my.cnf for root and admin',
      `      file: { path: "${dir}/root-admin", state: directory }`,
      '    - name: a client config',
      `      copy: { dest: "${dir}/root-admin/my.cnf", content: "[client]\\nuser=root\\npassword={{ mysql_root_password }}\\n" }`,
      '    - name: the password itself',
      '      debug: { msg: "{{ mysql_root_password }}" }',
      '    - name: the variable',
      '      debug: { var: admin_password }',
      '    - set_fact: { other_password: admin }',
    ]);
    const r = await bosun(['run', pb, '-i', path.join(dir, 'hosts.ini'), '-v', '--diff']);
    expect(r.code).toBe(0);
    // In a diff, a file's line that sets a secret-named key has its value masked; the rest stays.
    expect(r.out).toContain('+user=root\n+password=********\n');
    expect(readFileSync(path.join(dir, 'root-admin', 'my.cnf'), 'utf8')).toBe('[client]\nuser=root\npassword=root\n');
    expect(r.out).toContain('TASK [write /root/.my.cnf for root and admin]');
    expect(r.out).toContain(`"path": "${dir}/root-admin"`);
    expect(r.out).not.toMatch(/"msg": "root"|"admin_password": "admin"|"other_password": "admin"/);
    expect(r.out).toContain('"msg": "********"');
    expect(r.out).toContain('"admin_password": "********"');
    expect(r.out).toContain('"other_password": "********"');
  });
});
