/**
 * `package` passing the backend's own arguments on (apt: allow_downgrade, update_cache, install_recommends),
 * `use: apt`, an argument apt does not take, hostile names: Ansible vs bosun on sandbox hosts. Ansible's apt
 * needs python3-apt on the target: its .deb files are fetched once into .sandbox/debs (as
 * differential-modules-pkg.test.ts does) and installed on the host first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { differentialSuite } from '../helpers/differential.js';

const DEBS = path.resolve('.sandbox/debs');

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
const suite = differentialSuite({ base: '127.207.0.1', slots: 2 });

suite.describe('package with the backend arguments: Ansible vs bosun', () => {
  const tasks = ['downgrade without allow_downgrade', 'downgrade with allow_downgrade', 'again', 'use apt'];
  suite.case(
    'package: allow_downgrade, update_cache, install_recommends, use, unknown argument, hostile names',
    'modules/package-args',
    {
      setup: `dpkg -i ${DEBS}/*.deb >/dev/null 2>&1 || echo 'python3-apt did not install' >&2; rm -f /tmp/pwned`,
      ...(aptMissing ? { gap: aptMissing } : {}),
      compare: {
        command: "dpkg-query -W -f='${Version}\\n' tzdata",
        registered: {
          ...Object.fromEntries(tasks.map((t) => [t, ['changed', 'failed']])),
          'an argument apt does not take': ['changed', 'failed'],
          'a name with a semicolon': ['changed', 'failed'],
          'a name with a leading dash': ['changed', 'failed'],
          'no pwned file': ['rc'],
        },
      },
    },
  );
});
