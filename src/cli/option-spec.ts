/**
 * The shape of one entry of the `bosun run` option table (run-options.ts),
 * and `option()`, which declares an entry and keeps the types of its
 * parser and conversion for the table's derived types.
 */
import type { CliIO } from './context.js';

/** What a `fills` conversion may use besides the flag's own value. */
export interface FillContext {
  io: CliIO;
  /** Every parsed flag of the command (for options that combine, such as `--tags`/`--skip-tags`). */
  flags: Readonly<Record<string, unknown>>;
  /** The RunOptions fields filled so far, in table order (`-K` reads the password `-k` was given). */
  filled: Readonly<Record<string, unknown>>;
}

/** The value commander gives for these flags without a parser: a string for `<arg>`, a list for `<arg...>`, else a boolean. */
export type FlagValue<F extends string> = F extends `${string}<${string}...>`
  ? string[]
  : F extends `${string}<${string}>` | `${string}[${string}]`
    ? string
    : boolean;

/**
 * One option of `bosun run`. `V` is the flag's parsed value, `T` the
 * `RunOptions` field's value.
 */
export interface RunOptionSpec<F extends string = string, V = unknown, T = unknown> {
  /** commander flags: `-f, --forks <n>`. */
  flags: F;
  /** The `--help` line. */
  description: string;
  /** The docs/cli.md text (markdown) when it says more than `description`. */
  doc?: string;
  /** Reads one occurrence of the flag (repeatable options get the values so far). */
  parse?: (value: string, previous: V) => V;
  /** The value when the flag is not given (also shown in `--help` and the docs). */
  default?: V;
  /** The only values allowed. */
  choices?: readonly string[];
  /** The RunOptions field this option fills; none: the CLI itself reads the flag. */
  fills?: {
    /** The RunOptions field, dotted for a nested one (`connection.user`); `become?.user`: the parent is optional. */
    field: string;
    /** Library callers may leave the field out (the executor has a default). */
    optional?: true;
    /** Filled after the others (and after the reporters are built): its prompt comes last. */
    late?: true;
    /** From the flag's value to the field's (default: as is). */
    to?: (value: V, ctx: FillContext) => T | Promise<T>;
  };
}

/** The types `option()` keeps of an entry: its field path, field value, optionality, and whether it has a default. */
export interface EntryTypes<P extends string, V, T, O, D> {
  readonly _types?: { field: P; value: V; fieldValue: T; optional: O; default: D };
}

/** Declare one option; the helper only keeps the types of its parser, default and conversion. */
export function option<
  const F extends string,
  V = FlagValue<F>,
  T = V,
  const P extends string = string,
  const O extends true | undefined = undefined,
  const D extends V | undefined = undefined,
>(spec: {
  flags: F;
  description: string;
  doc?: string;
  parse?: (value: string, previous: V) => V;
  default?: D;
  choices?: readonly string[];
  fills?: { field: P; optional?: O; late?: true; to?: (value: V, ctx: FillContext) => T | Promise<T> };
}): RunOptionSpec<F, V, T> & EntryTypes<P, V, T, O, D> {
  return spec;
}
