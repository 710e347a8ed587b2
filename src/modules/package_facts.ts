/**
 * `package_facts`: the installed packages as `ansible_facts.packages`
 * (name -> list of {name, version, arch, ..., source}), in ansible-core
 * 2.14's shape, read with the target's dpkg-query (apt) or rpm in one round
 * trip, without Python or python3-apt on the target.
 */
import { defineModule } from './types.js';
import { deciding, failed } from './lib/result.js';

/** Arguments of `package_facts`. */
export interface PackageFactsArgs {
  manager?: string | string[];
  strategy?: 'first' | 'all';
}

/** The managers ansible-core 2.14 knows, in the order `auto` tries them; bosun reads apt and rpm. */
const KNOWN = ['apt', 'rpm', 'pacman', 'pkg', 'portage', 'apk'];

/** One installed package as Ansible describes it. */
export type PackageFact = Record<string, string | number | null>;

const DPKG_FORMAT = '${binary:Package}\\t${Version}\\t${Architecture}\\t${Section}\\t${db:Status-Status}\\n';
const RPM_FORMAT = '%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\n';

/** Packages from dpkg-query lines (installed ones; `name:arch` for foreign architectures, as python-apt names them). */
export function parseDpkg(out: string, nativeArch: string): Record<string, PackageFact[]> {
  const packages: Record<string, PackageFact[]> = {};
  for (const line of out.split('\n')) {
    const [pkg, version, arch, section, status] = line.split('\t');
    if (!pkg || !version || status === 'not-installed' || status === 'config-files') continue;
    const name = pkg.endsWith(`:${nativeArch}`) ? pkg.slice(0, -nativeArch.length - 1) : pkg;
    (packages[name] ??= []).push({ name, version, arch: arch ?? '', category: section ?? '', source: 'apt' });
  }
  return packages;
}

/** Packages from rpm -qa lines (epoch null when rpm says (none)). */
export function parseRpm(out: string): Record<string, PackageFact[]> {
  const packages: Record<string, PackageFact[]> = {};
  for (const line of out.split('\n')) {
    const [name, version, release, epoch, arch] = line.split('\t');
    if (!name || version === undefined) continue;
    const e = epoch === undefined || epoch === '(none)' ? null : Number(epoch);
    (packages[name] ??= []).push({ name, version, release: release ?? '', epoch: e, arch: arch ?? '', source: 'rpm' });
  }
  return packages;
}

/** The `package_facts` module. */
export default defineModule<PackageFactsArgs>({
  name: 'package_facts',
  docs: {
    short: 'Gather the installed packages as ansible_facts.packages',
    description:
      'Reads dpkg-query (apt) or rpm -qa on the target; manager auto tries apt, then rpm. Each package is a list of its installed versions.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      manager: {
        type: ['string', 'array'],
        items: { type: 'string' },
        default: ['auto'],
        description: 'auto, apt or rpm (a list to query several)',
      },
      strategy: {
        type: 'string',
        enum: ['first', 'all'],
        default: 'first',
        description: 'first: the first manager found; all: every manager found',
      },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const asked = (Array.isArray(args.manager) ? args.manager : (args.manager ?? 'auto').split(','))
        .map((m) => m.trim().toLowerCase())
        .filter(Boolean);
      let managers = [...asked];
      if (managers.includes('auto')) managers = [...managers.filter((m) => m !== 'auto'), ...KNOWN];
      const unsupported = [...new Set(managers.filter((m) => !KNOWN.includes(m)))];
      if (unsupported.length) return failed(`Unsupported package managers requested: ${unsupported.join(', ')}`);
      managers = [...new Set(managers)];
      const read = await ctx.conn.exec(
        [
          `if command -v dpkg-query >/dev/null 2>&1; then echo 'HAVE apt'; printf 'ARCH %s\\n' "$(dpkg --print-architecture)"; dpkg-query -W -f '${DPKG_FORMAT}' | sed 's/^/D /'; fi`,
          `if command -v rpm >/dev/null 2>&1; then echo 'HAVE rpm'; rpm -qa --queryformat '${RPM_FORMAT}' | sed 's/^/R /'; fi`,
        ].join('\n'),
      );
      const have = new Set([...read.stdout.matchAll(/^HAVE (\S+)$/gm)].map((m) => m[1]!));
      const pick = (prefix: string) =>
        read.stdout
          .split('\n')
          .filter((l) => l.startsWith(prefix))
          .map((l) => l.slice(2))
          .join('\n');
      const packages: Record<string, PackageFact[]> = {};
      let found = 0;
      for (const m of managers) {
        if (found && (args.strategy ?? 'first') === 'first') break;
        // A manager whose tool is missing is skipped without a word, as Ansible's is_available does.
        if (!have.has(m)) continue;
        found += 1;
        const got =
          m === 'apt' ? parseDpkg(pick('D '), /^ARCH (\S+)$/m.exec(read.stdout)?.[1] ?? '') : parseRpm(pick('R '));
        Object.assign(packages, got);
      }
      if (!found)
        return failed(
          `Could not detect a supported package manager from the following list: [${managers.map((m) => `'${m}'`).join(', ')}], or the required Python library is not installed. Check warnings for details.`,
        );
      return { kind: 'ok', facts: { packages } };
    }),
});
