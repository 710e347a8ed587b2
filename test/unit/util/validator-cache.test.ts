/**
 * The on-disk cache of compiled validators (src/util/validator-cache.ts): its
 * code is evaluated, so only a private folder and private files the current
 * user owns are used, and a file whose content does not match the digest
 * kept beside it is never run but rebuilt.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type SchemaModule = typeof import('../../../src/util/schema.js');

let base: string;
let marker: string;
const savedEnv = process.env['BOSUN_CACHE_DIR'];

beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'bosun-vcache-'));
  marker = path.join(base, 'MARKER');
});

afterEach(() => {
  if (savedEnv === undefined) delete process.env['BOSUN_CACHE_DIR'];
  else process.env['BOSUN_CACHE_DIR'] = savedEnv;
  rmSync(base, { recursive: true, force: true });
});

/** A fresh copy of the schema module (its cache folder is decided once per process) using `cacheRoot`. */
async function freshSchemaModule(cacheRoot: string): Promise<SchemaModule> {
  process.env['BOSUN_CACHE_DIR'] = cacheRoot;
  vi.resetModules();
  return import('../../../src/util/schema.js');
}

/** A schema no other test compiles, so its cache file is this test's alone. */
function uniqueSchema(): Record<string, unknown> {
  return {
    title: `cache-test-${randomUUID()}`,
    type: 'object',
    properties: { n: { type: 'integer' } },
    additionalProperties: false,
  };
}

function cachedFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cjs')) : [];
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

/** Code that leaves the marker file when it runs, ahead of the real validator. */
function tampered(code: string): string {
  return `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n${code}`;
}

/** Write `code` as the cache entry `file` with a digest that matches it, as an attacker who may write there could. */
function forgeEntry(dir: string, file: string, code: string): void {
  writeFileSync(path.join(dir, file), code);
  const digest = createHash('sha256').update(code).digest('hex');
  writeFileSync(path.join(dir, file.replace(/\.cjs$/, '.sha256')), digest);
}

describe('validator cache', () => {
  it('creates a private folder (0700) and private files (0600), and loads them on the next run', async () => {
    const schema = uniqueSchema();
    const first = await freshSchemaModule(base);
    expect(first.compileSchema(schema)({ n: 1 })).toBe(true);
    const dir = path.join(base, 'validators');
    expect(mode(dir)).toBe(0o700);
    const files = cachedFiles(dir);
    expect(files).toHaveLength(1);
    for (const f of readdirSync(dir)) expect(mode(path.join(dir, f)), f).toBe(0o600);

    // a loaded entry behaves as the compiled one, and is used as it is (not rewritten)
    const inode = statSync(path.join(dir, files[0]!)).ino;
    const second = await freshSchemaModule(base);
    const validate = second.compileSchema(schema);
    expect(validate({ n: 1 })).toBe(true);
    expect(validate({ n: 'x' })).toBe(false);
    expect(statSync(path.join(dir, files[0]!)).ino).toBe(inode);
  });

  it('never runs a tampered cache file: it is ignored and rebuilt', async () => {
    const schema = uniqueSchema();
    (await freshSchemaModule(base)).compileSchema(schema);
    const dir = path.join(base, 'validators');
    const [file] = cachedFiles(dir);
    const target = path.join(dir, file!);
    const original = readFileSync(target, 'utf8');
    writeFileSync(target, tampered(original));

    const validate = (await freshSchemaModule(base)).compileSchema(schema);
    expect(validate({ n: 2 })).toBe(true);
    expect(validate({ n: 'x' })).toBe(false);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe(original);
  });

  it('does not use a cache folder that group or others may write', async () => {
    const schema = uniqueSchema();
    (await freshSchemaModule(base)).compileSchema(schema);
    const dir = path.join(base, 'validators');
    const [file] = cachedFiles(dir);
    const code = readFileSync(path.join(dir, file!), 'utf8');
    forgeEntry(dir, file!, tampered(code));
    chmodSync(dir, 0o770);

    const validate = (await freshSchemaModule(base)).compileSchema(schema);
    expect(validate({ n: 3 })).toBe(true);
    expect(existsSync(marker)).toBe(false);
    // not written to either
    expect(readFileSync(path.join(dir, file!), 'utf8')).toContain(marker);
    const other = uniqueSchema();
    (await freshSchemaModule(base)).compileSchema(other);
    expect(cachedFiles(dir)).toHaveLength(1);
  });

  it('does not use a cache file that group or others may write', async () => {
    const schema = uniqueSchema();
    (await freshSchemaModule(base)).compileSchema(schema);
    const dir = path.join(base, 'validators');
    const [file] = cachedFiles(dir);
    const code = readFileSync(path.join(dir, file!), 'utf8');
    forgeEntry(dir, file!, tampered(code));
    chmodSync(path.join(dir, file!), 0o666);

    (await freshSchemaModule(base)).compileSchema(schema)({ n: 1 });
    expect(existsSync(marker)).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)('does not use a cache folder or file another user owns', async () => {
    const schema = uniqueSchema();
    (await freshSchemaModule(base)).compileSchema(schema);
    const dir = path.join(base, 'validators');
    const [file] = cachedFiles(dir);
    const code = readFileSync(path.join(dir, file!), 'utf8');
    forgeEntry(dir, file!, tampered(code));
    chownSync(path.join(dir, file!), 65534, 65534);
    (await freshSchemaModule(base)).compileSchema(schema)({ n: 1 });
    expect(existsSync(marker)).toBe(false);

    // the whole folder owned by someone else
    forgeEntry(dir, file!, tampered(code));
    chownSync(dir, 65534, 65534);
    (await freshSchemaModule(base)).compileSchema(schema)({ n: 1 });
    expect(existsSync(marker)).toBe(false);
  });

  it('checks the folder a symbolic link in its place leads to, and never reads a cache file through a link', async () => {
    const schema = uniqueSchema();
    const elsewhere = path.join(base, 'elsewhere');
    (await freshSchemaModule(elsewhere)).compileSchema(schema);
    const realDir = path.join(elsewhere, 'validators');
    const [file] = cachedFiles(realDir);
    const code = readFileSync(path.join(realDir, file!), 'utf8');
    forgeEntry(realDir, file!, tampered(code));
    chmodSync(realDir, 0o777);
    const linked = path.join(base, 'linked');
    mkdirSync(linked, { mode: 0o700 });
    symlinkSync(realDir, path.join(linked, 'validators'));
    (await freshSchemaModule(linked)).compileSchema(schema)({ n: 1 });
    expect(existsSync(marker)).toBe(false);

    // a private folder whose entry is a link to a file elsewhere
    const own = path.join(base, 'own');
    (await freshSchemaModule(own)).compileSchema(schema);
    const ownDir = path.join(own, 'validators');
    const forged = path.join(base, 'forged.cjs');
    writeFileSync(forged, tampered(code), { mode: 0o600 });
    rmSync(path.join(ownDir, file!));
    symlinkSync(forged, path.join(ownDir, file!));
    writeFileSync(
      path.join(ownDir, file!.replace(/\.cjs$/, '.sha256')),
      createHash('sha256').update(tampered(code)).digest('hex'),
    );
    (await freshSchemaModule(own)).compileSchema(schema)({ n: 1 });
    expect(existsSync(marker)).toBe(false);
  });

  it('keeps no cache with BOSUN_CACHE_DIR set to the empty string', async () => {
    const mod = await freshSchemaModule('');
    expect(mod.compileSchema(uniqueSchema())({ n: 1 })).toBe(true);
  });
});
