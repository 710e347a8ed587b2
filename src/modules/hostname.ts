/**
 * `hostname`: set the host name the way ansible-core 2.14 picks for the
 * target (`use`, else systemd when it runs, else by distribution), read in
 * one round trip. On a Debian-family host without systemd (the sandbox
 * light hosts), /etc/hostname is written as Ansible does and, beyond
 * Ansible, the running name is set with `hostname NAME` in the host's own
 * UTS namespace (hostnamectl needs a running systemd).
 */
import { sh, shq } from '../util/shell.js';
import { probeSections } from './lib/probe-sections.js';
import { defineModule, type ModuleContext } from './types.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';

/** Arguments of `hostname`. */
export interface HostnameArgs {
  name: string;
  use?: string;
}

type Strategy = 'systemd' | 'file' | 'alpine' | 'sles' | 'redhat' | 'openrc';

const USES = [
  'alpine',
  'debian',
  'freebsd',
  'generic',
  'macos',
  'macosx',
  'darwin',
  'openbsd',
  'openrc',
  'redhat',
].concat(['sles', 'solaris', 'systemd']);

/** ansible-core 2.14's STRATS for the strategies bosun has (`debian` is systemd there). */
const FROM_USE: Record<string, Strategy> = {
  alpine: 'alpine',
  debian: 'systemd',
  openrc: 'openrc',
  redhat: 'redhat',
  sles: 'sles',
  systemd: 'systemd',
};

/** Distribution ids (os-release ID) and Ansible's platform class strategy for them. */
function byDistribution(id: string, like: string): Strategy | undefined {
  const ids = [id, ...like.split(/\s+/)];
  if (
    ids.some((i) =>
      [
        'debian',
        'ubuntu',
        'linuxmint',
        'kali',
        'parrot',
        'raspbian',
        'kylin',
        'cumulus-linux',
        'pop',
        'devuan',
        'deepin',
        'uos',
      ].includes(i),
    )
  )
    return 'file';
  if (
    ids.some((i) =>
      [
        'rhel',
        'centos',
        'fedora',
        'rocky',
        'almalinux',
        'ol',
        'amzn',
        'scientific',
        'anolis',
        'cloudlinux',
        'alinux',
        'virtuozzo',
      ].includes(i),
    )
  )
    return 'redhat';
  if (id === 'alpine') return 'alpine';
  if (ids.some((i) => i.startsWith('sles') || i === 'suse' || i === 'opensuse')) return 'sles';
  if (id === 'gentoo') return 'openrc';
  return undefined;
}

/** Everything any strategy reads, in one script (sections start with `@NAME`). */
const PROBE = [
  'echo @SYSTEMD; if { [ -d /run/systemd/system ] || [ -d /dev/.run/systemd ] || [ -d /dev/.systemd ]; } && command -v systemctl >/dev/null 2>&1; then echo 1; else echo 0; fi',
  'echo @OS; ( . /etc/os-release 2>/dev/null; printf "%s|%s\\n" "${ID-}" "${ID_LIKE-}" )',
  'echo @HOSTNAMECTL; if command -v hostnamectl >/dev/null 2>&1; then echo 1; bosun_t=$(hostnamectl --transient status 2>&1); echo "TRC $?"; printf "%s\\n" "$bosun_t" | sed "s/^/T /"; bosun_s=$(hostnamectl --static status 2>&1); echo "SRC $?"; printf "%s\\n" "$bosun_s" | sed "s/^/S /"; else echo 0; fi',
  'echo @ETC_HOSTNAME; [ -f /etc/hostname ] && sed "s/^/L /" /etc/hostname',
  'echo @ETC_HOSTNAME_SLES; [ -f /etc/HOSTNAME ] && sed "s/^/L /" /etc/HOSTNAME',
  'echo @NETWORK; [ -f /etc/sysconfig/network ] && sed "s/^/L /" /etc/sysconfig/network',
  'echo @OPENRC; [ -f /etc/conf.d/hostname ] && sed "s/^/L /" /etc/conf.d/hostname',
  'echo @END; exit 0',
].join('\n');

/** `L `-prefixed lines back to text. */
const text = (lines: string[] | undefined): string | undefined =>
  lines?.length
    ? lines
        .filter((l) => l.startsWith('L '))
        .map((l) => `${l.slice(2)}\n`)
        .join('')
    : undefined;

/** Python's socket.getfqdn() on the target, after whatever the script before it did: printed as `FQDN name`. */
const FQDN = [
  'bosun_n=$(uname -n); bosun_f=$bosun_n',
  'bosun_a=$(getent hosts "$bosun_n" 2>/dev/null | awk \'{ print $1; exit }\')',
  'if [ -n "$bosun_a" ]; then for bosun_x in $(getent hosts "$bosun_a" 2>/dev/null | awk \'{ $1 = ""; print; exit }\'); do',
  '  case $bosun_x in *.*) bosun_f=$bosun_x; break ;; esac; done',
  '  [ "$bosun_f" = "$bosun_n" ] && bosun_f=$(getent hosts "$bosun_a" | awk \'{ print $2; exit }\'); fi',
  'printf "FQDN %s\\n" "${bosun_f:-$bosun_n}"',
].join('\n');

function facts(name: string, stdout: string): Record<string, unknown> {
  const fqdn = /^FQDN (.*)$/m.exec(stdout)?.[1] ?? name;
  return {
    ansible_hostname: name.split('.')[0],
    ansible_nodename: name,
    ansible_fqdn: fqdn,
    ansible_domain: fqdn.split('.').slice(1).join('.'),
  };
}

/** The commands that set the name, by strategy (only the parts that differ). */
function setScript(
  s: Strategy,
  name: string,
  current: string,
  permanent: string,
  networkText: string,
  openrcText: string,
): string {
  const lines: string[] = [];
  const line = `${name}\n`;
  if (s === 'systemd') {
    if (permanent !== name) lines.push(sh`hostnamectl --pretty --static set-hostname ${name} || exit $?`);
    if (current !== name) lines.push(sh`hostnamectl --transient set-hostname ${name} || exit $?`);
  } else if (s === 'file' || s === 'alpine' || s === 'sles') {
    const file = s === 'sles' ? '/etc/HOSTNAME' : '/etc/hostname';
    lines.push(sh`printf '%s' ${line} > ${file} || exit $?`);
    // Ansible's Debian strategy leaves the running name alone; bosun sets it too (alpine: as Ansible, from the file).
    if (s === 'alpine') lines.push('hostname -F /etc/hostname || exit $?');
    else if (s === 'file') lines.push(sh`hostname ${name} 2>/dev/null || echo 'WARN running name not set'`);
  } else if (s === 'redhat') {
    const text = networkText.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    const found = text.some((l) => l.trim().startsWith('HOSTNAME'));
    const out = text.map((l) => (l.trim().startsWith('HOSTNAME') ? `HOSTNAME=${name}\n` : l));
    if (!found) out.push(`HOSTNAME=${name}\n`);
    lines.push(sh`printf '%s' ${out.join('')} > /etc/sysconfig/network || exit $?`);
  } else {
    const out = (openrcText.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((l) =>
      l.trim().startsWith('hostname=') ? `hostname="${name}"\n` : l,
    );
    lines.push(`printf '%s' ${shq(out.join(''))} > /etc/conf.d/hostname || exit $?`);
  }
  return lines.join('\n');
}

/** The hostnamectl section's `KEY value` line. */
function hcLine(sec: Record<string, string[]>, key: string): string {
  return (sec['HOSTNAMECTL'] ?? []).find((l) => l.startsWith(`${key} `))?.slice(key.length + 1) ?? '';
}

/** The `P `-prefixed lines of the hostnamectl section as text. */
function pickLines(sec: Record<string, string[]>, p: string): string {
  return (sec['HOSTNAMECTL'] ?? [])
    .filter((l) => l.startsWith(`${p} `))
    .map((l) => l.slice(2))
    .join('\n')
    .trim();
}

/** Current and permanent names as the strategy reads them; a string is a failure message. */
function readNames(s: Strategy, sec: Record<string, string[]>): { current: string; permanent: string } | string {
  if (s === 'systemd') {
    const hc = (key: string): string => hcLine(sec, key);
    if (sec['HOSTNAMECTL']?.[0] !== '1')
      return 'Failed to find required executable "hostnamectl" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    for (const p of ['T', 'S']) {
      const rc = Number(/^\d+$/.test(hc(`${p}RC`)) ? hc(`${p}RC`) : 0);
      if (rc !== 0) return `Command failed rc=${rc}, out=, err=${pickLines(sec, p)}`;
    }
    const pick = (p: string): string =>
      (sec['HOSTNAMECTL'] ?? [])
        .filter((l) => l.startsWith(`${p} `))
        .map((l) => l.slice(2))
        .join('\n')
        .trim();
    return { current: pick('T'), permanent: pick('S') };
  }
  if (s === 'redhat') {
    const body = text(sec['NETWORK']);
    if (body === undefined)
      return "failed to read hostname: [Errno 2] No such file or directory: '/etc/sysconfig/network'";
    const l = body
      .split('\n')
      .map((x) => x.trim())
      .find((x) => x.startsWith('HOSTNAME'));
    if (!l) return 'Unable to locate HOSTNAME entry in /etc/sysconfig/network';
    const v = l.split('=')[1]?.trim() ?? '';
    return { current: v, permanent: v };
  }
  if (s === 'openrc') {
    const l = (text(sec['OPENRC']) ?? '')
      .split('\n')
      .map((x) => x.trim())
      .find((x) => x.startsWith('hostname='));
    const v = l ? l.slice(10).replace(/^"+|"+$/g, '') : '';
    return { current: v, permanent: v };
  }
  const v = (text(sec[s === 'sles' ? 'ETC_HOSTNAME_SLES' : 'ETC_HOSTNAME']) ?? '').trim();
  return { current: v, permanent: v };
}

async function decideHostname(ctx: ModuleContext, args: HostnameArgs) {
  const { name } = args;
  if (args.use !== undefined && !FROM_USE[args.use])
    return failed(`use=${args.use} is not supported by bosun's hostname (it has: ${Object.keys(FROM_USE).join(', ')})`);
  const res = await ctx.conn.exec(`${PROBE}\n${FQDN}`);
  const sec = probeSections(res.stdout);
  const [id = '', like = ''] = (sec['OS']?.[0] ?? '|').split('|');
  const strategy: Strategy | undefined =
    args.use !== undefined ? FROM_USE[args.use] : sec['SYSTEMD']?.[0] === '1' ? 'systemd' : byDistribution(id, like);
  if (!strategy) return failed(`hostname module cannot be used on platform Linux (${id || 'unknown'})`);
  const names = readNames(strategy, sec);
  if (typeof names === 'string') return failed(names);
  const { current, permanent } = names;
  if (strategy === 'systemd' && name.length > 64 && (current !== name || permanent !== name))
    return failed('name cannot be longer than 64 characters on systemd servers, try a shorter name');
  const before = name !== current ? current : permanent;
  if (current === name && permanent === name)
    return { kind: 'ok' as const, data: { name }, facts: facts(name, res.stdout) };
  const script = setScript(strategy, name, current, permanent, text(sec['NETWORK']) ?? '', text(sec['OPENRC']) ?? '');
  return {
    kind: 'change' as const,
    data: { name },
    facts: facts(name, res.stdout),
    diff: [{ path: 'hostname', before: `hostname = ${before}\n`, after: `hostname = ${name}\n` }],
    apply: () =>
      applying(async () => {
        const r = await ctx.conn.exec(`${script}\n${FQDN}`);
        if (r.rc !== 0) return applyFailed(`Command failed rc=${r.rc}, out=, err=${r.stderr.trim()}`);
        const warnings = r.stdout.includes('WARN running name not set')
          ? [`/etc/hostname says ${name}, but the running host name could not be set (hostname ${name} failed)`]
          : [];
        return {
          kind: 'applied',
          data: { name },
          facts: facts(name, r.stdout),
          ...(warnings.length ? { warnings } : {}),
        };
      }),
  };
}

/** The `hostname` module. */
export default defineModule<HostnameArgs>({
  name: 'hostname',
  docs: {
    short: "Set the target's host name (the running one and the one kept across boots)",
    description:
      'Picks the strategy as Ansible 2.14 does: `use`, else systemd (hostnamectl) when systemd runs, else by distribution: Debian family /etc/hostname, Red Hat family /etc/sysconfig/network, Alpine, SUSE /etc/HOSTNAME, Gentoo /etc/conf.d/hostname.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, description: 'The host name' },
      use: {
        type: 'string',
        enum: USES,
        description:
          'The strategy (bosun has alpine, debian (= systemd, as in Ansible 2.14), openrc, redhat, sles, systemd)',
      },
    },
  },
  decide: (ctx, args) => deciding(() => decideHostname(ctx, args)),
});
