/**
 * JSON Schema validation (ajv) of user data, with errors mapped back to the
 * YAML position of the offending value and said in plain words.
 *
 * Compiled validators are kept on disk as ajv standalone code (keyed by a
 * hash of the schema and the ajv versions), so a run loads them instead of
 * loading ajv and compiling: measured, compiling the playbook and module
 * schemas was about 190 ms of a 700 ms `--syntax-check`. ajv itself is
 * loaded only when a schema is not in the cache. The cache's code is run, so
 * it is private and checked against its digest (./validator-cache.ts).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { BosunError, type SourcePos } from '../errors.js';
import { suggestName } from './suggest.js';
import { openCacheDir, readCachedCode, writeCachedCode } from './validator-cache.js';
import type { ValuePath, YamlFile } from './yaml.js';

const require = createRequire(import.meta.url);
const AJV_OPTIONS = { strict: true, allErrors: true, allowUnionTypes: true, code: { source: true } };

let shared: Ajv | undefined;

/** The one ajv instance: strict, all errors, formats (loaded on first use). */
export function getAjv(): Ajv {
  if (!shared) {
    const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
    const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
    shared = new AjvClass(AJV_OPTIONS);
    addFormats(shared);
  }
  return shared;
}

const compiled = new WeakMap<object, ValidateFunction>();
let cacheDir: string | null | undefined;
let cacheSalt: string | undefined;

/**
 * Where compiled validators are kept (`BOSUN_CACHE_DIR`, else ~/.cache/bosun);
 * null: no cache (BOSUN_CACHE_DIR='', or a folder that is not private).
 */
function validatorDir(): string | null {
  if (cacheDir === undefined) {
    const env = process.env['BOSUN_CACHE_DIR'];
    const base = env ?? join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'bosun');
    cacheDir = env === '' ? null : openCacheDir(join(base, 'validators'));
  }
  return cacheDir;
}

function cacheKey(schema: Record<string, unknown>): string {
  cacheSalt ??= [
    (require('ajv/package.json') as { version: string }).version,
    (require('ajv-formats/package.json') as { version: string }).version,
    JSON.stringify(AJV_OPTIONS),
  ].join(' ');
  return createHash('sha256').update(cacheSalt).update(JSON.stringify(schema)).digest('hex').slice(0, 32);
}

/** Evaluate standalone validator code (CommonJS) with bosun's own `require`, so its runtime imports resolve here; only code bosun wrote itself (private, digest checked). */
function loadStandalone(code: string): ValidateFunction {
  const mod: { exports: unknown } = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- ajv's own standalone code, from the private, digest-checked cache
  const load = new Function('require', 'module', 'exports', code) as (r: NodeJS.Require, m: object, e: unknown) => void;
  load(require, mod, mod.exports);
  return mod.exports as ValidateFunction;
}

function compileCached(schema: Record<string, unknown>): ValidateFunction {
  const dir = validatorDir();
  const key = dir === null ? null : cacheKey(schema);
  const code = dir === null || key === null ? undefined : readCachedCode(dir, key);
  if (code !== undefined) {
    try {
      return loadStandalone(code);
    } catch {
      // unusable after all: compile below, and the entry is rewritten
    }
  }
  const ajv = getAjv();
  const validate = ajv.compile(schema);
  if (dir !== null && key !== null) {
    try {
      const standalone = (require('ajv/dist/standalone') as { default: (a: Ajv, v: ValidateFunction) => string })
        .default;
      writeCachedCode(dir, key, standalone(ajv, validate));
    } catch {
      // a read-only home only costs the next run a compile
    }
  }
  return validate;
}

/** Compile (once per run, and from the on-disk cache across runs) and return the validator for a schema object. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = compileCached(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** Where the value being validated sits in its YAML file. */
export interface SchemaTarget {
  yaml?: YamlFile;
  /** Path of the validated value inside the file. */
  basePath?: ValuePath;
  /** Fallback position when there is no YAML (values from -e, for example). */
  source?: SourcePos;
  /** What is validated, for the message: "task", "arguments of module copy". */
  what: string;
}

/** Validate; on failure throw a SCHEMA BosunError pointing at the offending value. */
export function validateOrThrow(schema: Record<string, unknown>, value: unknown, target: SchemaTarget): void {
  const validate = compileSchema(schema);
  if (validate(value)) return;
  const err = pickError(validate.errors ?? []);
  throw schemaError(err, target, schema);
}

/** Prefer the most specific error: the deepest path, and real mismatches over anyOf/oneOf summaries. */
function pickError(errors: ErrorObject[]): ErrorObject | undefined {
  const depth = (e: ErrorObject): number => (e.instancePath === '' ? 0 : e.instancePath.split('/').length);
  const weight = (e: ErrorObject): number =>
    depth(e) * 10 +
    (e.keyword === 'additionalProperties'
      ? 5
      : e.keyword === 'required'
        ? 4
        : e.keyword === 'anyOf' || e.keyword === 'oneOf'
          ? 0
          : 3);
  return [...errors].sort((a, b) => weight(b) - weight(a))[0];
}

function schemaError(err: ErrorObject | undefined, target: SchemaTarget, schema?: unknown): BosunError {
  if (!err) return new BosunError('SCHEMA', `invalid ${target.what}`, target.source ? { source: target.source } : {});
  const path: Array<string | number> = err.instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
  const full = [...(target.basePath ?? []), ...path];
  let source = target.yaml ? target.yaml.posOf(full) : target.source;
  let message: string;
  let hint: string | undefined;
  const at = path.length ? ` at '${path.join('.')}'` : '';
  const params = err.params as {
    additionalProperty: string;
    missingProperty: string;
    type: string | string[];
    allowedValues: unknown[];
  };
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = params.additionalProperty;
      if (target.yaml) source = target.yaml.keyPosOf([...full, key]);
      message = `unknown key '${key}' in ${target.what}${at}`;
      hint = unknownKeyHint(err, schema);
      break;
    }
    case 'required': {
      // A `then` of lib/schema.ts requiredIfTrue: say which flag asks for the key.
      const flag = err.schemaPath.endsWith('/then/required') ? ifFlag(schema, err.schemaPath) : undefined;
      message = `${target.what}${at} is missing the required key '${params.missingProperty}'${flag ? ` (needed when '${flag}' is true)` : ''}`;
      break;
    }
    case 'type':
      message = `${target.what}${at}: expected ${params.type.toString().replace(',', ' or ')}`;
      break;
    case 'enum':
      message = `${target.what}${at}: expected one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    default:
      message = `${target.what}${at}: ${err.message ?? 'invalid value'}`;
  }
  return new BosunError('SCHEMA', message, { ...(source ? { source } : {}), ...(hint ? { hint } : {}) });
}

/** The hint for an `additionalProperties` error: "did you mean" a close key of `schema` there, or the keys there are. */
export function unknownKeyHint(err: ErrorObject, schema: unknown): string | undefined {
  const key = (err.params as { additionalProperty?: unknown }).additionalProperty;
  return typeof key === 'string' ? keyHint(key, siblingKeys(schema, err.schemaPath)) : undefined;
}

/** The key the `if` beside a failed `then` tests (`#/then/required` -> the `if`'s first required key). */
function ifFlag(schema: unknown, schemaPath: string): string | undefined {
  let node: unknown = schema;
  for (const seg of schemaPath.replace(/^#\/?/, '').split('/').slice(0, -2)) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  const cond = node && typeof node === 'object' ? (node as Record<string, unknown>)['if'] : undefined;
  const req = cond && typeof cond === 'object' ? (cond as { required?: unknown[] }).required : undefined;
  return typeof req?.[0] === 'string' ? req[0] : undefined;
}

/** The keys the schema object holding an `additionalProperties: false` allows (none found through a $ref). */
function siblingKeys(schema: unknown, schemaPath: string): string[] {
  let node: unknown = schema;
  for (const seg of schemaPath.replace(/^#\/?/, '').split('/').slice(0, -1)) {
    if (!node || typeof node !== 'object') return [];
    node = (node as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  const props = node && typeof node === 'object' ? (node as Record<string, unknown>)['properties'] : undefined;
  return props && typeof props === 'object' ? Object.keys(props) : [];
}

/** "did you mean" for a misspelt key (a close one only), else the keys there are when they are few. */
function keyHint(key: string, keys: string[]): string | undefined {
  if (keys.length === 0) return undefined;
  const near = suggestName(key, keys);
  if (near !== undefined) return `did you mean '${near}'?`;
  return keys.length <= 12 ? `expected one of: ${keys.join(', ')}` : undefined;
}
