/**
 * ssh config (`-F FILE`) in connectionSpecFromVars: what each keyword does,
 * and that inventory variables and command-line options win over it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionSpecFromVars, parseJumpHop } from '../../../src/connection/spec.js';
import { expandTokens, sshConfigFor } from '../../../src/connection/ssh-config.js';
import { BosunError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-sshcfg-'));
const file = join(dir, 'config');
writeFileSync(
  file,
  `
Host web*
  HostName %h.example.com
  User deploy
  Port 2201
  IdentityFile ~/.ssh/web_key
  IdentitiesOnly yes
  ProxyJump ops@bastion:2022
  ServerAliveInterval 30
  ServerAliveCountMax 2

Host db1
  HostName 10.1.0.5
  StrictHostKeyChecking accept-new
  UserKnownHostsFile ${dir}/db_known_hosts
  ConnectTimeout 4
  ProxyJump bastion,inner

Host bastion
  HostName 192.0.2.10
  User jump
  IdentityFile ${dir}/jump_key
  UserKnownHostsFile ${dir}/jump_known_hosts

Host inner
  HostName 10.1.0.1
  Port 2222

Host loop
  ProxyJump loop

Host *
  User fallback
  IdentityFile ~/.ssh/id_all
`,
);
const defaults = { sshConfigFile: file, knownHostsFiles: ['/kh'] };
const home = homedir();

describe('ssh config in connectionSpecFromVars', () => {
  const cases: Array<[string, string, Record<string, unknown>, Record<string, unknown>]> = [
    [
      'HostName with %h, User, Port, IdentityFile list, keepalives',
      'web1',
      {},
      {
        address: 'web1.example.com',
        user: 'deploy',
        port: 2201,
        identityFiles: [`${home}/.ssh/web_key`, `${home}/.ssh/id_all`],
        identitiesOnly: true,
        serverAliveIntervalMs: 30_000,
        serverAliveCountMax: 2,
      },
    ],
    [
      'looked up by ansible_host',
      'anything',
      { ansible_host: 'web2' },
      { address: 'web2.example.com', user: 'deploy' },
    ],
    [
      'inventory variables win',
      'web1',
      { ansible_user: 'root', ansible_port: 22, ansible_ssh_private_key_file: '/inv/key' },
      { user: 'root', port: 22, privateKeyFile: '/inv/key', address: 'web1.example.com' },
    ],
    [
      '-o options in ssh args win over the file',
      'web1',
      { ansible_ssh_common_args: '-o User=cli -o HostName=1.2.3.4 -o ProxyJump=none' },
      { user: 'cli', address: '1.2.3.4' },
    ],
    [
      'StrictHostKeyChecking, UserKnownHostsFile, ConnectTimeout',
      'db1',
      {},
      {
        address: '10.1.0.5',
        strictHostKeyChecking: true,
        acceptNewHostKeys: true,
        knownHostsFiles: [`${dir}/db_known_hosts`, '/kh'],
        connectTimeoutMs: 4000,
      },
    ],
    ['ansible_timeout wins over ConnectTimeout', 'db1', { ansible_timeout: 9 }, { connectTimeoutMs: 9000 }],
    ['Host * supplies what nothing else does', 'other', {}, { user: 'fallback', address: 'other', port: 22 }],
  ];
  it.each(cases)('%s', (_what, name, vars, expected) => {
    expect(connectionSpecFromVars(name, vars, defaults)).toMatchObject(expected);
  });

  it('ProxyJump=none in the ssh args turns the config ProxyJump off', () => {
    expect(
      connectionSpecFromVars('web1', { ansible_ssh_common_args: '-o ProxyJump=none' }, defaults).jumpHosts,
    ).toBeUndefined();
  });

  it('the run user (-u) wins over the config User, the inventory over both', () => {
    expect(connectionSpecFromVars('web1', {}, { ...defaults, user: 'admin' }).user).toBe('admin');
    expect(connectionSpecFromVars('web1', { ansible_user: 'me' }, { ...defaults, user: 'admin' }).user).toBe('me');
  });

  it('ProxyJump: one hop, looked up in the config itself', () => {
    const spec = connectionSpecFromVars('web1', { ansible_ssh_private_key_file: '/inv/key' }, defaults);
    expect(spec.jumpHosts).toHaveLength(1);
    expect(spec.jumpHosts![0]).toMatchObject({
      name: 'ops@bastion:2022',
      address: '192.0.2.10',
      user: 'ops',
      port: 2022,
      identityFiles: [`${dir}/jump_key`, `${home}/.ssh/id_all`],
      knownHostsFiles: [`${dir}/jump_known_hosts`, '/kh'],
    });
    expect(spec.jumpHosts![0]!.password).toBeUndefined();
  });

  it('ProxyJump: a chain, nearest first; a hop without IdentityFile takes the target key', () => {
    const spec = connectionSpecFromVars(
      'db1',
      { ansible_ssh_private_key_file: '/inv/key', ansible_password: 'secret' },
      { ...defaults, sshConfigFile: file },
    );
    expect(spec.jumpHosts!.map((h) => [h.address, h.port, h.user])).toEqual([
      ['192.0.2.10', 22, 'jump'],
      ['10.1.0.1', 2222, 'fallback'],
    ]);
    expect(spec.jumpHosts!.every((h) => h.password === undefined)).toBe(true);
  });

  it('-J in ansible_ssh_common_args, and the first hop inherits the target key and known_hosts', () => {
    const spec = connectionSpecFromVars(
      'h',
      {
        ansible_host: '127.0.0.9',
        ansible_ssh_private_key_file: '/inv/key',
        ansible_ssh_common_args: '-o UserKnownHostsFile=/sb/kh -J root@127.0.0.8:2200',
      },
      { sshConfigFile: 'none' },
    );
    expect(spec.jumpHosts).toEqual([
      expect.objectContaining({
        address: '127.0.0.8',
        port: 2200,
        user: 'root',
        privateKeyFile: '/inv/key',
        knownHostsFiles: spec.knownHostsFiles,
      }),
    ]);
  });

  it('refuses a ProxyJump loop', () => {
    expect(() => connectionSpecFromVars('loop', {}, defaults)).toThrow(/nests deeper/);
  });

  it('-F names a file that must exist; -F none reads nothing', () => {
    expect(() => connectionSpecFromVars('x', {}, { sshConfigFile: join(dir, 'missing') })).toThrow(BosunError);
    expect(connectionSpecFromVars('web1', {}, { sshConfigFile: 'none' }).address).toBe('web1');
  });

  it('never runs Match exec', () => {
    const f = join(dir, 'exec');
    writeFileSync(f, `Match exec "touch ${dir}/ran"\n  User exec\n`);
    expect(sshConfigFor('a', f)['user']).toBeUndefined();
  });

  it('the local connection ignores the ssh config', () => {
    expect(connectionSpecFromVars('web1', { ansible_connection: 'local' }, defaults)).toMatchObject({
      address: 'web1',
      user: userInfo().username,
    });
  });
});

describe('parseJumpHop and expandTokens', () => {
  it.each([
    ['bastion', { host: 'bastion' }],
    ['ops@bastion', { user: 'ops', host: 'bastion' }],
    ['ops@bastion:2022', { user: 'ops', host: 'bastion', port: 2022 }],
    ['ssh://ops@[::1]:22', { user: 'ops', host: '::1', port: 22 }],
  ])('%s', (text, hop) => expect(parseJumpHop(text)).toEqual(hop));

  it('expands %h %n %p %r %% and ~', () => {
    expect(expandTokens('~/.ssh/%n-%h-%p-%r-%%', { original: 'web', host: 'web.example', port: 22, user: 'u' })).toBe(
      `${home}/.ssh/web-web.example-22-u-%`,
    );
  });
});
