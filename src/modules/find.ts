/**
 * `find`: list the files of folders on the target that match names, types,
 * age, size and content, with Ansible's stat keys for each. One round trip
 * lists every folder (`find` + `stat -c`, records framed by a random token so
 * that a name may hold a newline); the walk itself is Python's os.walk,
 * replayed on the controller in the order the target's readdir gave, so the
 * `files` come out in Ansible's order. `contains` reads the candidates and
 * `get_checksum` sums the matches in one more round trip each.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { sh, shq } from '../util/shell.js';
import { defineModule, type ModuleContext } from './types.js';
import { boolSchema, toBool } from './lib/bool.js';
import { fnmatch } from './lib/fnmatch.js';
import { pyRegExp } from './lib/py-regex.js';
import { deciding, failed } from './lib/result.js';
import {
  IS,
  fileType as typeOf,
  listingScript,
  parseAge,
  parseListing,
  parseSize,
  statInfo,
  walk,
  type ListedEntry,
} from './lib/find-walk.js';

/** Arguments of `find`. */
export interface FindArgs {
  paths?: string | string[];
  path?: string | string[];
  name?: string | string[];
  patterns?: string | string[];
  pattern?: string | string[];
  excludes?: string | string[];
  exclude?: string | string[];
  contains?: string;
  read_whole_file?: boolean | string;
  file_type?: 'any' | 'directory' | 'file' | 'link';
  age?: string | number;
  age_stamp?: 'atime' | 'ctime' | 'mtime';
  size?: string | number;
  recurse?: boolean | string;
  hidden?: boolean | string;
  follow?: boolean | string;
  get_checksum?: boolean | string;
  use_regex?: boolean | string;
  depth?: number | string;
}

const list = { type: ['string', 'array'], items: { type: 'string' } } as const;

/** Ansible's list argument: a list, or a string split at commas. */
function asList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : value.split(',');
}

/** Python's str.splitlines(keepends) as text-mode file iteration sees lines (universal newlines). */
function fileLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Read candidate files for `contains` (one round trip: base64 per file, framed by the token). */
async function readContents(ctx: ModuleContext, paths: string[], token: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (!paths.length) return out;
  const script = paths
    .map(
      (p, i) => `printf '%s C${i}\\n' ${shq(token)}; base64 < ${shq(p)} 2>/dev/null || printf '%s X\\n' ${shq(token)}`,
    )
    .join('\n');
  const res = await ctx.conn.exec(script);
  const parts = `\n${res.stdout}`.split(`\n${token} `).slice(1);
  for (const part of parts) {
    const m = /^C(\d+)\n([\s\S]*)$/.exec(part);
    if (m && !m[2]!.includes(`${token} X`))
      out.set(paths[Number(m[1])]!, Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

/** Python's text-mode read of a file: UTF-8, or nothing when it does not decode (Ansible's contentfilter then says no). */
function decodeText(data: Buffer | undefined): string | undefined {
  if (!data) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

/** The `find` module. */
export default defineModule<FindArgs>({
  name: 'find',
  docs: {
    short: 'Find files on the target by name, type, age, size and content',
    description:
      'Names match Python fnmatch patterns (or Python regular expressions with use_regex), against the base name. Lists each folder in one round trip with find and stat; results come in the order Ansible gives them.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      paths: { ...list, description: 'The folders to search (aliases: name, path); a string is split at commas' },
      name: { ...list, description: 'Alias of paths' },
      path: { ...list, description: 'Alias of paths' },
      patterns: { ...list, description: 'Base-name patterns (fnmatch globs, or regexps with use_regex); any matches' },
      pattern: { ...list, description: 'Alias of patterns' },
      excludes: { ...list, description: 'Base-name patterns that exclude what patterns matched' },
      exclude: { ...list, description: 'Alias of excludes' },
      contains: { type: 'string', description: 'A regexp a line must match from its start (file_type=file only)' },
      read_whole_file: boolSchema('Search contains anywhere in the whole file instead of matching lines', false),
      file_type: {
        type: 'string',
        enum: ['any', 'directory', 'file', 'link'],
        default: 'file',
        description: 'What kind of entries to return',
      },
      age: {
        type: ['string', 'integer'],
        description: 'At least this old (`2d`, `3h`, `1w`, seconds), or at most with a minus (`-1d`)',
      },
      age_stamp: {
        type: 'string',
        enum: ['atime', 'ctime', 'mtime'],
        default: 'mtime',
        description: 'Which time age compares',
      },
      size: {
        type: ['string', 'integer'],
        description: 'At least this big (`10k`, `1m`, bytes), or at most with a minus (`-1m`); regular files',
      },
      recurse: boolSchema('Search the folders below too', false),
      hidden: boolSchema('Return names starting with a dot too (hidden folders are searched either way)', false),
      follow: boolSchema('Follow links to folders while recursing', false),
      get_checksum: boolSchema('Add the sha1 checksum of each regular file matched', false),
      use_regex: boolSchema('patterns and excludes are Python regular expressions matched from the start', false),
      depth: {
        type: ['integer', 'string'],
        pattern: '^-?\\d+$',
        description: 'How deep to recurse (1: the folder itself)',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const givenPaths = [args.paths, args.path, args.name].filter((v) => v !== undefined);
      if (givenPaths.length === 0) return failed('missing required arguments: paths');
      if (givenPaths.length > 1) return failed('parameters are mutually exclusive: paths|name|path');
      const paths = asList(givenPaths[0])!;
      const useRegex = toBool(args.use_regex);
      let patterns = asList(args.patterns ?? args.pattern) ?? [];
      if (!patterns.length) patterns = [useRegex ? '.*' : '*'];
      const excludes = asList(args.excludes ?? args.exclude) ?? [];
      const fileType = args.file_type ?? 'file';
      const recurse = toBool(args.recurse);
      const hidden = toBool(args.hidden);
      const follow = toBool(args.follow);
      const depthArg = args.depth === undefined ? 0 : Number(args.depth);
      let age: number | undefined;
      if (args.age !== undefined) {
        age = parseAge(String(args.age));
        if (age === undefined) return failed('failed to process age', { age: String(args.age) });
      }
      let size: number | undefined;
      if (args.size !== undefined) {
        size = parseSize(String(args.size));
        if (size === undefined) return failed('failed to process size', { size: String(args.size) });
      }
      const nameMatchers = (list: string[]): Array<(n: string) => boolean> =>
        list.map((p) => {
          if (!useRegex) return (n: string) => fnmatch(n, p);
          // Python's re.match: anchored at the start only.
          const re = pyRegExp(p);
          const anchored = new RegExp(`^(?:${re.source})`, re.flags);
          return (n: string) => anchored.test(n);
        });
      const pats = nameMatchers(patterns);
      const excl = nameMatchers(excludes);
      const nameOk = (n: string): boolean => pats.some((m) => m(n)) && !excl.some((m) => m(n));
      const contains = args.contains !== undefined ? pyRegExp(args.contains) : undefined;
      const stampKey = args.age_stamp ?? 'mtime';

      const token = `BOSUNF${randomBytes(8).toString('hex')}`;
      // os.walk counts the entries of the folders at the depth limit too, so list one level further.
      const maxdepth = !recurse ? 1 : depthArg ? Math.max(1, depthArg + 1) : undefined;
      const res = await ctx.conn.exec(
        listingScript(paths, token, { follow, ...(maxdepth !== undefined ? { maxdepth } : {}) }),
      );
      if (res.rc !== 0) return failed(`cannot list ${paths.join(', ')}: ${res.stderr.trim() || `rc ${res.rc}`}`);
      const now = Date.now() / 1000;
      const listings = parseListing(res.stdout, token, paths.length);
      const files: Array<Record<string, unknown>> = [];
      const regular: Array<Record<string, unknown>> = [];
      const pending: Array<{ r: Record<string, unknown>; path: string }> = [];
      const skipped: Record<string, string> = {};
      const warnings: string[] = [];
      let looked = 0;
      const ageOk = (e: ListedEntry): boolean => {
        if (age === undefined) return true;
        const elapsed = now - (stampKey === 'atime' ? e.atime : stampKey === 'ctime' ? e.ctime : e.mtime);
        return age >= 0 ? elapsed >= Math.abs(age) : elapsed <= Math.abs(age);
      };
      const sizeOk = (e: ListedEntry): boolean =>
        size === undefined || (size >= 0 ? e.size >= Math.abs(size) : e.size <= Math.abs(size));
      for (const [i, listing] of listings.entries()) {
        const npath = paths[i]!;
        if (!listing.isDir) {
          const shown = listing.top || npath;
          skipped[shown] = `'${shown}' is not a directory`;
          warnings.push(`Skipped '${shown}' path due to this access issue: '${shown}' is not a directory\n`);
          continue;
        }
        const steps = walk(listing, follow, recurse ? depthArg || undefined : 0);
        for (const step of recurse ? steps : steps.slice(0, 1)) {
          looked += step.entries.length;
          for (const { name, entry } of step.entries) {
            if (depthArg && step.depthOfEntries > depthArg) break;
            if (name.startsWith('.') && !hidden) continue;
            const path = posix.normalize(entry.raw);
            const t = typeOf(entry.mode);
            const want =
              fileType === 'any' ||
              (fileType === 'directory' && t === IS.dir) ||
              (fileType === 'file' && t === IS.reg) ||
              (fileType === 'link' && t === IS.lnk);
            if (!want || !nameOk(name) || !ageOk(entry)) continue;
            if ((fileType === 'file' || (fileType === 'any' && t === IS.reg)) && !sizeOk(entry)) continue;
            const r: Record<string, unknown> = { path, ...statInfo(entry) };
            if (fileType === 'file' && contains) pending.push({ r, path: entry.raw });
            files.push(r);
            if (t === IS.reg) regular.push(r);
          }
        }
      }
      let result = files;
      if (pending.length) {
        const texts = await readContents(
          ctx,
          pending.map((p) => p.path),
          token,
        );
        const whole = toBool(args.read_whole_file);
        const drop = new Set<Record<string, unknown>>();
        for (const p of pending) {
          const text = decodeText(texts.get(p.path));
          const hit =
            text !== undefined &&
            (whole
              ? new RegExp(contains!.source, contains!.flags).test(text)
              : fileLines(text).some((l) => new RegExp(`^(?:${contains!.source})`, contains!.flags).test(l)));
          if (!hit) drop.add(p.r);
        }
        result = files.filter((r) => !drop.has(r));
      }
      if (toBool(args.get_checksum)) {
        const sums = regular.filter((r) => result.includes(r));
        if (sums.length) {
          const out = await ctx.conn.exec(
            sums.map((r) => sh`printf '%s ' ${token}; sha1sum < ${r['path'] as string} 2>/dev/null || echo`).join('\n'),
          );
          const lines = out.stdout.split(`${token} `).slice(1);
          sums.forEach((r, k) => {
            const m = /^([0-9a-f]{40})/.exec(lines[k] ?? '');
            if (m) r['checksum'] = m[1];
          });
        }
      }
      const msg = warnings.length ? 'Not all paths examined, check warnings for details' : 'All paths examined';
      return {
        kind: 'ok',
        msg,
        ...(warnings.length ? { warnings } : {}),
        data: { files: result, matched: result.length, examined: looked, skipped_paths: skipped, msg },
      };
    }),
});
