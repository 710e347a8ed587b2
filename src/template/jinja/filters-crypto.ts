/**
 * community.crypto's x509_certificate_info filter: what a PEM certificate
 * says, read with Node's X509Certificate (OpenSSL underneath) on the
 * controller, in the collection's key names and text forms (kubespray reads
 * `public_key_fingerprints.sha256` of its CA for kubeadm's discovery hash).
 * Keys Node cannot give (signature_algorithm, extensions' criticality, key
 * usages) are left out: docs/ansible-differences.md lists them.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { FilterFn } from './filters.js';
import { kind } from './values.js';

/** The hash algorithms fingerprints are given for: Python's hashlib.algorithms_guaranteed (shake digests of 32 bytes). */
const FINGERPRINTS: ReadonlyArray<[string, string]> = [
  ['md5', 'md5'],
  ['sha1', 'sha1'],
  ['sha224', 'sha224'],
  ['sha256', 'sha256'],
  ['sha384', 'sha384'],
  ['sha512', 'sha512'],
  ['sha3_224', 'sha3-224'],
  ['sha3_256', 'sha3-256'],
  ['sha3_384', 'sha3-384'],
  ['sha3_512', 'sha3-512'],
  ['blake2b', 'blake2b512'],
  ['blake2s', 'blake2s256'],
  ['shake_128', 'shake128'],
  ['shake_256', 'shake256'],
];

/** OpenSSL's short attribute names to cryptography's long ones (the collection's dictionary keys). */
const NAMES: Readonly<Record<string, string>> = {
  CN: 'commonName',
  O: 'organizationName',
  OU: 'organizationalUnitName',
  C: 'countryName',
  ST: 'stateOrProvinceName',
  L: 'localityName',
  DC: 'domainComponent',
  emailAddress: 'emailAddress',
  serialNumber: 'serialNumber',
  street: 'streetAddress',
  title: 'title',
  GN: 'givenName',
  SN: 'surname',
  UID: 'userId',
  postalCode: 'postalCode',
};

/** `a:b:c` lowercase hex, as the collection prints a digest. */
function colons(digest: Buffer): string {
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function fingerprints(der: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, algo] of FINGERPRINTS)
    out[name] = colons(
      createHash(algo, algo.startsWith('shake') ? { outputLength: 32 } : {})
        .update(der)
        .digest(),
    );
  return out;
}

/** `CN=a\nO=b` (Node's distinguished-name text) as ordered [name, value] pairs. */
function namePairs(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const eq = line.indexOf('=');
      const short = line.slice(0, eq);
      return [NAMES[short] ?? short, line.slice(eq + 1)];
    });
}

/** ASN.1 time as the collection formats it: `%Y%m%d%H%M%SZ`. */
function asn1Time(text: string): string {
  return new Date(text)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** `DNS:x, IP Address:1.2.3.4` as the collection's list: `DNS:x`, `IP:1.2.3.4`. */
function altNames(text: string | undefined): string[] | null {
  if (!text) return null;
  return text.split(/, (?=[A-Za-z ]+:)/).map((n) => n.replace(/^IP Address:/, 'IP:'));
}

/** The version field of the DER certificate (v1 has none). */
function certVersion(der: Buffer): number {
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] EXPLICIT version ... } ... }
  let at = 0;
  const header = (): number => {
    const len = der[at + 1]!;
    const lenBytes = len & 0x80 ? len & 0x7f : 0;
    const start = at + 2 + lenBytes;
    return start;
  };
  at = header(); // into the certificate
  at = header(); // into tbsCertificate
  if (der[at] !== 0xa0) return 1;
  const inner = header(); // the INTEGER inside [0]
  return der[inner + 2]! + 1;
}

/** A big integer as the collection gives it: a number while exact, else its decimal text (bosun has no big numbers). */
function bigInt(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** base64url bytes (a JWK field) as an unsigned big-endian integer. */
function jwkInt(field: string | undefined): bigint {
  return BigInt(`0x${Buffer.from(field ?? '', 'base64url').toString('hex') || '0'}`);
}

/** OpenSSL's curve names as cryptography names them, with the key size. */
const CURVES: Readonly<Record<string, [string, number]>> = {
  prime256v1: ['secp256r1', 256],
  secp384r1: ['secp384r1', 384],
  secp521r1: ['secp521r1', 521],
  secp256k1: ['secp256k1', 256],
  prime192v1: ['secp192r1', 192],
  secp224r1: ['secp224r1', 224],
};

function publicKeyData(cert: X509Certificate): Record<string, unknown> {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const jwk = key.export({ format: 'jwk' });
    return { size: details.modulusLength, modulus: bigInt(jwkInt(jwk.n)), exponent: Number(details.publicExponent) };
  }
  if (key.asymmetricKeyType === 'ec') {
    const jwk = key.export({ format: 'jwk' });
    const [curve, size] = CURVES[details.namedCurve ?? ''] ?? [details.namedCurve, undefined];
    return { curve, exponent_size: size, x: bigInt(jwkInt(jwk.x)), y: bigInt(jwkInt(jwk.y)) };
  }
  return {};
}

const KEY_TYPES: Readonly<Record<string, string>> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA',
  ec: 'ECC',
  dsa: 'DSA',
  ed25519: 'Ed25519',
  ed448: 'Ed448',
  x25519: 'X25519',
  x448: 'X448',
};

/** `value | community.crypto.x509_certificate_info`: the certificate's information as a dictionary. */
export const CRYPTO_FILTERS: Record<string, FilterFn> = {
  x509_certificate_info: (v, _args, kw) => {
    const unknown = Object.keys(kw).filter((k) => k !== 'name_encoding');
    if (unknown.length) throw new Error(`x509_certificate_info got an unexpected keyword argument '${unknown[0]!}'`);
    if (typeof v !== 'string') throw new Error(`The x509_certificate_info input must be a text type, not ${kind(v)}`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(v);
    } catch (e) {
      throw new Error(`Error while decoding the certificate: ${(e as Error).message}`, { cause: e });
    }
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    const subject = namePairs(cert.subject);
    const issuer = namePairs(cert.issuer);
    const serial = BigInt(`0x${cert.serialNumber}`);
    const notAfter = new Date(cert.validTo);
    const access = (method: string): string | null =>
      (cert.infoAccess ?? '')
        .split('\n')
        .map((l) => new RegExp(`^${method} - URI:(.*)$`).exec(l)?.[1])
        .find((u): u is string => u !== undefined) ?? null;
    return {
      version: certVersion(cert.raw),
      subject: Object.fromEntries(subject),
      subject_ordered: subject,
      issuer: Object.fromEntries(issuer),
      issuer_ordered: issuer,
      serial_number: bigInt(serial),
      not_before: asn1Time(cert.validFrom),
      not_after: asn1Time(cert.validTo),
      expired: notAfter.getTime() < Date.now(),
      fingerprints: fingerprints(cert.raw),
      public_key: cert.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      public_key_type: KEY_TYPES[cert.publicKey.asymmetricKeyType ?? ''] ?? 'unknown',
      public_key_data: publicKeyData(cert),
      public_key_fingerprints: fingerprints(spki),
      subject_alt_name: altNames(cert.subjectAltName),
      ocsp_uri: access('OCSP'),
      issuer_uri: access('CA Issuers'),
    };
  },
};
