/**
 * What keeps a sandbox host's hands off the machine it runs on. A host shares
 * this machine's kernel and network namespace, so, as container runtimes do,
 * the kernel's settings are mounted read-only and the capabilities that act
 * on the whole machine are taken from every process of the host. This guards
 * against roles that would change the machine by accident (a `sysctl` task,
 * `modprobe`, `ip addr add`, `date -s`); it is not a boundary against hostile
 * code running as root, which could still mount a fresh `proc` elsewhere.
 */
import { sh } from '../util/shell.js';

/**
 * The `/proc` entries that write machine-wide state, bound read-only onto
 * themselves: Docker's read-only list plus `acpi` and `scsi` (which it masks).
 */
export const READ_ONLY_PROC = ['sys', 'sysrq-trigger', 'irq', 'bus', 'fs', 'acpi', 'scsi'];

/**
 * Capabilities no process of a host gets (dropped from the bounding set before
 * its init starts), as systemd-nspawn drops them for a container that shares
 * the machine's network: the network's settings, kernel modules, raw I/O, the
 * clock and its alarms, the kernel log, process accounting, suspend blockers,
 * MAC policy, BPF programs and perf events.
 */
export const DROPPED_CAPABILITIES = [
  'net_admin',
  'sys_module',
  'sys_rawio',
  'sys_time',
  'syslog',
  'wake_alarm',
  'block_suspend',
  'sys_pacct',
  'mac_admin',
  'mac_override',
  'bpf',
  'perfmon',
];

/** Shell lines, run after `proc` is mounted on `merged/proc`, that make the kernel's settings read-only. */
export function readOnlyKernelLines(merged: string): string[] {
  return [
    sh`for p in ${READ_ONLY_PROC}; do if [ -e ${merged}/proc/"$p" ]; then mount --bind ${merged}/proc/"$p" ${merged}/proc/"$p"; mount -o remount,bind,ro ${merged}/proc/"$p"; fi; done`,
    // Without a /sys of its own a light host sees an empty folder, and systemd would mount sysfs read-write.
    sh`mount -t sysfs -o ro,nosuid,nodev,noexec sysfs ${merged}/sys`,
  ];
}

/** The command prefix that starts a host's init without the dropped capabilities. */
export function withoutMachineCapabilities(): string {
  return sh`setpriv --bounding-set ${DROPPED_CAPABILITIES.map((c) => `-${c}`).join(',')}`;
}
