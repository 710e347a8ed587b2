/**
 * Unsafe data: values that are never rendered as templates (Ansible's
 * AnsibleUnsafeText, CVE-2016-9587). What a target sent (registered output,
 * facts), what the executor stored at run time (set_fact, loop items) and
 * what an author tagged `!unsafe` may hold `{{` and must stay text.
 *
 * A JavaScript string cannot carry a mark, so the mark is on the container:
 * a container says which of its keys hold data (everything below such a key
 * is data too). The mark is an enumerable symbol property, so object spreads
 * and Object.assign carry it (a spread over another marked object must go
 * through `extendVars`, which keeps both marks); JSON, Object.keys and
 * for-in never see it. See docs/architecture.md (Decision 15).
 */

/** Which keys of a container hold data. */
export interface UnsafeKeys {
  has(key: string): boolean;
}

const UNSAFE: unique symbol = Symbol('bosun.unsafe');

type Marked = Record<PropertyKey, unknown> & { [UNSAFE]?: UnsafeKeys };

/** Every key: the whole container is data. */
const ALL: UnsafeKeys = { has: () => true };

/** Some keys marked (data) or unmarked (a later value that is no data), on top of an earlier mark. */
class KeySet implements UnsafeKeys {
  constructor(
    private readonly keys: ReadonlyMap<string, boolean>,
    private readonly below: UnsafeKeys | undefined,
  ) {}

  has(key: string): boolean {
    return this.keys.get(key) ?? this.below?.has(key) ?? false;
  }
}

/** The keys of `extra` over `base`: an extra key answers for itself (data when `unsafe`), any other the base's mark. */
class Overlay implements UnsafeKeys {
  constructor(
    private readonly extra: object,
    private readonly unsafe: boolean,
    private readonly base: UnsafeKeys | undefined,
  ) {}

  has(key: string): boolean {
    if (Object.prototype.hasOwnProperty.call(this.extra, key)) return this.unsafe || isUnsafeKey(this.extra, key);
    return this.base?.has(key) ?? false;
  }
}

function markOf(container: unknown): UnsafeKeys | undefined {
  return typeof container === 'object' && container !== null ? (container as Marked)[UNSAFE] : undefined;
}

function setMark(container: object, mark: UnsafeKeys): void {
  Object.defineProperty(container, UNSAFE, { value: mark, enumerable: true, configurable: true, writable: true });
}

/** Mark keys of a container as data (all of it without `keys`); returns the container. */
export function markUnsafe<T extends object>(container: T, keys?: Iterable<string | number>): T {
  if (keys === undefined) setMark(container, ALL);
  else {
    const map = new Map([...keys].map((k) => [String(k), true]));
    if (map.size > 0) setMark(container, new KeySet(map, markOf(container)));
  }
  return container;
}

/** Say whether one key of a container holds data, replacing what an earlier mark said of it. */
export function setUnsafeKey(container: object, key: string, unsafe: boolean): void {
  const below = markOf(container);
  if (!unsafe && !below) return;
  setMark(container, new KeySet(new Map([[key, unsafe]]), below));
}

/** Set a container's mark to a custom answer (a scope's layers decide which names are data). */
export function setUnsafeKeys(container: object, keys: UnsafeKeys): void {
  setMark(container, keys);
}

/** Does `container[key]` hold data (never rendered)? */
export function isUnsafeKey(container: unknown, key: string | number): boolean {
  return markOf(container)?.has(String(key)) ?? false;
}

/** Is the whole container data? */
export function isUnsafeContainer(value: unknown): boolean {
  return markOf(value) === ALL;
}

/** A shallow copy (array or object) that keeps the mark. */
export function copyContainer<T extends object>(value: T): T {
  const mark = markOf(value);
  const out = (Array.isArray(value) ? value.slice() : { ...value }) as T;
  if (mark && Array.isArray(value)) setMark(out, mark);
  return out;
}

/** `{ ...base, ...extra }` with both marks kept: the keys of `extra` are data when `unsafe` (or marked in `extra`). */
export function extendVars(
  base: Record<string, unknown>,
  extra: Record<string, unknown>,
  unsafe: boolean,
): Record<string, unknown> {
  const out = { ...base, ...extra };
  const baseMark = markOf(base);
  if (unsafe || markOf(extra) || baseMark) setMark(out, new Overlay(extra, unsafe, baseMark));
  return out;
}
