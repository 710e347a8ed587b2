/**
 * `yum_repository`: add or remove one repository section of a `.repo` file under `reposdir`, as ansible-core
 * 2.14's module does: the file is read with Python's configparser (lib/py-configparser.ts), the section is
 * replaced by the options given (sorted, booleans as 1/0, lists joined), the file written back without its
 * comments, and removed when its last section goes. Mode/owner/group as the file modules set them.
 */
import { posix } from 'node:path';
import { sh } from '../util/shell.js';
import { defineModule, type FileDiff } from './types.js';
import { attrDiff, attrSchemaProps, isEmptyPlan, planAttrs, wantedAttrs, type AttrArgs } from './lib/attrs.js';
import { boolSchema, toBool } from './lib/bool.js';
import { ConfigParseError, dumpConfig, emptyConfig, parseConfig, writeConfig } from './lib/py-configparser.js';
import { currentAttrs, statAndRead, statPath } from './lib/remote-file.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { writeEdited } from './lib/text-edit.js';

type Scalar = string | number | boolean;

/** Arguments of `yum_repository` (the options written into the section, and the module's own). */
export interface YumRepositoryArgs extends AttrArgs {
  name: string;
  description?: Scalar;
  file?: Scalar;
  reposdir?: string;
  state?: 'present' | 'absent';
  params?: Record<string, unknown>;
  baseurl?: Scalar | Scalar[];
  gpgkey?: Scalar | Scalar[];
  exclude?: Scalar | Scalar[];
  includepkgs?: Scalar | Scalar[];
  [option: string]: unknown;
}

/** Options of type str, written as given (Python's str() of a number or boolean). */
const STRING_OPTIONS = [
  'bandwidth',
  'cost',
  'deltarpm_metadata_percentage',
  'deltarpm_percentage',
  'gpgcakey',
  'include',
  'metadata_expire',
  'metalink',
  'mirrorlist',
  'mirrorlist_expire',
  'password',
  'priority',
  'proxy',
  'proxy_password',
  'proxy_username',
  'retries',
  'sslcacert',
  'sslclientcert',
  'sslclientkey',
  'throttle',
  'timeout',
  'ui_repoid_vars',
  'username',
];
/** Options of type bool, written as 1 or 0. */
const BOOL_OPTIONS = [
  'async',
  'enabled',
  'enablegroups',
  'gpgcheck',
  'module_hotfixes',
  'keepalive',
  'protect',
  'repo_gpgcheck',
  's3_enabled',
  'skip_if_unavailable',
  'ssl_check_cert_permissions',
  'sslverify',
];
/** Options with choices. */
const CHOICES: Record<string, string[]> = {
  failovermethod: ['roundrobin', 'priority'],
  http_caching: ['all', 'packages', 'none'],
  ip_resolve: ['4', '6', 'IPv4', 'IPv6', 'whatever'],
  keepcache: ['0', '1'],
  metadata_expire_filter: ['never', 'read-only:past', 'read-only:present', 'read-only:future'],
};
/** Lists joined by newlines (several URLs) and by spaces (package globs). */
const LINE_LISTS = ['baseurl', 'gpgkey'];
const WORD_LISTS = ['exclude', 'includepkgs'];
/** Other names of options. */
const ALIASES: Record<string, string> = {
  ca_cert: 'sslcacert',
  client_cert: 'sslclientcert',
  client_key: 'sslclientkey',
  validate_certs: 'sslverify',
};

const scalar = { type: ['string', 'number', 'boolean'] } as const;
const list = { anyOf: [scalar, { type: 'array', items: scalar }] } as const;

/** Python's str() of a scalar. */
function pyStr(v: Scalar): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
}

/** Ansible's list argument: a list, or a string split at commas. */
function pyList(v: Scalar | Scalar[]): string[] {
  return Array.isArray(v) ? v.map(pyStr) : typeof v === 'string' ? v.split(',') : [pyStr(v)];
}

/** The options of the section as the module sets them, sorted by name. */
export function sectionOptions(args: YumRepositoryArgs): Map<string, string> {
  const values: Record<string, string> = {};
  const option = (k: string): unknown => {
    const alias = Object.keys(ALIASES).find((a) => ALIASES[a] === k && args[a] != null);
    return args[k] ?? (alias ? args[alias] : undefined);
  };
  for (const k of [...STRING_OPTIONS, ...Object.keys(CHOICES)]) {
    const v = option(k) as Scalar | undefined;
    if (v != null) values[k] = pyStr(v);
  }
  for (const k of BOOL_OPTIONS) {
    const v = option(k);
    if (v != null) values[k] = toBool(v) ? '1' : '0';
  }
  for (const k of LINE_LISTS) if (args[k] != null) values[k] = pyList(args[k] as Scalar[]).join('\n');
  for (const k of WORD_LISTS) if (args[k] != null) values[k] = pyList(args[k] as Scalar[]).join(' ');
  if (args.description != null) values['name'] = pyStr(args.description);
  return new Map(
    Object.keys(values)
      .sort()
      .map((k) => [k, values[k]!]),
  );
}

/** The `yum_repository` module. */
export default defineModule<YumRepositoryArgs>({
  name: 'yum_repository',
  docs: {
    short: 'Add or remove a YUM/DNF repository in a .repo file',
    description:
      "Writes `<reposdir>/<file>.repo` as ansible-core 2.14 does: the section is replaced by the options given (sorted; booleans as `1`/`0`; `baseurl` and `gpgkey` lists one URL a line; `exclude` and `includepkgs` joined by spaces); comments of the file are not kept (Python's configparser drops them); the file is removed with its last section. Registers `repo` and `state`.",
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'The repository id: the section name (`[name]`)' },
      description: { ...scalar, description: 'The human-readable name (`name =`); required for state=present' },
      file: { ...scalar, description: 'The file name without `.repo` (default: the repository id)' },
      reposdir: { type: 'string', default: '/etc/yum.repos.d', description: 'The folder of .repo files' },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the section is there',
      },
      params: { type: 'object', description: 'Removed in Ansible 2.5: refused' },
      baseurl: { ...list, description: 'URL(s) of the repository; one of baseurl, metalink, mirrorlist for present' },
      gpgkey: { ...list, description: 'URL(s) of the GPG keys' },
      exclude: { ...list, description: 'Packages to leave out (globs)' },
      includepkgs: { ...list, description: 'The only packages to use (globs)' },
      ...Object.fromEntries(STRING_OPTIONS.map((k) => [k, { ...scalar, description: `The \`${k}\` option` }])),
      ...Object.fromEntries(
        Object.entries(CHOICES).map(([k, c]) => [
          k,
          {
            type: ['string', 'number'],
            enum: [...c, ...c.filter((x) => /^\d+$/.test(x)).map(Number)],
            description: `The \`${k}\` option`,
          },
        ]),
      ),
      ...Object.fromEntries(BOOL_OPTIONS.map((k) => [k, boolSchema(`The \`${k}\` option (written 1 or 0)`)])),
      ...Object.fromEntries(
        Object.entries(ALIASES).map(([a, k]) => [
          a,
          BOOL_OPTIONS.includes(k) ? boolSchema(`Alias of ${k}`) : { ...scalar, description: `Alias of ${k}` },
        ]),
      ),
      ...attrSchemaProps,
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const state = args.state ?? 'present';
      if (args.params)
        return failed(
          "The params option to yum_repository was removed in Ansible 2.5 since it circumvents Ansible's option handling",
        );
      if (state === 'present') {
        if (args.baseurl == null && args.metalink == null && args.mirrorlist == null)
          return failed("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.");
        if (args.description == null) return failed("Parameter 'description' is required.");
      }
      const reposdir = args.reposdir ?? '/etc/yum.repos.d';
      const want = wantedAttrs(args);
      const dir = await statPath(ctx.conn, reposdir, { follow: true });
      if (dir.type !== 'directory') return failed(`Repo directory '${reposdir}' does not exist.`);
      const dest = posix.join(reposdir, `${args.file != null ? pyStr(args.file) : args.name}.repo`);
      const { followed: st, real, data: content } = await statAndRead(ctx.conn, dest);
      const isFile = st.exists && st.type === 'file';
      let config = emptyConfig();
      try {
        if (isFile) config = parseConfig((content ?? Buffer.alloc(0)).toString('utf8'), dest);
      } catch (e) {
        if (e instanceof ConfigParseError) return failed(`${dest} cannot be read as an INI file: ${e.message}`);
        throw e;
      }
      const before = dumpConfig(config);
      if (args.name === 'DEFAULT' && state === 'present') return failed('Invalid section name: DEFAULT');
      config.sections.delete(args.name);
      if (state === 'present') config.sections.set(args.name, sectionOptions(args));
      const after = dumpConfig(config);
      const changed = before !== after;
      const remove = changed && config.sections.size === 0 && !config.defaults.size;
      const data = { repo: args.name, state };
      // Ansible sets attributes only on a file that is there after the write (never on a file check mode would create).
      const existsAfter = changed ? !remove : isFile;
      const current = isFile ? currentAttrs(st) : undefined;
      const plan = planAttrs(want, current);
      const attrsChange = existsAfter && isFile && !isEmptyPlan(plan);
      if (!changed && !attrsChange) return { kind: 'ok', data };
      const diff: FileDiff[] = [];
      if (changed) diff.push({ path: dest, before, after, beforeHeader: dest, afterHeader: dest });
      if (attrsChange) {
        diff.push(attrDiff(dest, plan, current));
      }
      return {
        kind: 'change',
        diff,
        data,
        apply: () =>
          applying(async () => {
            if (remove) {
              const res = await ctx.conn.exec(sh`rm -f -- ${dest}`);
              if (res.rc !== 0)
                return applyFailed(`Cannot remove empty repo file ${dest}.`, { details: res.stderr.trim() });
              return { kind: 'applied', data };
            }
            // Python's open() makes no folders: a repository id with a slash names a folder that must be there.
            const parent = await ctx.conn.exec(sh`test -d ${posix.dirname(dest)}`);
            // Ansible's failure registers neither repo nor state.
            if (!isFile && parent.rc !== 0)
              return applyFailed(`Problems handling file ${dest}.`, { repo: undefined, state: undefined });
            const out = await writeEdited(ctx, {
              real: isFile ? real : dest,
              st,
              changed,
              after: Buffer.from(writeConfig(config), 'utf8'),
              attrs: want,
              plan,
              backup: false,
            });
            if (out.failed !== undefined) return { kind: 'failed', msg: `Problems handling file ${dest}.` };
            return { kind: 'applied', data };
          }),
      };
    }),
});
