/**
 * The crontab edit of ansible-core 2.14's cron module, ported as a pure
 * function over the crontab's lines: `#Ansible: NAME` marker lines above
 * each job, jobs matched by name (or adopted by their exact line), env
 * declarations `NAME="VALUE"`, and the quirks kept (a job line equal to the
 * wanted one gets a marker; update_env replaces every matching line).
 */

const MARK = '#Ansible: ';

/** What to do. */
export interface CronSpec {
  name: string;
  /** The full job line (get_cron_job), for state=present of a job. */
  jobLine?: string;
  present: boolean;
  env: boolean;
  /** The env value (job) for env=true. */
  value?: string;
  insertafter?: string;
  insertbefore?: string;
}

/** The edited lines, whether they changed, or a failure message. */
export interface CronEdit {
  lines: string[];
  changed: boolean;
  /** state=absent removed the job of a cron_file and nothing is left: the file is removed. */
  emptied?: boolean;
  fail?: string;
}

/** `re.match('^NAME=', line)`: the name is a regular expression there, as in Ansible. */
function envMatcher(name: string): RegExp {
  try {
    return new RegExp(`^${name}=`);
  } catch {
    return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=`);
  }
}

/** CronTab.find_job: [marker name, job line] or with a third element when a marker was put or renamed. */
function findJob(lines: string[], name: string, job?: string): string[] {
  let comment: string | undefined;
  for (const l of lines) {
    if (comment !== undefined) {
      if (comment === name) return [comment, l];
      comment = undefined;
    } else if (l.startsWith(MARK)) comment = l.replaceAll(MARK, '');
  }
  if (job) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== job) continue;
      // Python's lines[i - 1] is the last line for i = 0.
      const prev = lines.at(i - 1) ?? '';
      if (!prev.startsWith(MARK)) {
        lines.splice(i, 0, `${MARK}${name}`);
        return [lines[i]!, job, 'adopted'];
      }
      if (name && prev === `${MARK}None`) {
        lines[(i - 1 + lines.length) % lines.length] = `${MARK}${name}`;
        return [`${MARK}${name}`, job, 'renamed'];
      }
    }
  }
  return [];
}

/** CronTab._update_job: the line after NAME's marker replaced by the job (or both removed). */
function updateJob(lines: string[], name: string, job: string | undefined): string[] {
  const marker = `${MARK}${name}`;
  const out: string[] = [];
  let comment: string | undefined;
  for (const l of lines) {
    if (comment !== undefined) {
      if (job !== undefined) out.push(comment, job);
      comment = undefined;
    } else if (l === marker) comment = l;
    else out.push(l);
  }
  return out;
}

/** Apply the cron module's edit to a crontab's lines. */
export function editCrontab(input: string[], spec: CronSpec, isCronFile: boolean): CronEdit {
  let lines = [...input];
  let changed = false;
  if (spec.env) {
    const decl = `${spec.name}="${spec.value ?? ''}"`;
    const re = envMatcher(spec.name);
    const oldIndex = lines.findIndex((l) => re.test(l));
    if (spec.present) {
      if (oldIndex < 0) {
        const other = spec.insertafter ?? spec.insertbefore;
        if (!other) lines.unshift(decl);
        else {
          const o = envMatcher(other);
          const at = lines.findIndex((l) => o.test(l));
          if (at < 0) return { lines, changed, fail: `Variable named '${other}' not found.` };
          lines.splice(spec.insertafter ? at + 1 : at, 0, decl);
        }
        changed = true;
      } else if (lines[oldIndex] !== decl) {
        lines = lines.map((l) => (re.test(l) ? decl : l));
        changed = true;
      }
    } else if (oldIndex >= 0) {
      lines = lines.filter((l) => !re.test(l));
      changed = true;
    }
    return { lines, changed };
  }
  if (spec.present) {
    const job = spec.jobLine!;
    const old = findJob(lines, spec.name, job);
    if (old.length === 0) {
      lines.push(`${MARK}${spec.name}`, job);
      changed = true;
    }
    if (old.length > 0 && old[1] !== job) {
      lines = updateJob(lines, spec.name, job);
      changed = true;
    }
    if (old.length > 2) {
      lines = updateJob(lines, spec.name, job);
      changed = true;
    }
    return { lines, changed };
  }
  if (findJob(lines, spec.name).length > 0) {
    lines = updateJob(lines, spec.name, undefined);
    changed = true;
    if (isCronFile && lines.every((l) => l.trim() === '')) return { lines, changed, emptied: true };
  }
  return { lines, changed };
}

/** CronTab.render. */
export function renderCrontab(lines: string[]): string {
  const text = lines.join('\n');
  return text ? `${text.replace(/[\r\n]+$/, '')}\n` : '';
}

/** The names of the `#Ansible:` markers (get_jobnames). */
export function jobNames(lines: string[]): string[] {
  return lines.filter((l) => l.startsWith(MARK)).map((l) => l.replaceAll(MARK, ''));
}

/** The names of the env declarations (get_envnames). */
export function envNames(lines: string[]): string[] {
  return lines.filter((l) => /^\S+=/.test(l)).map((l) => l.split('=')[0]!);
}

/** Python's str.splitlines() (no ends). */
export function splitLinesPy(text: string): string[] {
  // eslint-disable-next-line no-control-regex -- Python's line boundaries include the separators
  const parts = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * What `crontab -l` printed, as the module reads it: the first three lines
 * dropped when they are the "DO NOT EDIT" header, and the same text removed
 * from the existing content.
 */
export function readUserCrontab(out: string): { lines: string[]; existing: string } {
  let existing = out;
  const lines: string[] = [];
  splitLinesPy(out).forEach((l, count) => {
    const header =
      l.startsWith('# DO NOT EDIT THIS FILE - edit the master and reinstall.') ||
      /^# \(\/tmp\/.*installed on.*\)/.test(l) ||
      /^# \(.*version.*\)/.test(l);
    if (count > 2 || !header) lines.push(l);
    else {
      const at = existing.indexOf(l);
      if (at >= 0) {
        let end = at + l.length;
        if (existing[end] === '\r' || existing[end] === '\n') end++;
        existing = existing.slice(0, at) + existing.slice(end);
      }
    }
  });
  return { lines, existing };
}
