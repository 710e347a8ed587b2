/**
 * System modules of issue 17 (service_facts, timezone, locale_gen, mount), Ansible vs bosun: the same
 * playbook on both, same results, recap, files and registered keys. Light hosts (127.146.0.x, no systemd)
 * and systemd hosts (127.147.0.x, systemd as PID 1) each run the cases whose behaviour depends on it.
 */
import { expect } from 'vitest';
import { differentialSuite } from '../helpers/differential.js';

const tzTasks = [
  'set a zone',
  'the same again',
  'in check mode',
  'an unknown zone',
  'a name with a space',
  'a name starting with a dash',
  'hardware clock by its alias',
  'hardware clock local',
  'back to UTC',
  'neither',
];
const tzCompare = {
  command: 'cat /etc/timezone; readlink /etc/localtime; cat /etc/default/rcS 2>/dev/null; cat /etc/adjtime 2>/dev/null',
  registered: Object.fromEntries(
    tzTasks.map((t) => [
      t,
      ['changed', 'failed', 'msg', 'diff.before.name', 'diff.after.name', 'diff.before.hwclock', 'diff.after.hwclock'],
    ]),
  ),
};

const light = differentialSuite({ base: '127.146.0.1', slots: 4 });
const booted = differentialSuite({ base: '127.147.0.1', slots: 2, systemd: true });

light.describe('system modules without systemd: Ansible vs bosun', () => {
  light.case('service_facts: sysv scripts, check mode', 'modules/service_facts', {
    compare: {
      registered: {
        gather: ['changed', 'failed', 'skipped', 'msg', 'warnings'],
        names: ['msg'],
        'each service': ['results[].msg'],
        'in check mode': ['changed', 'failed', 'skipped'],
      },
    },
    check: (r) => {
      const names = r.bosun.registered['names']?.['h1']?.[0] as { msg: string[] };
      expect(names.msg.length).toBeGreaterThan(0);
    },
  });

  light.case(
    'timezone: /etc/timezone and /etc/localtime, hwclock, unknown and hostile names, check mode',
    'modules/timezone',
    {
      setup:
        'echo Etc/UTC > /etc/timezone && ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime && rm -f /etc/default/rcS /etc/adjtime',
      compare: tzCompare,
    },
  );

  const localeTasks = [
    'generate',
    'the same again',
    'in check mode',
    'remove',
    'absent again',
    'unknown',
    'no underscore',
    'with a space',
    'a dash',
    'a latin1 locale',
  ];
  light.case(
    'locale_gen: /etc/locale.gen and locale-gen, present, absent, unlisted names, check mode',
    'modules/locale_gen',
    {
      setup:
        "sed -i -e 's/^en_US.UTF-8/# en_US.UTF-8/' -e 's/^en_GB /# en_GB /' /etc/locale.gen && locale-gen >/dev/null",
      compare: {
        command: "grep -v '^#' /etc/locale.gen | grep .; md5sum /etc/locale.gen; locale -a",
        registered: Object.fromEntries(localeTasks.map((t) => [t, ['changed', 'failed', 'msg', 'name']])),
      },
      check: (r) => {
        expect(r.bosun.registered['generate']?.['h1']).toEqual([
          { changed: true, failed: false, msg: 'OK', name: 'en_US.UTF-8' },
        ]);
        expect(r.bosun.command['h1']).toContain('en_GB.iso88591');
      },
    },
  );

  const mountTasks = [
    'present',
    'present again',
    'other options',
    'mounted',
    'mounted again',
    'mounted with new options',
    'remounted',
    'unmounted',
    'unmounted again',
    'remounted when not mounted',
    'mounted in check mode',
    'ephemeral',
    'ephemeral again',
    'ephemeral over another source',
    'unmount the ephemeral one',
    'mount again',
    'absent from fstab',
    'absent from fstab again',
    'back in fstab',
    'absent',
    'a path with a space and an ampersand',
    'the same again',
    'not at boot',
    'not at boot with defaults',
    'without fstype',
    'a name starting with a dash',
    'a mount that fails',
  ];
  const mountKeys = ['changed', 'failed', 'msg', 'name', 'src', 'fstype', 'opts', 'dump', 'passno', 'fstab', 'boot'];
  light.case('mount: a test fstab and tmpfs mounts, every state, escaped fields, check mode', 'modules/mount', {
    setup: 'for m in /srv/diffmnt/*; do umount "$m" 2>/dev/null; done; rm -rf /srv/diffmnt',
    compare: {
      files: '/opt/diff',
      command: 'findmnt -rn -o TARGET,SOURCE,FSTYPE,OPTIONS | grep diffmnt; ls -R /srv/diffmnt',
      registered: Object.fromEntries(mountTasks.map((t) => [t, [...mountKeys, 'backup_file', 'warnings']])),
    },
  });

  light.case('mount: the same under --diff', 'modules/mount', {
    extraArgs: ['--diff'],
    setup: 'for m in /srv/diffmnt/*; do umount "$m" 2>/dev/null; done; rm -rf /srv/diffmnt',
    compare: {
      files: '/opt/diff',
      registered: Object.fromEntries(mountTasks.map((t) => [t, mountKeys])),
    },
  });

  light.case('mount: backup of the fstab', 'modules/mount/backup', {
    setup: 'md5sum /etc/fstab > /tmp/fstab.sum',
    compare: {
      command:
        "ls /opt/diff | sed 's/^fstab\\..*~$/fstab.BACKUP~/'; cat /opt/diff/fstab; cat /opt/diff/fstab.*~ | sort; md5sum -c --quiet /tmp/fstab.sum",
      registered: Object.fromEntries(
        ['with a backup', 'no change, no backup', 'backup of a removal'].map((t) => [t, ['changed', 'failed', 'opts']]),
      ),
    },
    check: (r) => {
      const got = r.bosun.registered['with a backup']?.['h1']?.[0] as { changed: boolean };
      expect(got.changed).toBe(true);
      expect(r.bosun.command['h1']).toContain('fstab.BACKUP~');
    },
  });
});

booted.describe('system modules with systemd: Ansible vs bosun', () => {
  booted.case('service_facts: units and unit files, a unit of the setup', 'modules/service_facts', {
    setup: `printf '[Unit]\\nDescription=diff unit\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/bosun-diff.service
printf '[Unit]\\nDescription=diff stopped\\n[Service]\\nExecStart=/bin/true\\n' > /etc/systemd/system/bosun-diff-off.service
systemctl daemon-reload && systemctl enable --now bosun-diff.service`,
    compare: {
      registered: {
        gather: ['changed', 'failed', 'skipped', 'msg', 'warnings'],
        names: ['msg'],
        'each service': ['results[].msg'],
        'in check mode': ['changed', 'failed', 'skipped'],
      },
    },
  });

  booted.case('timezone: timedatectl, hwclock, unknown and hostile names, check mode', 'modules/timezone', {
    setup: 'timedatectl set-timezone Etc/UTC',
    compare: tzCompare,
    check: (r) => {
      expect(r.bosun.registered['set a zone']?.['h1']?.[0]).toMatchObject({
        changed: true,
        msg: 'executed `/usr/bin/timedatectl set-timezone Europe/Paris`',
      });
    },
  });

  booted.case('systemd_service: the systemd module by its other name', 'modules/systemd_service', {
    setup: `printf '[Unit]\\nDescription=diff svc\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/bosun-diff-svc.service`,
    compare: {
      command: 'systemctl is-active bosun-diff-svc; systemctl is-enabled bosun-diff-svc',
      registered: Object.fromEntries(
        ['start and enable', 'the same again', 'stop in check mode', 'stop', 'a unit that is not there'].map((t) => [
          t,
          ['changed', 'failed', 'name', 'state', 'enabled', 'status.ActiveState'],
        ]),
      ),
    },
  });
});
