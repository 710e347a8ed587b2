/**
 * Rendering that leaves a template reading an undefined name as it was, as
 * Ansible's `fail_on_undefined=False` does, for hostvars values (read in
 * their own host's context).
 */
import { BosunError } from '../errors.js';
import type { TemplateEngine } from './index.js';
import { isTemplateText } from './values.js';
import { isUnsafeContainer, isUnsafeKey } from '../util/unsafe.js';

/** Render one value in a host's context: template strings rendered, an undefined variable leaves its string as it was. */
export function renderLenient(engine: TemplateEngine, value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!isTemplateText(value)) return value;
    try {
      return engine.renderString(value, vars);
    } catch (err) {
      if (err instanceof BosunError && err.code === 'UNDEFINED_VAR') return value;
      throw err;
    }
  }
  if (typeof value !== 'object' || value === null || isUnsafeContainer(value)) return value;
  if (Array.isArray(value))
    return value.map((item: unknown, i) => (isUnsafeKey(value, i) ? item : renderLenient(engine, item, vars)));
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(value))
    out[k] = isUnsafeKey(value, k) ? item : renderLenient(engine, item, vars);
  return out;
}
