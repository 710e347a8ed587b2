/**
 * Small helpers that turn expected failures (bad arguments, a target that
 * refuses) into failed results instead of exceptions, and text for diffs.
 */
import type { ApplyFailed, ApplyResult, Change, Decision, Fail, FileDiff, NoChange, ResultData } from '../types.js';
import { ModuleArgError } from './attrs.js';
import { RemoteFailure } from './remote-file.js';

/** A decision that fails the task with `msg`. */
export function failed(msg: string, data: ResultData = {}): Fail {
  return { kind: 'fail', msg, data };
}

/** A decision that nothing needs to change (`msg` says why, when it says anything). */
export function noChange(msg?: string, data: ResultData = {}): NoChange {
  return msg === undefined ? { kind: 'ok', data } : { kind: 'ok', msg, data };
}

/** An apply result that the action failed with `msg`. */
export function applyFailed(msg: string, data?: ResultData): ApplyFailed {
  return data === undefined ? { kind: 'failed', msg } : { kind: 'failed', msg, data };
}

/**
 * A change check mode predicts from the effect of an earlier task (the folder
 * a `file` task creates): `decide` returns it only in check mode, so its
 * `apply` is never reached; if it were, it fails with what the real run says
 * when that earlier effect is missing.
 */
export function assumedChange(p: { msg: string; data?: ResultData; diff?: FileDiff[]; realFailure: string }): Change {
  const { realFailure, ...shown } = p;
  return { kind: 'change', ...shown, apply: () => Promise.resolve(applyFailed(realFailure)) };
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
    if (isExpectedFailure(e)) return applyFailed(e.message);
    throw e;
  }
}

/**
 * The largest file shown in a diff, in bytes (Ansible's default `max_diff_size`): a larger one is
 * not read at all, and its side of the diff says so, as Ansible's "diff skipped" does.
 */
export const MAX_DIFF_BYTES = 104_448;

/**
 * One side of a file diff (`side`: the destination's old content or the source's new one): the
 * bytes `read` gives as diff text, unless `size` is over MAX_DIFF_BYTES (then not read; Ansible's words).
 */
export async function diffSide(
  side: 'source' | 'destination',
  size: number,
  read: () => Promise<Buffer | null>,
): Promise<string> {
  if (size > MAX_DIFF_BYTES) return `diff skipped: ${side} file size is greater than ${MAX_DIFF_BYTES}\n`;
  return diffText(await read());
}

/** A file's bytes as diff text, or `(binary)` when they are not UTF-8 text. */
export function diffText(data: Buffer | null): string {
  if (!data) return '';
  if (data.includes(0)) return '(binary)';
  const text = data.toString('utf8');
  return Buffer.from(text, 'utf8').equals(data) ? text : '(binary)';
}
