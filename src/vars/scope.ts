/**
 * Variable precedence. Every value lives in a layer that says where it came
 * from; a lookup takes the highest layer that defines the name (Ansible's
 * default `hash_behaviour=replace`: a later dict replaces, it does not merge).
 */
import type { SourcePos } from '../errors.js';
import { isUnsafeKey, setUnsafeKeys, type UnsafeKeys } from '../util/unsafe.js';

/**
 * Precedence levels, lowest first. This follows Ansible's real order, which
 * DESIGN.md simplifies: inline inventory group vars < group_vars/ files <
 * inline inventory host vars < host_vars/ files (see docs/architecture.md).
 */
export const VAR_LEVELS = [
  'role_defaults',
  'inventory_group',
  'group_vars',
  'inventory_host',
  'host_vars',
  'facts',
  'play_vars',
  'play_vars_files',
  'role_vars',
  'block_vars',
  'task_vars',
  'include_vars',
  'set_fact',
  'include_params',
  'extra_vars',
] as const;

/** One precedence level. */
export type VarLevel = (typeof VAR_LEVELS)[number];

const RANK: ReadonlyMap<VarLevel, number> = new Map(VAR_LEVELS.map((l, i) => [l, i]));

/** Run keys: start * RUN_KEY + end (a scope has far fewer layers). */
const RUN_KEY = 1 << 16;

/** Layers by precedence level, stable (equal levels keep their order). */
function sortLayers(layers: readonly VarLayer[]): VarLayer[] {
  if (layers.length < 2) return [...layers];
  return layers
    .map((l, i) => ({ l, i }))
    .sort((a, b) => RANK.get(a.l.level)! - RANK.get(b.l.level)! || a.i - b.i)
    .map((x) => x.l);
}

/** A set of variables from one place (a file, a play's `vars:`, `-e`). */
export interface VarLayer {
  level: VarLevel;
  /** Human-readable origin: a file path, `play "web" vars`, `-e`, `group all`. */
  source: string;
  values: Record<string, unknown>;
  /** Position of each top-level key, where known. */
  positions?: Map<string, SourcePos>;
  /**
   * Data, never rendered as templates (src/util/unsafe.ts): what the executor stored at run time (facts, set_fact,
   * register). A layer's `values` may also mark single keys (`!unsafe`, loop items).
   */
  unsafe?: boolean;
}

/** Which names of merged variables are data: the answer of the layer that wins each name. */
class LayerMarks implements UnsafeKeys {
  constructor(private readonly layers: readonly VarLayer[]) {}

  has(key: string): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      if (Object.prototype.hasOwnProperty.call(layer.values, key))
        return layer.unsafe === true || isUnsafeKey(layer.values, key);
    }
    return false;
  }
}

/** Where a resolved value came from. */
export interface VarOrigin {
  level: VarLevel;
  source: string;
  pos: SourcePos | undefined;
}

/**
 * An immutable stack of layers. Layers of equal level keep their insertion
 * order (later wins): inventory groups are added parent before child.
 */
export class VarScope {
  private readonly layers: readonly VarLayer[];
  /** The precedence rank of each layer (same index). */
  private readonly ranks: readonly number[];
  private merged: Record<string, unknown> | undefined;
  /** Merged values of runs of adjacent layers, by `start * RUN_KEY + end` (see mergeWith). */
  private readonly runs = new Map<number, Record<string, unknown>>();

  constructor(layers: readonly VarLayer[] = []) {
    this.layers = sortLayers(layers);
    this.ranks = this.layers.map((l) => RANK.get(l.level)!);
  }

  /** A new scope with more layers on top (at their precedence). */
  with(...layers: VarLayer[]): VarScope {
    return new VarScope([...this.layers, ...layers.filter((l) => Object.keys(l.values).length > 0)]);
  }

  /** All names and their winning values, as a plain object (cached). */
  toObject(): Record<string, unknown> {
    if (!this.merged) {
      const out: Record<string, unknown> = {};
      for (const layer of this.layers) Object.assign(out, layer.values);
      setUnsafeKeys(out, new LayerMarks(this.layers));
      this.merged = out;
    }
    return this.merged;
  }

  /**
   * All names and their winning values with more layers on top, as a new
   * object (the caller may change it): the same result as
   * `with(...extra).toObject()`, but this scope's layers are merged once per
   * run of layers that no extra layer falls between, not once per call.
   * Layers are never changed after they join a scope, so the runs stay valid.
   */
  mergeWith(extra: readonly VarLayer[]): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    // A first run is copied by spreading (a fast clone of an object V8 already laid out); layers are assigned as
    // toObject does.
    const addRun = (start: number, end: number): void => {
      const run = this.run(start, end);
      if (out) Object.assign(out, run);
      else out = { ...run };
    };
    const order: VarLayer[] = [];
    let start = 0;
    for (const layer of sortLayers(extra)) {
      const rank = RANK.get(layer.level)!;
      let end = start;
      // An extra layer goes after this scope's layers of the same level, as `with` puts it.
      while (end < this.ranks.length && this.ranks[end]! <= rank) end++;
      if (end > start) addRun(start, end);
      for (let i = start; i < end; i++) order.push(this.layers[i]!);
      Object.assign((out ??= {}), layer.values);
      order.push(layer);
      start = end;
    }
    if (start < this.layers.length) addRun(start, this.layers.length);
    for (let i = start; i < this.layers.length; i++) order.push(this.layers[i]!);
    out ??= {};
    // A variable named `__proto__` set the prototype during Object.assign; toObject's callers copy own names only.
    if (Object.getPrototypeOf(out) !== Object.prototype) out = { ...out };
    setUnsafeKeys(out, new LayerMarks(order));
    return out;
  }

  private run(start: number, end: number): Record<string, unknown> {
    if (start === 0 && end === this.layers.length) return this.toObject();
    const key = start * RUN_KEY + end;
    let merged = this.runs.get(key);
    if (!merged) {
      merged = {};
      for (let i = start; i < end; i++) Object.assign(merged, this.layers[i]!.values);
      this.runs.set(key, merged);
    }
    return merged;
  }

  /** The winning value of a name, with where it came from. */
  lookup(name: string): { value: unknown; origin: VarOrigin } | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      if (Object.prototype.hasOwnProperty.call(layer.values, name)) {
        return {
          value: layer.values[name],
          origin: { level: layer.level, source: layer.source, pos: layer.positions?.get(name) },
        };
      }
    }
    return undefined;
  }

  /** The layers, lowest precedence first. */
  list(): readonly VarLayer[] {
    return this.layers;
  }
}
