/**
 * `bosun vault` against ansible-vault and ansible-playbook (files and inline
 * values written by one and opened by the other), edit/create with a fake
 * EDITOR, rekey, wrong passwords, and a playbook run on a sandbox host using
 * a vaulted group_vars file and an inline `!vault` value.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyVaultOptions } from '../../src/cli/run-vault-options.js';
import { encryptVault, setVaultSecrets } from '../../src/vault/index.js';
import { withSandbox } from '../helpers/sandbox.js';
import { runCli as bosun, squeezed } from '../helpers/cli.js';

const hasAnsible = existsSync('/usr/bin/ansible-vault') && existsSync('/usr/bin/ansible-playbook');
const dir = mkdtempSync(path.join(tmpdir(), 'bosun-vault-it-'));
const pwFile = path.join(dir, 'pw');
writeFileSync(pwFile, 'it vault pass\n');
const io = { out: (): void => {}, err: (): void => {}, isTTY: false };
const env = {
  ...process.env,
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_HOST_KEY_CHECKING: 'False',
  ANSIBLE_LOCAL_TEMP: path.join(dir, '.ansible-tmp'),
};

const ansibleVault = (...args: string[]): string =>
  execFileSync('/usr/bin/ansible-vault', args, { encoding: 'utf8', env });
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

afterEach(() => {
  setVaultSecrets([]);
  delete process.env['EDITOR'];
});

describe.skipIf(!hasAnsible)('bosun vault and ansible-vault', () => {
  it('bosun encrypt -> ansible-vault view and decrypt', async () => {
    const f = file('a.yml', 'db_password: été-1\n');
    expect((await bosun(['vault', 'encrypt', f, '--vault-password-file', pwFile])).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n/);
    expect(ansibleVault('view', f, '--vault-password-file', pwFile)).toBe('db_password: été-1\n');
    ansibleVault('decrypt', f, '--vault-password-file', pwFile);
    expect(readFileSync(f, 'utf8')).toBe('db_password: été-1\n');
  });

  it('ansible-vault encrypt -> bosun view and decrypt (and --output -)', async () => {
    const f = file('b.yml', 'token: from-ansible\n');
    ansibleVault('encrypt', f, '--vault-password-file', pwFile);
    expect((await bosun(['vault', 'view', f, '--vault-password-file', pwFile])).out).toBe('token: from-ansible\n');
    expect((await bosun(['vault', 'decrypt', f, '--output', '-', '--vault-password-file', pwFile])).out).toBe(
      'token: from-ansible\n',
    );
    expect(readFileSync(f, 'utf8')).toMatch(/^\$ANSIBLE_VAULT/);
    expect((await bosun(['vault', 'decrypt', f, '--vault-password-file', pwFile])).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe('token: from-ansible\n');
  });

  it('a 1.2 file with a vault id from ansible-vault opens with --vault-id', async () => {
    const f = file('c.yml', 'x: labelled\n');
    ansibleVault('encrypt', f, '--vault-id', `prod@${pwFile}`);
    expect(readFileSync(f, 'utf8').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect((await bosun(['vault', 'view', f, '--vault-id', `prod@${pwFile}`])).out).toBe('x: labelled\n');
  });

  it('bosun encrypt_string -> ansible-playbook debug shows the value', async () => {
    const r = await bosun([
      'vault',
      'encrypt_string',
      'inline-from-bosun',
      '--name',
      'api_token',
      '--vault-password-file',
      pwFile,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^api_token: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n/);
    const vars = file('inline/vars.yml', r.out);
    const pb = file(
      'inline/pb.yml',
      `- hosts: localhost\n  gather_facts: false\n  vars_files: [${vars}]\n  tasks:\n    - debug: { var: api_token }\n`,
    );
    const out = execFileSync(
      '/usr/bin/ansible-playbook',
      ['-i', 'localhost,', '-c', 'local', pb, '--vault-password-file', pwFile],
      { encoding: 'utf8', env },
    );
    expect(out).toContain('"api_token": "inline-from-bosun"');
  });

  it('ansible-vault encrypt_string -> bosun run reads it', async () => {
    const block = ansibleVault(
      'encrypt_string',
      'inline-from-ansible',
      '--name',
      'greeting',
      '--vault-password-file',
      pwFile,
    );
    const pb = file(
      'inline2/pb.yml',
      `- hosts: localhost\n  gather_facts: false\n  vars:\n${block
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n  tasks:\n    - assert: { that: ['(eq greeting "inline-from-ansible")'] }\n`,
    );
    const inv = file('inline2/hosts.ini', 'localhost ansible_connection=local\n');
    await applyVaultOptions({ vaultPasswordFile: [pwFile] }, io);
    const r = await bosun(['run', pb, '-i', inv]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('edit: $EDITOR on a private 0600 temp file that is gone afterwards; ansible-vault sees the change', async () => {
    const f = file('d.yml', 'a: 1\n');
    await bosun(['vault', 'encrypt', f, '--vault-password-file', pwFile]);
    const log = path.join(dir, 'editor.log');
    const editor = file(
      'editor.sh',
      `#!/bin/sh\nstat -c '%a %n' "$1" > ${log}\nstat -c '%a' "$(dirname "$1")" >> ${log}\necho 'b: 2' >> "$1"\n`,
    );
    chmodSync(editor, 0o755);
    process.env['EDITOR'] = editor;
    const r = await bosun(['vault', 'edit', f, '--vault-password-file', pwFile]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const [fileLine = '', dirMode] = readFileSync(log, 'utf8').trim().split('\n');
    const [mode, tempFile = ''] = fileLine.split(' ');
    expect(mode).toBe('600');
    expect(dirMode).toBe('700');
    expect(existsSync(tempFile)).toBe(false);
    expect(existsSync(path.dirname(tempFile))).toBe(false);
    expect(ansibleVault('view', f, '--vault-password-file', pwFile)).toBe('a: 1\nb: 2\n');
  });

  it('edit: an editor that fails saves nothing, and the temp file is still removed', async () => {
    const f = file('e.yml', 'a: 1\n');
    await bosun(['vault', 'encrypt', f, '--vault-password-file', pwFile]);
    const before = readFileSync(f, 'utf8');
    const log = path.join(dir, 'editor2.log');
    const editor = file('editor2.sh', `#!/bin/sh\necho "$1" > ${log}\necho 'b: 2' >> "$1"\nexit 1\n`);
    chmodSync(editor, 0o755);
    process.env['EDITOR'] = editor;
    const r = await bosun(['vault', 'edit', f, '--vault-password-file', pwFile]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/exited with code 1: nothing was saved/);
    expect(readFileSync(f, 'utf8')).toBe(before);
    expect(existsSync(readFileSync(log, 'utf8').trim())).toBe(false);
  });

  it('create with $EDITOR, then rekey with a new password (script), both readable by ansible-vault', async () => {
    const f = path.join(dir, 'new.yml');
    const editor = file('editor3.sh', '#!/bin/sh\nprintf \'created: yes\\n\' > "$1"\n');
    chmodSync(editor, 0o755);
    process.env['EDITOR'] = editor;
    expect((await bosun(['vault', 'create', f, '--vault-password-file', pwFile])).code).toBe(0);
    expect(ansibleVault('view', f, '--vault-password-file', pwFile)).toBe('created: yes\n');
    const script = file('newpw.sh', "#!/bin/sh\necho 'new secret pass'\n");
    chmodSync(script, 0o755);
    const r = await bosun(['vault', 'rekey', f, '--vault-password-file', pwFile, '--new-vault-password-file', script]);
    expect(r.code).toBe(0);
    expect(ansibleVault('view', f, '--vault-password-file', script)).toBe('created: yes\n');
    expect((await bosun(['vault', 'view', f, '--vault-password-file', script])).out).toBe('created: yes\n');
  });

  it('a wrong password, a tampered file, a missing password and --ask-vault-pass without a terminal are clear errors', async () => {
    const f = file('f.yml', 'a: 1\n');
    await bosun(['vault', 'encrypt', f, '--vault-password-file', pwFile]);
    const wrong = file('wrong', 'nope\n');
    const r1 = await bosun(['vault', 'view', f, '--vault-password-file', wrong]);
    expect(r1.code).toBe(1);
    expect(r1.err).toContain('Decryption failed (no vault secrets would decrypt)');
    const lines = readFileSync(f, 'utf8').split('\n');
    lines[1] = (lines[1]!.startsWith('3') ? '4' : '3') + lines[1]!.slice(1);
    const tampered = file('tampered.yml', lines.join('\n'));
    expect((await bosun(['vault', 'view', tampered, '--vault-password-file', pwFile])).err).toMatch(
      /Decryption failed|format/,
    );
    expect((await bosun(['vault', 'view', f])).err).toMatch(/no vault password was given/);
    expect((await bosun(['vault', 'encrypt', file('g.yml', 'a: 1\n')])).err).toMatch(
      /no vault password was given\nhint: use --vault-password-file/,
    );
    const r4 = await bosun(['vault', 'view', f, '--ask-vault-pass']);
    expect(r4.code).toBe(5);
    expect(r4.err).toMatch(/--ask-vault-pass needs a terminal/);
  });
});

const fixture = withSandbox(1, { base: '127.110.0.1' });

fixture.describe('a playbook run with vaulted values on a sandbox host', () => {
  const tree = (): { pb: string; inv: string } => {
    const secret = { id: 'default', password: 'it vault pass' };
    const base = path.join(dir, 'run');
    file('run/group_vars/all.yml', encryptVault('app_db_password: gv-secret-1\napp_port: 8080\n', secret));
    const inline = encryptVault('inline-secret-2', secret)
      .trimEnd()
      .split('\n')
      .map((l) => `        ${l}`)
      .join('\n');
    const pb = file(
      'run/site.yml',
      [
        '- hosts: sandbox',
        '  gather_facts: false',
        '  vars:',
        '    app_banner: !vault |',
        inline,
        '  tasks:',
        '    - copy: { dest: /tmp/bosun-vault-run.conf, content: "{{ app_db_password }} {{ app_banner }} {{ app_port }}", mode: "0600" }',
        '    - slurp: { src: /tmp/bosun-vault-run.conf }',
        '      register: conf',
        '    - assert: { that: [\'(eq (b64decode conf.content) "gv-secret-1 inline-secret-2 8080")\'] }',
        '',
      ].join('\n'),
    );
    return { pb, inv: path.join(base, 'hosts.ini') };
  };

  it('decrypts with the password file (and BOSUN_VAULT_PASSWORD_FILE), masks the values, and fails clearly without it', async () => {
    const { pb } = tree();
    const inv = fixture.sandbox.inventoryFile;
    // group_vars/ beside the playbook: copy the sandbox inventory next to it so group_vars apply.
    const localInv = file('run/hosts', readFileSync(inv, 'utf8'));
    await applyVaultOptions({ vaultPasswordFile: [pwFile] }, io);
    const r = await bosun(['run', pb, '-i', localInv, '-v']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(squeezed(r.out)).toMatch(/: ok=3 changed=1 unreachable=0 failed=0/);
    expect(r.out).not.toMatch(/gv-secret-1|inline-secret-2/);

    setVaultSecrets([]);
    process.env['BOSUN_VAULT_PASSWORD_FILE'] = pwFile;
    try {
      await applyVaultOptions({}, io);
    } finally {
      delete process.env['BOSUN_VAULT_PASSWORD_FILE'];
    }
    const again = await bosun(['run', pb, '-i', localInv]);
    expect(again.code).toBe(0);
    expect(squeezed(again.out)).toMatch(/: ok=3 changed=0 unreachable=0 failed=0/);

    setVaultSecrets([]);
    const none = await bosun(['run', pb, '-i', localInv]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/ERROR \[VAULT\] .*site\.yml:4:17: Decryption failed \(no vault secrets would decrypt\)/);
    expect(none.err).toMatch(/hint: give the vault password with --vault-password-file/);
  });
});
