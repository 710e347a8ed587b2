/**
 * What a sandbox needs from this machine (root, Linux namespaces, overlayfs,
 * OpenSSH's sshd) and a small helper to run the tools it uses.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BosunError } from '../errors.js';

/** Where Debian's openssh-server puts the daemon. */
export const SSHD = '/usr/sbin/sshd';
/** systemd's PID 1 binary, for `--systemd` hosts. */
export const SYSTEMD = '/lib/systemd/systemd';

/** Run a program (no shell) and resolve with its stdout; reject with its stderr. */
export function run(file: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err)
        reject(
          new BosunError('SANDBOX', `${file} ${args.join(' ')} failed: ${(stderr || err.message).trim()}`, {
            cause: err,
          }),
        );
      else resolve(stdout);
    });
  });
}

/** Whether a program is on PATH. */
function onPath(name: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin')
    .split(':')
    .some((d) => d !== '' && existsSync(`${d}/${name}`));
}

/** Can this machine run sandbox hosts? Tests skip with the reason when not. */
export function sandboxSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux')
    return { ok: false, reason: `sandbox hosts need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'sandbox hosts need root (Linux namespaces, mounts)' };
  for (const tool of ['unshare', 'setpriv', 'ssh-keygen', 'chroot', 'mount']) {
    if (!onPath(tool))
      return { ok: false, reason: `sandbox hosts need '${tool}' (util-linux / openssh-client / coreutils)` };
  }
  let filesystems: string;
  try {
    filesystems = readFileSync('/proc/filesystems', 'utf8');
  } catch {
    return { ok: false, reason: 'cannot read /proc/filesystems' };
  }
  if (!/\toverlay$/m.test(filesystems)) return { ok: false, reason: 'sandbox hosts need overlayfs (modprobe overlay)' };
  if (!existsSync(SSHD))
    return { ok: false, reason: `sandbox hosts need OpenSSH's sshd (${SSHD}): apt-get install -y openssh-server` };
  return { ok: true };
}

/** Install openssh-server with apt-get when sshd is missing (root on Debian); else say what to do. */
export async function ensureSshd(): Promise<void> {
  if (existsSync(SSHD)) return;
  const how = 'install OpenSSH server (Debian/Ubuntu: apt-get install -y openssh-server)';
  if (process.getuid?.() !== 0)
    throw new BosunError('SANDBOX', `${SSHD} is missing and installing it needs root`, { hint: how });
  if (!existsSync('/usr/bin/apt-get'))
    throw new BosunError('SANDBOX', `${SSHD} is missing and this is not a Debian-like system`, { hint: how });
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await new Promise<void>((resolve, reject) => {
    const opts = { env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 };
    execFile('apt-get', ['install', '-y', '--no-install-recommends', 'openssh-server'], opts, (err, _out, stderr) => {
      if (!err) return resolve();
      // A fresh machine has no package lists yet: update once and retry.
      execFile('apt-get', ['update'], opts, () => {
        execFile(
          'apt-get',
          ['install', '-y', '--no-install-recommends', 'openssh-server'],
          opts,
          (err2, _o, stderr2) => {
            if (err2)
              reject(
                new BosunError('SANDBOX', `apt-get install openssh-server failed: ${(stderr2 || stderr).trim()}`, {
                  hint: how,
                  cause: err2,
                }),
              );
            else resolve();
          },
        );
      });
    });
  });
  if (!existsSync(SSHD))
    throw new BosunError('SANDBOX', `openssh-server installed but ${SSHD} is still missing`, { hint: how });
}
