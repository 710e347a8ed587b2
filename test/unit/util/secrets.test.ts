/**
 * The secret masker: which names are secret, masking in text and in
 * structured events, errors and their excerpts, and the masking sink.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BosunError, formatError, rememberSource } from '../../../src/errors.js';
import { shq } from '../../../src/util/shell.js';
import { maskAssignments } from '../../../src/util/secret-names.js';
import {
  collectSecrets,
  isSecretName,
  isWeakSecret,
  MASK,
  maskingSink,
  SecretMasker,
} from '../../../src/util/secrets.js';
import { forgetRevealed, rememberRevealed } from '../../../src/vault/keyring.js';

afterEach(() => forgetRevealed());

describe('isSecretName', () => {
  it.each([
    ['db_password', true],
    ['ansible_password', true],
    ['ansible_become_password', true],
    ['ansible_ssh_pass', true],
    ['api_token', true],
    ['client_secret', true],
    ['aws_secret_access_key', true],
    ['PASSWD', true],
    ['api_key', true],
    ['ansible_ssh_private_key_file', false],
    ['key_filename', false],
    ['key_id', false],
    ['ssl_key_path', false],
    ['vault_password_file', false],
    ['ssh_public_key', false],
    ['ansible_ssh_host_key_rsa_public', false],
    ['username', false],
    ['passenger', false],
    ['hostname', false],
    ['key', false],
    ['keys', false],
    ['kubekey_version', false],
    ['monkey', false],
    ['keycloak_url', false],
    ['apikey', true],
    ['private_key_data', true],
    ['getent_passwd', false],
    ['key_options', false],
    ['systemd-ask-password-wall.service', false],
    ['systemd-ask-password-console.path', false],
    ['db_password.service_name', true],
  ])('%s -> %s', (name, secret) => {
    expect(isSecretName(name)).toBe(secret);
  });
});

describe('isWeakSecret: masked only as whole values', () => {
  it.each([
    ['root', true],
    ['admin', true],
    ['1234', true],
    ['password', true],
    ['changeme', true],
    ['kubernetes', true],
    ['3600', true],
    ['P@ssw0rd', true],
    ['admin123', true],
    ['ab1-x', true],
    ['hunter2', false],
    ['s3cr3t-Pw', false],
    ['correcthorsebatterystaple', false],
    ['inv-Pw-4417', false],
    ['P@88w0rd', false],
  ])('%s -> %s', (value, weak) => {
    expect(isWeakSecret(value)).toBe(weak);
  });
});

describe('a weak secret (mysql_root_password: root)', () => {
  const masker = (): SecretMasker => {
    const m = new SecretMasker();
    m.addNamed({ mysql_root_password: 'root', admin_password: 'admin' });
    return m;
  };

  it('is not masked inside free text: task names, paths, host names', () => {
    const m = masker();
    expect(m.mask('write /root/.my.cnf for root on admin01')).toBe('write /root/.my.cnf for root on admin01');
    const event = {
      type: 'task_start',
      task: 'create /root and admin',
      source: { file: '/root/site.yml', line: 1, col: 1 },
    };
    expect(m.maskDeep(event)).toEqual(event);
  });

  it('is masked where a result holds it as a whole value, and under a secret-named key', () => {
    const m = masker();
    const result = {
      host: 'root',
      task: 'root',
      msg: 'root',
      stdout: 'admin\n',
      stdout_lines: ['root', 'rooted'],
      data: { owner: 'root', path: '/root', name: 'admin', ansible_facts: { db_password: 'admin' }, value: ' root ' },
    };
    expect(m.maskDeep({ type: 'task_result', result }, { values: true }).result).toEqual({
      host: 'root',
      task: 'root',
      msg: MASK,
      stdout: MASK,
      stdout_lines: [MASK, 'rooted'],
      data: { owner: 'root', path: '/root', name: 'admin', ansible_facts: { db_password: MASK }, value: MASK },
    });
    // Outside results only a secret-named key's value is masked.
    expect(m.maskDeep({ type: 'warning', message: 'root', vars: { mysql_root_password: 'root' } })).toEqual({
      type: 'warning',
      message: 'root',
      vars: { mysql_root_password: MASK },
    });
  });

  it('a strong secret is still masked inside text, in names and paths too', () => {
    const m = masker();
    m.add('Zq9-strong-pw');
    expect(m.mask('task Zq9-strong-pw in /root/Zq9-strong-pw')).toBe(`task ${MASK} in /root/${MASK}`);
    expect(m.maskValue('root')).toBe(MASK);
    expect(m.maskValue('-pZq9-strong-pw')).toBe(`-p${MASK}`);
  });
});

describe('diffs', () => {
  it("mask a secret-named assignment's value in a diff's text by name, a weak or unknown one too", () => {
    const m = new SecretMasker();
    m.addNamed({ mysql_root_password: 'root' });
    const diff = {
      path: '/root/.my.cnf',
      before: '',
      after: '[client]\nuser=root\npassword=root\napi_token: t-unknown-1\n',
    };
    const masked = m.maskDeep({ type: 'task_result', result: { diff: [diff] } }, { values: true });
    expect(masked.result.diff[0]).toEqual({
      path: '/root/.my.cnf',
      before: '',
      after: `[client]\nuser=root\npassword=${MASK}\napi_token: ${MASK}\n`,
    });
  });
});

describe('learnLayers and addRegistered', () => {
  it('reads each layer once and takes its secret-named values', () => {
    const m = new SecretMasker();
    const layer = { values: { task_password: 'tv-Sec-1', plain: 'not-a-secret-1' } };
    m.learnLayers([layer, undefined, { values: { role_token: 'rt-Sec-2' } }]);
    expect(m.mask('tv-Sec-1 rt-Sec-2 not-a-secret-1')).toBe(`${MASK} ${MASK} not-a-secret-1`);
    layer.values.task_password = 'changed-later-1';
    m.learnLayers([layer]);
    expect(m.mask('changed-later-1')).toBe('changed-later-1');
  });

  it('takes what a registered task printed or read, not its command, times or paths', () => {
    const m = new SecretMasker();
    m.addRegistered({
      cmd: 'cat /etc/app/token-file',
      start: '2026-12-02 18:00:00.000000',
      stdout: 'reg-token-Sec-9',
      stdout_lines: ['reg-token-Sec-9'],
      results: [{ content: Buffer.from('slurped-Sec-8\n').toString('base64'), encoding: 'base64', path: '/x/y-path' }],
    });
    expect(m.mask('reg-token-Sec-9 slurped-Sec-8')).toBe(`${MASK} ${MASK}`);
    expect(m.mask('cat /etc/app/token-file 2026-12-02 18:00:00.000000 /x/y-path')).toBe(
      'cat /etc/app/token-file 2026-12-02 18:00:00.000000 /x/y-path',
    );
  });
});

describe('maskAssignments: values of secret-named assignments in a line, by name', () => {
  it.each([
    ['web1 ansible_user=root ansible_password=root x=1', 'web1 ansible_user=root ansible_password=******** x=1'],
    ["web1 ansible_become_password='a b c' 'oops", "web1 ansible_become_password='********' 'oops"],
    ['web1 ansible_ssh_pass="q\\"x" y=2', 'web1 ansible_ssh_pass="********" y=2'],
    ['  db_password: hunter two # why', '  db_password: ******** # why'],
    ['  db: { api_token: t0k3n, port: 5432 }', '  db: { api_token: ********, port: 5432 }'],
    ['  "client_secret": "s3", "user": "bob"', '  "client_secret": "********", "user": "bob"'],
    ['ansible_password = pw-in-vars', 'ansible_password = ********'],
    ['password=root', 'password=********'],
    ['  db_password: "{{ vault_db_password }}"', '  db_password: "{{ vault_db_password }}"'],
    ['  ansible_ssh_private_key_file: /k/id_rsa', '  ansible_ssh_private_key_file: /k/id_rsa'],
    ['  mypassword_hint: see the wiki', '  mypassword_hint: ********'],
    ['  { user: bob, password_file: /x/pw }', '  { user: bob, password_file: /x/pw }'],
    ['the password is required', 'the password is required'],
    ['sudo: password: ', 'sudo: password: '],
  ])('%s', (line, masked) => {
    expect(maskAssignments(line).text).toBe(masked);
  });

  it('keeps a caret under the same character', () => {
    const line = "web1 ansible_password=hunter2-long 'oops";
    const m = maskAssignments(line);
    const col = line.indexOf("'oops") + 1;
    expect(m.text[m.column(col) - 1]).toBe("'");
    expect(m.text[m.column(line.indexOf('hunter2') + 3) - 1]).toBe('*');
  });

  it('an error quoting such a line masks it in the excerpt and the message, before any secret is known', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-secrets-'));
    const file = path.join(dir, 'hosts.ini');
    const text = "[web]\nweb1 ansible_user=root ansible_password=pw-Quoted-1 'oops\n";
    writeFileSync(file, text);
    rememberSource(file, text);
    const out = formatError(
      new BosunError('INVENTORY', "bad value 'pw-Quoted-1'", {
        source: { file, line: 2, col: text.split('\n')[1]!.indexOf("'oops") + 1 },
        hint: 'pw-Quoted-1',
      }),
    );
    expect(out).not.toContain('pw-Quoted-1');
    expect(out).toContain("ansible_user=root ansible_password=******** 'oops");
    const lines = out.split('\n');
    expect(lines[2]!.indexOf('^')).toBe(lines[1]!.indexOf("'oops"));
  });
});

describe('SecretMasker', () => {
  it('masks secrets in text, longest first, and ignores values under 3 characters', () => {
    const m = new SecretMasker();
    m.add('hunter2');
    m.add('hunter22');
    m.add('ab');
    expect(m.mask('a hunter22 and hunter2 ab')).toBe(`a ${MASK} and ${MASK} ab`);
    expect(m.maskValue('ab')).toBe('ab');
  });

  it('learning one secret after another: a new one inside an old one, or holding one, never leaves a piece shown', () => {
    const m = new SecretMasker();
    m.add('outer-Secret-inner-Part');
    expect(m.mask('x outer-Secret-inner-Part y')).toBe(`x ${MASK} y`);
    for (let i = 0; i < 100; i++) m.add(`learned-token-${i}-Zz`);
    m.add('Secret-inner');
    m.add('a-outer-Secret-inner-Part-b');
    expect(m.mask('x outer-Secret-inner-Part y')).toBe(`x ${MASK} y`);
    expect(m.mask('x a-outer-Secret-inner-Part-b y')).toBe(`x ${MASK} y`);
    expect(m.mask('learned-token-7-Zz and learned-token-99-Zz, Secret-inner')).toBe(`${MASK} and ${MASK}, ${MASK}`);
  });

  it('masks the JSON-escaped and shell-quoted forms and lines of multi-line secrets', () => {
    const m = new SecretMasker();
    m.add(`it's "q"\nsecond line of it`);
    expect(m.mask(JSON.stringify(`it's "q"\nsecond line of it`))).not.toContain('second line');
    m.add(`it's $x`);
    expect(m.mask(`echo ${shq(`it's $x`)}`)).toBe('echo ********');
    expect(m.mask('x second line of it y')).toBe(`x ${MASK} y`);
  });

  it('does not mask the names of dict2items items', () => {
    const m = new SecretMasker();
    m.addNamed({ item: { key: 'alice', value: 'admin' } });
    expect(m.mask('alice admin')).toBe('alice admin');
  });

  it('does not take a template for the secret', () => {
    const m = new SecretMasker();
    m.addNamed({ db_password: '{{ vault_db_password }}' });
    expect(m.size).toBe(0);
  });

  it('collects the values of secret-named keys at any depth', () => {
    const m = new SecretMasker();
    m.addNamed({
      user: 'bob',
      db: { password: 'pw-123', port: 5432 },
      tokens: ['t-aaa-111', 't-bbb-222'],
      key_file: '/k/id_rsa',
    });
    expect(m.mask('bob pw-123 t-aaa-111 t-bbb-222 /k/id_rsa')).toBe(`bob ${MASK} ${MASK} ${MASK} /k/id_rsa`);
  });

  it('masks deeply: strings, keys, arrays, errors; leaves other values alone', () => {
    const m = new SecretMasker();
    m.add('s3cr3t');
    const err = new BosunError('TEMPLATE_RENDER', 'bad s3cr3t', {
      hint: 'not s3cr3t',
      source: { file: '<none>', line: 1, col: 1 },
    });
    const event = {
      type: 'task_result',
      result: { msg: 'the s3cr3t', n: 5, ok: true, list: ['s3cr3t'], map: { s3cr3t: 'x' }, error: err },
    };
    const masked = m.maskDeep(event);
    expect(JSON.stringify(masked)).not.toContain('s3cr3t');
    expect(masked.result.error).toBeInstanceOf(BosunError);
    expect(masked.result.error.code).toBe('TEMPLATE_RENDER');
    expect(masked.result.n).toBe(5);
    expect(event.result.msg).toBe('the s3cr3t');
  });

  it('masks the excerpt of an error that points at a line holding a secret', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-secrets-'));
    const file = path.join(dir, 'vars.yml');
    const text = 'user: bob\ndb_password: pw-visible\n';
    writeFileSync(file, text);
    rememberSource(file, text);
    const m = new SecretMasker();
    m.add('pw-visible');
    const out = formatError(
      m.maskError(new BosunError('SCHEMA', 'bad value pw-visible', { source: { file, line: 2, col: 14 } })),
    );
    expect(out).toContain('db_password: ********');
    expect(out).not.toContain('pw-visible');
  });
});

describe('collectSecrets and maskingSink', () => {
  it('collects from inventory, playbooks, extra vars, become password, host layers and vault values', async () => {
    rememberRevealed('from-the-vault');
    const masker = await collectSecrets({
      inventory: {
        hosts: new Map([['h1', { vars: { ansible_password: 'host-pw' } }]]),
        groups: new Map([['all', { vars: { api_token: 'group-token' } }]]),
      },
      playbooks: [
        {
          dir: '/pb',
          plays: [
            {
              vars: { values: { app_secret: 'play-secret' } },
              varsFiles: [{ values: { db_passwd: 'file-pw' } }],
              roles: [{ defaults: { values: { role_key: 'role-key' } }, vars: { values: {} } }],
            },
          ],
        },
      ],
      extraVars: [{ values: { cli_token: 'extra-token' } }],
      becomePassword: 'become-pw',
      loginPassword: 'login-pw-1',
      keyPassphrase: 'key-phrase-1',
      env: { BOSUN_BECOME_PASSWORD: 'env-become-pw', BOSUN_KEY_PASSPHRASE: 'env-key-phrase' },
      hostLayers: (host, dir) => Promise.resolve([{ values: { [`${host}_password`]: `gv-${dir}` } }]),
    });
    const all =
      'host-pw group-token play-secret file-pw role-key extra-token become-pw login-pw-1 key-phrase-1 env-become-pw env-key-phrase gv-/pb from-the-vault';
    expect(masker.mask(all)).toBe(Array(13).fill(MASK).join(' '));
  });

  it('learns from results and masks every event before the sink', () => {
    const seen: unknown[] = [];
    const sink = maskingSink((e: { type: string; result?: unknown }) => seen.push(e), new SecretMasker());
    sink({
      type: 'task_result',
      result: { data: { ansible_facts: { api_token: 'learned-tok' } }, msg: 'set learned-tok' },
    });
    rememberRevealed('late-vault');
    sink({ type: 'warning', result: { msg: 'late-vault and learned-tok' } });
    expect(JSON.stringify(seen)).not.toMatch(/learned-tok|late-vault/);
  });
});
