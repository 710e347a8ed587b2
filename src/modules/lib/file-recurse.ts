/**
 * `file`'s `recurse`: what is below a folder, read in the same round trip as
 * the folder's own stat, and the commands giving everything there the same
 * owner, group and mode. With `follow` (the default, as in Ansible) a link
 * below is followed: a linked folder's contents and a linked file get the
 * attributes too, and the link itself its owner and group.
 */
import { sh } from '../../util/shell.js';
import { isEmptyPlan, planAttrs, type WantedAttrs } from './attrs.js';

const STAT_LINE = "-exec stat -c 'F %f %u %g %U %G' {} +";

/** A read-only script listing the attributes of everything below `path` (`F` lines). */
export function recurseProbe(path: string, follow: boolean): string {
  if (!follow) return sh`[ -d ${path} ] && find ${path} -mindepth 1 ! -type l ` + STAT_LINE;
  // Under -L, `-type l` is true only of a dangling link and `-xtype l` of every link.
  return [
    sh`[ -d ${path} ] && find -L ${path} -mindepth 1 ! -type l -exec stat -L -c 'F %f %u %g %U %G' {} +`,
    sh`[ -d ${path} ] && find -L ${path} -mindepth 1 -xtype l ` + STAT_LINE,
  ].join('\n');
}

/** True when something listed by `recurseProbe` lacks an attribute of `want` (a link's own mode never counts). */
export function recurseDiffers(probeStdout: string, want: WantedAttrs): boolean {
  return probeStdout
    .split('\n')
    .filter((l) => l.startsWith('F '))
    .some((l) => {
      const f = l.split(' ');
      const raw = parseInt(f[1]!, 16);
      const isLink = (raw & 0o170000) === 0o120000;
      const attrs = {
        mode: raw & 0o7777,
        uid: Number(f[2]),
        gid: Number(f[3]),
        owner: f[4] ?? '',
        group: f.slice(5).join(' '),
        isDir: (raw & 0o170000) === 0o040000,
      };
      return !isEmptyPlan(planAttrs(isLink ? { ...want, mode: undefined } : want, attrs));
    });
}

/** The mode argument for chmod over many paths: a bare `+x` clause means `a+x`, as in Ansible. */
function chmodArg(mode: string): string {
  return /^[0-7]+$/.test(mode)
    ? mode
    : mode
        .split(',')
        .map((c) => (/^[-+=]/.test(c) ? `a${c}` : c))
        .join(',');
}

/** Commands giving everything below `path` the owner, group and mode of `want`. */
export function recurseCommands(path: string, want: WantedAttrs, follow: boolean): string[] {
  const cmds: string[] = [];
  if (!follow) {
    if (want.owner !== undefined) cmds.push(sh`chown -R ${want.owner} -- ${path}`);
    if (want.group !== undefined) cmds.push(sh`chgrp -R ${want.group} -- ${path}`);
    if (want.mode !== undefined) cmds.push(sh`chmod -R ${chmodArg(want.mode)} -- ${path}`);
    return cmds;
  }
  const targets = sh`find -L ${path} -mindepth 1 ! -type l -exec`;
  const links = sh`find -L ${path} -mindepth 1 -xtype l -exec`;
  for (const [cmd, value] of [
    ['chown', want.owner],
    ['chgrp', want.group],
  ] as const) {
    if (value === undefined) continue;
    cmds.push(`${targets} ${cmd} ` + sh`${value} {} +`);
    cmds.push(`${links} ${cmd} -h ` + sh`${value} {} +`);
  }
  if (want.mode !== undefined) cmds.push(`${targets} chmod ` + sh`${chmodArg(want.mode)} {} +`);
  return cmds;
}

/** A read-only script printing `NOUSER` or `NOGROUP` when the wanted owner or group name does not exist on the target. */
export function identityProbe(want: WantedAttrs): string {
  const lines: string[] = [];
  if (want.owner !== undefined && !/^\d+$/.test(want.owner))
    lines.push(sh`id -u -- ${want.owner} >/dev/null 2>&1 || echo NOUSER`);
  if (want.group !== undefined && !/^\d+$/.test(want.group)) {
    const g = want.group;
    lines.push(
      sh`{ getent group -- ${g} || { ! command -v getent && cut -d: -f1 /etc/group | grep -qxF -- ${g}; }; } >/dev/null 2>&1 || echo NOGROUP`,
    );
  }
  return lines.join('\n');
}
