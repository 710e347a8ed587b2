/**
 * `--tags` / `--skip-tags` selection with Ansible's special tags: `always`
 * runs unless skipped by name, `never` runs only when asked for, `all`,
 * `tagged` and `untagged` select by whether a task has tags.
 */

/** The tag filters of a run. */
export interface TagFilter {
  only: string[];
  skip: string[];
}

/** Whether a task (or include) with these tags runs under the filter. */
export function tagsSelect(tags: readonly string[], filter: TagFilter): boolean {
  const has = (t: string): boolean => tags.includes(t);
  const untagged = tags.length === 0 || (tags.length === 1 && tags[0] === 'always');
  if (filter.skip.length) {
    if (filter.skip.some((t) => has(t))) return false;
    if (filter.skip.includes('tagged') && !untagged) return false;
    if (filter.skip.includes('untagged') && untagged) return false;
  }
  if (has('always') && !filter.skip.includes('always')) return true;
  const only = filter.only.length ? filter.only : ['all'];
  if (has('never') && !only.some((t) => t !== 'all' && has(t))) return false;
  if (only.includes('all')) return true;
  if (only.includes('tagged') && !untagged) return true;
  if (only.includes('untagged') && untagged) return true;
  return only.some((t) => has(t));
}
