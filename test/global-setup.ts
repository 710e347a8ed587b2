/**
 * Before any test file: on a fresh Debian machine run as root, install
 * openssh-server so the sandbox-host integration tests run instead of
 * skipping (CI must run them).
 */
import { existsSync } from 'node:fs';
import { ensureSshd } from '../src/sandbox/index.js';

/** vitest global setup. */
export default async function setup(): Promise<void> {
  if (process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    await ensureSshd();
  }
}
