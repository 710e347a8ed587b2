import { describe, expect, it } from 'vitest';
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
