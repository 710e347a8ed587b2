/**
 * Every built-in role that CI can feed has a scenario under roles/<role>/tests/default, run here
 * through `bosun role test` exactly as an author would: runc and containerd with Debian's real
 * binaries published as upstream's release files, crictl with a fixture archive, all from a
 * local download mirror on 127.0.0.1 passed with -e.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSupport } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { startRuntimeMirror, type RuntimeMirror } from '../helpers/runtime-mirror.js';

const support = sandboxSupport();
const ROLES: Array<[role: string, base: string]> = [['runc', '127.113.0.1'], ['crictl', '127.113.1.1'], ['containerd', '127.113.2.1']];

describe.skipIf(!support.ok)(`built-in role scenarios through bosun role test${support.ok ? '' : ` [skipped: ${support.reason}]`}`, () => {
  let mirror: RuntimeMirror;
  let varsFile: string;
  beforeAll(async () => {
    mirror = await startRuntimeMirror();
    varsFile = path.join(mkdtempSync(path.join(tmpdir(), 'bosun-roles-')), 'mirror.json');
    writeFileSync(varsFile, JSON.stringify(mirror.vars));
  }, 300_000);
  afterAll(async () => {
    await mirror?.server.close();
  });

  for (const [role, base] of ROLES) {
    it(`${role}: create, converge, idempotence, check, verify, destroy`, async () => {
      const res = await runCli(['role', 'test', path.resolve('roles', role), '--base', base, '-e', `@${varsFile}`, '--json']);
      const summary = res.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; phase?: string; status?: string; details?: string[] });
      const failed = summary.filter((p) => p.type === 'phase' && p.status === 'failed');
      expect(failed, JSON.stringify(failed, null, 1) + res.err).toEqual([]);
      expect(res.code).toBe(0);
      expect(summary.filter((p) => p.type === 'phase' && p.status === 'passed').map((p) => p.phase))
        .toEqual(['create', 'converge', 'idempotence', 'check', 'verify', 'destroy']);
    }, 300_000);
  }
});
