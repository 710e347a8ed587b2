/**
 * Small helpers that turn expected failures (bad arguments, a target that
 * refuses) into failed results instead of exceptions, and text for diffs.
 */
import type { ApplyResult, Decision } from '../types.js';
import { ModuleArgError } from './attrs.js';
import { RemoteFailure } from './remote-file.js';

/** A decision that fails the task with `msg`. */
export function failed(msg: string, data: Record<string, unknown> = {}): Decision {
  return { changed: false, failed: true, msg, data };
}

/** True for the errors a module reports as a failed task (not an internal bug). */
export function isExpectedFailure(e: unknown): e is Error {
  return e instanceof RemoteFailure || e instanceof ModuleArgError;
}

/** Run a decide body; expected failures become a failed decision. */
export async function deciding(body: () => Promise<Decision>): Promise<Decision> {
  try {
    return await body();
  } catch (e) {
    if (isExpectedFailure(e)) return failed(e.message);
    throw e;
  }
}

/** Run an apply body; expected failures become a failed result. */
export async function applying(body: () => Promise<ApplyResult>): Promise<ApplyResult> {
  try {
    return await body();
  } catch (e) {
    if (isExpectedFailure(e)) return { failed: true, msg: e.message };
    throw e;
  }
}

/** A file's bytes as diff text, or `(binary)` when they are not UTF-8 text. */
export function diffText(data: Buffer | null): string {
  if (!data) return '';
  if (data.includes(0)) return '(binary)';
  const text = data.toString('utf8');
  return Buffer.from(text, 'utf8').equals(data) ? text : '(binary)';
}
