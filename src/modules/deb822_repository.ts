/**
 * `deb822_repository`: one repository as a deb822 stanza in
 * /etc/apt/sources.list.d/<slug>.sources, written as ansible-core 2.15's
 * module writes it (fields in the order of their argument names, lists
 * joined by spaces, booleans yes/no, `name` as X-Repolib-Name), and a
 * `signed_by` URL fetched by the target into /etc/apt/keyrings/<slug>.asc
 * (armored) or .gpg. Like Ansible's, it does not update apt's cache.
 */
import { createHash } from 'node:crypto';
import { sh } from '../util/shell.js';
import { defineModule, type FileDiff } from './types.js';
import { parseMode, wantedAttrs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { atomicWrite, parseStatLines, statScript } from './lib/remote-file.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { fetchBytesScript, parseFetched } from './lib/target-fetch.js';

/** Arguments of `deb822_repository`. */
export interface Deb822Args {
  name: string;
  state?: 'present' | 'absent';
  mode?: string | number;
  types?: string | string[];
  uris?: string | string[];
  suites?: string | string[];
  components?: string | string[];
  architectures?: string | string[];
  languages?: string | string[];
  targets?: string | string[];
  signed_by?: string;
  enabled?: boolean | string;
  trusted?: boolean | string;
  allow_insecure?: boolean | string;
  allow_weak?: boolean | string;
  allow_downgrade_to_insecure?: boolean | string;
  by_hash?: boolean | string;
  check_date?: boolean | string;
  check_valid_until?: boolean | string;
  pdiffs?: boolean | string;
  date_max_future?: number;
  inrelease_path?: string;
  install_python_debian?: boolean | string;
}

const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const LISTS = ['architectures', 'components', 'languages', 'suites', 'targets', 'types', 'uris'] as const;
const BOOLS = [
  'allow_downgrade_to_insecure',
  'allow_insecure',
  'allow_weak',
  'by_hash',
  'check_date',
  'check_valid_until',
  'enabled',
  'pdiffs',
  'trusted',
] as const;
const KEYRINGS = '/etc/apt/keyrings';

const list = (description: string) => ({ type: ['array', 'string'], items: { type: 'string' }, description }) as const;

/** The file-name slug Ansible makes of `name`: lower case, runs of `_`/space as `-`, other characters dropped. */
export function deb822Slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[_\s]+/g, '-')
    .replace(/[^a-z0-9-]+/g, '');
}

/** A field name as Ansible writes it: `name` -> X-Repolib-Name, `uris` -> URIs, else Title-Case with dashes. */
function fieldName(key: string): string {
  if (key === 'name') return 'X-Repolib-Name';
  if (key === 'uris') return 'URIs';
  return key.replace(/_/g, '-').replace(/[a-zA-Z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

/** A multi-line value as deb822 continuation lines (blank lines as `.`). */
function multiline(v: string): string {
  const lines = v
    .trim()
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim() || '.');
  return `\n${lines.map((l) => `    ${l}`).join('\n')}`;
}

/** The stanza for the fields given (signedBy already resolved to a path or key text). */
export function renderStanza(args: Deb822Args, signedBy: string | undefined): string {
  const fields: Array<[string, string]> = [];
  const given: Record<string, string | number | boolean | string[] | undefined> = { types: ['deb'], ...args };
  for (const key of Object.keys(given).sort()) {
    if (['mode', 'state', 'install_python_debian'].includes(key)) continue;
    const raw = given[key];
    if (raw === undefined) continue;
    let value: string;
    if ((BOOLS as readonly string[]).includes(key)) value = toBool(raw) ? 'yes' : 'no';
    else if ((LISTS as readonly string[]).includes(key)) value = (Array.isArray(raw) ? raw : [raw]).join(' ');
    else if (key === 'signed_by') value = signedBy ?? String(raw);
    else value = String(raw);
    if (value.includes('\n')) value = multiline(value);
    fields.push([fieldName(key), value]);
  }
  return fields.map(([k, v]) => (v === '' || v.startsWith('\n') ? `${k}:${v}\n` : `${k}: ${v}\n`)).join('');
}

/** The `deb822_repository` module. */
export default defineModule<Deb822Args>({
  name: 'deb822_repository',
  docs: {
    short: 'Add or remove a deb822 repository (.sources file) in sources.list.d',
    description:
      "Writes /etc/apt/sources.list.d/<slug>.sources (slug: the name in lower case, spaces and _ as -, other characters dropped) as Ansible's module does; a signed_by URL is fetched by the target into /etc/apt/keyrings/<slug>.asc or .gpg, a path is kept, key text is written inline. Does not update apt's cache: run apt with update_cache when it changed.",
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, description: 'Repository name (X-Repolib-Name) and file name' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether it is there' },
      mode: { type: ['string', 'integer'], default: '0644', description: 'Mode of the .sources file' },
      types: { ...list('deb and/or deb-src'), default: ['deb'] },
      uris: list('Repository URIs'),
      suites: list('Suites (bookworm, stable, ...; a path ending in / for flat repositories)'),
      components: list('Components (main, contrib, ...)'),
      architectures: list('Architectures'),
      languages: list('Languages of translations to fetch'),
      targets: list('Download targets'),
      signed_by: { type: 'string', description: 'A key file path, a URL to fetch the key from, or the key itself' },
      enabled: boolSchema('Enabled: yes/no'),
      trusted: boolSchema('Trusted: yes/no (no signature checks)'),
      allow_insecure: boolSchema('Allow-Insecure'),
      allow_weak: boolSchema('Allow-Weak'),
      allow_downgrade_to_insecure: boolSchema('Allow-Downgrade-To-Insecure'),
      by_hash: boolSchema('By-Hash'),
      check_date: boolSchema('Check-Date'),
      check_valid_until: boolSchema('Check-Valid-Until'),
      pdiffs: boolSchema('PDiffs'),
      date_max_future: { type: 'integer', description: 'Date-Max-Future (seconds)' },
      inrelease_path: { type: 'string', description: 'InRelease-Path' },
      install_python_debian: boolSchema('Accepted for compatibility: bosun needs no Python on the target', true),
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const slug = deb822Slug(args.name);
      const dest = `/etc/apt/sources.list.d/${slug}.sources`;
      const keyPath = (ext: string) => `${KEYRINGS}/${slug}.${ext}`;
      const mode = wantedAttrs({ mode: args.mode ?? '0644' }).mode!;
      const signed = args.signed_by;
      const isUrl = signed !== undefined && /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(signed) && !signed.includes('\n');
      const read = await ctx.conn.exec(
        [
          statScript('S', dest, { checksum: 'sha256' }),
          `if [ -f ${sh`${dest}`} ]; then printf 'C '; base64 -w0 < ${sh`${dest}`}; echo; fi`,
          statScript('A', keyPath('asc'), { checksum: 'sha256' }),
          statScript('G', keyPath('gpg'), { checksum: 'sha256' }),
          statScript('R', KEYRINGS),
          signed !== undefined && !isUrl ? sh`if [ -f ${signed} ]; then echo SIGNEDFILE; fi` : ':',
          isUrl && args.state !== 'absent' ? fetchBytesScript(signed) : ':',
        ].join('\n'),
      );
      const stats = parseStatLines(read.stdout);
      const cur = stats.get('S')!;
      const before = cur.exists
        ? Buffer.from(/^C (\S*)$/m.exec(read.stdout)?.[1] ?? '', 'base64').toString('utf8')
        : '';
      if ((args.state ?? 'present') === 'absent') {
        const gone = [dest, keyPath('asc'), keyPath('gpg')].filter((_, i) => stats.get('SAG'[i]!)!.exists);
        const data = { repo: null, dest, key_filename: keyPath('gpg') };
        if (!gone.length) return { kind: 'ok', data };
        return {
          kind: 'change',
          data,
          diff: gone.map((p) => ({
            path: p,
            before: p === dest ? before : `${p}\n`,
            after: '',
            afterHeader: '/dev/null',
          })),
          apply: () =>
            applying(async () => {
              const rm = await ctx.conn.exec(sh`rm -f -- ${gone}`);
              return rm.rc === 0 ? { kind: 'applied', data } : applyFailed(rm.stderr.trim());
            }),
        };
      }
      // signed_by: a file on the target stays a path; a URL is fetched into the keyrings folder; else inline text.
      let keyFile: string | undefined;
      let keyData: Buffer | undefined;
      let keyChanged = false;
      let keyringsMissing = false;
      if (isUrl) {
        const got = parseFetched(read.stdout);
        if ('error' in got) return failed(`Could not fetch signed_by key: ${got.error}`);
        if (got.data.length) {
          const armored = got.data.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----');
          keyFile = keyPath(armored ? 'asc' : 'gpg');
          const st = stats.get(armored ? 'A' : 'G')!;
          keyChanged = !st.exists || st.checksum !== sha256Hex(got.data) || st.modeBits !== 0o644;
          keyData = got.data;
          keyringsMissing = !stats.get('R')!.exists;
        } else keyFile = signed;
      } else if (signed !== undefined && /^SIGNEDFILE$/m.test(read.stdout)) keyFile = signed;
      const repo = renderStanza(args, keyFile);
      const wantMode = parseMode(mode, cur.exists ? cur.modeBits : 0o644, false);
      const contentChanged = !cur.exists || cur.checksum !== sha256Hex(Buffer.from(repo, 'utf8'));
      const modeChanged = cur.exists && cur.modeBits !== wantMode;
      const data = { repo, dest, key_filename: keyFile ?? null };
      if (!contentChanged && !modeChanged && !keyChanged) return { kind: 'ok', data };
      const diff: FileDiff[] = [];
      if (keyChanged) diff.push({ path: keyFile!, before: '', after: `${keyFile!} (${keyData!.length} bytes)\n` });
      if (contentChanged)
        diff.push({ path: dest, before, after: repo, ...(cur.exists ? {} : { beforeHeader: '/dev/null' }) });
      if (modeChanged) diff.push({ path: dest, before: `mode: ${cur.mode}\n`, after: `mode: ${mode}\n` });
      return {
        kind: 'change',
        data,
        diff,
        apply: () =>
          applying(async () => {
            if (keyChanged) {
              if (keyringsMissing) {
                const mk = await ctx.conn.exec(sh`mkdir -p -m 0755 -- ${KEYRINGS}`);
                if (mk.rc !== 0) return applyFailed(`cannot create ${KEYRINGS}: ${mk.stderr.trim()}`);
              }
              await atomicWrite(ctx.conn, keyFile!, keyData!, { mode: 0o644 });
            }
            if (contentChanged) await atomicWrite(ctx.conn, dest, Buffer.from(repo, 'utf8'), { mode: wantMode });
            else if (modeChanged) {
              const ch = await ctx.conn.exec(sh`chmod ${wantMode.toString(8)} -- ${dest}`);
              if (ch.rc !== 0) return applyFailed(ch.stderr.trim());
            }
            return { kind: 'applied', data };
          }),
      };
    }),
});
