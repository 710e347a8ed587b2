/**
 * timezone: community.general's reading of timedatectl and of the Debian and Red Hat files (the
 * /etc/localtime link looked at only when the file names the planned zone), its line edit, hostile names
 * quoted, and check mode's planned values.
 */
import { describe, expect, it } from 'vitest';
import { getModule } from '../../../src/modules/index.js';
import { currentValues, editLines, parseProbe } from '../../../src/modules/timezone.js';
import { ModuleHarness } from '../../helpers/module-harness.js';
import { FakeConnection } from './fake-connection.js';

const h = new ModuleHarness();
const debian = (extra: string): string =>
  `BIN hwclock /usr/sbin/hwclock\nBIN dpkg-reconfigure /usr/sbin/dpkg-reconfigure\nZONEFILE\nOS debian\n${extra}@END\n`;

describe('timezone', () => {
  it('reads timedatectl status', () => {
    const p = parseProbe(
      'BIN timedatectl /usr/bin/timedatectl\n@STATUS\nL                 Time zone: Etc/UTC (UTC, +0000)\nL           RTC in local TZ: yes\n@END\n',
    );
    expect(currentValues(p, { hwclock: 'UTC', name: 'Europe/Paris' })).toEqual({ hwclock: 'local', name: 'Etc/UTC' });
  });

  it('on Debian takes the link only when /etc/timezone already names the planned zone', () => {
    const linked = parseProbe(debian('@ETCTZ\nL Europe/Paris\nLINK /usr/share/zoneinfo/Etc/UTC\nLTEXISTS\n'));
    expect(currentValues(linked, { name: 'Europe/Paris' })).toEqual({ name: 'Etc/UTC' });
    expect(currentValues(linked, { name: 'Asia/Tokyo' })).toEqual({ name: 'Europe/Paris' });
    const broken = parseProbe(debian('@ETCTZ\nL Europe/Paris\nLINK /nowhere\n'));
    expect(currentValues(broken, { name: 'Europe/Paris' })).toEqual({ name: 'n/a' });
    const missing = parseProbe(debian('@ETCTZ-\n@RCS-\n@ADJTIME\nL LOCAL\n'));
    expect(currentValues(missing, { name: 'X', hwclock: 'UTC' })).toEqual({ name: 'n/a', hwclock: 'n/a' });
  });

  it('reads the clock from rcS, then /etc/adjtime when rcS agrees', () => {
    const p = parseProbe(debian('@RCS\nL UTC=yes\n@ADJTIME\nL 0.0 0 0\nL 0\nL LOCAL\n'));
    expect(currentValues(p, { hwclock: 'UTC' })).toEqual({ hwclock: 'local' });
    expect(currentValues(p, { hwclock: 'local' })).toEqual({ hwclock: 'UTC' });
  });

  it('on Red Hat and SUSE reads /etc/sysconfig/clock by its key', () => {
    const rh = parseProbe(
      'BIN hwclock /sbin/hwclock\nZONEFILE\nOS rhel\n@CLOCK\nL ZONE="Europe/Paris"\nL UTC=true\nLTSAME\n@END\n',
    );
    expect(currentValues(rh, { name: 'Europe/Paris', hwclock: 'local' })).toEqual({
      name: 'Europe/Paris',
      hwclock: 'UTC',
    });
    const suse = parseProbe('BIN hwclock /sbin/hwclock\nZONEFILE\nOS sles\n@CLOCK\nL TIMEZONE="Asia/Tokyo"\n@END\n');
    expect(currentValues(suse, { name: 'Europe/Paris' })).toEqual({ name: 'Asia/Tokyo' });
  });

  it('predicts the planned values in check mode and registers them as after', async () => {
    const conn = new FakeConnection([{ match: /ZONEFILE/, result: { stdout: debian('@ETCTZ\nL Etc/UTC\n') } }]);
    const d = await getModule('timezone')!.decide({ ...h.context(), conn, check: true }, { name: 'Europe/Paris' });
    expect(d).toMatchObject({
      kind: 'change',
      data: { diff: { before: { name: 'Etc/UTC' }, after: { name: 'Europe/Paris' } } },
      diff: [{ before: '{\n    "name": "Etc/UTC"\n}\n', after: '{\n    "name": "Europe/Paris"\n}\n' }],
    });
  });

  it('replaces the first matching line and drops the others, as Ansible', () => {
    expect(editLines('# c\nZONE="a"\nX=1\nZONE=b\n', /^ZONE\s*=/, 'ZONE="c"\n')).toEqual({
      text: '# c\nZONE="c"\nX=1\n',
      deleted: 2,
    });
    expect(editLines(null, /^UTC/, 'UTC=yes\n')).toEqual({ text: 'UTC=yes\n', deleted: 0 });
  });

  it('quotes hostile zone names and refuses what is not a zone file', async () => {
    const conn = new FakeConnection([{ match: /ZONEFILE/, result: { stdout: debian('@ETCTZ\nL Etc/UTC\n') } }]);
    const d = await getModule('timezone')!.decide({ ...h.context(), conn }, { name: "-a b'$(id)" });
    expect(conn.scripts[0]).toContain(`[ -f "/usr/share/zoneinfo/-a b'\\$(id)" ]`);
    expect(d.kind).toBe('change');
    const none = new FakeConnection([{ match: /./, result: { stdout: 'BIN hwclock /sbin/hwclock\n@END\n' } }]);
    expect(
      await getModule('community.general.timezone')!.decide({ ...h.context(), conn: none }, { name: 'Mars/X' }),
    ).toMatchObject({
      kind: 'fail',
      msg: 'Error message:\ngiven timezone "Mars/X" is not available',
    });
    expect(await getModule('timezone')!.decide({ ...h.context(), conn: none }, {})).toMatchObject({ kind: 'fail' });
  });
});
