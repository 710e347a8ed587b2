/**
 * `apt_key`: add or remove a key of apt's keyring with the target's apt-key
 * and gpg, as ansible-core 2.14's module does: the key id read from the key
 * (`gpg --with-colons`) unless given, compared with `apt-key adv
 * --list-public-keys --keyid-format=long`, then `apt-key add` / `del`. A
 * `url` is fetched by the target. Without apt-key or gpg it fails with
 * Ansible's words.
 */
import { sh, shq } from '../util/shell.js';
import { defineModule } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { fetchBytesScript, parseFetched } from './lib/target-fetch.js';

/** Arguments of `apt_key`. */
export interface AptKeyArgs {
  id?: string;
  url?: string;
  data?: string;
  file?: string;
  keyring?: string;
  keyserver?: string;
  validate_certs?: boolean | string;
  state?: 'present' | 'absent';
}

const PATHS = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Key ids in gpg's listing: `pub`/`sub` lines not expired, `rsa4096/ID` or the fifth colon field. */
export function parseKeyIds(output: string, short = false): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    if (!(line.startsWith('pub') || line.startsWith('sub')) || line.includes('expired')) continue;
    const tokens = line.split(/\s+/).filter(Boolean);
    const code = tokens[1]?.split('/');
    if (code?.length === 2) found.push(code[1]!);
    else {
      const colon = line.split(':');
      if (colon.length > 4) found.push(colon[4]!);
    }
  }
  return short ? found.map((k) => k.slice(-8)) : found;
}

/** Ansible's parse_key_id: [short id, fingerprint (last 16), the id], or undefined when invalid. */
export function parseKeyId(id: string): [string, string, string] | undefined {
  let key = id.trim().replace(/_/g, '').toUpperCase();
  if (!/^(0X)?[0-9A-F]+$/.test(key)) return undefined;
  if (key.startsWith('0X')) key = key.slice(2);
  if (key.length !== 8 && key.length !== 16 && key.length <= 16) return undefined;
  return [key.slice(-8), key.length > 16 ? key.slice(-16) : key, key];
}

/** The `apt_key` module. */
export default defineModule<AptKeyArgs>({
  name: 'apt_key',
  docs: {
    short: "Add or remove a key of apt's keyring with apt-key",
    description:
      'Uses the target apt-key and gpg (both must be there, as Ansible requires). The id is read from the key when not given; url is fetched by the target (file:// too). apt-key is deprecated by Debian: prefer get_url into /etc/apt/keyrings with signed-by.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      id: {
        type: 'string',
        description: 'Key id (8, 16 or more hex digits, optional 0x); read from the key if not given',
      },
      url: { type: 'string', description: 'URL of the key (fetched by the target)' },
      data: { type: 'string', description: 'The key itself' },
      file: { type: 'string', description: 'A key file on the target' },
      keyring: { type: 'string', description: 'The keyring file (apt-key --keyring)' },
      keyserver: { type: 'string', description: 'A keyserver to receive the key from (needs id)' },
      validate_certs: boolSchema('Check the TLS certificate of url', true),
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the key is there',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const given = (['data', 'file', 'keyserver', 'url'] as const).filter((k) => args[k] !== undefined);
      if (given.length > 1) return failed(`parameters are mutually exclusive: data|file|keyserver|url`);
      const ring = args.keyring !== undefined ? sh` --keyring ${args.keyring}` : '';
      const needId = !args.id;
      if (needId && args.keyserver) return failed('Missing key_id, required with keyserver.');
      const script = [
        `for bosun_t in apt-key gpg; do command -v "$bosun_t" >/dev/null 2>&1 || { printf 'MISSING %s\\n' "$bosun_t"; exit 0; }; done`,
        // gpg creates a keyring it is asked to list: a missing one is listed as empty, so reading changes nothing.
        args.keyring !== undefined
          ? `printf 'LIST\\n'; if [ -e ${shq(args.keyring)} ]; then apt-key${ring} adv --list-public-keys --keyid-format=long 2>/dev/null; printf 'RC %s\\n' $?; else echo 'RC 0'; fi`
          : `printf 'LIST\\n'; apt-key adv --list-public-keys --keyid-format=long 2>/dev/null; printf 'RC %s\\n' $?`,
      ];
      if (needId && args.url !== undefined) script.push(fetchBytesScript(args.url, toBool(args.validate_certs, true)));
      if (needId && args.file !== undefined)
        script.push(sh`printf 'FILE\\n'; LC_ALL=C gpg --with-colons ${args.file} 2>/dev/null; printf 'FRC %s\\n' $?`);
      const read = await ctx.conn.exec(script.join('\n'));
      const missing = /^MISSING (.*)$/m.exec(read.stdout);
      if (missing) return failed(`Failed to find required executable "${missing[1]!}" in paths: ${PATHS}`);
      const list = read.stdout.slice(read.stdout.indexOf('LIST\n') + 5, read.stdout.indexOf('\nRC '));
      if (!/^RC 0$/m.test(read.stdout)) return failed('Unable to list public keys');
      let id = args.id;
      let keyData: Buffer | undefined = args.data !== undefined ? Buffer.from(args.data, 'utf8') : undefined;
      if (needId) {
        if (args.url !== undefined) {
          const got = parseFetched(read.stdout);
          if ('error' in got) return failed(`Failed to download key at ${args.url}: ${got.error}`);
          keyData = got.data;
        }
        if (args.file !== undefined) {
          const out = read.stdout.slice(read.stdout.indexOf('FILE\n') + 5, read.stdout.lastIndexOf('FRC '));
          if (!/^FRC 0$/m.test(read.stdout)) return failed(`Unable to extract key from '${args.file}'`);
          id = parseKeyIds(out)[0];
        } else if (keyData?.length) {
          const res = await ctx.conn.exec(
            `printf '%s' ${shq(keyData.toString('base64'))} | base64 -d | LC_ALL=C gpg --with-colons - 2>/dev/null`,
          );
          if (res.rc !== 0) return failed("Unable to extract key from 'inline data'");
          id = parseKeyIds(res.stdout)[0];
        }
      }
      const r: Record<string, unknown> = { id: id ?? null };
      const parsed = id ? parseKeyId(id) : undefined;
      if (!parsed) return failed('Invalid key_id', r);
      const [shortId, fp, keyId] = parsed;
      Object.assign(r, { short_id: shortId, fp, key_id: keyId });
      const short = keyId.length === 8;
      const before = parseKeyIds(list, short);
      r['before'] = before;
      const there = (keys: string[]) => keys.includes(short ? shortId : fp);
      const present = (args.state ?? 'present') === 'present';
      if (present ? there(before) : !before.includes(fp)) return { kind: 'ok', data: r };
      const afterList = async (): Promise<string[]> => {
        const res = await ctx.conn.exec(`apt-key${ring} adv --list-public-keys --keyid-format=long 2>/dev/null`);
        return parseKeyIds(res.stdout, short);
      };
      return {
        kind: 'change',
        data: r,
        diff: [
          {
            path: args.keyring ?? 'apt keyring',
            before: `${before.join('\n')}${before.length ? '\n' : ''}`,
            after: `${(present ? [...before, short ? shortId : fp] : before.filter((k) => k !== fp)).join('\n')}\n`,
          },
        ],
        apply: () =>
          applying(async () => {
            let cmd: string;
            if (!present) cmd = `apt-key${ring} del ${shq(shortId)}`;
            else if (args.file !== undefined) cmd = `apt-key${ring} add ${shq(args.file)}`;
            else if (args.keyserver !== undefined)
              cmd = `apt-key${ring} adv --no-tty --keyserver ${shq(args.keyserver)} --recv ${shq(keyId)}`;
            else {
              if (keyData === undefined && args.url !== undefined) {
                const got = parseFetched(
                  (await ctx.conn.exec(fetchBytesScript(args.url, toBool(args.validate_certs, true)))).stdout,
                );
                if ('error' in got) return applyFailed(`Failed to download key at ${args.url}: ${got.error}`, r);
                keyData = got.data;
              }
              if (keyData === undefined) return applyFailed('No key to add ... how did i get here?!?!', r);
              cmd = `printf '%s' ${shq(keyData.toString('base64'))} | base64 -d | apt-key${ring} add -`;
            }
            const res = await ctx.conn.exec(`${cmd} 2>&1`);
            if (res.rc !== 0) {
              const what = !present
                ? `Unable to remove a key with id ${shortId}`
                : args.file !== undefined
                  ? `Unable to add a key from file ${args.file}`
                  : args.keyserver !== undefined
                    ? `Error fetching key ${keyId} from keyserver: ${args.keyserver}`
                    : 'Unable to add a key from binary data';
              return applyFailed(what, { ...r, rc: res.rc, stdout: res.stdout });
            }
            const after = await afterList();
            r['after'] = after;
            const ok = present ? there(after) : !after.includes(fp);
            if (!ok)
              return applyFailed(
                `apt-key did not return an error, but ${present ? 'failed to add the key' : 'the key was not removed'} (check that the id is correct and *not* a subkey)`,
                r,
              );
            return { kind: 'applied', data: r };
          }),
      };
    }),
});
