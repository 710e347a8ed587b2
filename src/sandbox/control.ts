/**
 * Stop, start and list single hosts of a running sandbox: a stopped host's
 * files stay (its overlay's upper layer), so `start` is a reboot, and a test
 * or a person can watch bosun meet an unreachable host.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BosunError } from '../errors.js';
import { alive, isOurProcess, startHost, stopHost, waitReady, type HostRecord } from './host.js';
import { defaultStateDir, saveState, type SandboxState } from './sandbox.js';

/** Which sandbox: by name or by its state directory. */
export interface SandboxRef {
  name?: string;
  stateDir?: string;
}

/** One host's name, address and whether it is running. */
export interface HostStatus {
  name: string;
  address: string;
  running: boolean;
  pid: number;
}

function loadState(ref: SandboxRef): SandboxState {
  const stateDir = ref.stateDir ?? defaultStateDir(ref.name ?? 'default');
  const file = join(stateDir, 'state.json');
  if (!existsSync(file))
    throw new BosunError('SANDBOX', `no sandbox at ${stateDir}`, { hint: 'start one with: bosun sandbox up N' });
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
}

function findHost(state: SandboxState, which: string): HostRecord {
  const host = state.hosts.find((h) => h.name === which || h.address === which);
  if (!host)
    throw new BosunError(
      'SANDBOX',
      `no host '${which}' in sandbox '${state.name}' (hosts: ${state.hosts.map((h) => h.name).join(', ')})`,
    );
  return host;
}

/** The hosts of a sandbox and whether each is running. */
export function sandboxStatus(ref: SandboxRef): HostStatus[] {
  return loadState(ref).hosts.map((h) => ({
    name: h.name,
    address: h.address,
    pid: h.pid,
    running: h.pid > 0 && alive(h.pid) && isOurProcess(h),
  }));
}

/** Stop one host (by name or address); its files stay for a later start. Returns false if it was not running. */
export async function sandboxStopHost(ref: SandboxRef, which: string): Promise<boolean> {
  const state = loadState(ref);
  return stopHost(findHost(state, which));
}

/** Start a stopped host again with the files it had; no-op when it runs. Returns false if it was running. */
export async function sandboxStartHost(ref: SandboxRef, which: string): Promise<boolean> {
  const state = loadState(ref);
  const host = findHost(state, which);
  if (host.pid > 0 && alive(host.pid) && isOurProcess(host)) return false;
  startHost(host);
  await saveState(state);
  await waitReady(host, host.systemd ? 90_000 : 20_000);
  return true;
}
