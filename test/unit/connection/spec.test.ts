import { homedir, userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { LocalConnection } from '../../../src/connection/local.js';
import { SshConnection } from '../../../src/connection/ssh.js';
import { connectionSpecFromVars, createConnection, sshOptions } from '../../../src/connection/spec.js';

const home = homedir();
const defaultKnown = [`${home}/.ssh/known_hosts`, '/etc/ssh/ssh_known_hosts'];

describe('connectionSpecFromVars', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    [
      'defaults',
      {},
      {
        type: 'ssh',
        address: 'web1',
        port: 22,
        user: userInfo().username,
        strictHostKeyChecking: true,
        knownHostsFiles: defaultKnown,
        connectTimeoutMs: 10_000,
      },
    ],
    [
      'ansible_host and port',
      { ansible_host: '127.0.0.5', ansible_port: '2222' },
      { address: '127.0.0.5', port: 2222 },
    ],
    ['numeric port', { ansible_port: 2200 }, { port: 2200 }],
    ['user', { ansible_user: 'deploy' }, { user: 'deploy' }],
    [
      'legacy names',
      { ansible_ssh_host: '10.0.0.1', ansible_ssh_user: 'ops', ansible_ssh_port: 23 },
      { address: '10.0.0.1', user: 'ops', port: 23 },
    ],
    ['key file with ~', { ansible_ssh_private_key_file: '~/.ssh/deploy' }, { privateKeyFile: `${home}/.ssh/deploy` }],
    ['ansible_password', { ansible_password: 's3cret' }, { password: 's3cret' }],
    ['ansible_ssh_pass', { ansible_ssh_pass: 'p' }, { password: 'p' }],
    ['local', { ansible_connection: 'local' }, { type: 'local' }],
    ['localhost without ansible_connection is ssh', {}, { type: 'ssh' }],
    [
      'StrictHostKeyChecking=no',
      { ansible_ssh_common_args: '-o StrictHostKeyChecking=no' },
      { strictHostKeyChecking: false },
    ],
    ['-oKey=value form', { ansible_ssh_common_args: '-oStrictHostKeyChecking=off' }, { strictHostKeyChecking: false }],
    ['-o Key value form', { ansible_ssh_extra_args: '-o StrictHostKeyChecking no' }, { strictHostKeyChecking: false }],
    [
      'quoted "Key value"',
      { ansible_ssh_common_args: `-o 'StrictHostKeyChecking yes'` },
      { strictHostKeyChecking: true },
    ],
    [
      'accept-new',
      { ansible_ssh_common_args: '-o StrictHostKeyChecking=accept-new' },
      { strictHostKeyChecking: true, acceptNewHostKeys: true },
    ],
    [
      'the first value wins, as in ssh (common args come first)',
      {
        ansible_ssh_common_args: '-o StrictHostKeyChecking=no',
        ansible_ssh_extra_args: '-o StrictHostKeyChecking=yes',
      },
      { strictHostKeyChecking: false },
    ],
    [
      'UserKnownHostsFile comes first',
      { ansible_ssh_common_args: '-o UserKnownHostsFile=/tmp/kh -o ControlMaster=auto' },
      { knownHostsFiles: ['/tmp/kh', ...defaultKnown] },
    ],
    [
      'UserKnownHostsFile with ~ and two files',
      { ansible_ssh_common_args: "-o 'UserKnownHostsFile=~/a /b'" },
      { knownHostsFiles: [`${home}/a`, '/b', ...defaultKnown] },
    ],
    ['ConnectTimeout', { ansible_ssh_common_args: '-o ConnectTimeout=3' }, { connectTimeoutMs: 3000 }],
    ['ansible_timeout', { ansible_timeout: 7 }, { connectTimeoutMs: 7000 }],
  ];
  it.each(cases)('%s', (_what, vars, expected) => {
    const name = _what.startsWith('localhost') ? 'localhost' : 'web1';
    expect(connectionSpecFromVars(name, vars, {})).toMatchObject(expected);
  });

  it('takes defaults from the run, host variables win', () => {
    const defaults = {
      user: 'admin',
      privateKeyFile: '/k',
      connectTimeoutMs: 5000,
      strictHostKeyChecking: false,
      knownHostsFiles: ['/inv/known_hosts'],
    };
    expect(connectionSpecFromVars('h', {}, defaults)).toMatchObject({
      user: 'admin',
      privateKeyFile: '/k',
      connectTimeoutMs: 5000,
      strictHostKeyChecking: false,
      knownHostsFiles: ['/inv/known_hosts'],
    });
    expect(
      connectionSpecFromVars(
        'h',
        { ansible_user: 'u', ansible_ssh_common_args: '-o StrictHostKeyChecking=yes' },
        defaults,
      ),
    ).toMatchObject({ user: 'u', strictHostKeyChecking: true });
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['unknown connection', { ansible_connection: 'winrm' }, /connection type 'winrm' is not supported/],
    ['bad port', { ansible_port: 'abc' }, /ansible_port=abc is not a port/],
    ['port out of range', { ansible_port: 70000 }, /not a port/],
    [
      'bad StrictHostKeyChecking',
      { ansible_ssh_common_args: '-o StrictHostKeyChecking=maybe' },
      /StrictHostKeyChecking=maybe/,
    ],
  ];
  it.each(bad)('rejects %s with BAD_OPTION', (_what, vars, message) => {
    let caught: unknown;
    try {
      connectionSpecFromVars('web1', vars, {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BosunError);
    expect((caught as BosunError).code).toBe('BAD_OPTION');
    expect((caught as BosunError).message).toMatch(message);
  });
});

describe('sshOptions', () => {
  it('collects -o options in all three spellings, keys lower-cased', () => {
    const opts = sshOptions(`-C -o ProxyCommand="ssh -W %h:%p jump" -oUser=x -o Port 2222 -v`);
    expect(opts.get('proxycommand')).toBe('ssh -W %h:%p jump');
    expect(opts.get('user')).toBe('x');
    expect(opts.get('port')).toBe('2222');
  });
});

describe('createConnection', () => {
  it('chooses the connection class by type', () => {
    expect(createConnection(connectionSpecFromVars('a', {}, {}))).toBeInstanceOf(SshConnection);
    expect(createConnection(connectionSpecFromVars('a', { ansible_connection: 'local' }, {}))).toBeInstanceOf(
      LocalConnection,
    );
  });
});
