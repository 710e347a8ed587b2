/**
 * A sandbox host's login user `alice` with sudo rights, for become tests: sudo
 * is installed into the host's overlay only when missing (apt refuses while the
 * shared lower dpkg state is mid-install elsewhere: retried, then `dpkg -i` of
 * the package alone), alice gets the test key and a password.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Connection } from '../../src/connection/types.js';
import { sh } from '../../src/util/shell.js';

/** alice's login and sudo password. */
export const ALICE_PASSWORD = 'Alice-s3cret-pw';

/** Run as root on `root`: make alice, with `NOPASSWD` sudo unless `withPassword`. */
export async function prepareSudoUser(root: Connection, privateKeyFile: string, withPassword: boolean): Promise<void> {
  const pub = readFileSync(`${privateKeyFile}.pub`, 'utf8').trim();
  const rule = withPassword ? 'alice ALL=(ALL) ALL' : 'alice ALL=(ALL) NOPASSWD: ALL';
  const script = [
    'set -e',
    'if [ ! -x /usr/bin/sudo ]; then',
    '  for i in 1 2 3 4 5; do DEBIAN_FRONTEND=noninteractive apt-get install -y -q sudo >/dev/null 2>&1 && break; sleep 3; done',
    '  [ -x /usr/bin/sudo ] || { cd /tmp && apt-get download -q sudo >/dev/null && dpkg -i sudo_*.deb >/dev/null; }',
    'fi',
    'id alice >/dev/null 2>&1 || useradd -m -s /bin/sh alice',
    sh`printf '%s\n' ${`alice:${ALICE_PASSWORD}`} | chpasswd`,
    'mkdir -p /home/alice/.ssh',
    sh`printf '%s\n' ${pub} > /home/alice/.ssh/authorized_keys`,
    'chown -R alice:alice /home/alice/.ssh && chmod 700 /home/alice/.ssh && chmod 600 /home/alice/.ssh/authorized_keys',
    sh`printf '%s\n' ${rule} > /etc/sudoers.d/alice`,
    'chmod 440 /etc/sudoers.d/alice',
  ].join('\n');
  const r = await root.exec(script, { timeoutMs: 240_000 });
  expect({ rc: r.rc, stderr: r.stderr }).toMatchObject({ rc: 0 });
}
