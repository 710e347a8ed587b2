/**
 * The `password` lookup: a password kept in a file on the controller,
 * generated on first use (`length`, `chars`, `seed` as Ansible's, so a
 * seeded password is Ansible's password), read back afterwards. The file is
 * made with mode 0600 in a folder made with 0700, holding the password and,
 * with `encrypt`, ` salt=<salt>` so that the hash stays the same.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BosunError } from '../../errors.js';
import { parseKeyValues } from '../../util/arg-string.js';
import { PyRandom } from '../../util/py-random.js';
import { passwordHash } from '../jinja/filters.js';
import { expandHome } from './search.js';
import { LookupOptionsError, optionInt } from './options.js';
import { LookupError, type LookupFn } from './types.js';
import { pyText } from '../jinja/values.js';

const PARAMS = ['length', 'encrypt', 'chars', 'ident', 'seed'];

/** Python's `string` module constants that `chars` may name. */
const CHAR_SETS: Record<string, string> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  whitespace: ' \t\n\r\x0b\x0c',
  printable:
    '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c',
};

const DEFAULT_CHARS = ['ascii_letters', 'digits', '.,:-_'];

/** `encrypt=` schemes bosun can hash with (the password_hash filter's), by Ansible's names. */
const SCHEMES: Record<string, string> = { sha512_crypt: 'sha512', sha256_crypt: 'sha256' };

const SALT_CHARS = Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./');

/** A chars list (or Ansible's comma text, `,,` for a comma) as the candidate characters, quotes removed. */
function candidateChars(spec: unknown): string {
  let specs: string[];
  if (typeof spec === 'string') {
    specs = spec.includes(',,') ? [','] : [];
    specs.push(
      ...spec
        .replace(/,,/g, ',')
        .split(',')
        .filter((c) => c !== ''),
    );
  } else if (Array.isArray(spec)) specs = spec.map(String);
  else throw new LookupOptionsError('chars must be a list or a comma-separated text');
  return specs
    .map((s) => CHAR_SETS[s] ?? s)
    .join('')
    .replace(/["']/g, '');
}

/** `path key=value...`: the path (spaces allowed before the first key=value) and the parameters. */
function parseTerm(term: string): { relpath: string; params: Record<string, unknown> } {
  const space = term.indexOf(' ');
  if (space < 0) return { relpath: term, params: {} };
  let relpath = term.slice(0, space);
  let parsed: { values: Record<string, string>; rest: string[] };
  try {
    parsed = parseKeyValues(term.slice(space + 1), { file: '<password>', line: 1, col: 1 });
  } catch (err) {
    if (err instanceof BosunError) throw new LookupError(err.message);
    throw err;
  }
  if (parsed.rest.length) {
    relpath = [relpath, ...parsed.rest].join(' ');
    if (!term.startsWith(relpath))
      throw new LookupError('Unrecognized value after key=value parameters given to password lookup');
  }
  const invalid = Object.keys(parsed.values).filter((k) => !PARAMS.includes(k));
  if (invalid.length)
    throw new LookupError(`Unrecognized parameter(s) given to password lookup: ${invalid.join(', ')}`);
  return { relpath, params: parsed.values };
}

/** The stored `password[ salt=...[ ident=...]]`. */
function parseContent(content: string): { password: string; salt?: string; ident?: string } {
  const at = content.lastIndexOf(' salt=');
  if (at < 0) return { password: content };
  const rest = content.slice(at + ' salt='.length);
  const identAt = rest.lastIndexOf(' ident=');
  if (identAt < 0) return { password: content.slice(0, at), salt: rest };
  return {
    password: content.slice(0, at),
    salt: rest.slice(0, identAt),
    ident: rest.slice(identAt + ' ident='.length),
  };
}

/** `password`: per term, the password of the file (created when missing), hashed with `encrypt=`. */
export const password: LookupFn = (terms, options, host) =>
  terms.map((term) => {
    if (typeof term !== 'string') throw new LookupError('a password lookup term must be a path');
    const { relpath, params } = parseTerm(term);
    const get = (k: string): unknown => params[k] ?? options[k];
    const length = optionInt({ length: get('length') }, 'length', 20);
    const chars = candidateChars(get('chars') ?? DEFAULT_CHARS);
    if (chars === '') throw new LookupError('the password lookup has no characters to choose from');
    const seed = get('seed');
    const encrypt = get('encrypt') as string | undefined;
    if (encrypt !== undefined && !SCHEMES[encrypt])
      throw new LookupError(`encrypt=${encrypt} is not supported by bosun (sha512_crypt, sha256_crypt)`);
    const file = path.resolve(host.search.basedir, expandHome(relpath));
    const devNull = file === '/dev/null';
    const content = !devNull && existsSync(file) ? readFileSync(file, 'utf8').replace(/\s+$/, '') : undefined;
    let stored: { password: string; salt?: string };
    let changed = false;
    if (content === undefined) {
      const random = seed === undefined || seed === null ? PyRandom.system() : PyRandom.seeded(pyText(seed));
      const pick = Array.from(chars);
      stored = { password: Array.from({ length }, () => random.choice(pick)).join('') };
      changed = true;
    } else stored = parseContent(content);
    if (encrypt && !stored.salt) {
      const random = PyRandom.system();
      stored.salt = Array.from({ length: 16 }, () => random.choice(SALT_CHARS)).join('');
      changed = true;
    }
    if (changed && !devNull) {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${stored.password}${stored.salt ? ` salt=${stored.salt}` : ''}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    return encrypt ? passwordHash(stored.password, SCHEMES[encrypt]!, stored.salt, 5000) : stored.password;
  });
