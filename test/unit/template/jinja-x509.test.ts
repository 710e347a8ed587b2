/**
 * community.crypto's x509_certificate_info filter against the collection
 * itself: test/fixtures/jinja/x509/{rsa,ec}.json are what the filter of
 * community.crypto d32c68f1 under ansible-core 2.14 gave for the
 * certificates beside them (made for this test with openssl, valid for a
 * century; to remake: install the collection in ANSIBLE_COLLECTIONS_PATH
 * and render `lookup('file', X) | community.crypto.x509_certificate_info |
 * to_nice_json(sort_keys=true)`). Every key bosun gives must equal the
 * collection's; the keys it leaves out are the documented ones.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemplateEngine } from '../../../src/template/index.js';

const engine = createTemplateEngine();
const at = { file: 'play.yml', line: 3, col: 10 };
const render = (text: string, vars: Record<string, unknown> = {}): unknown => engine.renderString(text, vars, at);
const DIR = 'test/fixtures/jinja/x509';
const pem = (name: string): string => readFileSync(path.join(DIR, `${name}.pem`), 'utf8');
/** The collection's output, its big integers (past 2**53) kept as their decimal text. */
const collection = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(path.join(DIR, `${name}.json`), 'utf8').replace(/(:\s*)(-?\d{16,})(?=[,\n}])/g, '$1"$2"'),
  ) as Record<string, unknown>;

/** What x509_certificate_info reads from extensions Node does not expose (docs/ansible-differences.md). */
const NOT_IN_BOSUN = [
  'authority_cert_issuer',
  'authority_cert_serial_number',
  'authority_key_identifier',
  'basic_constraints',
  'basic_constraints_critical',
  'extended_key_usage',
  'extended_key_usage_critical',
  'extensions_by_oid',
  'key_usage',
  'key_usage_critical',
  'ocsp_must_staple',
  'ocsp_must_staple_critical',
  'signature_algorithm',
  'subject_alt_name_critical',
  'subject_key_identifier',
];

describe('x509_certificate_info as community.crypto gives it', () => {
  it.each(['rsa', 'ec'])('%s: every key bosun gives equals the collection', (name) => {
    const want = collection(name);
    const got = render('{{ pem | community.crypto.x509_certificate_info }}', { pem: pem(name) }) as Record<
      string,
      unknown
    >;
    const given = Object.keys(want).filter((k) => !NOT_IN_BOSUN.includes(k));
    expect(Object.keys(got).sort()).toEqual(given.sort());
    for (const k of given) expect(got[k], k).toEqual(want[k]);
  });

  it("kubespray's discovery hash: the sha256 of the public key without colons, as openssl computes it", () => {
    const hash = render(
      "{{ (pem | community.crypto.x509_certificate_info).public_key_fingerprints.sha256.replace(':', '') }}",
      { pem: pem('rsa') },
    );
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], {
      input: execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: pem('rsa') }),
    });
    const want = execFileSync('sha256sum', { input: der, encoding: 'utf8' }).split(' ')[0];
    expect(hash).toBe(want);
  });

  it('bad input: not text, not a certificate, an unknown keyword', () => {
    expect(() => render('{{ 3 | x509_certificate_info }}')).toThrow(/x509_certificate_info input must be a text type/);
    expect(() => render("{{ 'junk' | x509_certificate_info }}")).toThrow(/Error while decoding the certificate/);
    expect(() => render('{{ pem | x509_certificate_info(bogus=1) }}', { pem: pem('rsa') })).toThrow(
      /unexpected keyword argument 'bogus'/,
    );
  });
});
