/**
 * The network and query filters with hostile values: bad addresses, IPv6
 * zones, huge prefixes and integers, control characters, odd queries. The
 * expected values are what ansible-core 2.14 with ansible.utils and netaddr
 * 0.8 gives for them (the engine suite, test/fixtures/jinja/expressions.yml,
 * has the ordinary forms).
 */
import { describe, expect, it } from 'vitest';
import { BosunError } from '../../../src/errors.js';
import { createTemplateEngine } from '../../../src/template/index.js';
import { formatAddr, parseNetaddr, parsePython } from '../../../src/template/jinja/net-addr.js';

const engine = createTemplateEngine();
const at = { file: 'play.yml', line: 3, col: 10 };
const render = (text: string, vars: Record<string, unknown> = {}): unknown => engine.renderString(text, vars, at);

describe('ipaddr with hostile values', () => {
  it.each([
    ['10.0.0.0/99999999999999999999', false],
    ['::/129', false],
    ['10.0.0.0/-1', false],
    ['10.0.0.0/1e2', false],
    ['340282366920938463463374607431768211456', false],
    ['340282366920938463463374607431768211455', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['4294967296', '::1:0:0'],
    ['fe80::1%eth0', false],
    ['fe80::1%', false],
    ['%', false],
    ['-10.0.0.1', false],
    ['1_0.0.0.1', '10.0.0.1'],
    ['10.0.0.1 /24', '10.0.0.1/24'],
    ['10.0.0.1//24', false],
    ['::ffff:1.2.3.4/97', '::ffff:1.2.3.4/97'],
    ['2001:db8::/ffff:ffff::', '2001:db8::/32'],
    ['10.0.0.0/255.255.0.255', false],
    [' ', false],
    ['\n', false],
    ['0', '0.0.0.0'],
    ['10.0.0.1\n', '10.0.0.1'],
    ['10.0.0.1\u0000', false],
    ['1.2.3.4; rm -rf /', false],
    ["'; --", false],
    ['-1', false],
    ['a'.repeat(100000), false],
    [`${'1:'.repeat(5000)}1`, false],
  ])('%j', (v, expected) => {
    expect(render('{{ v | ansible.utils.ipaddr }}', { v })).toEqual(expected);
  });

  it('gives exact big addresses and keeps IPv6 maths in BigInt', () => {
    expect(render("{{ '::/0' | ansible.utils.ipaddr(-1) }}")).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/0');
    expect(render("{{ '::/0' | ansible.utils.nthhost(-1) }}")).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(render("{{ '::/0' | ansible.utils.ipsubnet(128, -1) }}")).toBe(
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
    );
    expect(render("{{ '10.0.0.0/8' | ansible.utils.nthhost(99999999999999999999) }}")).toBe(false);
    expect(render("{{ '10.0.0.0/8' | ansible.utils.ipaddr('99999999999999999999') }}")).toBe(false);
    expect(render("{{ '2001:db8::1' | ansible.utils.ipaddr('revdns') }}")).toBe(
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.',
    );
  });

  it.each([
    ["{{ '10.0.0.1' | ansible.utils.ipaddr('__class__') }}", 'unknown filter type'],
    ["{{ '10.0.0.1' | ansible.utils.ipaddr('constructor') }}", 'unknown filter type'],
    ["{{ '10.0.0.1' | ansible.utils.ipmath(4294967296) }}", 'out of range'],
    ["{{ '10.0.0.1' | ansible.utils.ipmath('a') }}", 'integer'],
    ["{{ 'x' | ansible.utils.ipmath(1) }}", 'valid IP address'],
    ['{{ none | ansible.utils.ipaddr }}', 'Unrecognized type'],
    ["{{ '192.168.1.0/30' | ansible.utils.ipaddr('peer') }}", 'no peer'],
    ["{{ '10.0.0.0/24' | ansible.utils.ipaddr('6to4') }}", 'not supported'],
  ])('%s fails with a clear message', (text, message) => {
    let err: unknown;
    try {
      render(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BosunError);
    expect((err as BosunError).message).toContain(message);
    expect((err as BosunError).message).not.toMatch(/\n\s+at /);
  });

  it('leaves what is not an address alone in ipwrap', () => {
    expect(render('{{ v | ansible.utils.ipwrap }}', { v: 'fe80::1%eth0' })).toBe('fe80::1%eth0');
    expect(render('{{ v | ansible.utils.ipwrap }}', { v: ['[::1]', 'host', '::1'] })).toEqual([
      '[::1]',
      'host',
      '[::1]',
    ]);
  });
});

describe('ip tests with hostile values', () => {
  it.each([
    ['fe80::1%eth0', true],
    ['fe80::1%eth0/64', false],
    ['fe80::%1/64', true],
    ['fe80::%%/64', false],
    ['fe80::%a%b', false],
    ['10.0.0.1\n', false],
    [' 10.0.0.1', false],
    ['010.0.0.1', false],
    ['10.0.0.0/99999999999999999999', false],
    ['::/129', false],
    ['a'.repeat(100000), false],
    [{ a: 1 }, false],
    [null, false],
    [167772161, false],
  ])('%j is ip: %j', (v, expected) => {
    expect(render('{{ v is ansible.utils.ip }}', { v })).toBe(expected);
  });

  it('reads zones but compares addresses', () => {
    expect(render("{{ 'fe80::1%eth0' is ansible.utils.in_any_network(['fe80::/10']) }}")).toBe(true);
    expect(render("{{ '10.0.0.1' is ansible.utils.in_network({'a': 1}) }}")).toBe(false);
    expect(render("{{ '10.0.0.1' is ansible.utils.in_any_network(none) }}")).toBe(false);
  });
});

describe('address text', () => {
  it('prints IPv6 as glibc inet_ntop does (netaddr)', () => {
    const v6 = (t: string): string => formatAddr(6, parseNetaddr(t)?.ip ?? -1n);
    expect(v6('::ffff:0:0')).toBe('::ffff:0.0.0.0');
    expect(v6('::0.1.0.0')).toBe('::0.1.0.0');
    expect(v6('::2')).toBe('::2');
    expect(v6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(v6('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(v6('1:2:3:4:5:6:7::')).toBe('1:2:3:4:5:6:7:0');
  });

  it('refuses IPv6 forms inet_pton refuses', () => {
    for (const t of [
      '::ffff:01.2.3.4',
      '1::2::3',
      '12345::',
      ':1::',
      '1:2:3:4:5:6:7:8:9',
      '::1.2.3.04',
      'fe80::1%eth0',
    ])
      expect(parseNetaddr(t), t).toBeNull();
    expect(parsePython('fe80::1%eth0', 'address')?.ip).toBe(0xfe800000000000000000000000000001n);
  });
});

describe('json_query with hostile expressions', () => {
  it('reports a bad expression as a JMESPath error', () => {
    expect(() => render("{{ 'x' | community.general.json_query('foo[') }}")).toThrow(/JMESPathError/);
  });
  it('reads keys as data', () => {
    expect(render('{{ v | community.general.json_query(\'"a-b"\') }}', { v: { 'a-b': '__proto__' } })).toBe(
      '__proto__',
    );
    expect(render("{{ v | community.general.json_query('constructor') }}", { v: {} })).toBeNull();
    expect(render("{{ none | community.general.json_query('a') }}")).toBeNull();
  });
});

describe('dict and dict_kv with hostile keys', () => {
  it('keeps __proto__ as a key', () => {
    const d = render("{{ [['__proto__', {'polluted': 1}], ['a', 1]] | community.general.dict }}") as Record<
      string,
      unknown
    >;
    expect(Object.keys(d)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(render("{{ 1 | community.general.dict_kv('__proto__') }}") as object)).toEqual(['__proto__']);
  });
});
