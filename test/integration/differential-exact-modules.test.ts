/**
 * Exactness of the modules bosun has (issue 17, second part), Ansible vs bosun:
 * command/shell, stat, group, unarchive, systemd. The same playbook on both,
 * same results, recap, files and registered keys.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CASES_DIR, differentialSuite } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.182.0.1', slots: 4 });

/** The names of the tasks of a case's playbook that register a value. */
function registeringTasks(caseDir: string): string[] {
  const plays = parse(readFileSync(path.join(CASES_DIR, caseDir, 'playbook.yml'), 'utf8')) as Array<{
    tasks: Array<{ name: string; register?: string }>;
  }>;
  return plays.flatMap((p) => p.tasks.filter((t) => t.register !== undefined).map((t) => t.name));
}

/** The same keys compared for every registering task of a case. */
function sameKeys(caseDir: string, keys: string[]): Record<string, string[]> {
  return Object.fromEntries(registeringTasks(caseDir).map((t) => [t, keys]));
}

/** What command and shell register, compared for every task. */
const COMMAND_KEYS = ['changed', 'failed', 'msg', 'cmd', 'rc', 'stdout', 'stdout_lines', 'stderr', 'stderr_lines'];

/** stat's keys that are the same on two hosts made alike (not times, inode or dev). */
const STAT_KEYS = [
  'exists',
  'path',
  'mode',
  'isdir',
  'ischr',
  'isblk',
  'isreg',
  'isfifo',
  'islnk',
  'issock',
  'uid',
  'gid',
  'size',
  'nlink',
  'wusr',
  'rusr',
  'xusr',
  'wgrp',
  'rgrp',
  'xgrp',
  'woth',
  'roth',
  'xoth',
  'isuid',
  'isgid',
  'blocks',
  'block_size',
  'device_type',
  'readable',
  'writeable',
  'executable',
  'lnk_source',
  'lnk_target',
  'pw_name',
  'gr_name',
  'checksum',
  'mimetype',
  'charset',
  'version',
  'attributes',
  'attr_flags',
];

suite.describe('exactness of existing modules (2): Ansible vs bosun', () => {
  suite.case(
    'command and shell: registered keys, invalid chdir, failures, creates/removes, stdin, check mode',
    'exact/command',
    {
      compare: {
        registered: {
          ...sameKeys('exact/command', COMMAND_KEYS),
          'timings of command echo': ['msg'],
          // Skipped: bosun registers failed: false there too (docs/ansible-differences.md).
          'command in check mode': [...COMMAND_KEYS, 'skipped', 'start', 'end', 'delta'].filter((k) => k !== 'failed'),
          ...Object.fromEntries(
            [
              'shell in check mode with creates',
              'command invalid chdir',
              'command creates in check mode',
              'command removes in check mode would run',
            ].map((t) => [t, [...COMMAND_KEYS, 'skipped', 'start', 'end', 'delta']]),
          ),
        },
      },
    },
  );

  suite.case('stat: every key for a file, folder, links, fifo, socket, device, nameless owner, missing', 'exact/stat', {
    compare: {
      registered: {
        ...Object.fromEntries(
          registeringTasks('exact/stat')
            .filter((t) => t.startsWith('stat '))
            .map((t) => [t, ['changed', 'failed', ...STAT_KEYS.map((k) => `stat.${k}`)]]),
        ),
        ...Object.fromEntries(
          registeringTasks('exact/stat')
            .filter((t) => !t.startsWith('stat '))
            .map((t) => [t, ['msg']]),
        ),
        'stat missing': ['changed', 'failed', 'stat'],
      },
    },
  });

  suite.case(
    'stat and file as an unprivileged become user: unreadable file, closed folder, own files',
    'exact/stat-become',
    {
      setup: 'id statuser >/dev/null 2>&1 || useradd -m statuser',
      compare: {
        files: '/home/statuser/mine',
        registered: {
          ...Object.fromEntries(
            registeringTasks('exact/stat-become')
              .filter((t) => t.startsWith('stat '))
              .map((t) => [t, ['changed', 'failed', 'msg', ...STAT_KEYS.map((k) => `stat.${k}`)]]),
          ),
          'keys of unreadable file': ['msg'],
          ...Object.fromEntries(
            registeringTasks('exact/stat-become')
              .filter((t) => t.startsWith('file '))
              // Not msg: bosun's file registers its own msg, and other failure texts (docs/ansible-differences.md).
              .map((t) => [t, ['changed', 'failed', 'state', 'mode', 'owner', 'group', 'uid', 'gid']]),
          ),
        },
      },
    },
  );

  suite.case(
    'unarchive: creates over an existing path is skipped, in check mode too; a second run is skipped',
    'exact/unarchive',
    {
      compare: {
        files: '/opt/diff',
        registered: {
          ...Object.fromEntries(
            ['creates exists', 'creates exists in check mode', 'creates missing again'].map((t) => [
              t,
              ['changed', 'skipped', 'msg'],
            ]),
          ),
          'creates missing': ['changed', 'failed', 'dest'],
        },
      },
    },
  );

  // Both refuse the arguments; bosun at load (module arguments are checked before any host is touched).
  suite.case('group: non_unique without gid is refused', 'exact/group-non-unique', {
    compare: {
      error: {
        ansible: /non_unique is True but all of the following are missing: gid/,
        bosun:
          /playbook\.yml:\d+:\d+: arguments of module 'group' is missing the required key 'gid' \(needed when 'non_unique' is true\)/,
      },
      differs: {
        why: 'module arguments are checked at load',
        ansible: { exitCode: 2, results: ['non_unique without gid|h1|failed'] },
        bosun: { exitCode: 1, recap: {}, results: [] },
      },
    },
  });

  suite.case('unarchive: include and exclude together are refused', 'exact/unarchive-include-exclude', {
    // Ansible's action plugin checks dest and src before the arguments.
    setup: 'mkdir -p /opt/diff && tar -C /etc -czf /opt/diff/a.tgz hostname',
    compare: {
      error: {
        ansible: /parameters are mutually exclusive: include\|exclude/,
        bosun: /playbook\.yml:\d+:\d+: module 'unarchive' takes 'include' or 'exclude', not both/,
      },
      differs: {
        why: 'module arguments are checked at load',
        ansible: { exitCode: 2, results: ['include and exclude|h1|failed'] },
        bosun: { exitCode: 1, recap: {}, results: [] },
      },
    },
  });

  suite.case('systemd: SYSTEMD_OFFLINE=1 on a host without a running systemd', 'exact/systemd-offline', {
    compare: {
      warning: {
        ansible: /Target is a chroot or systemd is offline/,
        bosun: /Target is a chroot or systemd is offline/,
      },
      registered: {
        // Not msg: bosun's systemd registers the commands it ran (docs/ansible-differences.md).
        'enable offline': ['changed', 'failed', 'enabled'],
        'enable offline again': ['changed', 'failed', 'msg', 'enabled'],
        'state offline': ['changed', 'failed', 'state'],
        'disable offline in check mode': ['changed', 'failed', 'enabled'],
        links: ['stdout'],
      },
    },
  });
});
