/** Sandbox hosts: throwaway sshd (and systemd) hosts in Linux namespaces on loopback addresses. */
export {
  sandboxUp,
  sandboxDown,
  defaultStateDir,
  type Sandbox,
  type SandboxHost,
  type SandboxOptions,
} from './sandbox.js';
export { ensureSshd, sandboxSupport } from './support.js';
export {
  sandboxAddresses,
  assertLoopback,
  blockBase,
  inBlock,
  DEFAULT_BASE,
  SANDBOX_BASE_VARIABLE,
} from './address.js';
export { sandboxStatus, sandboxStartHost, sandboxStopHost, type HostStatus, type SandboxRef } from './control.js';
export {
  startDelayProxy,
  delayedSandbox,
  type DelayProxy,
  type DelayProxyOptions,
  type DelayedSandbox,
  type ProxyCounts,
} from './delay-proxy.js';
