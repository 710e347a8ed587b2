/**
 * `iptables` (ansible.builtin.iptables): one rule, a chain's policy, a flush or a user chain, with the target's
 * iptables (ip6tables for ipv6). The rule's words are built from the arguments in Ansible's order
 * (construct_rule), so `iptables -C` answers whether the rule is there, exactly as Ansible asks it; the change
 * is `-A`/`-I`/`-D` with the same words. Every word is one quoted shell word.
 */
import { sh } from '../util/shell.js';
import { boolSchema, toBool } from './lib/bool.js';
import { applyFailed, applying, deciding, failed } from './lib/result.js';
import { defineModule, type Decision, type ModuleContext, type ResultData } from './types.js';

type Str = string | number;

/** Arguments of `iptables` (Ansible's `str` ones may come as numbers from YAML). */
export interface IptablesArgs {
  table?: 'filter' | 'nat' | 'mangle' | 'raw' | 'security';
  state?: 'present' | 'absent';
  action?: 'append' | 'insert';
  ip_version?: 'ipv4' | 'ipv6';
  chain?: string;
  rule_num?: Str;
  protocol?: Str;
  wait?: Str;
  source?: string;
  to_source?: string;
  destination?: string;
  to_destination?: string;
  match?: string[] | string;
  tcp_flags?: { flags?: string[]; flags_set?: string[] };
  jump?: string;
  gateway?: string;
  log_prefix?: string;
  log_level?: Str;
  goto?: string;
  in_interface?: string;
  out_interface?: string;
  fragment?: string;
  set_counters?: string;
  source_port?: Str;
  destination_port?: Str;
  destination_ports?: Str[] | string;
  to_ports?: Str;
  set_dscp_mark?: Str;
  set_dscp_mark_class?: string;
  comment?: string;
  ctstate?: string[] | string;
  src_range?: string;
  dst_range?: string;
  match_set?: string;
  match_set_flags?: 'src' | 'dst' | 'src,dst' | 'dst,src';
  limit?: string;
  limit_burst?: Str;
  uid_owner?: Str;
  gid_owner?: Str;
  reject_with?: string;
  icmp_type?: Str;
  syn?: 'ignore' | 'match' | 'negate';
  flush?: boolean | string;
  policy?: 'ACCEPT' | 'DROP' | 'QUEUE' | 'RETURN';
  chain_management?: boolean | string;
}

/** The arguments as Ansible's module holds them after its type conversions. */
export interface RuleParams {
  wait?: string;
  protocol?: string;
  source?: string;
  destination?: string;
  match: string[];
  tcp_flags?: { flags?: string[]; flags_set?: string[] };
  jump?: string;
  gateway?: string;
  log_prefix?: string;
  log_level?: string;
  to_destination?: string;
  destination_ports: string[];
  to_source?: string;
  goto?: string;
  in_interface?: string;
  out_interface?: string;
  fragment?: string;
  set_counters?: string;
  source_port?: string;
  destination_port?: string;
  to_ports?: string;
  set_dscp_mark?: string;
  set_dscp_mark_class?: string;
  syn: string;
  ctstate: string[];
  src_range?: string;
  dst_range?: string;
  match_set?: string;
  match_set_flags?: string;
  limit?: string;
  limit_burst?: string;
  uid_owner?: string;
  gid_owner?: string;
  reject_with?: string;
  icmp_type?: string;
  comment?: string;
  ip_version: 'ipv4' | 'ipv6';
}

const str = (v: Str | undefined): string | undefined => (v === undefined ? undefined : String(v));
/** Ansible's list conversion: a comma-separated text is a list too. */
const list = (v: Str[] | string | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : v.split(',').map((x) => x.trim());

/** The rule's words, in the order and with the flags of Ansible's construct_rule. */
export function constructRule(p: RuleParams): string[] {
  const rule: string[] = [];
  const param = (v: string | undefined, flag: string): void => {
    if (v === undefined) return;
    if (v.startsWith('!')) rule.push('!', flag, v.slice(1));
    else rule.push(flag, v);
  };
  const matchFlag = (v: string | undefined, flag: string, negatable: boolean): void => {
    if (v === 'match') rule.push(flag);
    else if (negatable && v === 'negate') rule.push('!', flag);
  };
  const csv = (v: string[], flag: string): void => {
    if (v.length) rule.push(flag, v.join(','));
  };
  const match = (on: unknown, name: string): void => {
    if (on !== undefined && on !== '' && !(Array.isArray(on) && !on.length)) rule.push('-m', name);
  };
  if (p.wait) rule.push('-w', p.wait);
  param(p.protocol, '-p');
  param(p.source, '-s');
  param(p.destination, '-d');
  for (const m of p.match) param(m, '-m');
  if (p.tcp_flags?.flags && p.tcp_flags.flags_set)
    rule.push('--tcp-flags', p.tcp_flags.flags.join(','), p.tcp_flags.flags_set.join(','));
  param(p.jump, '-j');
  if (p.jump?.toLowerCase() === 'tee') param(p.gateway, '--gateway');
  param(p.log_prefix, '--log-prefix');
  param(p.log_level, '--log-level');
  param(p.to_destination, '--to-destination');
  match(p.destination_ports, 'multiport');
  csv(p.destination_ports, '--dports');
  param(p.to_source, '--to-source');
  param(p.goto, '-g');
  param(p.in_interface, '-i');
  param(p.out_interface, '-o');
  param(p.fragment, '-f');
  param(p.set_counters, '-c');
  param(p.source_port, '--source-port');
  param(p.destination_port, '--destination-port');
  param(p.to_ports, '--to-ports');
  param(p.set_dscp_mark, '--set-dscp');
  param(p.set_dscp_mark_class, '--set-dscp-class');
  matchFlag(p.syn, '--syn', true);
  if (p.match.includes('conntrack')) csv(p.ctstate, '--ctstate');
  else if (p.match.includes('state')) csv(p.ctstate, '--state');
  else if (p.ctstate.length) {
    match(p.ctstate, 'conntrack');
    csv(p.ctstate, '--ctstate');
  }
  if (p.match.includes('iprange')) {
    param(p.src_range, '--src-range');
    param(p.dst_range, '--dst-range');
  } else if (p.src_range || p.dst_range) {
    match(p.src_range || p.dst_range, 'iprange');
    param(p.src_range, '--src-range');
    param(p.dst_range, '--dst-range');
  }
  if (p.match.includes('set')) {
    param(p.match_set, '--match-set');
    if (p.match_set_flags) rule.push(p.match_set_flags);
  } else if (p.match_set) {
    match(p.match_set, 'set');
    param(p.match_set, '--match-set');
    if (p.match_set_flags) rule.push(p.match_set_flags);
  }
  match(p.limit || p.limit_burst, 'limit');
  param(p.limit, '--limit');
  param(p.limit_burst, '--limit-burst');
  match(p.uid_owner, 'owner');
  matchFlag(p.uid_owner, '--uid-owner', true);
  param(p.uid_owner, '--uid-owner');
  match(p.gid_owner, 'owner');
  matchFlag(p.gid_owner, '--gid-owner', true);
  param(p.gid_owner, '--gid-owner');
  if (p.jump === undefined && p.reject_with) rule.push('-j', 'REJECT');
  param(p.reject_with, '--reject-with');
  param(p.icmp_type, p.ip_version === 'ipv6' ? '--icmpv6-type' : '--icmp-type');
  match(p.comment, 'comment');
  param(p.comment, '--comment');
  return rule;
}

/** Ansible's conversion of the arguments into the parameters construct_rule reads. */
export function ruleParams(a: IptablesArgs): RuleParams {
  return {
    wait: str(a.wait),
    protocol: str(a.protocol),
    source: a.source,
    destination: a.destination,
    match: list(a.match),
    tcp_flags: a.tcp_flags,
    jump: a.jump,
    gateway: a.gateway,
    log_prefix: a.log_prefix,
    log_level: str(a.log_level),
    to_destination: a.to_destination,
    destination_ports: list(a.destination_ports),
    to_source: a.to_source,
    goto: a.goto,
    in_interface: a.in_interface,
    out_interface: a.out_interface,
    fragment: a.fragment,
    set_counters: a.set_counters,
    source_port: str(a.source_port),
    destination_port: str(a.destination_port),
    to_ports: str(a.to_ports),
    set_dscp_mark: str(a.set_dscp_mark),
    set_dscp_mark_class: a.set_dscp_mark_class,
    syn: a.syn ?? 'ignore',
    ctstate: list(a.ctstate),
    src_range: a.src_range,
    dst_range: a.dst_range,
    match_set: a.match_set,
    match_set_flags: a.match_set_flags,
    limit: a.limit,
    limit_burst: str(a.limit_burst),
    uid_owner: str(a.uid_owner),
    gid_owner: str(a.gid_owner),
    reject_with: a.reject_with,
    icmp_type: str(a.icmp_type),
    comment: a.comment,
    ip_version: a.ip_version ?? 'ipv4',
  };
}

/** Compare dotted versions numerically (`1.8.9 (nf_tables)` reads as 1.8.9). */
function versionAtLeast(version: string, wanted: string): boolean {
  const nums = (v: string): number[] => (/^[\d.]+/.exec(v)?.[0] ?? '0').split('.').map(Number);
  const a = nums(version);
  const b = nums(wanted);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** Ansible's fail_json carries none of the result's keys: the decision's are taken off a failed apply. */
const UNSET: ResultData = {
  ip_version: undefined,
  table: undefined,
  chain: undefined,
  flush: undefined,
  rule: undefined,
  state: undefined,
  chain_management: undefined,
};

const PATH = 'export LANG=C LC_ALL=C PATH="$PATH:/sbin:/usr/sbin:/usr/local/sbin"';

async function decideIptables(ctx: ModuleContext, args: IptablesArgs): Promise<Decision> {
  const table = args.table ?? 'filter';
  const state = args.state ?? 'present';
  const flush = toBool(args.flush);
  const chainManagement = toBool(args.chain_management);
  const params = ruleParams(args);
  if ((params.jump ?? '').toLowerCase() === 'tee' && args.gateway === undefined)
    return failed(`jump is ${String(params.jump)} but all of the following are missing: gateway`);
  const data: ResultData = {
    ip_version: params.ip_version,
    table,
    chain: args.chain ?? null,
    flush,
    rule: constructRule(params).join(' '),
    state,
    chain_management: chainManagement,
  };
  const bin = params.ip_version === 'ipv6' ? 'ip6tables' : 'iptables';
  const found = await ctx.conn.exec(`${PATH}\n${sh`command -v ${bin}`} && ${sh`${bin} --version`}`);
  const [binPath, versionLine] = found.stdout.split('\n');
  if (found.rc !== 0 || !binPath)
    return failed(
      `Failed to find required executable "${bin}" in paths: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    );
  if (!flush && args.chain === undefined) return failed('Either chain or flush parameter must be specified.');
  if (params.log_prefix !== undefined || params.log_level !== undefined) {
    if (params.jump === undefined) params.jump = 'LOG';
    else if (params.jump !== 'LOG') return failed('Logging options can only be used with the LOG jump target.');
  }
  const version = versionLine?.split('v')[1] ?? '';
  if (versionAtLeast(version, '1.4.20')) {
    if (!versionAtLeast(version, '1.6.0')) params.wait = '';
  } else params.wait = undefined;
  const head = (action: string, extra: string[] = []): string[] => [
    binPath,
    '-t',
    table,
    action,
    ...(args.chain === undefined ? [] : [args.chain]),
    ...extra,
  ];
  const words = (action: string): string[] => [
    ...head(action, action === '-I' && args.rule_num !== undefined ? [String(args.rule_num)] : []),
    ...constructRule(params),
  ];
  const exec = (cmd: string[]) => ctx.conn.exec(`${PATH}\n${sh`${cmd}`}`);
  let failure: { msg: string; data: ResultData } | undefined;
  /** A step run as Ansible's run_command(check_rc=True): a failure's stderr is the message. */
  const step = async (cmd: string[]): Promise<string | undefined> => {
    const r = await exec(cmd);
    if (r.rc === 0) return undefined;
    failure = {
      msg: r.stderr.trimEnd(),
      data: { ...UNSET, cmd: cmd.join(' '), rc: r.rc, stdout: r.stdout, stderr: r.stderr },
    };
    return failure.msg;
  };
  const change = (what: string, before: string, after: string, run: string[][]): Decision => ({
    kind: 'change',
    data,
    diff: [{ path: what, before: `${before}\n`, after: `${after}\n` }],
    apply: () =>
      applying(async () => {
        for (const cmd of run) if ((await step(cmd)) !== undefined) return applyFailed(failure!.msg, failure!.data);
        return { kind: 'applied', data };
      }),
  });
  const where = `${bin} -t ${table}${args.chain === undefined ? '' : ` ${args.chain}`}`;

  if (flush) {
    // Ansible reports a flush changed every time; bosun lists the rules and flushes only when there are some.
    const r = await exec(head('-S'));
    // A chain -S cannot list (a missing one): the flush is tried, as Ansible does, and fails with iptables' words.
    if (r.rc !== 0) return change(where, '(cannot list the rules)', '(no rules)', [head('-F')]);
    const rules = r.stdout.split('\n').filter((l) => l.startsWith('-A '));
    if (!rules.length) return { kind: 'ok', data };
    return change(where, rules.join('\n'), '(no rules)', [head('-F')]);
  }
  if (args.policy !== undefined) {
    const r = await exec(head('-L'));
    if (r.rc !== 0) return failed(r.stderr.trimEnd(), { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
    const current = /\(policy ([A-Z]+)\)/.exec(r.stdout.split('\n')[0] ?? '')?.[1];
    if (!current) return failed("Can't detect current policy");
    if (current === args.policy) return { kind: 'ok', data };
    return change(where, `policy ${current}`, `policy ${args.policy}`, [[...head('-P'), args.policy]]);
  }
  const chainPresent = async (): Promise<boolean> => (await exec(head('-L'))).rc === 0;
  if (state === 'absent' && data['rule'] === '') {
    // Ansible reports changed for a present chain even without chain_management (and then deletes nothing).
    const present = await chainPresent();
    if (!present || !chainManagement) return { kind: 'ok', data };
    return change(where, 'chain present', 'chain absent', [head('-X')]);
  }
  const rulePresent = (await exec(words('-C'))).rc === 0;
  const wanted = state === 'present';
  if (rulePresent === wanted) return { kind: 'ok', data };
  const rule = constructRule(params).join(' ');
  if (!wanted) return change(where, `-A ${rule}`, '', [words('-D')]);
  const run: string[][] = [];
  const listed = await exec(head('-L'));
  if (listed.rc !== 0) {
    // The -A/-I would fail on a missing chain with these words of iptables (check mode included: Ansible's says changed).
    if (!chainManagement)
      return failed(`${bin}: No chain/target/match by that name.`, { rc: 1, stdout: '', stderr: listed.stderr });
    run.push(head('-N'));
  }
  run.push(words(args.action === 'insert' ? '-I' : '-A'));
  return change(where, '', `${args.action === 'insert' ? '-I' : '-A'} ${rule}`, run);
}

const text = (description: string): Record<string, unknown> => ({ type: 'string', description });
const textOrNumber = (description: string): Record<string, unknown> => ({ type: ['string', 'number'], description });
const textList = (description: string): Record<string, unknown> => ({
  type: ['array', 'string'],
  items: { type: ['string', 'number'] },
  description,
});

/** The `iptables` module. */
export default defineModule<IptablesArgs>({
  name: 'iptables',
  docs: {
    short: 'Add or remove one iptables rule, set a chain policy, flush, or manage a user chain',
    description:
      "As ansible.builtin.iptables, with the target's iptables (ip6tables for ipv6): the rule's words are built in Ansible's order and `iptables -C` says whether it is there. A flush changes only when there are rules to flush.",
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    allOf: [
      { not: { required: ['flush', 'policy'], properties: { flush: true, policy: true } } },
      {
        not: {
          required: ['set_dscp_mark', 'set_dscp_mark_class'],
          properties: { set_dscp_mark: true, set_dscp_mark_class: true },
        },
      },
    ],
    properties: {
      table: {
        type: 'string',
        enum: ['filter', 'nat', 'mangle', 'raw', 'security'],
        default: 'filter',
        description: 'The table',
      },
      state: {
        type: 'string',
        enum: ['present', 'absent'],
        default: 'present',
        description: 'Whether the rule is there',
      },
      action: {
        type: 'string',
        enum: ['append', 'insert'],
        default: 'append',
        description: 'Append (-A) or insert (-I) a new rule',
      },
      ip_version: { type: 'string', enum: ['ipv4', 'ipv6'], default: 'ipv4', description: 'iptables or ip6tables' },
      chain: text('The chain (INPUT, a user chain, ...); required unless flush'),
      rule_num: textOrNumber('Where an inserted rule goes (-I CHAIN N)'),
      protocol: textOrNumber('-p: tcp, udp, icmp, all, a number; a leading ! negates'),
      wait: textOrNumber('-w: wait this many seconds for the xtables lock'),
      source: text('-s: the source address or network; a leading ! negates'),
      to_source: text('--to-source (SNAT)'),
      destination: text('-d: the destination address or network; a leading ! negates'),
      to_destination: text('--to-destination (DNAT)'),
      match: textList('-m: match extensions, in order'),
      tcp_flags: {
        type: 'object',
        additionalProperties: false,
        properties: {
          flags: { type: 'array', items: { type: 'string' }, description: 'The flags examined' },
          flags_set: { type: 'array', items: { type: 'string' }, description: 'The flags that must be set' },
        },
        description: '--tcp-flags: {flags, flags_set}',
      },
      jump: text('-j: the target (ACCEPT, DROP, REJECT, LOG, a chain, ...)'),
      gateway: text('--gateway for the TEE target'),
      log_prefix: text('--log-prefix (implies jump LOG)'),
      log_level: {
        type: ['string', 'integer'],
        enum: [
          '0',
          '1',
          '2',
          '3',
          '4',
          '5',
          '6',
          '7',
          0,
          1,
          2,
          3,
          4,
          5,
          6,
          7,
          'emerg',
          'alert',
          'crit',
          'error',
          'warning',
          'notice',
          'info',
          'debug',
        ],
        description: '--log-level (implies jump LOG)',
      },
      goto: text('-g: continue in this chain'),
      in_interface: text('-i: the incoming interface'),
      out_interface: text('-o: the outgoing interface'),
      fragment: text('-f: second and later fragments'),
      set_counters: text('-c: the packet and byte counters'),
      source_port: textOrNumber('--source-port: a port or range'),
      destination_port: textOrNumber('--destination-port: a port or range'),
      destination_ports: textList('--dports with -m multiport: ports or ranges'),
      to_ports: textOrNumber('--to-ports (REDIRECT, MASQUERADE)'),
      set_dscp_mark: textOrNumber('--set-dscp (DSCP target)'),
      set_dscp_mark_class: text('--set-dscp-class (DSCP target)'),
      comment: text('--comment with -m comment'),
      ctstate: textList('--ctstate with -m conntrack (--state with match state)'),
      src_range: text('--src-range with -m iprange'),
      dst_range: text('--dst-range with -m iprange'),
      match_set: text('--match-set with -m set'),
      match_set_flags: {
        type: 'string',
        enum: ['src', 'dst', 'src,dst', 'dst,src'],
        description: 'The flags of match_set',
      },
      limit: text('--limit with -m limit (3/hour)'),
      limit_burst: textOrNumber('--limit-burst with -m limit'),
      uid_owner: textOrNumber('--uid-owner with -m owner'),
      gid_owner: textOrNumber('--gid-owner with -m owner'),
      reject_with: text('--reject-with (implies jump REJECT)'),
      icmp_type: textOrNumber('--icmp-type (--icmpv6-type for ipv6)'),
      syn: {
        type: 'string',
        enum: ['ignore', 'match', 'negate'],
        default: 'ignore',
        description: '--syn, ! --syn or neither',
      },
      flush: boolSchema('Flush the chain (or every chain of the table); changes only when there are rules', false),
      policy: { type: 'string', enum: ['ACCEPT', 'DROP', 'QUEUE', 'RETURN'], description: "The chain's policy (-P)" },
      chain_management: boolSchema(
        'Create the chain for a rule (-N) when missing; with state absent and no rule, delete it (-X)',
        false,
      ),
    },
  },
  decide: (ctx, args) => deciding(() => decideIptables(ctx, args)),
});
