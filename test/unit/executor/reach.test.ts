import { describe, expect, it } from 'vitest';
import { Reacher, ConnectionPool, resolveConnectionSpec } from '../../../src/executor/reach.js';
import { createTemplateEngine } from '../../../src/template/index.js';
import { BosunError } from '../../../src/errors.js';

const engine = createTemplateEngine();
const defaults = { knownHostsFiles: ['/dev/null'], user: 'cli-user' };

describe('resolveConnectionSpec', () => {
  it('remote_user is below ansible_user and above -u, as in Ansible', () => {
    expect(resolveConnectionSpec('h', {}, {}, { engine, defaults }).user).toBe('cli-user');
    expect(resolveConnectionSpec('h', {}, { remoteUser: 'kw' }, { engine, defaults }).user).toBe('kw');
    expect(resolveConnectionSpec('h', { ansible_user: 'var' }, { remoteUser: 'kw' }, { engine, defaults }).user).toBe(
      'var',
    );
  });

  it('renders templated connection variables with the task variables', () => {
    const spec = resolveConnectionSpec(
      'h',
      { ansible_host: '{{ ip }}', ip: '127.0.0.9', ansible_port: 2222 },
      {},
      { engine, defaults },
    );
    expect(spec).toMatchObject({ address: '127.0.0.9', port: 2222 });
  });

  it('an undefined variable in a connection variable points at where that variable is defined', () => {
    const pos = { file: '/inv/hosts.ini', line: 3, col: 9 };
    let err: unknown;
    try {
      resolveConnectionSpec(
        'h',
        { ansible_host: '{{ nope }}' },
        {},
        { engine, defaults, positionOf: (n) => (n === 'ansible_host' ? pos : undefined) },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BosunError);
    expect((err as BosunError).source?.file).toBe('/inv/hosts.ini');
    expect((err as BosunError).source?.line).toBe(3);
  });

  it('ansible_connection from any variable layer decides the connection type', () => {
    expect(resolveConnectionSpec('h', { ansible_connection: 'local' }, {}, { engine, defaults }).type).toBe('local');
  });
});

describe('Reacher and ConnectionPool', () => {
  it('one connection per distinct spec: the same variables share it, other variables get their own', async () => {
    const pool = new ConnectionPool();
    const reach = new Reacher(pool, { engine, defaults });
    try {
      const a = await reach.connect('h', { ansible_connection: 'local' }, {});
      const b = await reach.connect('h', { ansible_connection: 'local' }, {});
      expect(b).toBe(a);
      const c = await reach.connect('h', { ansible_connection: 'local' }, { remoteUser: 'other' });
      expect(c).not.toBe(a);
      expect(c.spec.user).toBe('other');
      const again = await reach.connect('h', { ansible_connection: 'local' }, {});
      expect(again).toBe(a);
    } finally {
      await pool.closeAll();
    }
  });
});
