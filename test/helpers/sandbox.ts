/**
 * Sandbox hosts for integration tests. Each test file passes its own base
 * address (so files running side by side never collide), written in the
 * default block (127.77.0.0 on); BOSUN_SANDBOX_BASE moves every file's
 * addresses into another block together (see inBlock). The hosts come up in
 * beforeAll and always go down in afterAll, and the whole block is skipped
 * with one clear line when this machine cannot run them.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe } from 'vitest';
import { connectionSpecFromVars } from '../../src/connection/spec.js';
import type { ConnectionSpec } from '../../src/connection/types.js';
import {
  inBlock,
  sandboxDown,
  sandboxSupport,
  sandboxUp,
  type Sandbox,
  type SandboxHost,
} from '../../src/sandbox/index.js';

/**
 * An address of the default block as this run uses it: moved into the block of BOSUN_SANDBOX_BASE when that is set.
 * Every address a test file writes down (a base, an address it expects in a message) goes through this.
 */
export const testAddress = (address: string): string => inBlock(address);

/** What a test file asks for. */
export interface WithSandboxOptions {
  /** First address in the default block, unique to the test file, e.g. '127.78.0.1' (moved by testAddress). */
  base: string;
  systemd?: boolean;
  /** Sandbox name; default derived from the base address. */
  name?: string;
  /** Another reason to skip the block (e.g. debianMirrorSkip() of helpers/network.ts), or undefined. */
  skip?: string;
}

/** A sandbox tied to a describe block. */
export interface SandboxFixture {
  /** The running sandbox (inside tests and hooks only). */
  readonly sandbox: Sandbox;
  /** Why sandbox tests are skipped here, or undefined when they run. */
  readonly skipReason: string | undefined;
  /** describe() with the hosts up for its tests; skipped, with the reason in its title, when unsupported. */
  describe(title: string, body: () => void): void;
  /** The ConnectionSpec for one of the hosts, verifying host keys against the sandbox's known_hosts only. */
  specFor(host: SandboxHost, overrides?: Partial<ConnectionSpec>): ConnectionSpec;
}

/** Bring `count` sandbox hosts up around a describe block (see SandboxFixture). */
export function withSandbox(count: number, opts: WithSandboxOptions): SandboxFixture {
  const support = sandboxSupport();
  const skipReason = support.ok ? opts.skip : support.reason;
  const base = testAddress(opts.base);
  const name = opts.name ?? `test-${base.replace(/\./g, '-')}`;
  let current: Sandbox | undefined;
  const fixture: SandboxFixture = {
    get sandbox(): Sandbox {
      if (!current) throw new Error('the sandbox is only up inside the describe block of withSandbox');
      return current;
    },
    skipReason,
    describe(title, body) {
      const shown = skipReason ? `${title} [skipped: ${skipReason}]` : title;
      describe.skipIf(skipReason !== undefined)(shown, () => {
        beforeAll(
          async () => {
            current = await sandboxUp({ count, base, name, systemd: opts.systemd ?? false });
          },
          opts.systemd ? 180_000 : 60_000,
        );
        afterAll(async () => {
          current = undefined;
          await sandboxDown({ name });
        }, 60_000);
        body();
      });
    },
    specFor(host, overrides = {}) {
      const sb = fixture.sandbox;
      return {
        ...connectionSpecFromVars(
          host.name,
          { ansible_host: host.address, ansible_user: 'root', ansible_ssh_private_key_file: sb.privateKeyFile },
          {
            knownHostsFiles: [sb.knownHostsFile],
            connectTimeoutMs: 5000,
          },
        ),
        ...overrides,
      };
    },
  };
  return fixture;
}

/** The host key a sandbox's known_hosts file holds for `address` ("type base64"), to write known_hosts files of a test's own. */
export function sandboxHostKey(knownHostsFile: string, address: string): string {
  const line = readFileSync(knownHostsFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${address} `));
  if (line === undefined) throw new Error(`no key for ${address} in ${knownHostsFile}`);
  return line.split(' ').slice(1).join(' ');
}
