/**
 * "Did you mean": the candidate a misspelt name most likely meant, or
 * none when nothing is close enough to be a typo (so `cron` is not told
 * to be `copy`, three edits away in four letters).
 */
import { closest, distance } from 'fastest-levenshtein';

/** The closest candidate when it is a typo away: two edits, or three in a name of 7 letters or more. */
export function suggestName(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (list.length === 0) return undefined;
  const near = closest(name, list);
  const d = distance(name, near);
  return d <= 2 || (d === 3 && name.length >= 7) ? near : undefined;
}
