/**
 * Fetch a small document (a signing key) BY THE TARGET, as Ansible's modules
 * do on the host they run on: `file://` URLs are read with `cat`, others with
 * the target's curl (the URL through `-K -`, off the process list) or wget.
 * The bytes come back base64-encoded between markers.
 */
import { shq } from '../../util/shell.js';
import { curlConfig } from './target-http.js';

/** sh that prints `K <base64>` with the document's bytes, or `KFAIL <reason>` on one line. */
export function fetchBytesScript(url: string, validateCerts = true): string {
  if (url.startsWith('file://')) {
    const path = decodeURIComponent(url.slice('file://'.length).replace(/^[^/]*(?=\/)/, ''));
    return `if bosun_k=$(base64 -w0 < ${shq(path)} 2>&1); then printf 'K %s\\n' "$bosun_k"; else printf 'KFAIL %s\\n' "$(printf %s "$bosun_k" | tr '\\n' ' ')"; fi`;
  }
  const config = curlConfig({ url, validateCerts, follow: true });
  return [
    'bosun_ef=$(mktemp)',
    'if command -v curl >/dev/null 2>&1; then',
    `  bosun_k=$(printf '%s' ${shq(config)} | curl -fsS -K - 2>"$bosun_ef" | base64 -w0); bosun_r=$?`,
    'elif command -v wget >/dev/null 2>&1; then',
    `  bosun_k=$(wget -q -O - ${validateCerts ? '' : '--no-check-certificate '}-- ${shq(url)} 2>"$bosun_ef" | base64 -w0); bosun_r=$?`,
    'else rm -f -- "$bosun_ef"; echo \'KFAIL neither curl nor wget is on the target\'; exit 0; fi',
    'bosun_e=$(tr "\\n" " " < "$bosun_ef"); rm -f -- "$bosun_ef"',
    'if [ -n "$bosun_k" ] && [ -z "$bosun_e" ]; then printf \'K %s\\n\' "$bosun_k"; else printf \'KFAIL %s\\n\' "${bosun_e:-empty answer}"; fi',
  ].join('\n');
}

/** The bytes (or the failure) from the output of fetchBytesScript. */
export function parseFetched(stdout: string): { data: Buffer } | { error: string } {
  const ok = /^K (\S*)$/m.exec(stdout);
  if (ok) return { data: Buffer.from(ok[1]!, 'base64') };
  return { error: /^KFAIL (.*)$/m.exec(stdout)?.[1]?.trim() || 'no answer' };
}
