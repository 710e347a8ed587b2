#!/usr/bin/env bash
# The Quick start demo: 3 systemd sandbox hosts, a local download mirror made
# from Debian's real containerd and runc, playbooks/site.yml run for real
# (node preparation, runc + containerd, crictl), KubeKey's step in check mode,
# site.yml again (changed=0), `ctr version` from every host, then everything
# stopped (also on failure or Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
say() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "the demo starts sandbox hosts: run it as root on Linux" >&2; exit 1; }
[ -f dist/cli/main.js ] || npm run -s build
bosun() { node bin/bosun.js "$@"; }
state=.sandbox/demo
name=demo
mirror_dir=.sandbox/demo-mirror
vars=.sandbox/demo-vars.json
mirror_pid=
cleanup() {
  # Ctrl-C during the cleanup must not leave hosts running.
  trap "" INT TERM
  trap - EXIT
  [ -n "$mirror_pid" ] && kill "$mirror_pid" 2>/dev/null || true
  bosun sandbox down --name "$name" --state-dir "$state" >/dev/null || echo "could not stop the sandbox hosts: run bosun sandbox down --name $name --state-dir $state" >&2
}
trap cleanup EXIT
trap 'echo; echo "interrupted: stopping the hosts"; exit 130' INT TERM

# 127.101.0.1 in the block of BOSUN_SANDBOX_BASE (unset: the default block), so two demos or a demo and a test
# run on one machine can use different blocks.
base=$(node --input-type=module -e "import { inBlock } from './dist/sandbox/address.js'; console.log(inBlock('127.101.0.1'))")
# The name (and so the hosts' cgroups) is the block's own too.
name="demo-$(echo "$base" | cut -d. -f2)"
say "1/6 Starting 3 systemd sandbox hosts from $base (real sshd and systemd in namespaces)"
bosun sandbox up 3 --systemd --name "$name" --state-dir "$state" --base "$base"
# KubeKey reads its role groups from the inventory.
inventory=.sandbox/demo-inventory
cat "$state/inventory" - > "$inventory" <<'INI'

[k8s_cluster:children]
sandbox

[kube_control_plane]
node01

[etcd]
node01

[kube_node]
node02
node03
INI

say "2/6 Building the local download mirror (Debian's containerd and runc repacked as upstream's release files; crictl and kk are fixture scripts)"
rm -f "$vars"
node scripts/build-mirror.mjs "$mirror_dir" --serve --vars-file "$vars" &
mirror_pid=$!
for _ in $(seq 1 600); do [ -s "$vars" ] && break; kill -0 "$mirror_pid" 2>/dev/null || { echo "the mirror failed" >&2; exit 1; }; sleep 0.5; done
[ -s "$vars" ] || { echo "the mirror did not start" >&2; exit 1; }
echo "  role variables for this mirror (test fixtures, not defaults): $vars"
# Sandbox hosts share this machine's kernel: write the persistent module and
# sysctl files but load nothing and set nothing live. Downloads go through the
# controller once and are pushed to the hosts (as for offline fleets).
# KubeKey's precheck packages are not installed either: chrony's package
# would start chronyd, which sets the clock this machine shares.
demo_vars=(-e @"$vars" -e '{"bosun_download": "controller", "node_prep_live_kernel": false, "containerd_unit_modprobe": false, "node_prep_kubekey_packages": false}')

say "3/6 First run of playbooks/site.yml: prepare the nodes, install runc + containerd, crictl"
bosun run playbooks/site.yml -i "$inventory" "${demo_vars[@]}" --skip-tags kubekey | tee .sandbox/demo-run1.log
recap1=$(sed -n '/PLAY RECAP/,$p' .sandbox/demo-run1.log)

say "4/6 The KubeKey step in check mode: the Cluster config it would write (no cluster is created here)"
bosun run playbooks/site.yml -i "$inventory" "${demo_vars[@]}" --tags kubekey --check --diff

say "5/6 Second run of playbooks/site.yml: nothing left to change"
bosun run playbooks/site.yml -i "$inventory" "${demo_vars[@]}" --skip-tags kubekey | tee .sandbox/demo-run2.log
recap2=$(sed -n '/PLAY RECAP/,$p' .sandbox/demo-run2.log)

say "6/6 ctr version on every host (client and the running containerd server)"
for addr in $(sed -n 's/^node[0-9]* ansible_host=//p' "$state/inventory"); do
  echo "--- $addr"
  ssh -q -i "$state/id_ed25519" -o UserKnownHostsFile="$state/known_hosts" -o BatchMode=yes "root@$addr" \
    'ctr --address /run/containerd/containerd.sock version && systemctl is-active containerd'
done

say "Done in $((SECONDS - start)) s; stopping the hosts and the mirror"
echo "first run:";  echo "$recap1"
echo "second run:"; echo "$recap2"
