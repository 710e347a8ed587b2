import { describe, expect, it } from 'vitest';
import { parseLiteral } from '../../../src/inventory/literal.js';

describe('parseLiteral (INI inline host values)', () => {
  it.each<[string, unknown]>([
    ['42', 42],
    ['-7', -7],
    ['1_000', 1000],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['0', 0],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['True', true],
    ['true', true],
    ['False', false],
    ['false', false],
    ['None', null],
    ["'quoted'", 'quoted'],
    ['"dq \\"x\\""', 'dq "x"'],
    ["['a', 'b']", ['a', 'b']],
    ['[1, [2, 3],]', [1, [2, 3]]],
    ['(1, 2)', [1, 2]],
    ["{'x': 1, 'y': [true, None]}", { x: 1, y: [true, null] }],
    ['{"a": {"b": "c"}}', { a: { b: 'c' } }],
    // Not Python literals: they stay strings.
    ['0644', '0644'],
    ['10.0.0.1', '10.0.0.1'],
    ['1.2.3', '1.2.3'],
    ['12abc', '12abc'],
    ['hello world', 'hello world'],
    ['yes', 'yes'],
    ['null', 'null'],
    ['[1, 2', '[1, 2'],
    ["{'a' 1}", "{'a' 1}"],
    ['99999999999999999999', '99999999999999999999'],
    ['', ''],
    ['/usr/bin/python3', '/usr/bin/python3'],
  ])('%s', (text, expected) => {
    expect(parseLiteral(text)).toEqual(expected);
  });
});
