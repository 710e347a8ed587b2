/**
 * Readable reasons for SSH connection failures: a person reads these in the
 * recap of an unreachable host, so each says what happened and how to fix it.
 */
import { checkHostKey, fingerprintSha256, keyTypeOfBlob, type KnownHostEntry } from './known-hosts.js';
import { ConnectionError, HostKeyError, type ConnectionSpec } from './types.js';

/** Decide on a presented host key; returns the refusal, or undefined to accept. */
export function hostKeyRefusal(
  spec: ConnectionSpec,
  entries: KnownHostEntry[],
  blob: Buffer,
): HostKeyError | undefined {
  const check = checkHostKey(entries, spec.address, spec.port, blob);
  if (check.verdict === 'match') return undefined;
  const type = keyTypeOfBlob(blob);
  const fp = fingerprintSha256(blob);
  const where = `${spec.name} (${spec.address}:${spec.port})`;
  const scan = `ssh-keyscan -p ${spec.port} ${spec.address} >> ~/.ssh/known_hosts`;
  // A revoked key is refused whatever the policy, as OpenSSH does.
  if (check.verdict === 'revoked') {
    return new HostKeyError(
      spec.name,
      `host key of ${where} is REVOKED: ${type} ${fp} is marked @revoked in ${check.entry.file}:${check.entry.line}; refusing to connect`,
      'revoked',
      fp,
    );
  }
  if (!spec.strictHostKeyChecking) return undefined;
  if (check.verdict === 'mismatch') {
    return new HostKeyError(
      spec.name,
      `REMOTE HOST IDENTIFICATION HAS CHANGED for ${where}: it presents the ${type} key ${fp}, ` +
        `but ${check.entry.file}:${check.entry.line} holds a different ${type} key. Someone could be ` +
        `eavesdropping on you (man-in-the-middle), or the host was reinstalled. If the change is expected, remove the ` +
        `old key (ssh-keygen -R ${shortName(spec)} -f ${check.entry.file}) and add the new one (${scan}); ` +
        `or set ansible_ssh_common_args='-o StrictHostKeyChecking=no'`,
      'mismatch',
      fp,
    );
  }
  if (spec.acceptNewHostKeys) return undefined;
  const other = check.knownTypes.length > 0 ? ` (known_hosts has only ${check.knownTypes.join(', ')} keys for it)` : '';
  const files = spec.knownHostsFiles.length > 0 ? spec.knownHostsFiles.join(', ') : 'no known_hosts file';
  return new HostKeyError(
    spec.name,
    `host key verification failed for ${where}: the ${type} key ${fp} is not in ${files}${other}. ` +
      `After checking the fingerprint, add it with: ${scan}; or set ansible_ssh_common_args='-o StrictHostKeyChecking=no'`,
    'unknown',
    fp,
  );
}

/** The host name `ssh-keygen -R` takes for this host and port. */
function shortName(spec: ConnectionSpec): string {
  return spec.port === 22 ? spec.address : `'[${spec.address}]:${spec.port}'`;
}

/** Map an ssh2 or socket error met while connecting to a ConnectionError with a readable reason. */
export function connectFailure(
  spec: ConnectionSpec,
  err: Error & { code?: string; level?: string },
  triedAuth: string[],
): ConnectionError {
  const target = `${spec.address}:${spec.port}`;
  let reason: string;
  switch (err.code) {
    case 'ECONNREFUSED':
      reason = `connection refused on ${target}`;
      break;
    case 'EHOSTUNREACH':
      reason = `no route to host ${target}`;
      break;
    case 'ENETUNREACH':
      reason = `network unreachable for ${target}`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      reason = `cannot resolve host name '${spec.address}'`;
      break;
    case 'ECONNRESET':
      reason = `connection reset by ${target} during the SSH handshake`;
      break;
    case 'ETIMEDOUT':
      reason = timedOut(spec);
      break;
    default:
      if (err.level === 'client-timeout') reason = timedOut(spec);
      else if (err.level === 'client-authentication') {
        const tried =
          triedAuth.length > 0 ? [...new Set(triedAuth)].join(', ') : 'no method: no key, password or agent';
        reason = `authentication failed for ${spec.user}@${target} (tried: ${tried})`;
      } else reason = `cannot connect to ${target}: ${err.message}`;
  }
  return new ConnectionError(spec.name, reason, { cause: err });
}

/** The message for a connection attempt that ran out of time. */
function timedOut(spec: ConnectionSpec): string {
  const secs = Math.round(spec.connectTimeoutMs / 100) / 10;
  return `timed out after ${secs} s connecting to ${spec.address}:${spec.port}`;
}

/** OpenSSH's algorithm names per key type, for preferring the types known_hosts holds. */
const ALGORITHMS_OF_TYPE: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** ssh2's default host key algorithms, reordered so the types known for the host come first. */
export function hostKeyAlgorithms(knownTypes: string[]): string[] {
  const defaults = [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
  ];
  const preferred = knownTypes.flatMap((t) => ALGORITHMS_OF_TYPE[t] ?? [t]).filter((a) => defaults.includes(a));
  return [...new Set([...preferred, ...defaults])];
}
