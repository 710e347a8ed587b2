/**
 * What the package modules share: the argument shapes, the list of names,
 * the probe that finds the host's package manager, and the result fields.
 */
import { boolSchema } from './bool.js';

/** The package manager a host uses. */
export type PackageManager = 'apt' | 'dnf' | 'yum';

/** Arguments every package module takes. */
export interface PackageArgs {
  name?: string | string[];
  state?: 'present' | 'installed' | 'absent' | 'removed' | 'latest';
  update_cache?: boolean | string;
  autoremove?: boolean | string;
}

/** Schema properties every package module takes. */
export const packageProps = {
  name: {
    type: ['string', 'array'],
    items: { type: 'string', minLength: 1 },
    description: "Package name, or a list, or 'a,b' (aliases: pkg, package)",
  },
  state: {
    type: 'string',
    enum: ['present', 'installed', 'absent', 'removed', 'latest'],
    default: 'present',
    description: 'present/installed, absent/removed, or latest (install or upgrade)',
  },
  update_cache: boolSchema('Refresh the package lists first', false),
  autoremove: boolSchema(
    'Also remove packages that were only installed as dependencies and are no longer needed',
    false,
  ),
} as const;

/** The names as a list (a comma-separated string is split, as Ansible does). */
export function packageNames(name: string | string[] | undefined): string[] {
  if (name === undefined) return [];
  const list = Array.isArray(name) ? name : name.split(',');
  return list.map((n) => n.trim()).filter(Boolean);
}

/** The three normalised states. */
export function normState(state: PackageArgs['state']): 'present' | 'absent' | 'latest' {
  if (state === 'absent' || state === 'removed') return 'absent';
  if (state === 'latest') return 'latest';
  return 'present';
}

/** A sh snippet printing `PM apt-get` / `PM dnf` / `PM yum` for every package tool on the PATH. */
export const managerProbe =
  'for t in apt-get dpkg-query dnf yum rpm; do command -v "$t" >/dev/null 2>&1 && echo "PM $t"; done';

/** The tools found by `managerProbe`. */
export function managersFound(stdout: string): Set<string> {
  return new Set([...stdout.matchAll(/^PM (\S+)$/gm)].map((m) => m[1]!));
}

/** The package manager to use from the tools found (apt-get, then dnf, then yum), or undefined. */
export function pickManager(tools: Set<string>): PackageManager | undefined {
  if (tools.has('apt-get')) return 'apt';
  if (tools.has('dnf')) return 'dnf';
  if (tools.has('yum')) return 'yum';
  return undefined;
}

/** One package a transaction changes. */
export interface PackageChange {
  name: string;
  /** install, upgrade, remove, purge, downgrade, reinstall */
  action: string;
  /** The version before (absent for installs). */
  from?: string;
  /** The version after (absent for removals). */
  to?: string;
}

/** The diff text of a list of changes: `name: old -> new` per line, before and after. */
export function changesDiff(changes: PackageChange[]): { path: string; before: string; after: string } {
  const before = changes.map((c) => `${c.name}: ${c.from ?? 'absent'}\n`).join('');
  const after = changes.map((c) => `${c.name}: ${c.to ?? 'absent'}\n`).join('');
  return { path: 'packages', before, after };
}
