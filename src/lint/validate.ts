/**
 * JSON Schema validation for lint: unlike a run, which stops at the first
 * error, lint wants every error, each at the YAML position of its value and
 * said in plain words. The most specific error per value is kept.
 */
import type { ErrorObject } from 'ajv';
import type { SourcePos } from '../errors.js';
import { compileSchema, unknownKeyHint } from '../util/schema.js';
import type { ValuePath, YamlFile } from '../util/yaml.js';

const toJson = (value: unknown): string => JSON.stringify(value);

/** One schema problem at a position. */
export interface SchemaProblem {
  pos: SourcePos;
  message: string;
  /** What to do, when the schema tells more than the rule's usual fix ("did you mean 'recurse'?"). */
  hint?: string;
}

const weight = (e: ErrorObject): number =>
  e.keyword === 'additionalProperties'
    ? 5
    : e.keyword === 'required'
      ? 4
      : e.keyword === 'anyOf' || e.keyword === 'oneOf'
        ? 0
        : 3;

/** Validate `value` (at `basePath` in `yaml`) and describe every problem. */
export function schemaProblems(
  schema: Record<string, unknown>,
  value: unknown,
  yaml: YamlFile,
  basePath: ValuePath,
  what: string,
): SchemaProblem[] {
  const validate = compileSchema(schema);
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  // Errors under an anyOf branch are noise when a deeper, more precise error exists for the same value.
  const best = new Map<string, ErrorObject>();
  for (const e of errors) {
    if (
      e.schemaPath.includes('/anyOf/') &&
      errors.some(
        (o) => o !== e && o.instancePath.startsWith(e.instancePath) && o.instancePath.length > e.instancePath.length,
      )
    )
      continue;
    const key =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`
        : e.instancePath;
    const seen = best.get(key);
    if (!seen || weight(e) > weight(seen)) best.set(key, e);
  }
  const dropped = [...best.values()].filter(
    (e) => !(weight(e) === 0 && [...best.values()].some((o) => o !== e && o.instancePath.startsWith(e.instancePath))),
  );
  return dropped.map((e) => describe(e, yaml, basePath, what, schema));
}

function describe(err: ErrorObject, yaml: YamlFile, basePath: ValuePath, what: string, schema: unknown): SchemaProblem {
  const path = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const full = [...basePath, ...path];
  const at = path.length ? ` at '${path.join('.')}'` : '';
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const hint = unknownKeyHint(err, schema);
      return {
        pos: yaml.keyPosOf([...full, String(p['additionalProperty'])]),
        message: `unknown key '${String(p['additionalProperty'])}' in ${what}${at}`,
        ...(hint ? { hint } : {}),
      };
    }
    case 'required':
      return {
        pos: yaml.posOf(full),
        message: `${what}${at} is missing the required key '${String(p['missingProperty'])}'`,
      };
    case 'type':
      return { pos: yaml.posOf(full), message: `${what}${at}: expected ${String(p['type']).replace(',', ' or ')}` };
    case 'enum':
      return {
        pos: yaml.posOf(full),
        message: `${what}${at}: expected one of ${(p['allowedValues'] as unknown[]).map(toJson).join(', ')}`,
      };
    default:
      return { pos: yaml.posOf(full), message: `${what}${at}: ${err.message ?? 'invalid value'}` };
  }
}
