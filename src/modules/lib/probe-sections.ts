/**
 * The output of a probe script that marks its parts with `@NAME` lines (one
 * round trip reading several things on the target): each section's lines,
 * by name. Lines before the first marker are dropped.
 */
export function probeSections(stdout: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let cur: string[] | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^@([A-Z_]+)$/.exec(line);
    if (m) out[m[1]!] = cur = [];
    else cur?.push(line);
  }
  return out;
}
