/**
 * The shared decide/apply of `systemd` and `service`: one round trip that
 * checks systemd is PID 1 and reads `systemctl show UNIT`, then a plan of
 * systemctl commands in Ansible's order (daemon-reload, mask, enable, state).
 */
import { sh, shq } from '../../util/shell.js';
import type { Decision, ModuleContext } from '../types.js';
import { toBool } from './bool.js';
import { applying, failed } from './result.js';

/** Arguments common to systemd and service. */
export interface UnitArgs {
  name?: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean | string;
  masked?: boolean | string;
  daemon_reload?: boolean | string;
  /** Ansible's alias of daemon_reload. */
  'daemon-reload'?: boolean | string;
  no_block?: boolean | string;
  force?: boolean | string;
}

/** Parse `systemctl show` output into a dict; `{ ... }` values spanning lines are joined as Ansible does. */
export function parseSystemctlShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let key: string | undefined;
  let multi: string[] = [];
  for (const line of text.split('\n')) {
    if (key !== undefined) {
      multi.push(line.trim());
      if (line.trimEnd().endsWith('}')) {
        out[key] = multi.join('\n');
        key = undefined;
      }
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1);
    if (v.trimStart().startsWith('{') && !v.trimEnd().endsWith('}')) {
      key = k;
      multi = [v.trim()];
    } else out[k] = v.trim();
  }
  return out;
}

const ENABLED_STATES = new Set(['enabled', 'enabled-runtime', 'static', 'generated', 'transient']);
const UNCHANGEABLE = new Set(['static', 'generated', 'transient', 'indirect', 'alias']);

/** What the probe found on the host. */
export interface UnitProbe {
  /** Why systemd cannot be used ('' when it can): the PID 1 command name, or 'no systemctl'. */
  pid1: string;
  booted: boolean;
  hasSystemctl: boolean;
  status: Record<string, string>;
  /** Units whose definition changed on disk since the last daemon-reload. */
  needReload: boolean;
  /** SYSTEMD_OFFLINE=1 on a host where systemd does not run: unit files only, no unit states. */
  offline: boolean;
}

/** The one-round-trip probe script (exported for tests). */
export function probeScript(unit: string | undefined): string {
  const lines = [
    'echo "PID1 $(cat /proc/1/comm 2>/dev/null || echo unknown)"',
    'if [ -d /run/systemd/system ]; then echo BOOTED; fi',
    'if command -v systemctl >/dev/null 2>&1; then echo SYSTEMCTL; else exit 0; fi',
  ];
  // SYSTEMD_OFFLINE=1 where systemd does not run (an image, a chroot): systemctl works on the unit files only.
  const offline = ['if [ ! -d /run/systemd/system ] && [ "${SYSTEMD_OFFLINE-}" = 1 ]; then echo OFFLINE'];
  if (unit !== undefined)
    offline.push(
      sh`  bosun_s=$(systemctl is-enabled -- ${unit} 2>/dev/null); echo SHOW`,
      '  case $bosun_s in masked|masked-runtime) echo LoadState=masked ;; enabled|enabled-runtime|linked|linked-runtime|static|indirect|disabled|generated|transient|alias) echo LoadState=loaded ;; *) echo LoadState=not-found ;; esac',
      '  echo "UnitFileState=$bosun_s"',
    );
  offline.push('  exit 0', 'fi');
  lines.push(...offline, '[ -d /run/systemd/system ] || exit 0');
  if (unit !== undefined) lines.push('echo SHOW', sh`systemctl show -- ${unit}`);
  else
    lines.push(
      "if systemctl show -p NeedDaemonReload -- '*' 2>/dev/null | grep -qx NeedDaemonReload=yes; then echo NEEDRELOAD; fi",
    );
  return lines.join('\n');
}

/** Parse the probe's output. */
export function parseProbe(stdout: string): UnitProbe {
  const at = stdout.indexOf('\nSHOW\n');
  const head = at < 0 ? stdout : stdout.slice(0, at);
  const status = at < 0 ? {} : parseSystemctlShow(stdout.slice(at + 6));
  return {
    pid1: /^PID1 (.*)$/m.exec(head)?.[1]?.trim() ?? 'unknown',
    booted: /^BOOTED$/m.test(head),
    hasSystemctl: /^SYSTEMCTL$/m.test(head),
    status,
    needReload: /^NEEDRELOAD$/m.test(head) || status['NeedDaemonReload'] === 'yes',
    offline: /^OFFLINE$/m.test(head),
  };
}

/** Decide for systemd (or service on a systemd host): which systemctl commands the task needs. */
export async function decideUnit(ctx: ModuleContext, args: UnitArgs, module: 'systemd' | 'service'): Promise<Decision> {
  const unit = args.name;
  const daemonReload = toBool(args.daemon_reload ?? args['daemon-reload']);
  if (unit === undefined && (args.state !== undefined || args.enabled !== undefined || args.masked !== undefined)) {
    return failed('name is required with state, enabled or masked');
  }
  if (unit === undefined && !daemonReload) return failed('one of name or daemon_reload is required');
  const glob = unit === undefined ? undefined : ['*', '?', '['].find((g) => unit.includes(g));
  if (glob !== undefined)
    return failed(
      `This module does not currently support using glob patterns, found '${glob}' in service name: ${unit ?? ''}`,
    );
  // As Ansible's module: daemon-reload runs first, on every run but in check mode, and is no change of its own.
  if (daemonReload && !ctx.check) {
    const r = await ctx.conn.exec('command -v systemctl >/dev/null 2>&1 && systemctl daemon-reload');
    if (r.rc !== 0 && r.rc !== 1)
      return failed(`failure ${r.rc} during daemon-reload: ${(r.stderr || r.stdout).trim()}`);
  }
  const res = await ctx.conn.exec(probeScript(unit));
  const probe = parseProbe(res.stdout);
  if (!probe.booted && !probe.offline) {
    if (module === 'service')
      return failed(
        `service: the host's init system is not systemd (PID 1 is ${probe.pid1}); only systemd is supported`,
      );
    return failed(`systemd: the host has no running systemd (PID 1 is ${probe.pid1})`);
  }
  if (!probe.hasSystemctl) return failed(`${module}: systemctl is not installed on the host`);
  // As Ansible's module: a unit systemctl cannot show (a name it calls invalid) is not found, and so is a name
  // starting with '-' (bosun passes it after `--`; Ansible's systemctl reads it as an option, and finds no unit).
  const optionLike = unit?.startsWith('-') === true;
  const st = res.rc === 0 && !optionLike ? probe.status : {};
  let found = unit === undefined || (st['LoadState'] !== undefined && st['LoadState'] !== 'not-found');
  const missing = `Could not find the requested service ${unit ?? ''}: host`;
  // In check mode an earlier task (copy of the unit file) has not run: predict as for a new, stopped, disabled unit.
  const assumed = !found && ctx.check;
  if (assumed) {
    found = true;
    Object.assign(st, { ActiveState: 'inactive', UnitFileState: 'disabled' });
  }
  const masked = st['LoadState'] === 'masked';
  const noBlock = toBool(args.no_block) ? ' --no-block' : '';
  const force = toBool(args.force) ? ' --force' : '';
  const cmds: string[] = [];
  const before: string[] = [];
  const after: string[] = [];
  if (
    unit !== undefined &&
    found &&
    !assumed &&
    !masked &&
    st['LoadError'] !== undefined &&
    args.masked === undefined
  ) {
    return failed(`Error loading unit file '${unit}': ${st['LoadError']}`);
  }
  const data: Record<string, unknown> = { status: st };
  if (unit !== undefined) data['name'] = unit;
  if (unit !== undefined && args.masked !== undefined) {
    const want = toBool(args.masked);
    if (want !== masked && optionLike) return failed(missing);
    if (want !== masked) {
      // systemctl refuses to mask a unit whose own file is in /etc/systemd/system: say so in check mode too.
      const fragment = st['FragmentPath'] ?? '';
      if (want && !force && /^\/etc\/systemd\/system\/[^/]+$/.test(fragment)) {
        return failed(`Unable to mask service ${unit}: Failed to mask unit: File ${fragment} already exists.`);
      }
      cmds.push(`systemctl${force} ${want ? 'mask' : 'unmask'} -- ${shq(unit)}`);
      before.push(`masked: ${String(masked)}`);
      after.push(`masked: ${String(want)}`);
    }
  }
  const unmasking = args.masked !== undefined && !toBool(args.masked) && masked;
  if (unit !== undefined && args.enabled !== undefined) {
    if (!found) return failed(missing);
    const want = toBool(args.enabled);
    const fileState = unmasking ? 'disabled' : (st['UnitFileState'] ?? '');
    const enabled = ENABLED_STATES.has(fileState);
    data['enabled'] = want;
    if (want !== enabled && !UNCHANGEABLE.has(fileState)) {
      if (masked && !unmasking && want) return failed(`Unable to enable service ${unit}: it is masked`);
      cmds.push(`systemctl${force} ${want ? 'enable' : 'disable'} -- ${shq(unit)}`);
      before.push(`enabled: ${String(enabled)}`);
      after.push(`enabled: ${String(want)}`);
    }
  }
  const warnings: string[] = [];
  if (unit !== undefined && args.state !== undefined && probe.offline) {
    if (!found) return failed(missing);
    // As Ansible's module: no unit state to read or change offline.
    data['state'] = args.state;
    warnings.push(
      'Target is a chroot or systemd is offline. This can lead to false positives or prevent the init system tools from working.',
    );
  } else if (unit !== undefined && args.state !== undefined) {
    if (!found) return failed(missing);
    data['state'] = args.state;
    const active = st['ActiveState'] ?? 'unknown';
    const running = active === 'active' || active === 'activating';
    let action: string | undefined;
    if (args.state === 'started' && !running) action = 'start';
    else if (args.state === 'stopped' && (running || active === 'deactivating')) action = 'stop';
    else if (args.state === 'restarted') action = running ? 'restart' : 'start';
    else if (args.state === 'reloaded') action = running ? 'reload' : 'start';
    if (action) {
      if (masked && !unmasking && (action === 'start' || action === 'restart'))
        return failed(`Unable to ${action} service ${unit}: it is masked`);
      cmds.push(`systemctl${noBlock} ${action} -- ${shq(unit)}`);
      before.push(`ActiveState: ${active}`);
      after.push(
        `ActiveState: ${action === 'stop' ? 'inactive' : 'active'}${action === 'restart' || action === 'reload' ? ` (${action}ed)` : ''}`,
      );
    }
  }
  if (!cmds.length) return { kind: 'ok', data, ...(warnings.length ? { warnings } : {}) };
  const what = unit ?? 'systemd';
  const planned = cmds.map((c) => c.replace(/ -- /, ' ')).join('; ');
  return {
    kind: 'change',
    msg: assumed ? `${planned} (unit ${unit!} not found: check mode assumes an earlier task creates it)` : planned,
    diff: [
      {
        path: what,
        before: before.map((l) => `${l}\n`).join(''),
        after: after.map((l) => `${l}\n`).join(''),
      },
    ],
    data,
    ...(warnings.length ? { warnings } : {}),
    apply: () =>
      applying(async () => {
        for (const cmd of cmds) {
          const r = await ctx.conn.exec(cmd);
          if (r.rc !== 0 && !found && / (?:un)?mask -- /.test(cmd)) return { kind: 'failed', msg: missing };
          if (r.rc !== 0) {
            const verb = cmd.replace(/^systemctl(?: --\S+)* (\S+).*$/, '$1');
            return {
              kind: 'failed',
              msg: `Unable to ${verb} service ${what}: ${(r.stderr || r.stdout).trim()}`,
              data: { rc: r.rc, stdout: r.stdout, stderr: r.stderr },
            };
          }
        }
        return { kind: 'applied', data };
      }),
  };
}
