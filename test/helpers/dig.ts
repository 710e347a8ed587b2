/** The value at `keys` inside parsed JSON, TOML or YAML data (undefined where a step is missing or not a mapping). */
export function dig(value: unknown, ...keys: string[]): unknown {
  let v = value;
  for (const k of keys) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
