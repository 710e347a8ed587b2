/**
 * What `lookup()` gets from the engine during one evaluation: the task's
 * variables through the Resolver (lazy values rendered when read), the search
 * path from `ansible_search_path` / `role_path` / `playbook_dir` (as
 * Ansible's LookupBase.find_file_in_search_path), and the engine's controller
 * hooks (render a template file, a host pattern, time outside the budget).
 */
import { extendVars } from '../../util/unsafe.js';
import type { Resolver } from '../resolve.js';
import type { LookupHost } from '../lookups/index.js';

/** What the engine lends lookups; set once per run (src/template/index.ts). */
export interface ControllerHooks {
  renderFile(text: string, file: string, vars: Record<string, unknown>): string;
  untimed<T>(fn: () => T): T;
  hostPattern?(pattern: string): string[];
  warn(message: string): void;
}

/** The LookupHost of one evaluation. */
export function lookupHost(resolver: Resolver, hooks: ControllerHooks): LookupHost {
  const variable = (name: string): { value: unknown } | undefined => {
    resolver.check(
      { scope: { kind: 'root' }, parts: [name], name, line: 0, column: 0, optional: true },
      () => undefined,
    );
    const root = resolver.root;
    if (!Object.prototype.hasOwnProperty.call(root, name) || root[name] === undefined) return undefined;
    return { value: root[name] };
  };
  const text = (name: string): string | undefined => {
    const v = variable(name)?.value;
    return typeof v === 'string' ? v : undefined;
  };
  let search: LookupHost['search'] | undefined;
  return {
    get vars() {
      return resolver.root;
    },
    variable,
    get search() {
      if (search) return search;
      const basedir = text('playbook_dir') ?? process.cwd();
      const listed = variable('ansible_search_path')?.value;
      const paths = Array.isArray(listed) ? listed.map(String) : [text('role_path') ?? basedir];
      return (search = { paths, basedir });
    },
    renderFile: (body, file, extra) => hooks.renderFile(body, file, extendVars(resolver.root, extra, false)),
    untimed: (fn) => hooks.untimed(fn),
    ...(hooks.hostPattern ? { hostPattern: (p: string) => hooks.hostPattern!(p) } : {}),
  };
}
