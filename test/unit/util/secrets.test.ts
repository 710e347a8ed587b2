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
import { collectSecrets, isSecretName, MASK, maskingSink, SecretMasker } from '../../../src/util/secrets.js';
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
  ])('%s -> %s', (name, secret) => {
    expect(isSecretName(name)).toBe(secret);
  });
});

describe('SecretMasker', () => {
  it('masks secrets in text, longest first, and ignores values under 3 characters', () => {
    const m = new SecretMasker();
    m.add('hunter2');
    m.add('hunter22');
    m.add('ab');
    expect(m.mask('a hunter22 and hunter2 ab')).toBe(`a ${MASK} and ${MASK} ab`);
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
      tokens: ['t-aaa', 't-bbb'],
      key_file: '/k/id_rsa',
    });
    expect(m.mask('bob pw-123 t-aaa t-bbb /k/id_rsa')).toBe(`bob ${MASK} ${MASK} ${MASK} /k/id_rsa`);
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
      env: { BOSUN_BECOME_PASSWORD: 'env-become-pw' },
      hostLayers: (host, dir) => Promise.resolve([{ values: { [`${host}_password`]: `gv-${dir}` } }]),
    });
    const all =
      'host-pw group-token play-secret file-pw role-key extra-token become-pw env-become-pw gv-/pb from-the-vault';
    expect(masker.mask(all)).toBe(Array(10).fill(MASK).join(' '));
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
