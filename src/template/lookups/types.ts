/** What a lookup plugin is and what it gets from the engine. */
import type { SearchPath } from './search.js';

/** A lookup failed (Ansible's AnsibleError inside a lookup): `errors='ignore'|'warn'` may swallow it. */
export class LookupError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** What a lookup may read and do besides its terms. */
export interface LookupHost {
  /** Every variable of the task (lazy values not yet rendered: read them through `variable`). */
  readonly vars: Record<string, unknown>;
  /** One top-level variable, rendered if it is a template; undefined when there is none. */
  variable(name: string): { value: unknown } | undefined;
  /** Where controller files are searched (`ansible_search_path`, the playbook's folder). */
  readonly search: SearchPath;
  /** Render a template file's text with the task's variables and `extra` on top. */
  renderFile(text: string, file: string, extra: Record<string, unknown>): string;
  /** The inventory hosts a host pattern selects (the inventory_hostnames lookup); undefined outside a run. */
  hostPattern?(pattern: string): string[];
  /** Run something slow on the controller (a command, a download) outside the render budget. */
  untimed<T>(fn: () => T): T;
}

/** One lookup plugin: its terms (listified, as Ansible's) and keyword options in, a list out. */
export type LookupFn = (terms: unknown[], options: Record<string, unknown>, host: LookupHost) => unknown[];
