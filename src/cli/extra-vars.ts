/**
 * `-e` values, as ansible-playbook takes them: `k=v k2=v2` (strings),
 * inline JSON or YAML (`{"k": 1}`), or `@file.yml` / `@file.json`.
 */
import path from 'node:path';
import { BosunError } from '../errors.js';
import { parseArgString } from '../playbook/task.js';
import { loadYamlFile, parseYaml } from '../util/yaml.js';
import type { VarLayer } from '../vars/scope.js';

/** Parse one `-e` value into a layer at the extra_vars level. */
export async function parseExtraVars(value: string, index: number): Promise<VarLayer> {
  const source = `-e #${index + 1}`;
  const trimmed = value.trim();
  if (trimmed.startsWith('@')) {
    const file = path.resolve(trimmed.slice(1));
    const y = await loadYamlFile(file);
    return mappingLayer(y.value, file, () => y.posOf([]));
  }
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const y = parseYaml(trimmed, source);
    return mappingLayer(y.value, source, () => y.posOf([]));
  }
  const pos = { file: source, line: 1, col: 1 };
  const values = parseArgString(trimmed, undefined, pos);
  return { level: 'extra_vars', source, values };
}

function mappingLayer(
  value: unknown,
  source: string,
  pos: () => { file: string; line: number; col: number },
): VarLayer {
  if (value === null || value === undefined) return { level: 'extra_vars', source, values: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BosunError('EXTRA_VARS', 'extra vars must be a mapping of names to values', { source: pos() });
  }
  return { level: 'extra_vars', source, values: value as Record<string, unknown> };
}
