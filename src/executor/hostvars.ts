/**
 * `hostvars`, as Ansible's HostVars/HostVarsVars: `hostvars[h]` is a view of
 * h's own variables (inventory, facts, include_vars, set_fact/register, -e and
 * h's magic variables; no play vars, no role defaults) whose values are
 * rendered lazily, one key when it is read, in h's context, never in the
 * reading host's. A value whose template reads something undefined in h's
 * context comes back unrendered, as Ansible's `fail_on_undefined=False`
 * gives it. Both the view and `hostvars` are data to the reader (what they
 * give is never rendered again). A view is rebuilt only when h's variables
 * change (HostState.varsVersion), and each key is rendered once per view, so
 * N hosts reading one host's variable render it once.
 */
import type { TemplateEngine } from '../template/index.js';
import { renderLenient } from '../template/lenient.js';
import { extendVars, isUnsafeKey, markUnsafe } from '../util/unsafe.js';
import type { HostState } from './host-state.js';

/** What a view was built from: rebuilt when any of it changes. */
export interface ViewKey {
  state: HostState | undefined;
  version: number;
  layers: unknown;
  facts: unknown;
  magic: unknown;
  run: unknown;
}

/** The views of every host, cached by what they were built from. */
export class HostVarsViews {
  private readonly views = new Map<string, { key: ViewKey; view: Record<string, unknown> }>();

  constructor(private readonly engine: TemplateEngine | undefined) {}

  /** The view of `host`; `build` gives its raw variables when the cached view is stale. */
  view(host: string, key: ViewKey, build: () => Record<string, unknown>): Record<string, unknown> {
    const cached = this.views.get(host);
    if (cached && sameKey(cached.key, key)) return cached.view;
    const view = this.make(build());
    this.views.set(host, { key, view });
    return view;
  }

  /** Forget every view (the inventory changed). */
  clear(): void {
    this.views.clear();
  }

  private make(raw: Record<string, unknown>): Record<string, unknown> {
    const engine = this.engine;
    const view: Record<string, unknown> = {};
    const rendered = new Map<string, unknown>();
    for (const name of Object.keys(raw)) {
      Object.defineProperty(view, name, {
        enumerable: true,
        configurable: true,
        get: () => {
          if (rendered.has(name)) return rendered.get(name);
          const value = raw[name];
          const out = !engine || isUnsafeKey(raw, name) ? value : renderLenient(engine, value, raw);
          rendered.set(name, out);
          return out;
        },
      });
    }
    return markUnsafe(view);
  }
}

function sameKey(a: ViewKey, b: ViewKey): boolean {
  return (
    a.state === b.state &&
    a.version === b.version &&
    a.layers === b.layers &&
    a.facts === b.facts &&
    a.magic === b.magic &&
    a.run === b.run
  );
}

/** `{ ...vars, ...magic }` keeping the unsafe marks of the variables; magic variables are data (Ansible's STATIC_VARS). */
export function withMagic(vars: Record<string, unknown>, magic: Record<string, unknown>): Record<string, unknown> {
  return extendVars(vars, magic, true);
}
