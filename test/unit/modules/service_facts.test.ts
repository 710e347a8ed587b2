/**
 * service_facts: Ansible 2.14's reading of `service --status-all` and systemctl's listings (the bullet of a
 * bad unit, unit files systemd has not loaded), hostile unit names, and the skipped result with no services.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { parseStatusAll, parseUnitFiles, parseUnits } from '../../../src/modules/service_facts.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();

describe('service_facts', () => {
  it('reads [ + ] and [ - ] lines only, names with spaces kept', () => {
    expect(parseStatusAll([' [ + ]  ssh', ' [ - ]  my service', ' [ ? ]  odd', 'junk'])).toEqual({
      ssh: { name: 'ssh', state: 'running', source: 'sysv' },
      'my service': { name: 'my service', state: 'stopped', source: 'sysv' },
    });
  });

  it('drops the bullet of bad units and takes ACTIVE and SUB of good ones', () => {
    const units = parseUnits([
      '  UNIT LOAD ACTIVE SUB DESCRIPTION',
      '* auditd.service not-found inactive dead auditd.service',
      '  dbus.service loaded active running D-Bus',
      '  -x.service loaded inactive dead "quoted"',
    ]);
    expect(units['auditd.service']).toEqual({
      name: 'auditd.service',
      state: 'stopped',
      status: 'not-found',
      source: 'systemd',
    });
    expect(units['dbus.service']).toMatchObject({ state: 'running', status: 'active' });
    expect(units['-x.service']).toMatchObject({ state: 'stopped', status: 'inactive' });
  });

  it('fails as Ansible on a malformed unit-files line', () => {
    expect(parseUnitFiles(['a.service enabled enabled', 'b.service disabled'])).toEqual([
      ['a.service', 'enabled'],
      ['b.service', 'disabled'],
    ]);
    expect(parseUnitFiles(['lonely.service'])).toBe(
      'Malformed output discovered from systemd list-unit-files: lonely.service',
    );
  });

  it('asks systemctl show only for unit files not loaded, quoting hostile names', async () => {
    const conn = new FakeConnection([
      { match: /--property=ActiveState/, result: { stdout: 'S -x$(id).service|0|ActiveState=inactive\n' } },
      {
        match: /list-units/,
        result: {
          stdout:
            '@UNITS\nL   a.service loaded active running A\n@FILES\nL a.service enabled enabled\nL -x$(id).service static -\n@END\n',
        },
      },
    ]);
    const d = await getModule('service_facts')!.decide({ ...h.context(), conn }, {});
    expect(d).toMatchObject({
      kind: 'ok',
      facts: {
        services: {
          'a.service': { state: 'running', status: 'enabled' },
          '-x$(id).service': { state: 'inactive', status: 'static', source: 'systemd' },
        },
      },
    });
    expect(conn.scripts[1]).toContain('systemctl show --property=ActiveState -- -x\\$\\(id\\).service');
    expect(conn.scripts[1]).not.toContain('a.service');
  });

  it('warns as Ansible when service --status-all fails, keeping what it listed', async () => {
    const conn = new FakeConnection([
      { match: /status-all/, result: { stdout: '@SYSV\nRC 1\nL  [ + ]  cron\nE oops\n@END\n' } },
    ]);
    expect(await getModule('service_facts')!.decide({ ...h.context(), conn }, {})).toMatchObject({
      kind: 'ok',
      warnings: ["Unable to query 'service' tool (1): oops"],
      facts: { services: { cron: { name: 'cron', state: 'running', source: 'sysv' } } },
    });
  });

  it('skips with Ansible words when nothing lists services', async () => {
    const conn = new FakeConnection([{ match: /./, result: { stdout: '@END\n' } }]);
    expect(await getModule('service_facts')!.decide({ ...h.context(), conn }, {})).toMatchObject({
      kind: 'skip',
      msg: 'Failed to find any services. This can be due to privileges or some other configuration issue.',
    });
  });
});
