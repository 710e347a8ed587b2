/**
 * Where one iteration of a loop is, as Jinja2's `loop` and Ansible's
 * `ansible_loop` (loop_control.extended) both give it: index (1-based),
 * index0, revindex, revindex0, first, last, length, and previtem / nextitem
 * only where there is one (undefined at the ends, so `default` works).
 */
export function loopPosition(items: readonly unknown[], i: number): Record<string, unknown> {
  const n = items.length;
  return {
    index: i + 1,
    index0: i,
    revindex: n - i,
    revindex0: n - i - 1,
    first: i === 0,
    last: i === n - 1,
    length: n,
    ...(i > 0 ? { previtem: items[i - 1] } : {}),
    ...(i < n - 1 ? { nextitem: items[i + 1] } : {}),
  };
}
