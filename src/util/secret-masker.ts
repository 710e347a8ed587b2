/**
 * The SecretMasker: the secret strings of a run and how they are masked.
 * Two kinds of secret (`isWeakSecret`): a strong one (a value like
 * `s3cr3t-Pw!`) is masked wherever it appears, also inside longer text; a
 * weak one (shorter than 6 characters, a single word or number shorter than
 * 12, or a well-known default such as `admin123`) would turn every `root` of
 * `/root` into asterisks, so it is masked only where it is a whole value of a
 * task's result (`"msg": "root"`, a line of stdout), under a secret-named
 * key, and as the value of a secret-named line of a diff, never inside free
 * text, task names, host names or paths. secrets.ts collects the secrets and
 * puts the masker between the executor and the reporters.
 */
import { BosunError, rememberSource } from '../errors.js';
import { readFileSync } from 'node:fs';
import { isSecretName, MASK, maskAssignments } from './secret-names.js';
import { shq } from './shell.js';

/** Shorter values are not masked at all: masking "ab" would garble output and hide nothing. */
const MIN_LENGTH = 3;
/** Shorter values are weak (masked only as whole values). */
const WEAK_BELOW = 6;
/** A single word or number shorter than this is weak. */
const WORD_WEAK_BELOW = 12;
const ONE_WORD = /^(?:[A-Za-z]+|[0-9]+)$/;
/** Default and common passwords that the length and word rules do not catch (lower case). */
const COMMON_SECRETS: ReadonlySet<string> = new Set([
  'administrator',
  'passw0rd',
  'p@ssw0rd',
  'p@55w0rd',
  'password1',
  'password123',
  'changeme1',
  'changeme123',
  'admin123',
  'admin1234',
  'root123',
  'toor123',
  'qwerty123',
  'abc12345',
  'welcome1',
  'letmein1',
  'elasticsearch',
]);

/** True when a secret value is weak: masked only where it is a whole value (see the top of this file). */
export function isWeakSecret(value: string): boolean {
  return (
    value.length < WEAK_BELOW ||
    (value.length < WORD_WEAK_BELOW && ONE_WORD.test(value)) ||
    COMMON_SECRETS.has(value.toLowerCase())
  );
}

/**
 * Result keys whose values name things rather than output them (the host,
 * the task, an owner, a path): a weak secret equal to one of them is left
 * alone there (`"owner": "root"` stays); a strong one is masked anyway.
 */
const NAMING_KEYS: ReadonlySet<string> = new Set([
  'type',
  'host',
  'task',
  'module',
  'status',
  'delegatedTo',
  'delegatedAddress',
  'label',
  'item',
  'owner',
  'group',
  'user',
  'name',
  'pw_name',
  'gr_name',
  'path',
  'dest',
  'src',
  'home',
  'shell',
  'state',
  'mode',
]);

/** The texts of a diff (`before`/`after` of a result's diff and of its registered `diff`). */
const DIFF_TEXT_KEYS: ReadonlySet<string> = new Set(['before', 'after']);

/** A file's text with the value of every secret-named assignment masked, line by line (maskAssignments). */
export function maskConfigLines(text: string): string {
  if (!/pass|secret|token|key/i.test(text)) return text;
  return text
    .split('\n')
    .map((line) => maskAssignments(line).text)
    .join('\n');
}

/** The fields of a registered result that hold what the task read or printed (secret under a secret name). */
const REGISTERED_OUTPUT = ['stdout', 'stdout_lines', 'content', 'json'] as const;

/** Collects secret strings and masks them in text and in structured values. */
export class SecretMasker {
  /** Masked wherever they appear. */
  private readonly strong = new Set<string>();
  /** Masked only as whole values. */
  private readonly weak = new Set<string>();
  private weakLongest = 0;
  /**
   * The strong secrets as a few regular expressions (alternations, longest
   * first), oldest and largest first, each at least twice the size of the
   * next, merged as secrets come: a run that learns a secret per host (a
   * registered token) rebuilds each secret's expression about log2(n) times,
   * not once per host (measured: 1000 hosts learning one each spent 8-13 s
   * rebuilding one expression; see docs/reliability.md for the figures).
   */
  private levels: Array<{ secrets: string[]; pattern?: RegExp }> = [];
  private readonly learned = new WeakSet<object>();

  /** How many distinct strings are masked. */
  get size(): number {
    return this.strong.size + this.weak.size;
  }

  /** Add a secret value: a string (with its quoted and JSON-escaped forms), a number, or every string and number inside a list or mapping. */
  add(value: unknown): void {
    if (typeof value === 'string') {
      // A template is not the secret: its rendered value is (a vault value, or learned from results).
      if (value.includes('{{')) return;
      this.addString(value);
      if (value.includes('\n'))
        for (const line of value.split('\n')) if (line.trim().length >= 8) this.addString(line.trim());
      this.addString(JSON.stringify(value).slice(1, -1));
      this.addString(shq(value));
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      this.addString(String(value));
    } else if (Array.isArray(value)) {
      for (const v of value) this.add(v);
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) this.add(v);
    }
  }

  /** Add the values of the secret-named keys of a mapping, at any depth. */
  addNamed(vars: unknown): void {
    if (Array.isArray(vars)) {
      for (const v of vars) this.addNamed(v);
    } else if (vars && typeof vars === 'object' && !(vars instanceof Error)) {
      for (const k in vars) {
        if (!Object.hasOwn(vars, k)) continue;
        const v = (vars as Record<string, unknown>)[k];
        if (isSecretName(k)) this.add(v);
        else if (v !== null && typeof v === 'object') this.addNamed(v);
      }
    }
  }

  /**
   * Learn the secret-named variables of layers the executor puts together at
   * run time (task, block and include `vars:`, role params, the defaults and
   * vars of a role that include_role loaded). Each layer object is read once.
   */
  learnLayers(layers: ReadonlyArray<{ values: Record<string, unknown> } | undefined>): void {
    for (const layer of layers) {
      if (!layer || this.learned.has(layer)) continue;
      this.learned.add(layer);
      this.addNamed(layer.values);
    }
  }

  /**
   * A result registered under a secret name (`register: api_token`): what
   * the task read or printed is secret (stdout and its lines, a slurped
   * `content` also decoded, a `json` body), for every loop item too.
   */
  addRegistered(data: unknown): void {
    if (!data || typeof data !== 'object') return;
    const d = data as Record<string, unknown>;
    for (const key of REGISTERED_OUTPUT) if (d[key] !== undefined) this.add(d[key]);
    if (typeof d['content'] === 'string' && d['encoding'] === 'base64')
      this.add(Buffer.from(d['content'], 'base64').toString('utf8'));
    if (Array.isArray(d['results'])) for (const r of d['results']) this.addRegistered(r);
  }

  private addString(s: string): void {
    if (s.length < MIN_LENGTH || this.strong.has(s) || this.weak.has(s)) return;
    if (isWeakSecret(s)) {
      this.weak.add(s);
      this.weakLongest = Math.max(this.weakLongest, s.length);
      return;
    }
    this.strong.add(s);
    this.levels.push({ secrets: [s] });
    for (
      let n = this.levels.length;
      n >= 2 && this.levels[n - 2]!.secrets.length <= 2 * this.levels[n - 1]!.secrets.length;
      n--
    ) {
      const newer = this.levels.pop()!;
      const older = this.levels.pop()!;
      this.levels.push({ secrets: [...older.secrets, ...newer.secrets] });
    }
  }

  private static alternation(secrets: Iterable<string>): RegExp {
    const sorted = [...secrets]
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(sorted.join('|'), 'g');
  }

  /** The text with every strong secret replaced by MASK (longest secrets first); weak ones stay (see maskValue). */
  mask(text: string): string {
    if (this.strong.size === 0 || text.length < MIN_LENGTH) return text;
    // Each level finds its secrets in the original text; overlapping finds are masked as one (a new secret inside
    // an older one, or holding one, never leaves a piece of either shown).
    let found: Array<[number, number]> | undefined;
    for (const level of this.levels) {
      const pattern = (level.pattern ??= SecretMasker.alternation(level.secrets));
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m; m = pattern.exec(text)) (found ??= []).push([m.index, m.index + m[0].length]);
    }
    if (!found) return text;
    if (this.levels.length > 1) found.sort((a, b) => a[0] - b[0]);
    let out = '';
    let done = 0;
    let i = 0;
    while (i < found.length) {
      const start = found[i]![0];
      let end = found[i]![1];
      for (i++; i < found.length && found[i]![0] < end; i++) end = Math.max(end, found[i]![1]);
      out += text.slice(done, start) + MASK;
      done = end;
    }
    return out + text.slice(done);
  }

  /** A whole value: MASK when it is a secret (weak ones too, blanks around it ignored), else masked as text. */
  maskValue(text: string): string {
    if (this.weak.size > 0 && text.length <= this.weakLongest + 8 && this.weak.has(text.trim())) return MASK;
    return this.mask(text);
  }

  /**
   * A copy of a value with every string (map keys too) masked; errors become
   * masked errors. With `values`, the value is a task's result: its strings
   * are whole values, so weak secrets are masked too, except under naming keys
   * (host, owner, path, ...). Under a secret-named key they always are.
   */
  maskDeep<T>(value: T, opts: { values?: boolean } = {}): T {
    if (this.size === 0) return value;
    return this.walk(value, new Map(), opts.values === true) as T;
  }

  private walk(value: unknown, seen: Map<object, unknown>, values: boolean): unknown {
    if (typeof value === 'string') return values ? this.maskValue(value) : this.mask(value);
    if (!value || typeof value !== 'object') return value;
    if (seen.has(value)) return seen.get(value);
    if (value instanceof BosunError) return this.maskError(value);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      seen.set(value, out);
      for (const v of value) out.push(this.walk(v, seen, values));
      return out;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null)
      return value instanceof Error ? new Error(this.mask(value.message)) : value;
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) {
      const whole = isSecretName(k) || (values && !NAMING_KEYS.has(k));
      // A diff's text is a file: a line that sets a secret-named key (`password=...`) is masked by name too.
      out[this.mask(k)] =
        values && DIFF_TEXT_KEYS.has(k) && typeof v === 'string'
          ? this.mask(maskConfigLines(v))
          : this.walk(v, seen, whole);
    }
    return out;
  }

  /**
   * A BosunError with its message and hint masked. When the line the error
   * points at holds a secret, the remembered text of that file is masked too,
   * so the excerpt formatError prints does not show it.
   */
  maskError(err: BosunError): BosunError {
    if (this.strong.size === 0) return err;
    if (err.source) this.maskSourceText(err.source.file);
    const masked = new BosunError(err.code, this.mask(err.message), {
      ...(err.source ? { source: err.source } : {}),
      ...(err.hint !== undefined ? { hint: this.mask(err.hint) } : {}),
    });
    return masked;
  }

  private maskSourceText(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const masked = this.mask(text);
    // A vaulted file's text on disk holds no secret; its redacted plaintext stays remembered.
    if (masked !== text) rememberSource(file, masked);
  }
}
