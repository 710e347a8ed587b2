/**
 * Run-time side of the variable checks: every path a template reads is looked
 * up in the real variables before Handlebars runs, so an undefined variable
 * is an error with its position, and a variable whose value is itself a
 * template (Ansible's lazy vars) is rendered first, only when it is read.
 */
import { BosunError, type SourcePos } from '../errors.js';
import type { Scope, VarRef } from './analyze.js';
import { copyContainer, isUnsafeContainer, isUnsafeKey, markUnsafe } from '../util/unsafe.js';
import { isPlainObject, isTemplateText } from './values.js';

/** State shared by one top-level render and the lazy variables it renders on the way. */
export interface RenderSession {
  /** Rendered values of lazy variables, by path. */
  readonly memo: Map<string, unknown>;
  /** Paths being rendered right now, innermost last (cycle detection). */
  readonly resolving: string[];
}

/** A new, empty session. */
export function newSession(): RenderSession {
  return { memo: new Map(), resolving: [] };
}

/** Renders the text of a lazy variable (same native-type rule), given its dotted name. */
export type LazyRenderer = (text: string, name: string) => unknown;

type Path = ReadonlyArray<string | number>;

/** Errors that already say which variable they came from. */
const explained = new WeakSet<Error>();

function isLazy(value: unknown): value is string {
  return typeof value === 'string' && isTemplateText(value);
}

/** The value of `key` in `container`, or undefined when it has none (an explicit undefined counts as none). */
function child(container: unknown, key: string | number): { value: unknown } | undefined {
  if (typeof container === 'string') return key === 'length' ? { value: container.length } : undefined;
  if (typeof container !== 'object' || container === null) return undefined;
  if (!Object.prototype.hasOwnProperty.call(container, key)) return undefined;
  const value = (container as Record<string, unknown>)[key as string];
  return value === undefined ? undefined : { value };
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a dict';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

export function undefinedError(
  name: string,
  detail: string | undefined,
  source: SourcePos | undefined,
  hint = 'define it (vars, defaults, inventory, -e) or guard it with (default x ...) / (defined x)',
): BosunError {
  return new BosunError('UNDEFINED_VAR', `undefined variable '${name}'${detail ? ` (${detail})` : ''}`, {
    source,
    hint,
  });
}

/**
 * Why `parts` is missing below `base` (named `label`): a message, undefined when there is nothing to add, null when the
 * path exists.
 */
export function missingDetail(base: unknown, parts: readonly string[], label: string): string | undefined | null {
  let cur = base;
  for (let i = 0; i < parts.length; i++) {
    const next = child(cur, parts[i]!);
    if (!next) {
      const where = [label, ...parts.slice(0, i)].filter((s) => s !== '').join('.');
      if (where === '') return undefined;
      const kind = Array.isArray(cur) || isPlainObject(cur) ? '' : `, it is ${kindOf(cur)}`;
      return `'${where}' has no key '${parts[i]!}'${kind}`;
    }
    cur = next.value;
  }
  return null;
}

/**
 * Looks up and forces (renders lazy values of) every variable a template reads, on a copy-on-write view of the
 * variables.
 */
export class Resolver {
  /** The variables as Handlebars should see them (the original object until something lazy is rendered). */
  root: Record<string, unknown>;
  private readonly owned = new Set<object>();

  constructor(
    vars: Record<string, unknown>,
    private readonly session: RenderSession,
    private readonly renderLazy: LazyRenderer,
  ) {
    this.root = vars;
  }

  /** Check one reference (rendering lazy values on its path); throws UNDEFINED_VAR at `source`. */
  check(ref: VarRef, position: (ref: VarRef) => SourcePos | undefined): void {
    let source: SourcePos | undefined;
    try {
      if (ref.scope.kind === 'root') this.checkRoot(ref, () => (source ??= position(ref)));
      else this.checkScoped(ref, () => (source ??= position(ref)));
    } catch (err) {
      source ??= position(ref);
      if (err instanceof BosunError && !err.source && source) {
        throw new BosunError(err.code, err.message, { source, hint: err.hint, cause: err.cause });
      }
      throw err;
    }
  }

  /**
   * Check a reference that a guard reads (`default`, `defined`): a lazy value on its path that reads something
   * undefined makes the variable undefined, as in Ansible, instead of an error.
   */
  checkGuarded(ref: VarRef, position: (ref: VarRef) => SourcePos | undefined): void {
    try {
      this.check(ref, position);
    } catch (err) {
      if (!(err instanceof BosunError) || err.code !== 'UNDEFINED_VAR' || ref.scope.kind !== 'root') throw err;
      // Undefined from the lazy value on the path that failed (or the whole value, when one inside it failed).
      let cur: unknown = this.root;
      for (let i = 0; i < ref.parts.length; i++) {
        const next = child(cur, ref.parts[i]!);
        if (!next) return;
        if (isLazy(next.value)) {
          this.setAt(ref.parts.slice(0, i + 1), undefined);
          return;
        }
        cur = next.value;
      }
      this.setAt(ref.parts, undefined);
    }
  }

  private checkRoot(ref: VarRef, source: () => SourcePos | undefined): void {
    let cur: unknown = this.root;
    const parts = ref.parts;
    // Below data (a target's text, a value stored at run time, a rendered value) nothing is rendered again.
    let data = false;
    for (let i = 0; i < parts.length; i++) {
      const next = child(cur, parts[i]!);
      if (!next) {
        if (ref.optional) return;
        throw undefinedError(
          ref.name,
          missingDetail(cur, [parts[i]!], parts.slice(0, i).join('.')) ?? undefined,
          source(),
        );
      }
      data ||= isUnsafeKey(cur, parts[i]!) || isUnsafeContainer(next.value);
      let value = next.value;
      if (!data && isLazy(value)) {
        value = this.force(parts.slice(0, i + 1), value);
        this.setAt(parts.slice(0, i + 1), value);
        data = true;
      }
      cur = value;
    }
    if (data) return;
    const deep = this.deepForce(cur, parts);
    if (deep !== cur) this.setAt(parts, deep);
  }

  private checkScoped(ref: VarRef, source: () => SourcePos | undefined): void {
    if (ref.optional) return;
    for (const { value, label } of this.scopeValues(ref.scope)) {
      const detail = missingDetail(value, ref.parts, label);
      if (detail === null) continue;
      // A variable of the play read inside #each/#with: Handlebars looks it up on the item, not outside.
      const outer = ref.parts[0] !== undefined && child(this.root, ref.parts[0]) !== undefined;
      const hint = outer
        ? `inside {{#each}} and {{#with}} a name is read from the item; for the outer variable write {{ @root.${ref.name} }} (or {{ ../${ref.name} }} one level up)`
        : undefined;
      throw undefinedError(ref.name, detail ?? undefined, source(), hint);
    }
  }

  /** Every value a scope takes (all items of an `#each`), with a label for messages. */
  private scopeValues(scope: Scope): Array<{ value: unknown; label: string }> {
    if (scope.kind === 'root') return [{ value: this.root, label: '' }];
    if (scope.kind !== 'with' && scope.kind !== 'item') return [];
    const out: Array<{ value: unknown; label: string }> = [];
    for (const base of this.scopeValues(scope.parent)) {
      let cur: unknown = base.value;
      for (const part of scope.parts) cur = child(cur, part)?.value;
      if (scope.kind === 'with') out.push({ value: cur, label: scope.label });
      else if (Array.isArray(cur)) cur.forEach((v, i) => out.push({ value: v, label: `${scope.label}.${i}` }));
      else if (isPlainObject(cur))
        for (const [k, v] of Object.entries(cur)) out.push({ value: v, label: `${scope.label}.${k}` });
    }
    return out;
  }

  /** Render a lazy value once per session, detecting cycles. */
  private force(path: Path, text: string): unknown {
    const key = path.join('.');
    if (this.session.memo.has(key)) return this.session.memo.get(key);
    if (this.session.resolving.includes(key)) {
      const err = new BosunError('TEMPLATE_RENDER', `variable '${key}' refers to itself`, {
        hint: `the value of '${key}' uses '${key}' again (through: ${[...this.session.resolving, key].join(' -> ')})`,
      });
      explained.add(err);
      throw err;
    }
    this.session.resolving.push(key);
    try {
      const value = this.renderLazy(text, key);
      this.session.memo.set(key, value);
      return value;
    } catch (err) {
      if (err instanceof BosunError && !explained.has(err)) {
        const wrapped = new BosunError(err.code, `${err.message} in the value of variable '${key}'`, {
          hint: err.hint,
          cause: err,
        });
        explained.add(wrapped);
        throw wrapped;
      }
      throw err;
    } finally {
      this.session.resolving.pop();
    }
  }

  /** The value with every lazy string inside rendered; the same object when nothing was lazy. */
  private deepForce(value: unknown, path: Path): unknown {
    if (isLazy(value)) return this.force(path, value);
    if (isUnsafeContainer(value)) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if ((typeof item !== 'object' && !isLazy(item)) || isUnsafeKey(value, i)) continue;
        const forced = this.deepForce(item, [...path, i]);
        if (forced !== item) (out ??= copyContainer(value))[i] = forced;
      }
      return out ?? value;
    }
    if (isPlainObject(value)) {
      let out: Record<string, unknown> | undefined;
      for (const key of Object.keys(value)) {
        const item = value[key];
        if ((typeof item !== 'object' && !isLazy(item)) || isUnsafeKey(value, key)) continue;
        const forced = this.deepForce(item, [...path, key]);
        if (forced !== item) (out ??= copyContainer(value))[key] = forced;
      }
      return out ?? value;
    }
    return value;
  }

  /**
   * Write a rendered value into the view, copying containers on the way (the caller's variables are never changed).
   * The value is final: marked as data, so a later reference below it renders nothing in it again.
   */
  private setAt(path: Path, value: unknown): void {
    if (!this.owned.has(this.root)) {
      this.root = copyContainer(this.root);
      this.owned.add(this.root);
    }
    let cur: Record<string | number, unknown> = this.root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      let next = cur[key] as Record<string | number, unknown>;
      if (!this.owned.has(next)) {
        next = copyContainer(next);
        this.owned.add(next);
        cur[key] = next;
      }
      cur = next;
    }
    const last = path[path.length - 1]!;
    cur[last] = value;
    markUnsafe(cur, [last]);
  }
}
