/**
 * One sandbox host: a directory with an overlay of `/`, and a detached
 * `unshare` process whose PID namespace's init is sshd (or systemd), chrooted
 * into the overlay, listening on the host's own loopback address.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, promises as fs, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { BosunError } from '../errors.js';
import { sh, shq } from '../util/shell.js';
import { readOnlyKernelLines, withoutMachineCapabilities } from './confinement.js';
import { SSHD, SYSTEMD, run } from './support.js';
import { cgroupConfinement, maskUnits, removeCgroups, waitSystemRunning } from './systemd.js';

/** What sandboxUp records per host in state.json, and sandboxDown reads back. */
export interface HostRecord {
  name: string;
  address: string;
  dir: string;
  /** PID of the detached `unshare` process (0 before it was started). */
  pid: number;
  systemd: boolean;
  /** The per-host cgroup directories made for `--systemd` hosts, removed on stop. */
  cgroups: string[];
}

/** The PATH every host process gets: nothing of the caller's environment leaks in. */
const HOST_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

/** Make the host's directories and its files in the overlay's upper layer, before anything is mounted. */
export async function prepareHost(host: HostRecord, clientPublicKey: string): Promise<string> {
  if (/[,:\s]/.test(host.dir))
    throw new BosunError(
      'SANDBOX',
      `sandbox directory ${host.dir} must not contain commas, colons or spaces (overlayfs options)`,
    );
  const upper = join(host.dir, 'upper');
  // The upper layer's own directories give the merged tree its modes: `/` must stay 0755.
  await fs.mkdir(join(upper, 'etc', 'ssh'), { recursive: true, mode: 0o755 });
  await fs.chmod(upper, 0o755);
  await fs.mkdir(join(upper, 'root', '.ssh'), { recursive: true, mode: 0o700 });
  await fs.chmod(join(upper, 'root'), 0o700);
  await fs.chmod(join(upper, 'root', '.ssh'), 0o700);
  await fs.mkdir(join(host.dir, 'work'), { recursive: true });
  await fs.mkdir(join(host.dir, 'merged'), { recursive: true });
  await fs.writeFile(join(upper, 'root', '.ssh', 'authorized_keys'), clientPublicKey, { mode: 0o600 });
  // Without these every login would run this machine's own /root/.bashrc.
  for (const f of ['.bashrc', '.profile']) {
    if (existsSync(join('/etc/skel', f))) await fs.copyFile(join('/etc/skel', f), join(upper, 'root', f));
  }
  // The host's own name resolves locally, as Debian's installer writes it (`127.0.1.1 name`): without it
  // `hostname -f` (the fqdn fact) waits on this machine's DNS server for its 5 s timeout, or longer.
  const machineHosts = existsSync('/etc/hosts') ? await fs.readFile('/etc/hosts', 'utf8') : '127.0.0.1 localhost\n';
  await fs.writeFile(
    join(upper, 'etc', 'hosts'),
    `${machineHosts.replace(/\n?$/, '\n')}${host.address} ${host.name}\n`,
  );
  const keyFile = join(upper, 'etc', 'ssh', 'ssh_host_ed25519_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${host.name}`, '-f', keyFile]);
  if (host.systemd) {
    await fs.mkdir(join(upper, 'etc', 'ssh', 'sshd_config.d'), { recursive: true });
    await fs.writeFile(
      join(upper, 'etc', 'ssh', 'sshd_config.d', 'listen.conf'),
      `ListenAddress ${host.address}\nHostKey /etc/ssh/ssh_host_ed25519_key\n`,
    );
    await fs.writeFile(join(upper, 'etc', 'hostname'), `${host.name}\n`);
    await fs.writeFile(join(upper, 'etc', 'machine-id'), `${randomBytes(16).toString('hex')}\n`);
    await maskUnits(upper);
  }
  const pub = (await fs.readFile(`${keyFile}.pub`, 'utf8')).trim().split(/\s+/);
  return `${host.address} ${pub.slice(0, 2).join(' ')}`;
}

/** The script run inside the new namespaces: mounts, then exec of the host's init. */
function insideScript(host: HostRecord): string {
  const m = join(host.dir, 'merged');
  const lines = [
    'set -e',
    sh`hostname ${host.name}`,
    sh`mount -t overlay overlay -o ${`lowerdir=/,upperdir=${join(host.dir, 'upper')},workdir=${join(host.dir, 'work')}`} ${m}`,
    sh`mount -t proc proc ${m}/proc`,
    // The kernel's settings are the machine's: read-only in every host, light or systemd (confinement.ts).
    ...readOnlyKernelLines(m),
    // A private /dev: never the machine's own (a getty inside would take its console).
    sh`mount -t tmpfs -o mode=755,nosuid tmpfs ${m}/dev`,
    sh`for n in null zero full random urandom tty; do : > ${m}/dev/"$n"; mount --bind /dev/"$n" ${m}/dev/"$n"; done`,
    sh`mkdir ${m}/dev/pts ${m}/dev/shm`,
    sh`mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts ${m}/dev/pts`,
    sh`ln -s pts/ptmx ${m}/dev/ptmx`,
    sh`mount -t tmpfs -o mode=1777 tmpfs ${m}/dev/shm`,
    sh`mount -t tmpfs -o mode=755 tmpfs ${m}/run`,
    sh`mount -t tmpfs -o mode=1777 tmpfs ${m}/tmp`,
    sh`mkdir -p ${m}/run/sshd`,
  ];
  const exec = `exec ${withoutMachineCapabilities()}`;
  if (host.systemd) lines.push(`${exec} ${sh`chroot ${m} ${SYSTEMD} --system`}`);
  else {
    lines.push(
      `${exec} ${sh`chroot ${m} ${SSHD} -D -e -o ${`ListenAddress=${host.address}`} -o PidFile=/run/sshd.pid -o HostKey=/etc/ssh/ssh_host_ed25519_key`}`,
    );
  }
  return lines.join('\n');
}

/** Start the host detached; its init's output goes to `dir/sshd.log`. Sets host.pid. */
export function startHost(host: HostRecord): void {
  const unshare = ['unshare', '--mount', '--uts', '--pid', '--fork', '--propagation', 'private'];
  if (host.systemd) unshare.push('--cgroup');
  const outer = [
    ...(host.systemd ? [cgroupConfinement(host.cgroups)] : []),
    `exec ${unshare.join(' ')} bash -c ${shq(insideScript(host))}`,
  ].join('\n');
  const log = openSync(join(host.dir, 'sshd.log'), 'a');
  try {
    const child = spawn('bash', ['-c', outer], { detached: true, stdio: ['ignore', log, log], env: HOST_ENV });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new BosunError('SANDBOX', `cannot start ${host.name}: spawn of bash failed`);
    host.pid = child.pid;
  } finally {
    closeSync(log);
  }
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether a PID is still the `unshare` (or the bash before it) we started for this host. */
export function isOurProcess(host: HostRecord): boolean {
  try {
    const cmdline = readFileSync(`/proc/${host.pid}/cmdline`, 'utf8');
    return (
      (cmdline.startsWith('unshare\0') || cmdline.startsWith('bash\0')) && cmdline.includes(join(host.dir, 'merged'))
    );
  } catch {
    return false;
  }
}

/** The PID of the namespace's init: the only child of the unshare process. */
function initPid(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length > 0 ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** The end of a host's log, for error messages. */
export function logTail(host: HostRecord, lines = 15): string {
  try {
    return readFileSync(join(host.dir, 'sshd.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Whether something accepts TCP connections on address:22. */
export function tcpOpen(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: 22 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Wait until the host listens (and, with systemd, has finished booting); throws with its log if not. */
export async function waitReady(host: HostRecord, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const fail = (why: string) =>
    new BosunError(
      'SANDBOX',
      `sandbox host ${host.name} (${host.address}) ${why}; the end of ${join(host.dir, 'sshd.log')}:\n${logTail(host)}`,
    );
  while (!(await tcpOpen(host.address))) {
    if (!alive(host.pid)) throw fail('exited before listening on port 22');
    if (Date.now() > deadline) throw fail(`was not listening on port 22 after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 15));
  }
  if (host.systemd) {
    const init = initPid(host.pid);
    if (init === undefined) throw fail('has no init process');
    const state = await waitSystemRunning(init, deadline);
    if (state !== 'running' && state !== 'degraded')
      throw fail(`did not finish booting (systemctl is-system-running: ${state})`);
  }
}

/** Stop a host: only its own PIDs (checked by cmdline), waiting for the whole namespace to end. */
export async function stopHost(host: HostRecord): Promise<boolean> {
  let stopped = false;
  if (host.pid > 0 && alive(host.pid) && isOurProcess(host)) {
    const init = initPid(host.pid);
    const target = init ?? host.pid;
    // systemd powers off on SIGRTMIN+4 (34 + 4 on Linux); sshd ends on SIGTERM.
    const signal = host.systemd && init !== undefined ? 38 : 'SIGTERM';
    try {
      process.kill(target, signal);
    } catch {
      /* already gone */
    }
    if (!(await waitExit(host.pid, host.systemd ? 20_000 : 3000))) {
      // Killing a PID namespace's init ends every process in it.
      try {
        process.kill(init ?? host.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      if (!(await waitExit(host.pid, 5000)))
        throw new BosunError('SANDBOX', `sandbox host ${host.name} (PID ${host.pid}) did not stop`);
    }
    stopped = true;
  }
  if (host.cgroups.length > 0) await removeCgroups(host.cgroups);
  return stopped;
}

/** Poll until a PID is gone (or a zombie); false on timeout. */
async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
