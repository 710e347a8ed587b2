/**
 * hostname: the strategy Ansible 2.14 would pick, what each one reads and
 * writes, and hostile names quoted as one word.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { shq } from '../../../src/util/shell.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();
const probe = (o: { systemd?: boolean; os?: string; ctl?: string; hostname?: string; network?: string }) =>
  [
    '@SYSTEMD',
    o.systemd ? '1' : '0',
    '@OS',
    o.os ?? 'debian|',
    '@HOSTNAMECTL',
    ...(o.ctl !== undefined ? ['1', 'TRC 0', `T ${o.ctl}`, 'SRC 0', `S ${o.ctl}`] : ['0']),
    '@ETC_HOSTNAME',
    ...(o.hostname !== undefined ? [`L ${o.hostname}`] : []),
    '@ETC_HOSTNAME_SLES',
    '@NETWORK',
    ...(o.network ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => `L ${l}`),
    '@OPENRC',
    '@END',
    'FQDN old.example',
    '',
  ].join('\n');
async function decide(args: Record<string, unknown>, stdout: string) {
  const conn = new FakeConnection([{ match: /@SYSTEMD/, result: { stdout } }]);
  return { d: await getModule('hostname')!.decide({ ...h.context({ check: true }), conn }, args), conn };
}

describe('hostname', () => {
  it('Debian without systemd: /etc/hostname, and the running name set with hostname', async () => {
    const name = "-x '$(touch /tmp/pwned)'";
    const { d, conn } = await decide({ name }, probe({ hostname: 'old' }));
    expect(d).toMatchObject({
      kind: 'change',
      diff: [{ before: 'hostname = old\n', after: `hostname = ${name}\n` }],
      facts: { ansible_nodename: name, ansible_fqdn: 'old.example', ansible_domain: 'example' },
    });
    if (d.kind !== 'change') throw new Error(d.kind);
    await d.apply();
    expect(conn.scripts[1]).toContain(`printf '%s' ${shq(`${name}\n`)} > /etc/hostname`);
    expect(conn.scripts[1]).toContain(`hostname ${shq(name)} 2>/dev/null`);
  });

  it('the same name is ok; hostname facts split at the first dot', async () => {
    const { d } = await decide({ name: 'web-1.example.test' }, probe({ hostname: 'web-1.example.test' }));
    expect(d).toMatchObject({
      kind: 'ok',
      facts: { ansible_hostname: 'web-1', ansible_nodename: 'web-1.example.test' },
    });
  });

  it('systemd: hostnamectl for what differs, permanent first', async () => {
    const { d, conn } = await decide({ name: 'new' }, probe({ systemd: true, ctl: 'old' }));
    if (d.kind !== 'change') throw new Error(d.kind);
    await d.apply();
    expect(conn.scripts[1]).toMatch(
      /hostnamectl --pretty --static set-hostname new[\s\S]*hostnamectl --transient set-hostname new/,
    );
    const long = await decide({ name: 'x'.repeat(65) }, probe({ systemd: true, ctl: 'old' }));
    expect(long.d).toMatchObject({
      msg: 'name cannot be longer than 64 characters on systemd servers, try a shorter name',
    });
  });

  it('use=debian is systemd in Ansible 2.14; missing hostnamectl fails as Ansible', async () => {
    const { d } = await decide({ name: 'new', use: 'debian' }, probe({ hostname: 'old' }));
    expect(d.kind).toBe('fail');
    expect((d as { msg: string }).msg).toMatch(/^Failed to find required executable "hostnamectl"/);
  });

  it('Red Hat family: HOSTNAME= in /etc/sysconfig/network', async () => {
    const { d, conn } = await decide(
      { name: 'n2' },
      probe({ os: 'rocky|rhel centos fedora', network: 'NETWORKING=yes\nHOSTNAME=n1' }),
    );
    if (d.kind !== 'change') throw new Error(d.kind);
    await d.apply();
    expect(conn.scripts[1]).toContain(`printf '%s' ${shq('NETWORKING=yes\nHOSTNAME=n2\n')} > /etc/sysconfig/network`);
  });

  it('unsupported strategies and platforms are refused clearly', async () => {
    expect((await decide({ name: 'n', use: 'freebsd' }, probe({}))).d).toMatchObject({
      msg: "use=freebsd is not supported by bosun's hostname (it has: alpine, debian, openrc, redhat, sles, systemd)",
    });
    expect((await decide({ name: 'n' }, probe({ os: 'arch|' }))).d).toMatchObject({
      msg: 'hostname module cannot be used on platform Linux (arch)',
    });
  });
});
