/**
 * dnf and yum: the decision asks rpm what is installed and, when something
 * may change, asks the package manager itself with `--assumeno` (it resolves
 * the transaction, prints it and aborts), so check mode reports dnf's own
 * plan. The transaction table is parsed into the packages it changes.
 */
import { sh, shq } from '../../util/shell.js';
import type { ApplyResult, Decision, ModuleContext } from '../types.js';
import { toBool } from './bool.js';
import { boolSchema } from './bool.js';
import {
  changesDiff,
  managerProbe,
  managersFound,
  normState,
  packageNames,
  packageProps,
  type PackageArgs,
  type PackageChange,
} from './pkg-common.js';
import { applying, failed } from './result.js';

/** Arguments of `dnf` and `yum`. */
export interface RpmArgs extends PackageArgs {
  pkg?: string | string[];
  disable_gpg_check?: boolean | string;
  enablerepo?: string | string[];
  disablerepo?: string | string[];
}

/** The schema properties of dnf and yum. */
export const rpmProps = {
  ...packageProps,
  pkg: { type: ['string', 'array'], items: { type: 'string', minLength: 1 }, description: 'Alias of name' },
  disable_gpg_check: boolSchema('Do not check package signatures (--nogpgcheck)', false),
  enablerepo: {
    type: ['string', 'array'],
    items: { type: 'string' },
    description: 'Repositories to enable for this task',
  },
  disablerepo: {
    type: ['string', 'array'],
    items: { type: 'string' },
    description: 'Repositories to disable for this task',
  },
} as const;

const SECTIONS: Record<string, string> = {
  installing: 'install',
  'installing dependencies': 'install',
  'installing weak dependencies': 'install',
  'installing for dependencies': 'install',
  upgrading: 'upgrade',
  updating: 'upgrade',
  'updating for dependencies': 'upgrade',
  'upgrading dependencies': 'upgrade',
  removing: 'remove',
  'removing dependent packages': 'remove',
  'removing unused dependencies': 'remove',
  'removing for dependencies': 'remove',
  downgrading: 'downgrade',
  reinstalling: 'reinstall',
};

/** Parse the transaction table dnf/yum print before `--assumeno` aborts (long names wrap onto the next line in yum). */
export function parseTransaction(stdout: string): PackageChange[] {
  const out: PackageChange[] = [];
  let action: string | undefined;
  let carry = '';
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const header = /^([A-Z][A-Za-z ]+):$/.exec(line);
    if (header) {
      action = SECTIONS[header[1]!.toLowerCase()];
      carry = '';
      continue;
    }
    if (line.startsWith('Transaction Summary')) {
      action = undefined;
      continue;
    }
    if (/^=+$/.test(line) || line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      action = undefined;
      continue;
    }
    if (!action) continue;
    const words = (carry + line).trim().split(/\s+/);
    if (words.length === 1) {
      carry = `${words[0]!} `;
      continue;
    }
    carry = '';
    // name arch version repo size [unit]; "replacing" lines have another shape.
    if (words[0] === 'replacing' || words.length < 4) continue;
    const change: PackageChange = { name: words[0]!, action };
    if (action === 'remove') change.from = words[2]!;
    else change.to = words[2]!;
    out.push(change);
  }
  return out;
}

/** Parse `R spec name-version-release.arch` / `R spec -` lines of the rpm probe. */
export function parseRpmQuery(stdout: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const m of stdout.matchAll(/^R (\S+) (\S+)$/gm)) out.set(m[1]!, m[2] === '-' ? undefined : m[2]!);
  return out;
}

/** The common options of every dnf/yum call. */
export function rpmOptions(args: RpmArgs): string[] {
  const opts: string[] = [];
  if (toBool(args.disable_gpg_check)) opts.push('--nogpgcheck');
  const list = (v: string | string[] | undefined): string[] =>
    (v === undefined ? [] : Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const r of list(args.disablerepo)) opts.push(`--disablerepo=${r}`);
  for (const r of list(args.enablerepo)) opts.push(`--enablerepo=${r}`);
  return opts;
}

/** The transactions (verb + specs) the wanted state needs, given which specs rpm found installed. */
export function rpmTransactions(
  state: 'present' | 'absent' | 'latest',
  specs: string[],
  installed: Map<string, string | undefined>,
): Array<{ verb: string; specs: string[] }> {
  const missing = specs.filter((s) => installed.get(s) === undefined);
  const present = specs.filter((s) => installed.get(s) !== undefined);
  const out: Array<{ verb: string; specs: string[] }> = [];
  if (state === 'absent') {
    if (present.length) out.push({ verb: 'remove', specs: present });
    return out;
  }
  if (missing.length) out.push({ verb: 'install', specs: missing });
  if (state === 'latest' && present.length) out.push({ verb: 'upgrade', specs: present });
  return out;
}

/** Decide a dnf or yum task (`tool` is the binary the module asks for). */
export async function decideRpm(ctx: ModuleContext, args: RpmArgs, module: 'dnf' | 'yum'): Promise<Decision> {
  if (args.name !== undefined && args.pkg !== undefined) return failed('parameters are mutually exclusive: name|pkg');
  if (
    args.name === undefined &&
    args.pkg === undefined &&
    args.update_cache === undefined &&
    args.autoremove === undefined
  ) {
    return failed('one of the following is required: name, update_cache, autoremove');
  }
  const specs = packageNames(args.name ?? args.pkg);
  const state = normState(args.state);
  const res = await ctx.conn.exec(
    [
      managerProbe,
      ...specs.map(
        (s) =>
          sh`if v=$(rpm -q --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' -- ${s} 2>/dev/null | head -n 1); then echo "R "${s}" $v"; else echo "R "${s}" -"; fi`,
      ),
    ].join('\n'),
  );
  const tools = managersFound(res.stdout);
  const tool = module === 'yum' && !tools.has('yum') && tools.has('dnf') ? 'dnf' : module;
  if (!tools.has(tool) || !tools.has('rpm')) {
    return failed(
      `${module}: ${tool} is not installed on the host${tools.has('apt-get') ? ' (the host uses apt)' : ''}`,
    );
  }
  const installed = parseRpmQuery(res.stdout);
  const txs = rpmTransactions(state, specs, installed);
  if (toBool(args.autoremove)) txs.push({ verb: 'autoremove', specs: [] });
  const opts = rpmOptions(args);
  let changes: PackageChange[] = [];
  for (const tx of txs) {
    const r = await ctx.conn.exec(`LANG=C ${shq(tool)} --assumeno ${sh`${[...opts, tx.verb, ...tx.specs]}`}`);
    if (
      /^Error:/m.test(r.stdout + r.stderr) ||
      /No package .* available|Unable to find a match/i.test(r.stdout + r.stderr)
    ) {
      return failed(`${tool} could not plan '${tx.verb} ${tx.specs.join(' ')}': ${(r.stderr || r.stdout).trim()}`, {
        rc: r.rc,
      });
    }
    changes = [...changes, ...parseTransaction(r.stdout)];
  }
  const updateCache = toBool(args.update_cache);
  const data: Record<string, unknown> = { cache_updated: false, packages: changes.map((c) => c.name), results: [] };
  if (!changes.length && !updateCache) return { kind: 'ok', msg: 'Nothing to do', data: { ...data, rc: 0 } };
  const run = txs.filter(
    (t) =>
      (changes.length && t.verb !== 'autoremove') ||
      (t.verb === 'autoremove' && changes.some((c) => c.action === 'remove')),
  );
  const diff = changesDiff(changes);
  if (updateCache) {
    diff.before = `package metadata: cached\n${diff.before}`;
    diff.after = `package metadata: refreshed\n${diff.after}`;
  }
  return {
    kind: 'change',
    data,
    diff: [diff],
    apply: () =>
      applying(async (): Promise<ApplyResult> => {
        let stdout = '';
        let stderr = '';
        const out: Record<string, unknown> = { ...data };
        if (updateCache) {
          const r = await ctx.conn.exec(`LANG=C ${shq(tool)} -y ${sh`${[...opts, 'makecache']}`}`);
          stdout += r.stdout;
          stderr += r.stderr;
          if (r.rc !== 0)
            return {
              kind: 'failed',
              msg: `Failed to refresh the ${tool} metadata: ${r.stderr.trim()}`,
              data: { ...out, stdout, stderr, rc: r.rc },
            };
          out['cache_updated'] = true;
        }
        for (const tx of run) {
          const r = await ctx.conn.exec(`LANG=C ${shq(tool)} -y ${sh`${[...opts, tx.verb, ...tx.specs]}`}`);
          stdout += r.stdout;
          stderr += r.stderr;
          if (r.rc !== 0)
            return {
              kind: 'failed',
              msg: `'${tool} ${tx.verb} ${tx.specs.join(' ')}' failed: ${r.stderr.trim()}`,
              data: { ...out, stdout, stderr, rc: r.rc },
            };
        }
        return {
          kind: 'applied',
          data: {
            ...out,
            rc: 0,
            stdout,
            stderr,
            results: changes.map((c) => `${c.action === 'remove' ? 'Removed' : 'Installed'}: ${c.name}`),
          },
        };
      }),
  };
}
