/**
 * A throw-away PKI for TLS tests, made with the openssl CLI: a CA, a server
 * certificate for one IP address signed by it, and a client certificate
 * signed by it (PEM text each).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestPki {
  caCert: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
}

/** A CA, a server certificate for `ip` (its subjectAltName) and a client certificate, all signed by that CA. */
export function makeTestPki(ip: string): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-pki-'));
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=bosun test CA',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
    );
    const sign = (name: string, subject: string, ext: string) => {
      writeFileSync(f(`${name}.ext`), ext);
      openssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        subject,
        '-keyout',
        f(`${name}.key`),
        '-out',
        f(`${name}.csr`),
      );
      openssl(
        'x509',
        '-req',
        '-in',
        f(`${name}.csr`),
        '-CA',
        f('ca.crt'),
        '-CAkey',
        f('ca.key'),
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        f(`${name}.ext`),
        '-out',
        f(`${name}.crt`),
      );
    };
    sign('server', `/CN=${ip}`, `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
    sign('client', '/CN=bosun test client', 'extendedKeyUsage=clientAuth\n');
    const read = (name: string) => readFileSync(f(name), 'utf8');
    return {
      caCert: read('ca.crt'),
      serverKey: read('server.key'),
      serverCert: read('server.crt'),
      clientKey: read('client.key'),
      clientCert: read('client.crt'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
