/**
 * The package names of the `pip` module as Ansible reads them: the list rebuilt from words split at commas
 * (`_recover_package_name`), each parsed as a PEP 508 requirement the way setuptools' `Requirement.parse`
 * does (name, extras, specifiers, URL, marker) and written back in its canonical text, and whether an
 * installed version satisfies it (PEP 440, through @renovatebot/pep440). A word that is no requirement
 * (a URL, a path) stays as written and is never satisfied by what `pip list` shows.
 */
import { satisfies } from '@renovatebot/pep440';

/** The comparison operators that start a version specifier (Ansible's `op_dict`). */
const OPERATORS = ['>=', '<=', '>', '<', '==', '!=', '~='];

/** One requirement as given, and what it parsed to. */
export interface PipPackage {
  /** What goes to pip: the canonical requirement text, or the word as written when it is no requirement. */
  text: string;
  /** PEP 503 name (lower case, runs of `-_.` as `-`), when it parsed. */
  canonical?: string;
  /** The name as written in the requirement (pip's messages use it). */
  name?: string;
  /** The specifiers (`>=1.0`), sorted as packaging prints them. */
  specs: string[];
}

/** PEP 503's normalised name. */
export function canonicalName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Ansible's `_recover_package_name`: words split at commas joined again where a part is only a version specifier. */
export function recoverPackageNames(names: string[]): string[] {
  const parts = names.flatMap((n) => n.split(','));
  const out: string[] = [];
  let current: string[] = [];
  let inBrackets = false;
  for (const part of parts) {
    const isName = !OPERATORS.some((op) => part.trimStart().startsWith(op));
    if (isName && !inBrackets) {
      if (current.length) out.push(current.join(','));
      current = [];
    }
    if (part.includes('[')) inBrackets = true;
    if (inBrackets && part.includes(']')) inBrackets = false;
    current.push(part);
  }
  out.push(current.join(','));
  return out;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const SPEC = /^\s*(===|==|!=|<=|>=|~=|<|>)\s*([A-Za-z0-9_.*+!-]+)\s*/;

/** Parse one requirement as setuptools does; a word that is not one stays as written (`text` only). */
export function parsePackage(word: string): PipPackage {
  const plain: PipPackage = { text: word, specs: [] };
  let rest = word.trim();
  const name = NAME.exec(rest)?.[0];
  if (!name) return plain;
  rest = rest.slice(name.length).trimStart();
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return plain;
    extras = rest
      .slice(1, end)
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (extras.some((e) => !NAME.test(e) || NAME.exec(e)![0] !== e)) return plain;
    rest = rest.slice(end + 1).trimStart();
  }
  let url: string | undefined;
  const specs: string[] = [];
  if (rest.startsWith('@')) {
    url = /^@\s*(\S+)/.exec(rest)?.[1];
    if (!url) return plain;
    rest = rest.slice(rest.indexOf(url) + url.length).trimStart();
  } else {
    const paren = rest.startsWith('(');
    let body = paren ? rest.slice(1) : rest;
    for (;;) {
      const m = SPEC.exec(body);
      if (!m) break;
      specs.push(m[1]! + m[2]!);
      body = body.slice(m[0].length);
      if (!body.startsWith(',')) break;
      body = body.slice(1);
    }
    if (paren) {
      if (!body.trimStart().startsWith(')')) return plain;
      body = body.trimStart().slice(1);
    }
    rest = body.trimStart();
  }
  let marker: string | undefined;
  if (rest.startsWith(';')) {
    marker = rest.slice(1).trim();
    if (!marker) return plain;
    rest = '';
  }
  if (rest !== '') return plain;
  specs.sort();
  const text =
    name +
    (extras.length ? `[${[...new Set(extras)].sort().join(',')}]` : '') +
    specs.join(',') +
    (url !== undefined ? `@ ${url}${marker !== undefined ? ' ' : ''}` : '') +
    (marker !== undefined ? `; ${marker}` : '');
  return { text, canonical: canonicalName(name), name, specs };
}

/** The package with `version` added (Ansible: `name==V` for a version starting with a digit, else `name V`). */
export function withVersion(pkg: PipPackage, version: string): PipPackage {
  const v = version.trimStart();
  return parsePackage(`${pkg.text}${/^\d/.test(v) ? '==' : ' '}${v}`);
}

/** Whether an installed version satisfies the package's specifiers (pre-releases allowed, as Ansible asks). */
export function satisfiedBy(pkg: PipPackage, version: string): boolean {
  if (pkg.canonical === undefined) return false;
  if (!pkg.specs.length) return true;
  try {
    return satisfies(version, pkg.specs.join(','), { prereleases: true });
  } catch {
    return false;
  }
}

/** `name==version` lines of `pip list --format=freeze` (or `pip freeze`), by canonical name. */
export function installedVersions(listing: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of listing.split('\n')) {
    const i = line.indexOf('==');
    if (i < 0) continue;
    out.set(canonicalName(line.slice(0, i)), line.slice(i + 2).trim());
  }
  return out;
}

/** The distributions `pip install --dry-run` says it would install (`Would install a-1.0 b-2.0`), as [canonical, version]. */
export function wouldInstall(stdout: string): Array<[string, string]> {
  const line = /^Would install (.*)$/m.exec(stdout)?.[1];
  if (!line) return [];
  return line
    .trim()
    .split(/\s+/)
    .map((w) => {
      const i = w.lastIndexOf('-');
      return [canonicalName(w.slice(0, i)), w.slice(i + 1)] as [string, string];
    });
}
