/**
 * Package, repository and system modules of issue 17 (apt_repository, ...), Ansible vs bosun: the same
 * playbook on both, same results, recap, files and registered keys. Ansible's apt modules need python3-apt
 * on the target, which this machine lacks: its .deb files are fetched once (apt-get download, into
 * .sandbox/debs, which the sandbox hosts see through their overlay of /) and installed on every host first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { differentialSuite } from '../helpers/differential.js';

const DEBS = path.resolve('.sandbox/debs');

/** Fetch python3-apt and what it needs that this machine lacks; undefined when done, else why not. */
function fetchPythonApt(): string | undefined {
  try {
    mkdirSync(DEBS, { recursive: true });
    if (!readdirSync(DEBS).some((f) => f.startsWith('python3-apt_')))
      execFileSync('apt-get', ['download', 'python3-apt', 'python-apt-common', 'distro-info-data'], {
        cwd: DEBS,
        stdio: 'pipe',
        timeout: 60_000,
      });
    return undefined;
  } catch (e) {
    return `python3-apt (for Ansible's side) could not be fetched: ${(e as Error).message.split('\n')[0]}`;
  }
}

const aptMissing = existsSync('/usr/bin/ansible-playbook') ? fetchPythonApt() : undefined;
/** Install python3-apt on a host (for Ansible), and remove what earlier cases left in sources.list.d. */
const withPythonApt = `dpkg -i ${DEBS}/*.deb >/dev/null 2>&1 || echo 'python3-apt did not install' >&2
rm -f /etc/apt/sources.list.d/diff* /etc/apt/sources.list.d/-diff* /tmp/pwned ~/pwned`;

const suite = differentialSuite({ base: '127.145.0.1', slots: 2 });

suite.describe('package and system modules: Ansible vs bosun', () => {
  const repoTasks = [
    'add a repo',
    'the same again',
    'other spacing',
    'filename and mode',
    'options and credentials',
    'enable the disabled line',
    'remove one of two',
    'remove the last line',
    'absent again',
    'a comment after the line',
    'not a source line',
    'a commented-out repo',
    'an empty repo',
    'a hostile file name',
    'a line with a line break',
    'check mode',
    'absent in check mode',
  ];
  suite.case(
    'apt_repository: add, enable, remove, filename, mode, invalid lines, check mode',
    'modules/apt_repository',
    {
      setup: withPythonApt,
      ...(aptMissing ? { gap: aptMissing } : {}),
      compare: {
        files: '/etc/apt/sources.list.d',
        registered: {
          ...Object.fromEntries(repoTasks.map((t) => [t, ['changed', 'failed', 'msg', 'repo', 'state']])),
          'no pwned file': ['stdout'],
        },
      },
    },
  );

  suite.case(
    'apt_repository: update_cache with a file:// repository, and a failing update',
    'modules/apt_repository/update',
    {
      setup: withPythonApt,
      ...(aptMissing ? { gap: aptMissing } : {}),
      compare: {
        files: '/etc/apt/sources.list.d',
        registered: {
          'add it and update': ['changed', 'failed', 'repo', 'state'],
          'the list is there': ['stdout'],
          'a repository that is not there': ['changed', 'failed'],
        },
      },
    },
  );
});
