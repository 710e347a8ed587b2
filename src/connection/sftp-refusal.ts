/**
 * What an SFTP refusal means in words: the status codes, and the shell
 * probes that find the reason SFTP's bare "Failure" leaves out.
 */
import { sh } from '../util/shell.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02) in words. */
export const SFTP_PERMISSION_DENIED = 3;
export const SFTP_FAILURE = 4;
export const SFTP_STATUS: Record<number, string> = {
  2: 'no such file or folder',
  3: 'permission denied',
  4: 'failure',
  5: 'bad message',
  8: 'operation not supported',
};

/** Why writing `path` fails, as the shell says it (a folder, a read-only file system, a full disk, ...); prints nothing when it does not. */
export function writeProbe(path: string): string {
  return [
    sh`bosun_p=${path}`,
    'bosun_d=$(dirname -- "$bosun_p")',
    'if [ -d "$bosun_p" ]; then echo "it is a folder"',
    'elif [ ! -d "$bosun_d" ]; then echo "the folder $bosun_d does not exist"',
    'else',
    '  [ -e "$bosun_p" ] && bosun_had=1 || bosun_had=',
    `  bosun_e=$( { true >> "$bosun_p"; } 2>&1 ) || { printf '%s\\n' "\${bosun_e##*: }"; exit 0; }`,
    '  [ -n "$bosun_had" ] || rm -f -- "$bosun_p"',
    `  [ "$(df -P -- "$bosun_d" 2>/dev/null | awk 'NR==2 {print $4}')" = 0 ] && echo "No space left on device"`,
    'fi',
    'true',
  ].join('\n');
}

/** Why reading `path` fails, as the shell says it; prints nothing when it does not. */
export function readProbe(path: string): string {
  return [
    sh`bosun_p=${path}`,
    'if [ -d "$bosun_p" ]; then echo "it is a folder"',
    `else bosun_e=$( { true < "$bosun_p"; } 2>&1 ) || printf '%s\\n' "\${bosun_e##*: }"; fi`,
  ].join('\n');
}

/**
 * When SFTP could not start because the target's shell printed text before sftp-server ran (an `echo`
 * in ~/.bashrc that runs for non-interactive sessions too), ssh2 reads that text as a packet length:
 * "Packet length 1466264675 exceeds max length of 262144". Returns the text's first bytes, else undefined.
 */
export function shellNoiseOf(e: unknown): string | undefined {
  const m = /Packet length (\d+) exceeds max length/.exec(e instanceof Error ? e.message : String(e));
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n > 0xffffffff) return undefined;
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(n);
  // OpenSSH says "Received message too long N" here; the bytes are what the shell printed.
  return bytes.toString('latin1');
}
