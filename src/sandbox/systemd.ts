/**
 * The `--systemd` parts of a sandbox host: systemd as PID 1 confined to its
 * own cgroups, units that must not run in a sandbox masked, readiness by
 * `systemctl is-system-running` inside the host, and cgroup cleanup.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../util/shell.js';

/**
 * Units masked in every systemd host: consoles, the kernel-wide settings
 * (sysctl, binfmt, modules, udev's device events, the clock), timers that
 * would run apt or fstrim, and servers this machine has that tests do not want.
 */
export const MASKED_UNITS = [
  'getty@tty1.service',
  'console-getty.service',
  'serial-getty@ttyS0.service',
  'getty.target',
  'systemd-sysctl.service',
  'systemd-binfmt.service',
  'proc-sys-fs-binfmt_misc.automount',
  'proc-sys-fs-binfmt_misc.mount',
  'systemd-udevd.service',
  'systemd-udev-trigger.service',
  'systemd-udev-settle.service',
  'systemd-udevd-control.socket',
  'systemd-udevd-kernel.socket',
  'systemd-modules-load.service',
  'systemd-timesyncd.service',
  'systemd-remount-fs.service',
  'systemd-pstore.service',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'man-db.timer',
  'fstrim.timer',
  'e2scrub_all.timer',
  'e2scrub_reap.service',
  'dpkg-db-backup.timer',
  'postgresql.service',
];

/** Mask units by linking them to /dev/null in the host's upper layer. */
export async function maskUnits(upper: string, units: string[] = MASKED_UNITS): Promise<void> {
  const dir = join(upper, 'etc', 'systemd', 'system');
  await fs.mkdir(dir, { recursive: true });
  for (const unit of units) {
    await fs.rm(join(dir, unit), { force: true });
    await fs.symlink('/dev/null', join(dir, unit));
  }
}

/**
 * The per-host cgroup directories: a child of this process's current cgroup
 * in every mounted hierarchy but cpuset. /proc/self/cgroup is read once here,
 * not by a shell loop that would see it change as it moves.
 */
export function cgroupDirsFor(leaf: string): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return [];
  }
  const pureV2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const dirs: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, , controllers, path] = m as unknown as [string, string, string, string];
    if (controllers.split(',').includes('cpuset')) continue;
    const mount =
      controllers === ''
        ? pureV2
          ? '/sys/fs/cgroup'
          : '/sys/fs/cgroup/unified'
        : `/sys/fs/cgroup/${controllers.replace(/^name=/, '')}`;
    if (!existsSync(mount)) continue;
    dirs.push(join(mount, path, leaf));
  }
  return dirs;
}

/** Shell lines that move the starting shell into the host's cgroups before `unshare --cgroup`. */
export function cgroupConfinement(dirs: string[]): string {
  return dirs.map((d) => sh`mkdir -p ${d} && echo $$ > ${join(d, 'cgroup.procs')}`).join('\n');
}

/** Remove the host's cgroup trees depth-first; rmdir only removes empty cgroups, so this is safe. */
export async function removeCgroups(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const all: string[] = [];
    const walk = async (d: string): Promise<void> => {
      const entries = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory()) await walk(join(d, e.name));
      all.push(d);
    };
    await walk(dir);
    for (const d of all) {
      // A cgroup is briefly busy after its last process exits: retry a little.
      for (let i = 0; i < 50; i++) {
        try {
          await fs.rmdir(d);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  }
}

/** Ask systemd inside the host (via nsenter into its mount and PID namespaces and root) how booting goes. */
function systemState(initPid: number): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'nsenter',
      ['-t', String(initPid), '-m', '-p', '-r', '-w', 'systemctl', 'is-system-running'],
      { timeout: 5000 },
      (_err, stdout) => {
        resolve(stdout.trim() || 'unreachable');
      },
    );
  });
}

/** Poll `systemctl is-system-running` until it settles (running or degraded) or the deadline passes. */
export async function waitSystemRunning(initPid: number, deadline: number): Promise<string> {
  let state = 'unknown';
  while (Date.now() < deadline) {
    state = await systemState(initPid);
    if (state === 'running' || state === 'degraded') return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  return state;
}
