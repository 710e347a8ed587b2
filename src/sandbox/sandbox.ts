/**
 * `bosun sandbox up N` / `down`: throwaway hosts on this machine for tests,
 * the demo and the benchmark, with an inventory, a client key and a
 * known_hosts file to reach them with host keys verified.
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BosunError } from '../errors.js';
import { blockBase, SANDBOX_BASE_VARIABLE, sandboxAddresses } from './address.js';
import { isOurProcess, prepareHost, startHost, stopHost, tcpOpen, waitReady, type HostRecord } from './host.js';
import { run, sandboxSupport, SYSTEMD } from './support.js';
import { cgroupDirsFor } from './systemd.js';

/** How many hosts, where, and with or without systemd. */
export interface SandboxOptions {
  count: number;
  systemd?: boolean;
  /** First host address; hosts get consecutive addresses within 127.0.0.0/8 (default: $BOSUN_SANDBOX_BASE, else 127.77.0.1). */
  base?: string;
  /** Sandbox name, so several can run side by side (default 'default'). */
  name?: string;
  /** Where keys, inventory and host layers live (default ~/.cache/bosun/sandbox/<name>). */
  stateDir?: string;
  /** Inventory group name (default 'sandbox'). */
  group?: string;
}

/** One running sandbox host. */
export interface SandboxHost {
  name: string;
  address: string;
  pid: number;
  dir: string;
}

/** A running sandbox and the files to reach it. */
export interface Sandbox {
  name: string;
  stateDir: string;
  hosts: SandboxHost[];
  inventoryFile: string;
  knownHostsFile: string;
  privateKeyFile: string;
}

/** What state.json holds, so `down` (in another process) stops exactly what `up` started. */
export interface SandboxState {
  name: string;
  stateDir: string;
  hosts: HostRecord[];
}

/** The only names a sandbox directory holds. */
const SANDBOX_FILES = [
  'hosts',
  'id_ed25519',
  'id_ed25519.pub',
  'known_hosts',
  'inventory',
  'state.json',
  'state.json.tmp',
];

/** How many hosts are prepared and started at once. */
const START_CONCURRENCY = 16;

/** The default state directory of a named sandbox. */
export function defaultStateDir(name: string): string {
  const home = process.env.HOME ?? homedir();
  return home && home !== '/' && !/[,:\s]/.test(home)
    ? join(home, '.cache', 'bosun', 'sandbox', name)
    : join('/var/tmp/bosun-sandbox', name);
}

/** Run tasks with at most `limit` at a time; every task runs, the first error is rethrown at the end. */
async function bounded<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (e) {
        firstError ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what a task threw, as it was
  if (firstError !== undefined) throw firstError;
}

/** Write state.json atomically. */
export async function saveState(state: SandboxState): Promise<void> {
  const file = join(state.stateDir, 'state.json');
  await fs.writeFile(`${file}.tmp`, JSON.stringify(state, null, 2));
  await fs.rename(`${file}.tmp`, file);
}

/** The INI inventory for the hosts, with the connection variables that reach them. */
function inventoryText(group: string, hosts: HostRecord[], stateDir: string): string {
  return [
    `# Written by bosun sandbox up; removed by bosun sandbox down.`,
    `[${group}]`,
    ...hosts.map((h) => `${h.name} ansible_host=${h.address}`),
    '',
    `[${group}:vars]`,
    'ansible_user=root',
    `ansible_ssh_private_key_file=${join(stateDir, 'id_ed25519')}`,
    `ansible_ssh_common_args='-o UserKnownHostsFile=${join(stateDir, 'known_hosts')}'`,
    '',
  ].join('\n');
}

/** Start `count` sandbox hosts (stopping an earlier sandbox of the same name first). */
export async function sandboxUp(opts: SandboxOptions): Promise<Sandbox> {
  const support = sandboxSupport();
  if (!support.ok) throw new BosunError('SANDBOX', support.reason);
  const systemd = opts.systemd ?? false;
  if (systemd && !existsSync(SYSTEMD))
    throw new BosunError('SANDBOX', `--systemd needs ${SYSTEMD} (apt-get install -y systemd)`);
  const name = opts.name ?? 'default';
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new BosunError('SANDBOX', `sandbox name '${name}' may only use letters, digits, '.', '_' and '-'`);
  const addresses = sandboxAddresses(opts.base ?? blockBase(), opts.count);
  const stateDir = opts.stateDir ?? defaultStateDir(name);
  await sandboxDown({ stateDir });
  // Readiness is "port 22 answers": an address already taken would look ready at once.
  const taken = (await Promise.all(addresses.map(async (a) => ((await tcpOpen(a)) ? a : undefined)))).filter(Boolean);
  if (taken.length > 0) {
    throw new BosunError(
      'SANDBOX',
      `port 22 is already in use on ${taken.slice(0, 5).join(', ')}${taken.length > 5 ? ', ...' : ''}`,
      {
        hint: `another sandbox or sshd listens there (perhaps another user's or CI job's): bring it down, or pick another base (--base, or ${SANDBOX_BASE_VARIABLE} for the whole block)`,
      },
    );
  }
  await fs.mkdir(join(stateDir, 'hosts'), { recursive: true, mode: 0o700 });
  const privateKeyFile = join(stateDir, 'id_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `bosun-sandbox-${name}`, '-f', privateKeyFile]);
  const publicKey = await fs.readFile(`${privateKeyFile}.pub`, 'utf8');
  const width = Math.max(2, String(opts.count).length);
  const hosts: HostRecord[] = addresses.map((address, i) => {
    const hostName = `node${String(i + 1).padStart(width, '0')}`;
    return {
      name: hostName,
      address,
      dir: join(stateDir, 'hosts', hostName),
      pid: 0,
      systemd,
      cgroups: systemd ? cgroupDirsFor(`bosun-sandbox-${name}-${hostName}`) : [],
    };
  });
  const state: SandboxState = { name, stateDir, hosts };
  await saveState(state);
  const knownHosts = new Map<string, string>();
  let saving = Promise.resolve();
  try {
    await bounded(hosts, START_CONCURRENCY, async (host) => {
      knownHosts.set(host.name, await prepareHost(host, publicKey));
      startHost(host);
      saving = saving.then(() => saveState(state));
      await waitReady(host, systemd ? 90_000 : 20_000);
    });
    await saving;
  } catch (e) {
    await saving.catch(() => undefined);
    await sandboxDown({ stateDir }).catch(() => undefined);
    throw e;
  }
  const knownHostsFile = join(stateDir, 'known_hosts');
  await fs.writeFile(knownHostsFile, hosts.map((h) => knownHosts.get(h.name)).join('\n') + '\n');
  const inventoryFile = join(stateDir, 'inventory');
  await fs.writeFile(inventoryFile, inventoryText(opts.group ?? 'sandbox', hosts, stateDir));
  return {
    name,
    stateDir,
    hosts: hosts.map(({ name: n, address, pid, dir }) => ({ name: n, address, pid, dir })),
    inventoryFile,
    knownHostsFile,
    privateKeyFile,
  };
}

/** Mount points under a directory, deepest first (none are expected: host mounts are private). */
function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** Stop a sandbox's hosts (only the PIDs state.json names), unmount, and remove its directory. */
export async function sandboxDown(opts: { name?: string; stateDir?: string }): Promise<number> {
  const stateDir = opts.stateDir ?? defaultStateDir(opts.name ?? 'default');
  if (!existsSync(stateDir)) return 0;
  let state: SandboxState | undefined;
  try {
    state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as SandboxState;
  } catch {
    state = undefined;
  }
  // Never remove a directory that is not a sandbox's, whatever path was given.
  const foreign = (await fs.readdir(stateDir)).filter((f) => !SANDBOX_FILES.includes(f));
  if (foreign.length > 0) {
    throw new BosunError(
      'SANDBOX',
      `${stateDir} does not look like a sandbox directory (it has ${foreign.slice(0, 3).join(', ')}); not touching it`,
    );
  }
  let stopped = 0;
  const failures: string[] = [];
  await bounded(state?.hosts ?? [], START_CONCURRENCY, async (host) => {
    try {
      if (await stopHost(host)) stopped++;
    } catch (e) {
      failures.push((e as Error).message);
    }
  });
  const stillRunning = (state?.hosts ?? []).filter((h) => h.pid > 0 && isOurProcess(h));
  if (failures.length > 0 || stillRunning.length > 0) {
    const why = failures.join('; ') || stillRunning.map((h) => h.name).join(', ');
    throw new BosunError('SANDBOX', `could not stop every sandbox host, left ${stateDir} in place: ${why}`);
  }
  for (const mountPoint of mountsUnder(stateDir)) await run('umount', ['-l', mountPoint]).catch(() => undefined);
  if (mountsUnder(stateDir).length > 0)
    throw new BosunError('SANDBOX', `mounts remain under ${stateDir}; not removing it`);
  await fs.rm(stateDir, { recursive: true, force: true });
  return stopped;
}
