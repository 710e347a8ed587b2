/**
 * Ending a command on its target: the process group of the shell that runs
 * it. A login shell leads its own group (sshd starts each session in a new
 * one); a privileged shell is in whatever group sudo or su left it, so the
 * group is looked up from the shell's pid on the target. Without job
 * control a shell's commands and their children stay in its group, so the
 * whole command goes (a child that made a session of its own, a daemon,
 * does not).
 */
import { readFileSync } from 'node:fs';

/** How long killing a command may take: the kill script's own wait (TERM, then KILL after 1 s) and its channel. */
export const KILL_BOUND_MS = 2500;

/**
 * A POSIX sh script that ends the process group of `pid`: SIGTERM, then,
 * once the group is gone or after 1 s, SIGKILL. Never group 0 or 1 (the
 * caller's own, init's), and never `spare` (the controller's own group, for
 * the local connection): then only `pid` itself is ended.
 */
export function killGroupScript(pid: number, spare?: number): string {
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`killGroupScript: not a pid: ${pid}`);
  return [
    `p=${pid}; g=`,
    // Field 5 of /proc/PID/stat is the group (the shell's name, field 2, has no space); ps elsewhere.
    '[ -r /proc/$p/stat ] && read -r _ _ _ _ g _ < /proc/$p/stat',
    '[ -n "$g" ] || g=$(ps -o pgid= -p $p 2>/dev/null | tr -d " ")',
    'case $g in ""|*[!0-9]*|0|1) g=$p ;; esac',
    // The group to end, or the pid alone when the group is one to spare. `-s SIG --`: dash reads `kill -TERM -- -G` as a pid `--`.
    spare !== undefined && Number.isInteger(spare) && spare > 1
      ? `if [ "$g" = ${spare} ]; then t=$p; else t=-$g; fi`
      : 't=-$g',
    // Alive: a member that is not a zombie (an orphan's zombie may wait a while for its reaper); kill -0 without /proc.
    'alive() {',
    '  [ -d /proc/self ] || { kill -s 0 -- $t 2>/dev/null; return; }',
    '  for f in /proc/[0-9]*/stat; do',
    '    read -r q _ s _ pg _ < "$f" 2>/dev/null || continue',
    '    [ "$s" != Z ] && { [ "$pg" = "$g" ] && [ "$t" = "-$g" ] || [ "$q" = "$p" ]; } && return 0',
    '  done',
    '  return 1',
    '}',
    'kill -s TERM -- $t 2>/dev/null',
    'n=0',
    'while [ $n -lt 10 ] && alive; do sleep 0.1 2>/dev/null || sleep 1; n=$((n + 1)); done',
    'kill -s KILL -- $t 2>/dev/null; true',
  ].join('\n');
}

/** The controller's own process group (Linux; undefined elsewhere), which a local kill must spare. */
export function ownProcessGroup(): number | undefined {
  try {
    // After the name in parentheses: state, ppid, pgrp.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    return Number.isInteger(pgrp) && pgrp > 1 ? pgrp : undefined;
  } catch {
    return undefined;
  }
}

/** `work`, or undefined once `ms` have passed (the work goes on unawaited). */
export function withinBound<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([work.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}
