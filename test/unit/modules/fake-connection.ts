/**
 * A scripted Connection for module tests of targets this machine is not
 * (dnf hosts, systemd hosts): each exec is answered by the first rule whose
 * pattern matches the script, and every script is recorded.
 */
import type { Connection, ConnectionSpec, ExecResult } from '../../../src/connection/types.js';

/** One answer: scripts matching `match` get `result`. */
export interface FakeRule {
  match: RegExp;
  result: Partial<ExecResult>;
}

/** A Connection that answers from rules and records scripts. */
export class FakeConnection implements Connection {
  readonly spec: ConnectionSpec = {
    name: 'fake',
    type: 'local',
    address: 'fake',
    port: 22,
    user: 'root',
    strictHostKeyChecking: true,
    knownHostsFiles: [],
    connectTimeoutMs: 1000,
  };
  readonly scripts: string[] = [];
  constructor(private readonly rules: FakeRule[]) {}
  connect(): Promise<void> {
    return Promise.resolve();
  }
  exec(script: string): Promise<ExecResult> {
    this.scripts.push(script);
    const rule = this.rules.find((r) => r.match.test(script));
    return Promise.resolve({ rc: 0, stdout: '', stderr: '', ...(rule?.result ?? {}) });
  }
  writeFile(): Promise<void> {
    return Promise.resolve();
  }
  readFile(): Promise<Buffer | null> {
    return Promise.resolve(null);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
