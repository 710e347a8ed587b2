/**
 * From a host's variables (Ansible's become variable names), the command
 * line and the environment to the options of `Connection.become`.
 */
import { BosunError } from '../errors.js';
import { toText } from '../template/values.js';
import type { BecomeOptions } from './types.js';

/** The environment variable that gives the become password (like --ask-become-pass, without the prompt). */
export const BECOME_PASSWORD_ENV = 'BOSUN_BECOME_PASSWORD';

/** The first of several variable names that is set, as a string. */
function pick(vars: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = vars[n];
    if (v !== undefined && v !== null && v !== '') return toText(v);
  }
  return undefined;
}

/**
 * Become options from `ansible_become_user` (default root),
 * `ansible_become_method` (sudo or su, default sudo) and the password, first
 * found of: `ansible_become_password` / `ansible_become_pass` (host
 * variables win, as in Ansible), `--ask-become-pass`, `$BOSUN_BECOME_PASSWORD`.
 * `ansible_timeout` (seconds) bounds the escalation.
 */
export function becomeOptionsFromVars(
  vars: Record<string, unknown>,
  cli: { askBecomePass?: string },
  env: NodeJS.ProcessEnv = process.env,
): BecomeOptions {
  const method = pick(vars, 'ansible_become_method') ?? 'sudo';
  if (method !== 'sudo' && method !== 'su') {
    throw new BosunError('BAD_OPTION', `become method '${method}' is not supported`, {
      hint: 'use become_method: sudo (the default) or su',
    });
  }
  const opts: BecomeOptions = { user: pick(vars, 'ansible_become_user') ?? 'root', method };
  const envPassword = env[BECOME_PASSWORD_ENV];
  const password =
    pick(vars, 'ansible_become_password', 'ansible_become_pass') ??
    cli.askBecomePass ??
    (envPassword === '' ? undefined : envPassword);
  if (password !== undefined) opts.password = password;
  const timeout = pick(vars, 'ansible_timeout');
  if (timeout !== undefined && Number(timeout) > 0) opts.timeoutMs = Number(timeout) * 1000;
  return opts;
}

/** `ansible_become` as a host variable (true/false/yes/no), or undefined when not set. */
export function becomeEnabledFromVars(vars: Record<string, unknown>): boolean | undefined {
  const v = vars['ansible_become'];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  return /^(true|yes|on|1)$/i.test(toText(v));
}
