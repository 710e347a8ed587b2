/**
 * JSON Schema validation (ajv) of user data, with errors mapped back to the
 * YAML position of the offending value and said in plain words.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { BosunError, type SourcePos } from '../errors.js';
import type { ValuePath, YamlFile } from './yaml.js';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

let shared: Ajv | undefined;

/** The one ajv instance: strict, all errors, formats; schemas are compiled once and cached by ajv. */
export function getAjv(): Ajv {
  if (!shared) {
    shared = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormats(shared);
  }
  return shared;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Compile (once) and return the validator for a schema object. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = getAjv().compile(schema);
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
  throw schemaError(err, target);
}

/** Prefer the most specific error: the deepest path, and real mismatches over anyOf/oneOf summaries. */
function pickError(errors: ErrorObject[]): ErrorObject | undefined {
  const depth = (e: ErrorObject): number => (e.instancePath === '' ? 0 : e.instancePath.split('/').length);
  const weight = (e: ErrorObject): number =>
    depth(e) * 10 + (e.keyword === 'additionalProperties' ? 5 : e.keyword === 'required' ? 4 : e.keyword === 'anyOf' || e.keyword === 'oneOf' ? 0 : 3);
  return [...errors].sort((a, b) => weight(b) - weight(a))[0];
}

function schemaError(err: ErrorObject | undefined, target: SchemaTarget): BosunError {
  if (!err) return new BosunError('SCHEMA', `invalid ${target.what}`, target.source ? { source: target.source } : {});
  const path: Array<string | number> = err.instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
  const full = [...(target.basePath ?? []), ...path];
  let source = target.yaml ? target.yaml.posOf(full) : target.source;
  let message: string;
  const at = path.length ? ` at '${path.join('.')}'` : '';
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      if (target.yaml) source = target.yaml.keyPosOf([...full, key]);
      message = `unknown key '${key}' in ${target.what}${at}`;
      break;
    }
    case 'required':
      message = `${target.what}${at} is missing the required key '${(err.params as { missingProperty: string }).missingProperty}'`;
      break;
    case 'type':
      message = `${target.what}${at}: expected ${(err.params as { type: string | string[] }).type.toString().replace(',', ' or ')}`;
      break;
    case 'enum':
      message = `${target.what}${at}: expected one of ${((err.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    default:
      message = `${target.what}${at}: ${err.message ?? 'invalid value'}`;
  }
  return new BosunError('SCHEMA', message, source ? { source } : {});
}
