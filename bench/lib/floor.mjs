/**
 * The floor: what an expert would do by hand. One shell script per host that
 * makes the same changes as bench/playbook.yml, each step checking before it
 * changes (so the second run changes nothing), sent over one OpenSSH
 * connection per host (`ssh ... sh -s < script`), all hosts in parallel from
 * one bash driver. File contents come from the playbook itself (its vars,
 * its inline contents and its template, rendered with Handlebars), so the
 * floor writes exactly the bytes bosun and Ansible write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { parse } from 'yaml';
import { shq } from '../../dist/util/shell.js';

/** The per-host script, with the playbook's values filled in. */
export function floorScript(benchDir) {
  const [play] = parse(readFileSync(join(benchDir, 'playbook.yml'), 'utf8'));
  const vars = play.vars;
  const render = (text) => Handlebars.compile(text, { noEscape: true, strict: true })(vars);
  const task = (name) => play.tasks.find((t) => t.name === name);
  const R = vars.rt_root;
  const config = render(readFileSync(join(benchDir, 'templates', 'config.toml.j2'), 'utf8'));
  const crictl = render(task('crictl config').copy.content);
  const unit = render(task('containerd unit').copy.content);
  const version = render(task('Version marker').copy.content);
  const dirs = task('Runtime folders').loop.map((d) => `${R}/${d}`);
  return `set -e
c=0
dir() { if [ ! -d "$1" ]; then mkdir -p "$1"; chmod "$2" "$1"; c=$((c+1)); elif [ "$(stat -c %a "$1")" != "$2" ]; then chmod "$2" "$1"; c=$((c+1)); fi; }
put() { t="$1.tmp$$"; printf '%s' "$3" > "$t"
  if cmp -s "$t" "$1" && [ "$(stat -c %a "$1")" = "$2" ]; then rm -f "$t"; else chmod "$2" "$t"; mv -f "$t" "$1"; c=$((c+1)); fi; }
line() { [ -f "$1" ] || { : > "$1"; chmod 644 "$1"; }; grep -qxF -- "$2" "$1" || { printf '%s\\n' "$2" >> "$1"; c=$((c+1)); }; }
for d in ${dirs.map(shq).join(' ')}; do dir "$d" 755; done
dir ${shq(`${R}/var/lib/containerd`)} 700
put ${shq(`${R}/etc/containerd/config.toml`)} 644 ${shq(config)}
put ${shq(`${R}/etc/crictl.yaml`)} 644 ${shq(crictl)}
put ${shq(`${R}/etc/systemd/containerd.service`)} 644 ${shq(unit)}
line ${shq(`${R}/etc/modules-load.d/containerd.conf`)} overlay
line ${shq(`${R}/etc/modules-load.d/containerd.conf`)} br_netfilter
f=${shq(`${R}/etc/sysctl.d/99-kubernetes.conf`)}
if [ -f "$f" ] && grep -q '^net.ipv4.ip_forward' "$f"; then
  grep -qxF 'net.ipv4.ip_forward = 1' "$f" || { sed -i 's/^net\\.ipv4\\.ip_forward.*/net.ipv4.ip_forward = 1/' "$f"; c=$((c+1)); }
else line "$f" 'net.ipv4.ip_forward = 1'; fi
[ -e ${shq(`${R}/bin/containerd`)} ] || { cp /bin/true ${shq(`${R}/bin/containerd`)}; c=$((c+1)); }
[ "$(readlink ${shq(`${R}/bin/ctr`)})" = ${shq(`${R}/bin/containerd`)} ] || { ln -sfn ${shq(`${R}/bin/containerd`)} ${shq(`${R}/bin/ctr`)}; c=$((c+1)); }
[ -f ${shq(`${R}/etc/containerd/config.toml`)} ] || { echo 'config.toml missing' >&2; exit 1; }
put ${shq(`${R}/lib/VERSION`)} 644 ${shq(version)}
echo "changed=$c"
`;
}

/** OpenSSH options for a sandbox: its key and known_hosts, no prompts, no agent, no multiplexing. */
export function sshOptions(sb) {
  return [
    '-i',
    sb.privateKeyFile,
    '-o',
    `UserKnownHostsFile=${sb.knownHostsFile}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ControlMaster=no',
    '-o',
    'ControlPath=none',
    '-F',
    '/dev/null',
  ];
}

/**
 * Write a bash driver that sends `scriptFile` to every host over its own
 * connection, all at once, and fails when any host fails. Returns its path.
 */
export function writeDriver(sb, scriptFile, driverFile) {
  const ssh = ['ssh', ...sshOptions(sb)].map(shq).join(' ');
  const addrs = sb.hosts.map((h) => h.address).join(' ');
  writeFileSync(
    driverFile,
    `rc=0; pids=''
for a in ${addrs}; do ${ssh} "root@$a" sh -s < ${shq(scriptFile)} & pids="$pids $!"; done
for p in $pids; do wait "$p" || rc=1; done
exit $rc
`,
  );
  return driverFile;
}

/** Sum the `changed=N` lines the host scripts print. */
export function floorChanged(stdout) {
  let n = 0;
  for (const m of stdout.matchAll(/^changed=(\d+)$/gm)) n += Number(m[1]);
  return n;
}
