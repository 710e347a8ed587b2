/**
 * Modules of issue 17 (ping, raw, tempfile, find, getent, ini_file,
 * authorized_key, cron, hostname), Ansible vs bosun: the same playbook on
 * both, same results, recap, files and the registered keys roles read.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CASES_DIR, differentialSuite } from '../helpers/differential.js';

/** The warning both print for a path that is not a folder. */
const FIND_WARNING = { ansible: /Skipped '\/opt\/diff\/nope' path/, bosun: /Skipped '\/opt\/diff\/nope' path/ };

const suite = differentialSuite({ base: '127.157.0.1', slots: 2 });

suite.describe('modules: Ansible vs bosun', () => {
  const checkKeys = ['changed', 'failed', 'dest', 'checksum', 'msg', 'size', 'state'];
  suite.case('copy and template in check mode: what is registered', 'modules/copy-check', {
    compare: {
      files: '/opt/diff',
      registered: {
        'copy new': checkKeys,
        'copy changed': checkKeys,
        'copy same': ['changed', 'failed', 'dest', 'checksum'],
        'copy mode only': ['changed', 'failed', 'dest'],
        'template new': checkKeys,
      },
    },
  });

  const statKeys = ['exists', 'isreg', 'isdir', 'islnk', 'mode', 'size', 'checksum', 'mimetype', 'charset'];
  suite.case('stat: mimetype, charset and attributes by default, links, sha256, missing', 'modules/stat', {
    compare: {
      registered: {
        'stat file': [...statKeys, 'attributes', 'attr_flags'].map((k) => `stat.${k}`),
        'stat folder': ['exists', 'isdir', 'mimetype', 'charset', 'attributes'].map((k) => `stat.${k}`),
        'stat binary': ['checksum', 'mimetype', 'charset', 'size'].map((k) => `stat.${k}`),
        'stat link': ['islnk', 'lnk_target', 'mimetype', 'charset'].map((k) => `stat.${k}`),
        'stat link followed': ['islnk', 'isreg', 'checksum', 'mimetype'].map((k) => `stat.${k}`),
        'stat without mime and attributes': ['stat.mimetype', 'stat.attributes', 'stat.checksum', 'stat.exists'],
        'stat missing': ['stat', 'changed'],
      },
    },
  });

  suite.case('ping: pong, data, data=crash, check mode', 'modules/ping', {
    compare: {
      registered: {
        ping: ['ping', 'changed', 'failed'],
        'ping with data': ['ping', 'changed'],
        'ping crash': ['failed', 'changed', 'msg', 'ping'],
        'ping in check mode': ['ping', 'changed', 'skipped'],
      },
    },
  });

  // Ansible runs raw with a terminal: its stdout ends lines in \r\n (docs/ansible-differences.md), so stdout_lines.
  suite.case('raw: as given, failing, executable, check mode, a file', 'modules/raw', {
    compare: {
      files: '/opt/diff',
      registered: {
        'raw echo': ['rc', 'stdout_lines', 'changed', 'failed'],
        'raw fails': ['rc', 'stdout_lines', 'changed', 'failed', 'msg'],
        'raw with an executable': ['rc', 'stdout_lines', 'changed'],
        'raw in check mode': ['changed', 'skipped', 'rc'],
        'raw writes a file': ['rc', 'changed', 'stdout_lines'],
      },
    },
  });

  suite.case('tempfile: file, folder, default folder, missing folder, check mode', 'modules/tempfile', {
    compare: {
      registered: {
        'tempfile file': ['changed', 'failed'],
        'tempfile folder': ['changed'],
        shapes: ['stdout'],
        'tempfile missing folder': ['changed', 'failed'],
        'tempfile in check mode': ['changed', 'skipped', 'msg', 'path'],
      },
    },
  });

  // Every key of each file but inode, dev and the times (the two hosts made their trees a moment apart).
  const fileKeys = ['path', 'mode', 'isdir', 'ischr', 'isblk', 'isreg', 'isfifo', 'islnk', 'issock', 'uid', 'gid']
    .concat(['size', 'nlink', 'gr_name', 'pw_name', 'wusr', 'rusr', 'xusr', 'wgrp', 'rgrp', 'xgrp', 'woth', 'roth'])
    .concat(['xoth', 'isuid', 'isgid', 'checksum']);
  const findKeys = [
    'changed',
    'failed',
    'msg',
    'matched',
    'examined',
    'skipped_paths',
    'warnings',
    ...fileKeys.map((k) => `files[].${k}`),
  ];
  const findTasks = [
    'find default',
    'find patterns',
    'find regex excludes',
    'find directories',
    'find any hidden',
    'find links',
    'find depth',
    'find follow',
    'find size',
    'find small',
    'find age',
    'find young',
    'find contains',
    'find contains whole',
    'find checksum',
    'find missing and a file',
    'find bad age',
    'find excludes glob',
    'find two paths in a string',
    'find through a linked top',
    'find hidden recursive depth',
    'find follow depth',
    'find any size',
    'find regex anchored',
    'find ctime',
    'find in check mode',
  ];
  suite.case('find: patterns, types, depth, follow, size, age, contains, checksums, missing paths', 'modules/find', {
    compare: { registered: Object.fromEntries(findTasks.map((t) => [t, findKeys])), warning: FIND_WARNING },
  });

  const getentKeys = ['changed', 'failed', 'msg', 'ansible_facts'];
  suite.case('getent: keys, whole databases, split, missing keys, unknown database, the fact', 'modules/getent', {
    compare: {
      registered: {
        ...Object.fromEntries(
          [
            'getent passwd root',
            'getent group',
            'getent hosts',
            'getent services split',
            'getent missing key',
            'getent missing key allowed',
            'getent unknown database',
            'getent in check mode',
            'getent with a service',
            'getent passwd whole',
            'getent shadow root',
            'getent key with spaces',
          ].map((t) => [t, getentKeys]),
        ),
        'use the fact': ['stdout'],
      },
    },
  });

  const iniTasks = [
    'new file',
    'same again',
    'replace a value',
    'uncomment an option',
    'add an option',
    'new section',
    'only a section',
    'option without value',
    'values exclusive',
    'values not exclusive',
    'absent one value',
    'absent option',
    'absent option again',
    'global option',
    'absent section',
    'no final newline',
    'a boolean value',
    'mode only',
    'missing without create',
    'no value given',
    'check mode change',
    'crlf and bom',
    'crlf and bom change',
    'duplicate sections',
    'semicolon comment',
    'no value over a value',
    'duplicate values',
    'absent values exclusive',
  ];
  suite.case(
    'ini_file: options, sections, values, exclusive, absent, no_extra_spaces, allow_no_value',
    'modules/ini_file',
    {
      compare: {
        files: '/opt/diff',
        registered: Object.fromEntries(iniTasks.map((t) => [t, ['changed', 'failed', 'msg', 'path', 'rc']])),
      },
    },
  );

  const keyTasks = [
    'add a key',
    'add it again',
    'key without a comment',
    'options replace',
    'same options in another order',
    'comment replaces',
    'several keys',
    'absent key',
    'absent again',
    'exclusive',
    'at a path',
    'invalid key',
    'missing user',
    'check mode',
    'check mode at a new path',
  ];
  suite.case(
    'authorized_key: ~/.ssh and the file, options, comments, several keys, absent, exclusive, path',
    'modules/authorized_key',
    {
      setup: 'userdel -r bosunak >/dev/null 2>&1; useradd -m -s /bin/sh bosunak',
      compare: {
        files: '/home/bosunak',
        command: "find /opt/diff -printf '%p %M %u\\n' 2>/dev/null | sort; cat /opt/diff/keys/bosunak 2>/dev/null",
        registered: Object.fromEntries(
          keyTasks.map((t) => [
            t,
            [
              'changed',
              'failed',
              'msg',
              'keyfile',
              'user',
              'key',
              'path',
              'state',
              'exclusive',
              'comment',
              'key_options',
              'manage_dir',
              'follow',
              'mode',
              'owner',
              'size',
            ],
          ]),
        ),
      },
    },
  );

  // This machine has no cron package: a stand-in crontab command on each host (its setup file says what it does).
  const cronTasks = [
    'add a job',
    'the same job',
    'another time',
    'special time',
    'disabled',
    'env var',
    'env after',
    'env changed',
    'adopt a job',
    'remove a job',
    'remove it again',
    'remove an env var',
    'another user',
    'a cron file',
    'a second job there',
    'remove one there',
    'remove the last there',
    'cron file without user',
    'special time and fields',
    'no job',
    'check mode',
    'env before',
    'job with a trailing newline',
    'job with a line break',
    'backup',
    'env before a missing one',
  ];
  suite.case(
    'cron: jobs, times, special_time, disabled, env, adopted lines, absent, users, cron_file',
    'modules/cron',
    {
      setup: readFileSync(path.resolve(CASES_DIR, 'modules/cron/fake-crontab.sh'), 'utf8'),
      compare: {
        registered: {
          ...Object.fromEntries(
            cronTasks.map((t) => [t, ['changed', 'failed', 'msg', 'jobs', 'envs', 'cron_file', 'state', 'warnings']]),
          ),
          crontabs: ['stdout'],
        },
      },
    },
  );

  // bosun also sets the running name (`hostname NAME`); Ansible's Debian strategy does not (docs/modules.md).
  suite.case(
    'hostname: /etc/hostname on a Debian host without systemd, check mode, facts, use=systemd',
    'modules/hostname',
    {
      compare: {
        registered: {
          'check mode': ['changed', 'name', 'ansible_facts.ansible_hostname', 'ansible_facts.ansible_nodename'],
          'set the name': ['changed', 'name', 'ansible_facts.ansible_hostname', 'ansible_facts.ansible_nodename'],
          'same again': ['changed', 'name', 'ansible_facts.ansible_hostname'],
          'the facts': ['stdout'],
          'use systemd': ['changed', 'failed'],
          'hostname file': ['stdout'],
        },
      },
    },
  );

  suite.case('hostile values through ini_file, authorized_key, cron, getent, tempfile, find', 'modules/hostile', {
    setup: readFileSync(path.resolve(CASES_DIR, 'modules/cron/fake-crontab.sh'), 'utf8'),
    compare: {
      files: '/opt/diff',
      registered: {
        ini_file: ['results[].changed', 'results[].msg', 'results[].failed'],
        authorized_key: ['results[].changed', 'results[].keyfile', 'results[].failed'],
        cron: ['results[].changed', 'results[].jobs', 'results[].failed'],
        getent: ['results[].ansible_facts', 'results[].failed'],
        tempfile: ['results[].changed', 'results[].failed'],
        find: ['matched', 'files[].path', 'files[].size'],
        'tempfile names': ['stdout'],
        'no pwned file': ['stdout'],
      },
    },
  });
});
