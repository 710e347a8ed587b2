/**
 * Host order (`order:`) and `serial` batches: numbers, percentages, or a
 * list of both whose last size repeats, as Ansible computes them.
 */
import { BosunError, type SourcePos } from '../errors.js';
import type { Play } from '../playbook/types.js';

/** Hosts in the play's `order`. */
export function orderHosts(hosts: string[], order: Play['order'], random: () => number = Math.random): string[] {
  switch (order) {
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle': {
      const out = [...hosts];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    }
    default:
      return hosts;
  }
}

/** Split hosts into serial batches. */
export function serialBatches(hosts: string[], serial: Array<number | string>, source: SourcePos): string[][] {
  if (serial.length === 0) return [hosts];
  const sizes = serial.map((s) => batchSize(s, hosts.length, source));
  const batches: string[][] = [];
  let at = 0;
  let i = 0;
  while (at < hosts.length) {
    const size = sizes[Math.min(i, sizes.length - 1)]!;
    batches.push(hosts.slice(at, at + size));
    at += size;
    i++;
  }
  return batches;
}

function batchSize(value: number | string, total: number, source: SourcePos): number {
  const text = String(value).trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  const n = pct ? Math.floor((Number(pct[1]) / 100) * total) : Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new BosunError('SCHEMA', `serial: expected a number or a percentage, got '${text}'`, { source });
  // Ansible: a percentage that rounds to 0 still makes batches of one; 0 means all hosts.
  if (n === 0) return pct ? 1 : Math.max(1, total);
  return n;
}
