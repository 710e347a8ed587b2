import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { expandHostRange, parseHostEntry } from '../../../src/inventory/ranges.js';

const at = { file: 'inv.ini', line: 4, col: 1 };

describe('expandHostRange', () => {
  it.each([
    ['plain', ['plain']],
    ['node[01:03]', ['node01', 'node02', 'node03']],
    ['node[1:3]', ['node1', 'node2', 'node3']],
    ['node[8:11]', ['node8', 'node9', 'node10', 'node11']],
    ['node[001:003]', ['node001', 'node002', 'node003']],
    ['node[1:10:4]', ['node1', 'node5', 'node9']],
    ['node[:2]', ['node0', 'node1', 'node2']],
    ['web[a:c]', ['weba', 'webb', 'webc']],
    ['web[a:e:2]', ['weba', 'webc', 'webe']],
    ['r[1:2]-n[a:b].lan', ['r1-na.lan', 'r1-nb.lan', 'r2-na.lan', 'r2-nb.lan']],
  ])('%s', (name, expected) => {
    expect(expandHostRange(name, at)).toEqual(expected);
  });

  it.each([
    ['node[01:5]', 5, /same width/],
    ['node[3:1]', 5, /begin must not be greater/],
    ['node[c:a]', 5, /begin must come before end/],
    ['node[1:]', 5, /end value/],
    ['node[1]', 5, /\[begin:end\]/],
    ['node[1:2:3:4]', 5, /\[begin:end\]/],
    ['node[1:5:0]', 5, /step/],
    ['node[1:b]', 5, /numbers/],
    ['node[1:3', 5, /unterminated/],
    ['node1:3]', 8, /without its "\["/],
    ['a[1:2]b[3:x]', 8, /numbers/],
  ])('%s is an error at column %i', (name, col, message) => {
    let err: unknown;
    try {
      expandHostRange(name, at);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BosunError);
    expect((err as BosunError).code).toBe('INVENTORY');
    expect((err as BosunError).source).toEqual({ file: 'inv.ini', line: 4, col });
    expect((err as BosunError).message).toMatch(message);
  });
});

describe('parseHostEntry', () => {
  it.each([
    ['web1', { names: ['web1'] }],
    ['web1:2222', { names: ['web1'], port: 2222 }],
    ['node[1:2]:22', { names: ['node1', 'node2'], port: 22 }],
    ['10.0.0.1:2200', { names: ['10.0.0.1'], port: 2200 }],
    ['fd00::1', { names: ['fd00::1'] }],
    ['[fd00::1]:2222', { names: ['fd00::1'], port: 2222 }],
    ['[fd00::1]', { names: ['fd00::1'] }],
  ])('%s', (entry, expected) => {
    expect(parseHostEntry(entry)).toEqual(expected);
  });

  it.each([
    ['web1:abc', 5],
    ['web1:99999', 5],
    ['a:b:c', 2],
  ])('%s is an error at column %i', (entry, col) => {
    expect(() => parseHostEntry(entry, at)).toThrow(
      expect.objectContaining({ code: 'INVENTORY', source: { ...at, col } }),
    );
  });
});

describe('the bound on host ranges', () => {
  const saved = process.env['BOSUN_MAX_HOST_RANGE'];
  afterEach(() => {
    if (saved === undefined) delete process.env['BOSUN_MAX_HOST_RANGE'];
    else process.env['BOSUN_MAX_HOST_RANGE'] = saved;
  });

  function rangeError(name: string): BosunError {
    try {
      expandHostRange(name, at);
    } catch (e) {
      return e as BosunError;
    }
    throw new Error(`${name} expanded`);
  }

  it('refuses node[0:999999] at once, positioned, naming the limit and how to raise it', () => {
    const started = Date.now();
    const err = rangeError('node[0:999999]');
    expect(Date.now() - started).toBeLessThan(100);
    expect(err).toBeInstanceOf(BosunError);
    expect(err.code).toBe('INVENTORY');
    expect(err.source).toEqual({ file: 'inv.ini', line: 4, col: 5 });
    expect(err.message).toMatch(/1000000 hosts, more than the limit of 10000/);
    expect(err.hint).toMatch(/BOSUN_MAX_HOST_RANGE/);
  });

  it('does not loop over a huge range before refusing it', () => {
    const started = Date.now();
    expect(rangeError('node[0:999999999999999]').message).toMatch(/more than the limit of 10000/);
    expect(rangeError('node[0:99999999999999999999999]').message).toMatch(/more than the limit/);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('counts the hosts of several ranges in one name together, and points at the range that passes the limit', () => {
    const err = rangeError('r[1:200]-n[1:200]');
    expect(err.message).toMatch(/40000 hosts, more than the limit of 10000/);
    expect(err.source).toEqual({ file: 'inv.ini', line: 4, col: 11 });
  });

  it('allows exactly the limit, and BOSUN_MAX_HOST_RANGE raises it', () => {
    expect(expandHostRange('node[1:10000]', at)).toHaveLength(10000);
    expect(rangeError('node[0:10000]').message).toMatch(/10001 hosts/);
    process.env['BOSUN_MAX_HOST_RANGE'] = '20000';
    expect(expandHostRange('node[0:10000]', at)).toHaveLength(10001);
    process.env['BOSUN_MAX_HOST_RANGE'] = 'lots';
    expect(() => expandHostRange('node[1:2]', at)).toThrow(
      /BOSUN_MAX_HOST_RANGE must be a positive integer, not 'lots'/,
    );
  });

  it('is an inventory error with the position in an INI file', async () => {
    const { loadInventory } = await import('../../../src/inventory/index.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'bosun-ranges-'));
    const file = path.join(dir, 'hosts.ini');
    writeFileSync(file, '[web]\nweb1\nnode[0:999999] ansible_user=x\n');
    await expect(loadInventory([file])).rejects.toThrow(
      expect.objectContaining({ code: 'INVENTORY', source: { file, line: 3, col: 5 } }),
    );
    rmSync(dir, { recursive: true });
  });
});
