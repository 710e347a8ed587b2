import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  fingerprintSha256,
  hostFieldMatches,
  keyTypeOfBlob,
  knownKeyTypes,
  loadKnownHosts,
  parseKnownHosts,
} from '../../../src/connection/known-hosts.js';

const dir = join(import.meta.dirname, '../../fixtures/known_hosts');
const blob = (name: string) =>
  Buffer.from(
    readFileSync(join(dir, `${name}.pub`), 'utf8')
      .trim()
      .split(' ')[1]!,
    'base64',
  );
const [k1, k2, k3, k4] = ['k1', 'k2', 'k3', 'k4'].map(blob) as [Buffer, Buffer, Buffer, Buffer];
const basic = parseKnownHosts(readFileSync(join(dir, 'basic'), 'utf8'), 'basic');

/** A hashed host field as `ssh-keygen -H` writes it. */
function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('parseKnownHosts', () => {
  it('skips comments, blank lines, @cert-authority and malformed lines', () => {
    expect(basic.map((e) => e.hosts)).not.toContain('broken-line-without-key');
    expect(basic.some((e) => e.hosts === '*.example.com')).toBe(false);
    expect(basic.filter((e) => e.marker === 'revoked')).toHaveLength(1);
    expect(basic.find((e) => e.hosts === 'indented.example.com')?.line).toBe(14);
  });
});

describe('checkHostKey against the fixture', () => {
  const cases: Array<[string, string, number, Buffer, string]> = [
    ['plain name', 'plain.example.com', 22, k1, 'match'],
    ['plain name, case-insensitive', 'PLAIN.example.com', 22, k1, 'match'],
    ['comma list, first', 'alias-a', 22, k1, 'match'],
    ['comma list, address', '10.0.0.7', 22, k1, 'match'],
    ['bracketed port', 'ported.example.com', 2222, k1, 'match'],
    ['bracketed entry does not cover port 22', 'ported.example.com', 22, k1, 'unknown'],
    ['plain entry does not cover another port', 'plain.example.com', 2200, k1, 'unknown'],
    ['wildcard *', 'a.b.wild.example.com', 22, k2, 'match'],
    ['wildcard ? matches one char', 'node7.q.example.com', 22, k2, 'match'],
    ['wildcard ? does not match two', 'node17.q.example.com', 22, k2, 'unknown'],
    ['negation wins over a positive pattern', 'bad.neg.example.com', 22, k1, 'unknown'],
    ['negation leaves other names', 'good.neg.example.com', 22, k1, 'match'],
    ['different key of the same type', 'changed.example.com', 22, k1, 'mismatch'],
    ['only a key of another type is known', 'multi.example.com', 22, k1, 'unknown'],
    ['the known ecdsa key', 'multi.example.com', 22, k4, 'match'],
    ['@revoked refuses even where another line accepts', 'revoked-elsewhere.example.com', 22, k3, 'revoked'],
    ['extra whitespace', 'indented.example.com', 22, k1, 'match'],
    ['unknown host', 'nowhere.example.org', 22, k1, 'unknown'],
  ];
  it.each(cases)('%s', (_what, host, port, key, verdict) => {
    expect(checkHostKey(basic, host, port, key).verdict).toBe(verdict);
  });

  it('names the file and line of a mismatch', () => {
    const check = checkHostKey(basic, 'changed.example.com', 22, k1);
    expect(check).toMatchObject({ verdict: 'mismatch', entry: { file: 'basic', line: 9 } });
  });

  it('lists the key types known for a host', () => {
    expect(checkHostKey(basic, 'multi.example.com', 22, k1)).toEqual({
      verdict: 'unknown',
      knownTypes: ['ecdsa-sha2-nistp256'],
    });
    expect(knownKeyTypes(basic, 'multi.example.com', 22)).toEqual(['ecdsa-sha2-nistp256']);
  });
});

describe('host patterns', () => {
  it.each([
    ['web*.example.com,!web9.example.com', 'WEB1.example.com', true],
    ['web*.example.com,!web9.example.com', 'web9.example.com', false],
    ['web*.example.com,!web9.example.com', 'db1.example.com', false],
    ['[10.0.0.?]:2222', '[10.0.0.7]:2222', true],
    ['[10.0.0.?]:2222', '[10.0.0.17]:2222', false],
    ['a.b', 'axb', false],
  ])('%s names %s: %s (the same on a second call: patterns are compiled once)', (field, name, expected) => {
    expect(hostFieldMatches(field, name)).toBe(expected);
    expect(hostFieldMatches(field, name)).toBe(expected);
  });
});

describe('hashed entries', () => {
  const key = readFileSync(join(dir, 'k1.pub'), 'utf8').trim();
  it('matches a hashed name, and a hashed [host]:port', () => {
    const text = `${hashed('10.1.2.3')} ${key}\n${hashed('[10.1.2.4]:2022')} ${key}\n`;
    const entries = parseKnownHosts(text);
    expect(checkHostKey(entries, '10.1.2.3', 22, k1).verdict).toBe('match');
    expect(checkHostKey(entries, '10.1.2.4', 2022, k1).verdict).toBe('match');
    expect(checkHostKey(entries, '10.1.2.4', 22, k1).verdict).toBe('unknown');
    expect(checkHostKey(entries, '10.1.2.5', 22, k1).verdict).toBe('unknown');
  });
  it('reports a hashed entry with another key as a mismatch', () => {
    const entries = parseKnownHosts(`${hashed('h.example')} ${key}\n`);
    expect(checkHostKey(entries, 'h.example', 22, k2).verdict).toBe('mismatch');
  });
  it('rejects malformed hashes', () => {
    expect(hostFieldMatches('|1|notbase64', 'x')).toBe(false);
    expect(hostFieldMatches('|2|abc|def', 'x')).toBe(false);
  });
});

describe('several files', () => {
  it('reads files in order, skipping missing ones; a match in any file wins', async () => {
    const entries = await loadKnownHosts([join(dir, 'missing'), join(dir, 'basic')]);
    expect(entries.length).toBe(basic.length);
    const extra = parseKnownHosts(`changed.example.com ${readFileSync(join(dir, 'k1.pub'), 'utf8')}`, 'second');
    expect(checkHostKey([...entries, ...extra], 'changed.example.com', 22, k1).verdict).toBe('match');
  });
});

describe('key helpers', () => {
  it('reads the type from a blob and formats the fingerprint as OpenSSH does', () => {
    expect(keyTypeOfBlob(k1)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(k4)).toBe('ecdsa-sha2-nistp256');
    const fp = fingerprintSha256(k1);
    expect(fp).toBe(`SHA256:${createHash('sha256').update(k1).digest('base64').replace(/=+$/, '')}`);
    expect(fp).not.toMatch(/=$/);
  });
});
