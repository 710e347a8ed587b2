/**
 * community.crypto's x509_certificate_info filter against what Python's
 * cryptography (the library the collection reads certificates with) gives for
 * the same certificates, made here with openssl: an RSA CA with alternative
 * names and an EC leaf. The collection itself is not installed beside
 * ansible-core, so its formulas (colon hex of hashlib's guaranteed digests of
 * the DER certificate and of the SubjectPublicKeyInfo) are replayed in Python.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTemplateEngine } from '../../../src/template/index.js';

const engine = createTemplateEngine();
const at = { file: 'play.yml', line: 3, col: 10 };
const render = (text: string, vars: Record<string, unknown> = {}): unknown => engine.renderString(text, vars, at);

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-x509-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeCert(name: string, args: string[]): string {
  const out = path.join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-nodes', '-keyout', path.join(dir, `${name}.key`), '-out', out, ...args], {
    stdio: 'ignore',
  });
  return readFileSync(out, 'utf8');
}

const PY = `
import hashlib, json, sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
c = x509.load_pem_x509_certificate(sys.stdin.buffer.read())
def fp(b):
    out = {}
    for a in sorted(hashlib.algorithms_guaranteed):
        h = getattr(hashlib, a)(b)
        try:
            d = h.digest()
        except TypeError:
            d = h.digest(32)
        out[a] = ':'.join('%02x' % x for x in d)
    return out
spki = c.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
print(json.dumps({
    'version': c.version.value + 1,
    'fingerprints': fp(c.public_bytes(serialization.Encoding.DER)),
    'public_key_fingerprints': fp(spki),
    'not_before': c.not_valid_before.strftime('%Y%m%d%H%M%SZ'),
    'not_after': c.not_valid_after.strftime('%Y%m%d%H%M%SZ'),
    'public_key': spki and c.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
}))
`;

function python(pem: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(execFileSync('python3', ['-W', 'ignore', '-c', PY], { input: pem, encoding: 'utf8' })) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
}

const rsa = makeCert('ca', [
  '-newkey',
  'rsa:2048',
  '-subj',
  '/CN=kube-ca/O=acme/C=DE',
  '-days',
  '30',
  '-addext',
  'subjectAltName=DNS:kubernetes,IP:10.0.0.1,email:ops@example.com',
]);
const ec = makeCert('leaf', [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-subj',
  '/CN=node 1',
  '-days',
  '1',
]);
const reference = { rsa: python(rsa), ec: python(ec) };

describe('x509_certificate_info', () => {
  it.each(['rsa', 'ec'] as const)('%s: digests, version, dates and public key as cryptography reads them', (k) => {
    const pem = k === 'rsa' ? rsa : ec;
    const info = render('{{ pem | community.crypto.x509_certificate_info }}', { pem }) as Record<string, unknown>;
    if (!reference[k]) return; // no python3-cryptography here: the other assertions still run
    for (const key of ['version', 'fingerprints', 'public_key_fingerprints', 'not_before', 'not_after', 'public_key'])
      expect(info[key], key).toEqual(reference[k][key]);
  });

  it('names, alternative names, key type and data', () => {
    const info = render('{{ pem | community.crypto.x509_certificate_info }}', { pem: rsa }) as Record<string, unknown>;
    expect(info).toMatchObject({
      subject: { commonName: 'kube-ca', organizationName: 'acme', countryName: 'DE' },
      subject_ordered: [
        ['commonName', 'kube-ca'],
        ['organizationName', 'acme'],
        ['countryName', 'DE'],
      ],
      issuer: { commonName: 'kube-ca' },
      subject_alt_name: ['DNS:kubernetes', 'IP:10.0.0.1', 'email:ops@example.com'],
      public_key_type: 'RSA',
      public_key_data: { size: 2048, exponent: 65537 },
      expired: false,
      ocsp_uri: null,
    });
    const leaf = render('{{ pem | x509_certificate_info }}', { pem: ec }) as Record<string, unknown>;
    expect(leaf).toMatchObject({
      subject: { commonName: 'node 1' },
      subject_alt_name: null,
      public_key_type: 'ECC',
      public_key_data: { curve: 'prime256v1' },
    });
  });

  it("kubespray's discovery hash: the sha256 of the public key without colons", () => {
    const hash = render(
      "{{ (pem | community.crypto.x509_certificate_info).public_key_fingerprints.sha256.replace(':', '') }}",
      { pem: rsa },
    );
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], {
      input: execFileSync('openssl', ['x509', '-pubkey', '-noout'], { input: rsa }),
    });
    const want = execFileSync('sha256sum', { input: der, encoding: 'utf8' }).split(' ')[0];
    expect(hash).toBe(want);
  });

  it('bad input: not text, not a certificate, an unknown keyword', () => {
    expect(() => render('{{ 3 | x509_certificate_info }}')).toThrow(/x509_certificate_info input must be a text type/);
    expect(() => render("{{ 'junk' | x509_certificate_info }}")).toThrow(/Error while decoding the certificate/);
    expect(() => render('{{ pem | x509_certificate_info(bogus=1) }}', { pem: rsa })).toThrow(
      /unexpected keyword argument 'bogus'/,
    );
  });
});
