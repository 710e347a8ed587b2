/** Shared by the handler rules: the names a handler answers to, and the notifications of a task. */
import type { SourcePos } from '../errors.js';
import type { LintProject } from './project.js';
import { taskSites, type TaskSite } from './tasks.js';

/** Names a handler answers to: its name, `ROLE : name` in a role, its `listen` topics. */
export function answersTo(site: TaskSite): string[] {
  const out: string[] = [];
  const name = site.raw['name'];
  if (typeof name === 'string') {
    out.push(name);
    if (site.file.role) out.push(`${site.file.role.name} : ${name}`);
  }
  const listen = site.raw['listen'];
  for (const topic of [listen].flat()) if (typeof topic === 'string') out.push(topic);
  return out;
}

/** Every name handlers of the project (external roles included) answer to. */
export function handlerNames(project: LintProject): Set<string> {
  const names = new Set<string>();
  for (const file of project.files)
    for (const site of taskSites(file)) if (site.handler) for (const n of answersTo(site)) names.add(n);
  return names;
}

/** The handler names a task notifies, each with its position (templated names are skipped). */
export function notifications(site: TaskSite): Array<{ name: string; pos: SourcePos }> {
  const notify = site.raw['notify'];
  const yaml = site.file.yaml!;
  if (typeof notify === 'string')
    return notify.includes('{{') ? [] : [{ name: notify, pos: yaml.posOf([...site.path, 'notify']) }];
  if (!Array.isArray(notify)) return [];
  return notify.flatMap((n, i) =>
    typeof n === 'string' && !n.includes('{{') ? [{ name: n, pos: yaml.posOf([...site.path, 'notify', i]) }] : [],
  );
}
