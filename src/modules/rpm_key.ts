/**
 * `rpm_key`: add or remove a GPG key in the target's RPM database, as ansible-core 2.14's module does: rpm
 * and gpg (or gpg2) are looked for first (a host without rpm fails with Ansible's message), the key is a key
 * id, a file on the target or a URL the target fetches; `rpm -q gpg-pubkey` piped through gpg tells which
 * keys are in, `rpm --import` adds one and `rpm --erase --allmatches gpg-pubkey-<id>` removes it.
 */
import { sh, shq } from '../util/shell.js';
import { defineModule } from './types.js';
import { findBinScript, missingBin } from './lib/bin-path.js';
import { boolSchema, toBool } from './lib/bool.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { fetchBytesScript, parseFetched } from './lib/target-fetch.js';

/** Arguments of `rpm_key`. */
export interface RpmKeyArgs {
  key: string | number;
  state?: 'present' | 'absent';
  fingerprint?: string;
  validate_certs?: boolean | string;
}

const GPG_FLAGS = '--no-tty --batch --with-colons --fixed-list-mode';
const PUBKEY = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/;

/** The key id as the module compares it: trimmed, upper case, without 0x. */
export function normalizeKeyId(id: string): string {
  const up = id.trim().toUpperCase();
  return up.startsWith('0X') ? up.slice(2) : up;
}

/** The first `field` (0-based) of the first line starting with `kind:` in gpg's colon listing. */
function colonField(stdout: string, kind: string, field: number): string | undefined {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith(`${kind}:`))
    ?.split(':')[field];
}

/** The `rpm_key` module. */
export default defineModule<RpmKeyArgs>({
  name: 'rpm_key',
  docs: {
    short: "Add or remove a GPG key in the target's RPM database",
    description:
      'Needs rpm and gpg (or gpg2) on the target; a host without them fails with Ansible\'s "Failed to find required executable" message. Registers nothing besides `changed`.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['key'],
    properties: {
      key: {
        type: ['string', 'number'],
        description: 'A key id (8 hex digits or more, 0x allowed), a file on the target, or a URL',
      },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the key is in' },
      fingerprint: { type: 'string', description: 'The fingerprint the key must have (spaces ignored)' },
      validate_certs: boolSchema('Check the TLS certificate of an https URL', true),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const state = args.state ?? 'present';
      const key = String(args.key);
      const url = key.includes('://');
      const keyIdGiven = !url && /^(0x)?[0-9a-f]{8}/i.test(key);
      const probe = await ctx.conn.exec(
        [
          findBinScript('rpm', 'bosun_rpm'),
          '[ -n "$bosun_rpm" ] || exit 0',
          findBinScript('gpg', 'bosun_gpg').replace(/\n[^\n]*NOBIN[^\n]*$/, ''),
          'if [ -z "$bosun_gpg" ]; then',
          findBinScript('gpg2', 'bosun_gpg'),
          '[ -n "$bosun_gpg" ] || exit 0; fi',
          !url && !keyIdGiven
            ? sh`if [ -f ${key} ]; then echo KEYFILE; "$bosun_gpg" ${GPG_FLAGS} --with-fingerprint -- ${key}; fi`
            : '',
          'if "$bosun_rpm" -q gpg-pubkey >/dev/null 2>&1; then echo INSTALLED; "$bosun_rpm" -q gpg-pubkey --qf "%{description}" | "$bosun_gpg" ' +
            `${GPG_FLAGS} - | sed 's/^/I /'; fi`,
        ].join('\n'),
      );
      const missing = missingBin(probe.stdout);
      if (missing) return failed(missing);
      let keyData: Buffer | undefined;
      let listing = '';
      if (url) {
        const got = await ctx.conn.exec(fetchBytesScript(key, toBool(args.validate_certs, true)));
        const fetched = parseFetched(got.stdout);
        if ('error' in fetched) return failed(`failed to fetch key at ${key} , error was: ${fetched.error}`);
        if (!PUBKEY.test(fetched.data.toString('utf8'))) return failed(`Not a public key: ${key}`);
        keyData = fetched.data;
        const res = await ctx.conn.exec(
          `printf '%s' ${shq(keyData.toString('base64'))} | base64 -d | gpg ${GPG_FLAGS} --with-fingerprint`,
        );
        if (res.rc !== 0) return failed(res.stderr);
        listing = res.stdout;
      } else if (!keyIdGiven) {
        const at = probe.stdout.indexOf('KEYFILE\n');
        if (at < 0) return failed(`Not a valid key ${key}`);
        listing = probe.stdout.slice(at + 8).split('INSTALLED\n')[0]!;
      }
      const rawId = keyIdGiven ? key : colonField(listing, 'pub', 4);
      if (rawId === undefined) return failed('Unexpected gpg output');
      const keyId = normalizeKeyId(rawId);
      const installed = probe.stdout
        .split('\n')
        .filter((l) => l.startsWith('I '))
        .some((l) => (l.slice(2).split(':')[4] ?? '').includes(keyId));
      if (state === 'absent') {
        if (!installed) return { kind: 'ok' };
        return {
          kind: 'change',
          diff: [{ path: `rpm key ${keyId}`, before: 'present\n', after: 'absent\n' }],
          apply: () =>
            applying(async () => {
              const res = await ctx.conn.exec(
                sh`rpm --erase --allmatches ${`gpg-pubkey-${keyId.slice(-8).toLowerCase()}`}`,
              );
              return res.rc === 0 ? { kind: 'applied' } : applyFailed(res.stderr);
            }),
        };
      }
      if (installed) return { kind: 'ok' };
      if (keyIdGiven) return failed('When importing a key, a valid file must be given');
      if (args.fingerprint !== undefined) {
        const want = args.fingerprint.replace(/ /g, '').toUpperCase();
        const has = colonField(listing, 'fpr', 9);
        if (has === undefined) return failed('Unexpected gpg output');
        if (want !== has)
          return failed(`The specified fingerprint, '${want}', does not match the key fingerprint '${has}'`);
      }
      return {
        kind: 'change',
        diff: [{ path: `rpm key ${keyId}`, before: 'absent\n', after: 'present\n' }],
        apply: () =>
          applying(async () => {
            const script = keyData
              ? `bosun_t=$(mktemp) && printf '%s' ${shq(keyData.toString('base64'))} | base64 -d > "$bosun_t" && rpm --import "$bosun_t"; bosun_r=$?; rm -f -- "$bosun_t"; exit $bosun_r`
              : sh`rpm --import -- ${key}`;
            const res = await ctx.conn.exec(script);
            return res.rc === 0 ? { kind: 'applied' } : applyFailed(res.stderr);
          }),
      };
    }),
});
