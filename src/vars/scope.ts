/**
 * Variable precedence. Every value lives in a layer that says where it came
 * from; a lookup takes the highest layer that defines the name (Ansible's
 * default `hash_behaviour=replace`: a later dict replaces, it does not merge).
 */
import type { SourcePos } from '../errors.js';

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
  'set_fact',
  'include_params',
  'extra_vars',
] as const;

/** One precedence level. */
export type VarLevel = (typeof VAR_LEVELS)[number];

const RANK: ReadonlyMap<VarLevel, number> = new Map(VAR_LEVELS.map((l, i) => [l, i]));

/** A set of variables from one place (a file, a play's `vars:`, `-e`). */
export interface VarLayer {
  level: VarLevel;
  /** Human-readable origin: a file path, `play "web" vars`, `-e`, `group all`. */
  source: string;
  values: Record<string, unknown>;
  /** Position of each top-level key, where known. */
  positions?: Map<string, SourcePos>;
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
  private merged: Record<string, unknown> | undefined;

  constructor(layers: readonly VarLayer[] = []) {
    this.layers = [...layers].map((l, i) => ({ l, i }))
      .sort((a, b) => RANK.get(a.l.level)! - RANK.get(b.l.level)! || a.i - b.i)
      .map((x) => x.l);
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
      this.merged = out;
    }
    return this.merged;
  }

  /** The winning value of a name, with where it came from. */
  lookup(name: string): { value: unknown; origin: VarOrigin } | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      if (Object.prototype.hasOwnProperty.call(layer.values, name)) {
        return { value: layer.values[name], origin: { level: layer.level, source: layer.source, pos: layer.positions?.get(name) } };
      }
    }
    return undefined;
  }

  /** The layers, lowest precedence first. */
  list(): readonly VarLayer[] {
    return this.layers;
  }
}
