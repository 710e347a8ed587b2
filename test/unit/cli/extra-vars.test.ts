import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExtraVars } from '../../../src/cli/extra-vars.js';

describe('-e', () => {
  it('takes k=v pairs as strings', async () => {
    expect((await parseExtraVars('a=1 b="x y"', 0)).values).toEqual({ a: '1', b: 'x y' });
  });
  it('takes inline JSON and YAML with types', async () => {
    expect((await parseExtraVars('{"a": [1, 2], "b": true}', 0)).values).toEqual({ a: [1, 2], b: true });
    expect((await parseExtraVars('{a: 1}', 1)).values).toEqual({ a: 1 });
  });
  it('takes @file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-e-'));
    writeFileSync(path.join(dir, 'v.yml'), 'mirror: http://m\nports: [1, 2]\n');
    const layer = await parseExtraVars(`@${path.join(dir, 'v.yml')}`, 0);
    expect(layer.values).toEqual({ mirror: 'http://m', ports: [1, 2] });
    expect(layer.level).toBe('extra_vars');
  });
  it('rejects a list', async () => {
    await expect(parseExtraVars('[1, 2]', 0)).rejects.toThrow(/mapping/);
  });
  it('names a missing file', async () => {
    await expect(parseExtraVars('@/nonexistent/v.yml', 0)).rejects.toThrow(/file not found: \/nonexistent\/v.yml/);
  });
});
