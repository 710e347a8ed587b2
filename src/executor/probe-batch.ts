/**
 * Probes sent together, and answers kept for the task that will ask (docs/architecture.md, "Speculative
 * decisions"). A probe is a script that only looks at the target (`ExecOptions.readOnly` or `probe`: the stats
 * behind the decisions). Every probe of one shell goes through that shell's `ProbeBatcher`: probes asked while
 * speculative decisions of later tasks are still working wait for them (a few ms at most), and all the probes
 * waiting then go to the target as one script, one round trip. The answers of the speculative probes are kept;
 * the task that later sends the same script on the same shell takes the kept answer instead of a round trip,
 * if nothing that may have changed any target ran since the probe was sent (the run-wide mutation epoch below).
 * So a kept answer is always one the target would give again: a kept answer can only save a round trip, never
 * change what a task sees.
 */
import { randomBytes } from 'node:crypto';
import type { Connection, ExecOptions, ExecResult, StatProbe } from '../connection/types.js';
import { mergedStatScript, statProbeScript } from '../modules/lib/stat-batch.js';
import { shq } from '../util/shell.js';

/**
 * The run-wide count of operations that may change a target (every command that is not a probe, every file
 * written, every session reset), bumped when each starts and when it ends; `inflight` counts those running.
 * Run-wide, not per host: a command on one host may change another (a delegate, a shared file system, the
 * controller itself), and the linear strategy lets a task see what every host's earlier tasks did.
 */
let epoch = 0;
let inflight = 0;

/** Run `op`, which may change a target: every answer kept before it is void from now on. */
export async function mutating<T>(op: () => Promise<T>): Promise<T> {
  epoch++;
  inflight++;
  try {
    return await op();
  } finally {
    inflight--;
    epoch++;
  }
}

/** The mutation epoch (for tests and the window size). */
export function mutationEpoch(): number {
  return epoch;
}

/**
 * Run-wide counts, for tests: probe round trips sent, probes in them, live probes answered by a speculated one,
 * and speculated answers dropped because something that may change a target ran after them.
 */
export const probeCounts = { sent: 0, parts: 0, kept: 0, voided: 0 };

/** A speculative decision of a later task: the batcher waits for it before sending (while it works on the controller). */
export interface Participant {
  /** It is waiting for one of its probes (or has ended): nothing to wait for. */
  waiting: boolean;
  ended: boolean;
}

interface Queued {
  key: string;
  script: string;
  readOnly: boolean;
  /** The script is this stat probe's (checked), so it may share its processes with the batch's other stats. */
  stat: StatProbe | undefined;
  timeoutMs: number | undefined;
  who: Participant | undefined;
  resolve: (r: ExecResult) => void;
  reject: (e: unknown) => void;
}

/** A live probe waiting for the same speculated probe on its way. */
interface Waiter {
  script: string;
  opts: ExecOptions;
  resolve: (r: ExecResult) => void;
  reject: (e: unknown) => void;
}

interface Kept {
  result: ExecResult;
  epoch: number;
  /** How many speculated tasks asked for it (each live ask takes one). */
  left: number;
}

/** How long a live probe waits at most for the speculative decisions still working on the controller. */
const GATHER_MS = 40;
/** Kept answers per shell, at most (the oldest go first). */
const KEPT_MAX = 512;

/** The probes of one shell (a pooled connection, or one of its privileged shells). */
export class ProbeBatcher {
  private queue: Queued[] = [];
  private readonly participants = new Set<Participant>();
  private readonly kept = new Map<string, Kept>();
  /** Speculated probes sent and not answered yet, that a live task may wait for instead of sending its own. */
  private readonly sent = new Map<string, { epoch: number; live: Waiter[] }>();
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  /** The quickest answer to a probe sent through this shell so far, in ms (0 before the first: none measured). */
  private fastest = 0;

  /** The quickest probe round trip measured on this shell (0 while none was). */
  get fastestProbeMs(): number {
    return this.fastest;
  }

  constructor(private readonly conn: Connection) {}

  /** A speculative decision starts (it may send probes) / ends. */
  join(who: Participant): void {
    this.participants.add(who);
  }

  leave(who: Participant): void {
    who.ended = true;
    this.participants.delete(who);
    this.schedule();
  }

  /** Whether a kept answer for this probe is still good (taken only by `exec` of a live task). */
  hasKept(script: string, opts: ExecOptions): boolean {
    const key = keyOf(script, opts);
    return this.kept.get(key)?.epoch === epoch || this.sent.get(key)?.epoch === epoch;
  }

  /**
   * Run a probe: a live task's (`who` undefined) takes a kept answer, else waits for the speculative decisions
   * and goes with their probes; a speculative decision's probe is answered and its answer kept.
   */
  exec(script: string, opts: ExecOptions, who?: Participant): Promise<ExecResult> {
    const key = keyOf(script, opts);
    const k = this.kept.get(key);
    if (k && k.epoch !== epoch) {
      this.kept.delete(key);
      probeCounts.voided++;
    } else if (k) {
      if (who) return Promise.resolve(copy(k.result));
      if (--k.left === 0) this.kept.delete(key);
      probeCounts.kept++;
      return Promise.resolve(k.result);
    }
    // The same probe of a speculated task is on its way, sent while nothing changed: its answer is this one's.
    const onItsWay = who ? undefined : this.sent.get(key);
    if (onItsWay?.epoch === epoch) {
      probeCounts.kept++;
      return new Promise<ExecResult>((resolve, reject) => onItsWay.live.push({ script, opts, resolve, reject }));
    }
    return new Promise<ExecResult>((resolve, reject) => {
      this.queue.push({
        key,
        script,
        readOnly: opts.readOnly === true,
        stat:
          opts.statProbe && opts.readOnly && statProbeScript(opts.statProbe) === script ? opts.statProbe : undefined,
        timeoutMs: opts.timeoutMs,
        who,
        resolve,
        reject,
      });
      if (who) who.waiting = true;
      this.schedule();
    });
  }

  /** Send when every speculative decision waits for a probe (or has ended), or GATHER_MS after the first live probe. */
  private schedule(): void {
    if (this.queue.length === 0 || this.scheduled) return;
    const ready = [...this.participants].every((p) => p.waiting || p.ended);
    if (ready) {
      this.scheduled = true;
      // The decisions started in the same turn may still queue theirs.
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    } else if (this.timer === undefined && this.queue.some((q) => q.who === undefined)) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, GATHER_MS);
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    // Identical probes of one batch run once; a live task's goes first.
    const parts: Queued[] = [];
    const byKey = new Map<string, Queued[]>();
    for (const q of [...batch.filter((b) => !b.who), ...batch.filter((b) => b.who)]) {
      const same = byKey.get(q.key);
      if (same) same.push(q);
      else {
        byKey.set(q.key, [q]);
        parts.push(q);
      }
    }
    const sentAt = epoch;
    const clean = inflight === 0;
    const waitedFor = new Map<string, Waiter[]>();
    for (const p of parts) {
      if (!clean || !byKey.get(p.key)!.every((q) => q.who) || this.sent.has(p.key)) continue;
      const live: Waiter[] = [];
      waitedFor.set(p.key, live);
      this.sent.set(p.key, { epoch: sentAt, live });
    }
    probeCounts.sent++;
    probeCounts.parts += parts.length;
    const deliver = (part: Queued, r: ExecResult): void => {
      const all = byKey.get(part.key)!;
      const live = waitedFor.get(part.key);
      if (live) this.sent.delete(part.key);
      // Kept only when no change was under way as it was sent, nobody live took it, and it is not kept already.
      const left = all.length - (live?.length ?? 0);
      if (live && left > 0 && !this.kept.has(part.key)) {
        if (this.kept.size >= KEPT_MAX) this.kept.delete(this.kept.keys().next().value!);
        this.kept.set(part.key, { result: r, epoch: sentAt, left });
      }
      for (const w of live ?? []) w.resolve(copy(r));
      for (const q of all) {
        if (q.who) q.who.waiting = false;
        q.resolve(copy(r));
      }
    };
    const fail = (e: unknown): void => {
      for (const key of waitedFor.keys()) this.sent.delete(key);
      // A live task waiting for a speculated probe sends its own (the speculation's failure is not its own).
      for (const live of waitedFor.values())
        for (const w of live) this.conn.exec(w.script, w.opts).then(w.resolve, w.reject);
      for (const q of batch) {
        if (q.who) q.who.waiting = false;
        // A live probe sent with others gets the answer (or the error) it gets alone: the batch's failure (its
        // output over the limit, a slow speculated part) may not be its own.
        if (!q.who && parts.length > 1)
          this.conn
            .exec(q.script, { readOnly: q.readOnly, ...(q.timeoutMs !== undefined ? { timeoutMs: q.timeoutMs } : {}) })
            .then(q.resolve, q.reject);
        else q.reject(e);
      }
    };
    const timeouts = parts.map((p) => p.timeoutMs).filter((t): t is number => t !== undefined);
    // Several parts run in the session's own shell: combinedScript gives each part that is not read-only a
    // subshell of its own, so the batch as a whole defines nothing (one process fewer on the target).
    const options: ExecOptions = {
      readOnly: parts.length > 1 || parts.every((p) => p.readOnly),
      ...(timeouts.length > 0 ? { timeoutMs: Math.min(...timeouts) } : {}),
    };
    const started = performance.now();
    const measured = <T>(r: T): T => {
      const ms = performance.now() - started;
      this.fastest = this.fastest === 0 ? ms : Math.min(this.fastest, ms);
      return r;
    };
    if (parts.length === 1) {
      const only = parts[0]!;
      this.conn
        .exec(only.script, options)
        .then(measured)
        .then((r) => deliver(only, r), fail);
      return;
    }
    const boundary = `bosun_p${randomBytes(8).toString('hex')}`;
    const plan = mergedPlan(parts);
    this.conn
      .exec(combinedScript(plan.scripts, boundary), options)
      .then(measured)
      .then((r) => {
        const split = splitCombined(r, plan.scripts.length, boundary);
        const answers = split && plan.answers(split);
        if (!answers) {
          fail(new Error(`the target's answer to ${parts.length} probes sent together does not add up (rc ${r.rc})`));
          return;
        }
        parts.forEach((p, i) => deliver(p, answers[i]!));
      }, fail);
  }
}

/** Probes sent together, as the scripts that run and how each probe's answer is found in their results. */
interface Plan {
  scripts: Array<{ script: string; readOnly: boolean }>;
  /** Each part's answer from the scripts' results, or undefined when they do not add up. */
  answers: (results: ExecResult[]) => ExecResult[] | undefined;
}

/**
 * The scripts that answer `parts`: each part's own script, except the stat probes (two or more): one merged stat
 * for all of them (one `stat`, one `stat -L`, one checksum process for every path of the batch), each answered as
 * its own script would be, and the `then` scripts of those that have one, each after it as its own part.
 */
function mergedPlan(parts: Queued[]): Plan {
  const stats = parts.filter((p) => p.stat !== undefined);
  if (stats.length < 2)
    return { scripts: parts.map((p) => ({ script: p.script, readOnly: p.readOnly })), answers: (r) => r };
  const merged = mergedStatScript(stats.map((p) => p.stat!));
  const scripts: Plan['scripts'] = [{ script: merged.script, readOnly: true }];
  const at = new Map<Queued, number>();
  for (const p of parts) {
    at.set(p, scripts.length);
    if (p.stat === undefined) scripts.push({ script: p.script, readOnly: p.readOnly });
    else if (p.stat.then) scripts.push({ script: p.stat.then.script, readOnly: true });
  }
  return {
    scripts,
    answers: (results) => {
      const first = results[0]!;
      // A stat that failed (a path changed between its test and the program) or warned: each asks again alone.
      if (first.rc !== 0 || first.stderr !== '') return undefined;
      const own = merged.answers(first.stdout);
      if (!own) return undefined;
      let s = 0;
      return parts.map((p) => {
        if (p.stat === undefined) return results[at.get(p)!]!;
        const stdout = own[s++]!;
        if (!p.stat.then) return { rc: 0, stdout, stderr: '' };
        const then = results[at.get(p)!]!;
        return { rc: then.rc, stdout: stdout + then.stdout, stderr: then.stderr };
      });
    },
  };
}

function keyOf(script: string, opts: ExecOptions): string {
  return `${opts.readOnly ? 'r' : 'p'}${script}`;
}

function copy(r: ExecResult): ExecResult {
  return { rc: r.rc, stdout: r.stdout, stderr: r.stderr };
}

/**
 * One script running `parts` in order, each framed as the session frames one command (its output, then a line
 * with the boundary, its number and exit code on stdout, and one with the boundary and its number on stderr). A
 * read-only part runs in the shell itself, as the session runs it alone; any other probe in a subshell.
 */
export function combinedScript(parts: Array<{ script: string; readOnly: boolean }>, boundary: string): string {
  return parts
    .map((p, i) => {
      const mark = `${boundary}_${i}`;
      const ends = `printf '\\n%s\\n' ${mark} >&2`;
      return p.readOnly
        ? `eval ${shq(p.script)} </dev/null; set -- "$?"; printf '\\n%s:%d\\n' ${mark} "$1"; set --; ${ends}`
        : `( eval ${shq(p.script)} ) </dev/null; printf '\\n%s:%d\\n' ${mark} "$?"; ${ends}`;
    })
    .join('\n');
}

/** The results of the parts of a `combinedScript`, or undefined when the output does not hold every frame. */
export function splitCombined(r: ExecResult, count: number, boundary: string): ExecResult[] | undefined {
  const out: ExecResult[] = [];
  let o = 0;
  let e = 0;
  for (let i = 0; i < count; i++) {
    const mark = `${boundary}_${i}`;
    const so = r.stdout.indexOf(`\n${mark}:`, o);
    if (so < 0) return undefined;
    const eol = r.stdout.indexOf('\n', so + mark.length + 2);
    if (eol < 0) return undefined;
    const rc = Number(r.stdout.slice(so + mark.length + 2, eol));
    const se = r.stderr.indexOf(`\n${mark}\n`, e);
    if (se < 0 || !Number.isInteger(rc)) return undefined;
    out.push({ rc, stdout: r.stdout.slice(o, so), stderr: r.stderr.slice(e, se) });
    o = eol + 1;
    e = se + mark.length + 2;
  }
  return out;
}

const batchers = new WeakMap<Connection, ProbeBatcher>();

/** The batcher of a shell (one per connection object: a pooled connection or a privileged shell). */
export function batcherOf(conn: Connection): ProbeBatcher {
  let b = batchers.get(conn);
  if (!b) batchers.set(conn, (b = new ProbeBatcher(conn)));
  return b;
}
