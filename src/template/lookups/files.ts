/**
 * The lookups that read controller files: `file`, `template`, `first_found`,
 * `fileglob`, found through the task's search path (src/template/lookups/search.ts)
 * as Ansible finds them. What they read is data: it is never rendered as a
 * template (the `template` lookup renders its file once, and that result is data).
 */
import { readFileSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { fileglob, findFile } from './search.js';
import { LookupError, type LookupFn, type LookupHost } from './types.js';
import { isPlainObject } from '../values.js';
import { optionBool } from './options.js';
import { pyText } from '../jinja/values.js';

function text(term: unknown, what: string): string {
  if (typeof term !== 'string') throw new LookupError(`${what} must be a text, got ${JSON.stringify(term)}`);
  return term;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new LookupError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** `file`: each file's text, found under `files/` of the search path; rstrip by default, lstrip on request. */
export const file: LookupFn = (terms, options, host) => {
  const rstrip = optionBool(options, 'rstrip', true);
  const lstrip = optionBool(options, 'lstrip', false);
  return terms.map((term) => {
    const name = text(term, 'a file lookup term');
    const found = findFile(host.search, 'files', name);
    if (!found) throw new LookupError(`could not locate file in lookup: ${name}`);
    let contents = read(found);
    if (lstrip) contents = contents.replace(/^\s+/, '');
    if (rstrip) contents = contents.replace(/\s+$/, '');
    return contents;
  });
};

/** `fileglob`: the files matching each pattern. */
export const fileglobLookup: LookupFn = (terms, _options, host) =>
  terms.flatMap((t) => fileglob(text(t, 'a fileglob pattern'), host.search));

/** Python's str(datetime): `2024-05-01 12:30:00.123456`. */
function pyDatetime(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/** The variables Ansible adds for a template (generate_ansible_template_vars). */
function templateVars(term: string, full: string): Record<string, unknown> {
  const st = statSync(full);
  let uid: string;
  try {
    uid = st.uid === process.getuid?.() ? userInfo().username : String(st.uid);
  } catch {
    uid = String(st.uid);
  }
  return {
    template_host: hostname(),
    template_path: term,
    template_mtime: pyDatetime(st.mtime),
    template_uid: uid,
    template_run_date: pyDatetime(new Date()),
    template_destpath: null,
    template_fullpath: full,
    ansible_managed: 'Ansible managed',
  };
}

/** `template`: each file found under `templates/`, rendered with the task's variables (and `template_vars=`). */
export const template: LookupFn = (terms, options, host) => {
  const extra = options['template_vars'] ?? {};
  if (!isPlainObject(extra)) throw new LookupError('template_vars must be a dict');
  for (const o of ['variable_start_string', 'variable_end_string', 'comment_start_string', 'comment_end_string'])
    if (options[o] !== undefined) throw new LookupError(`the template lookup's ${o} is not supported by bosun`);
  return terms.map((term) => {
    const name = text(term, 'a template lookup term');
    const found = findFile(host.search, 'templates', name);
    if (!found) throw new LookupError(`the template file ${name} could not be found for the lookup`);
    return host.renderFile(read(found), found, { ...templateVars(name, found), ...extra });
  });
};

/** Python's os.path.join of two parts: an absolute second part wins. */
function pyJoin(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return `${a}/${b}`;
}

/** first_found's `_split_on`: texts split on any of `chars`, lists walked. */
function splitOn(value: unknown, chars: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(new RegExp(`[${chars.replace(/[\\\]^-]/g, '\\$&')}]`));
  if (Array.isArray(value)) return value.flatMap((v) => splitOn(v, chars));
  return [pyText(value)];
}

/** first_found's _process_terms: the candidate names in order, and `skip`. */
function firstFoundTerms(terms: unknown[], options: Record<string, unknown>): { search: string[]; skip: boolean } {
  let search: string[] = [];
  let skip = false;
  for (const term of terms) {
    let opts: Record<string, unknown>;
    if (isPlainObject(term)) opts = term;
    else if (typeof term === 'string') opts = options;
    else if (Array.isArray(term)) {
      const inner = firstFoundTerms(term, options);
      search.push(...inner.search);
      skip = inner.skip;
      continue;
    } else
      throw new LookupError(
        `Invalid term supplied, can handle string, mapping or list of strings but got: ${JSON.stringify(term)}`,
      );
    for (const k of Object.keys(opts))
      if (!['files', 'paths', 'skip'].includes(k))
        throw new LookupError(`first_found has no option '${k}' (files, paths, skip)`);
    skip = optionBool(opts, 'skip', false);
    const files = splitOn(opts['files'], ',;');
    const paths = splitOn(opts['paths'], ',:;');
    // Ansible's quirks kept: with paths, every path/file pair; with files only, the files replace what came before.
    if (paths.length) for (const p of paths) for (const f of files) search.push(pyJoin(p, f));
    else if (files.length) search = files;
    else search.push(term as string);
  }
  return { search, skip };
}

/** `first_found`: the first candidate that exists (under `files/` of the search path for a relative name). */
export const firstFound: LookupFn = (terms, options, host: LookupHost) => {
  const { search, skip } = firstFoundTerms(terms, options);
  for (const name of search) {
    const found = findFile(host.search, 'files', name);
    if (found) return [path.normalize(found)];
  }
  if (skip) return [];
  throw new LookupError('No file was found when using first_found.');
};
