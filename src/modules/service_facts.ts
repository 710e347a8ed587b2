/**
 * `service_facts`: the target's services as `ansible_facts.services` (name ->
 * {name, state, status, source}), in ansible-core 2.14's shape: the sysv
 * scripts `service --status-all` lists (where neither chkconfig nor OpenRC
 * is there) and, when systemd is PID 1, systemd's service units and unit
 * files. Read in one round trip, plus one for the unit files systemd has not
 * loaded (their ActiveState, one `systemctl show` each, as Ansible asks).
 */
import { sh } from '../util/shell.js';
import { probeSections } from './lib/probe-sections.js';
import { defineModule, type ModuleContext } from './types.js';
import { deciding } from './lib/result.js';

/** One service as Ansible describes it. */
export type ServiceFact = Record<string, string>;

/** Where Ansible's get_bin_path looks besides PATH (and systemctl's opt_dirs). */
const BIN_PATH = 'PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin:/usr/bin:/usr/local/bin"';

/** Everything the scanners read, in sections (`@NAME` lines); output lines are prefixed so no line can fake a section. */
const PROBE = [
  `export LANG=C LC_ALL=C ${BIN_PATH}`,
  'if command -v service >/dev/null 2>&1 && ! command -v chkconfig >/dev/null 2>&1 && ! command -v rc-status >/dev/null 2>&1; then',
  '  echo @SYSV; bosun_e=$(mktemp); bosun_o=$(service --status-all 2>"$bosun_e" </dev/null); echo "RC $?"',
  '  printf "%s\\n" "$bosun_o" | sed "s/^/L /"; sed "s/^/E /" "$bosun_e"; rm -f "$bosun_e"; fi',
  'if grep -q systemd /proc/1/comm 2>/dev/null && command -v systemctl >/dev/null 2>&1; then',
  '  echo @UNITS; systemctl list-units --no-pager --type service --all 2>&1 | sed "s/^/L /"',
  '  echo @FILES; systemctl list-unit-files --no-pager --type service --all 2>&1 | sed "s/^/L /"; fi',
  'echo @END; exit 0',
].join('\n');

const lines = (sec: string[] | undefined, prefix = 'L '): string[] =>
  (sec ?? []).filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));

/** Services from `service --status-all` (only `[ + ]` and `[ - ]` lines, as Ansible's pattern). */
export function parseStatusAll(out: string[]): Record<string, ServiceFact> {
  const services: Record<string, ServiceFact> = {};
  for (const line of out) {
    const m = /^\s*\[ ([+-]) \]\s+(.+)$/.exec(line);
    if (m) services[m[2]!] = { name: m[2]!, state: m[1] === '+' ? 'running' : 'stopped', source: 'sysv' };
  }
  return services;
}

const BAD_STATES = ['not-found', 'masked', 'failed'];

/** Services from `systemctl list-units` (Ansible's reading: a bad load/active state drops the first column, the bullet). */
export function parseUnits(out: string[]): Record<string, ServiceFact> {
  const services: Record<string, ServiceFact> = {};
  for (const line of out.filter((l) => l.includes('.service'))) {
    let fields = line.trim().split(/\s+/);
    const bad = BAD_STATES.find((b) => fields.includes(b));
    const status = bad ?? fields[2] ?? '';
    if (bad) fields = fields.slice(1);
    const name = fields[0] ?? '';
    services[name] = { name, state: fields[3] === 'running' ? 'running' : 'stopped', status, source: 'systemd' };
  }
  return services;
}

/** `name status` pairs of `systemctl list-unit-files`; a line without both is Ansible's failure message. */
export function parseUnitFiles(out: string[]): Array<[string, string]> | string {
  const pairs: Array<[string, string]> = [];
  for (const line of out.filter((l) => l.includes('.service'))) {
    const [name, status] = line.trim().split(/\s+/);
    if (name === undefined || status === undefined)
      return `Malformed output discovered from systemd list-unit-files: ${line}`;
    pairs.push([name, status]);
  }
  return pairs;
}

/** The ActiveState of each unit file systemd has not loaded: `systemctl show` per unit, printed as `S name|rc|out`. */
async function activeStates(ctx: ModuleContext, names: string[]): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  if (!names.length) return states;
  const script = [
    `export LANG=C LC_ALL=C ${BIN_PATH}`,
    ...names.map(
      (n) =>
        sh`bosun_o=$(systemctl show --property=ActiveState -- ${n} 2>/dev/null); printf 'S %s|%s|%s\n' ${n} "$?" "$bosun_o"`,
    ),
    'exit 0',
  ].join('\n');
  const r = await ctx.conn.exec(script);
  for (const line of r.stdout.split('\n')) {
    const m = /^S (.*)\|(\d+)\|(.*)$/.exec(line);
    if (!m) continue;
    const out = m[3]!;
    states.set(m[1]!, m[2] === '0' && out !== '' ? out.replace('ActiveState=', '').trimEnd() : 'unknown');
  }
  return states;
}

async function gather(ctx: ModuleContext) {
  const r = await ctx.conn.exec(PROBE);
  const sec = probeSections(r.stdout);
  const warnings: string[] = [];
  const services: Record<string, ServiceFact> = {};
  if (sec['SYSV']) {
    const rc = Number(/^RC (\d+)$/m.exec(sec['SYSV'].join('\n'))?.[1] ?? 0);
    if (rc !== 0) warnings.push(`Unable to query 'service' tool (${rc}): ${lines(sec['SYSV'], 'E ').join('\n')}`);
    Object.assign(services, parseStatusAll(lines(sec['SYSV'])));
  }
  if (sec['UNITS']) {
    const units = parseUnits(lines(sec['UNITS']));
    const files = parseUnitFiles(lines(sec['FILES']));
    if (typeof files === 'string') return { kind: 'fail' as const, msg: files };
    const states = await activeStates(
      ctx,
      files.map(([n]) => n).filter((n) => !(n in units)),
    );
    for (const [name, status] of files) {
      const known = units[name];
      if (!known) units[name] = { name, state: states.get(name) ?? 'unknown', status, source: 'systemd' };
      else if (!BAD_STATES.includes(known['status'] ?? '')) known['status'] = status;
    }
    Object.assign(services, units);
  }
  const extra = warnings.length ? { warnings } : {};
  if (!Object.keys(services).length)
    return {
      kind: 'skip' as const,
      msg: 'Failed to find any services. This can be due to privileges or some other configuration issue.',
      ...extra,
    };
  return { kind: 'ok' as const, facts: { services }, ...extra };
}

/** The `service_facts` module. */
export default defineModule<Record<string, never>>({
  name: 'service_facts',
  docs: {
    short: 'Gather the services as ansible_facts.services',
    description:
      "Reads `service --status-all` (sysv scripts, where chkconfig and OpenRC are absent) and, when systemd is PID 1, `systemctl list-units` and `list-unit-files`, as Ansible 2.14 does. Upstart, chkconfig, OpenRC, AIX and OpenBSD listings are not read (bosun's targets are Debian and EL with systemd or sysv scripts).",
  },
  checkMode: 'full',
  schema: { type: 'object', additionalProperties: false, properties: {} },
  decide: (ctx) => deciding(() => gather(ctx)),
});
