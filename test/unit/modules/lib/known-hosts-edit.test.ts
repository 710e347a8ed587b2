/**
 * The known_hosts text rules: keys normalised, ssh-keygen -F output read as
 * Ansible's module reads it, the new lines and the diff, hashed hosts.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  diffAfter,
  hashHostKey,
  newLines,
  normalizeKey,
  readSearch,
} from '../../../../src/modules/lib/known-hosts-edit.js';

const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDfj2ClPK+HTlVRXWht6EXA4aWL2sEMucRBBixjSax4r';
const K2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu3hpEbPAlqRqJG40yaS9+sQ0ILGlKPTqqzaul8YEqM';

describe('known_hosts edits', () => {
  it('normalizeKey splits options, host, type and key; drops the comment', () => {
    expect(normalizeKey(`@revoked h ${K1} comment`)).toEqual({
      options: '@revoked',
      host: 'h',
      type: 'ssh-ed25519',
      key: K1.split(' ')[1],
    });
    expect(normalizeKey('h only')).toBeUndefined();
  });

  it.each([
    {
      name: 'the same key',
      out: `# Host h found: line 2 \nh ${K1}\n`,
      want: { found: true, replaceOrAdd: false, foundLine: 2 },
    },
    {
      name: 'another key of the type',
      out: `# Host h found: line 3 \nh ${K2}\n`,
      want: { found: true, replaceOrAdd: true, foundLine: 3 },
    },
    {
      name: 'only another type',
      out: '# Host h found: line 1 \nh ecdsa-sha2-nistp256 AAAA\n',
      want: { found: true, replaceOrAdd: true, foundLine: undefined },
    },
    {
      name: 'a hashed entry keeps its hash',
      out: `# Host h found: line 1 \n|1|abc|def ${K1}\n`,
      key: `|1|xyz|uvw ${K1}\n`,
      want: { found: true, replaceOrAdd: false, foundLine: 1 },
    },
  ])('readSearch: $name', ({ out, key, want }) => {
    expect(readSearch(out, key ?? `h ${K1}\n`)).toEqual(want);
  });

  it('newLines removes the line found and appends the key; absent only removes', () => {
    const before = `a ${K1}\nh ${K2}\nb ${K1}\n`;
    const s = { found: true, replaceOrAdd: true, foundLine: 2 };
    expect(newLines(before, s, 'present', `h ${K1}\n`).join('')).toBe(`a ${K1}\nb ${K1}\nh ${K1}\n`);
    expect(newLines(before, { ...s, replaceOrAdd: false }, 'absent', `h ${K2}\n`).join('')).toBe(`a ${K1}\nb ${K1}\n`);
    expect(diffAfter('', { found: false, replaceOrAdd: false, foundLine: undefined }, 'present', `h ${K1}\n`)).toBe(
      `h ${K1}\n`,
    );
  });

  it('hashHostKey writes |1|salt|hmac-sha1(host), as ssh-keygen -H', () => {
    const salt = Buffer.alloc(20, 7);
    const mac = createHmac('sha1', salt).update('host3').digest('base64');
    expect(hashHostKey('host3', `host3 ${K1}`, salt)).toBe(`|1|${salt.toString('base64')}|${mac} ${K1}`);
    expect(hashHostKey('h', `@cert-authority h ${K1}`, salt).startsWith('@cert-authority |1|')).toBe(true);
  });
});
