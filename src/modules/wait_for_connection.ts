/**
 * `wait_for_connection`: wait until the host answers over its connection
 * again (after a reboot, or while it boots), opening a new session for each
 * try, as Ansible's action plugin resets its connection before each ping.
 * Skipped in check mode, as in Ansible.
 */
import { untilAnswer, sleep } from './lib/reconnect.js';
import { defineModule } from './types.js';

/** Arguments of `wait_for_connection` (seconds). */
export interface WaitForConnectionArgs {
  delay?: number | string;
  sleep?: number | string;
  timeout?: number | string;
  connect_timeout?: number | string;
}

const seconds = (description: string, def: number): Record<string, unknown> => ({
  type: ['integer', 'string'],
  pattern: '^[0-9]+$',
  default: def,
  description,
});

/** The `wait_for_connection` module. */
export default defineModule<WaitForConnectionArgs>({
  name: 'wait_for_connection',
  docs: {
    short: 'Wait until the host answers over its connection again',
    description:
      'Each try drops the session and opens a new one (bosun keeps one persistent shell per host), then runs `echo pong`. Registers `elapsed` (whole seconds). Skipped in check mode, as in Ansible.',
  },
  checkMode: 'partial',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      delay: seconds('Seconds to wait before the first try', 0),
      sleep: seconds('Seconds between tries', 1),
      timeout: seconds('Seconds to wait in all', 600),
      connect_timeout: seconds('Seconds one try may take', 5),
    },
  },
  async decide(ctx, args) {
    if (ctx.check) return { kind: 'skip', msg: 'wait_for_connection does not run in check mode' };
    const started = Date.now();
    await sleep(Number(args.delay ?? 0) * 1000);
    const conn = ctx.conn;
    await conn.reset?.();
    const res = await untilAnswer(
      conn,
      async () => {
        const r = await conn.exec('echo pong');
        if (r.stdout.trim() !== 'pong') throw new Error('ping test failed');
      },
      Number(args.timeout ?? 600),
      { kind: 'fixed', seconds: Number(args.sleep ?? 1) },
      Number(args.connect_timeout ?? 5),
    );
    const elapsed = Math.floor((Date.now() - started) / 1000);
    if (!res.ok)
      return { kind: 'fail', msg: `timed out waiting for ping module test: ${res.error}`, data: { elapsed } };
    return { kind: 'ok', data: { elapsed } };
  },
});
