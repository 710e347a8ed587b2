#!/usr/bin/env bash
# The Quick start demo: 3 sandbox hosts, the demo playbook run twice (the
# second run must report changed=0), then the hosts are stopped again.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/main.js ] || npm run -s build
state=.sandbox/demo
bosun() { node bin/bosun.js "$@"; }
trap 'bosun sandbox down --name demo --state-dir "$state" >/dev/null' EXIT
bosun sandbox up 3 --name demo --state-dir "$state" --base 127.0.88.1
echo; echo "=== first run: the hosts change ==="
bosun run playbooks/demo.yml -i "$state/inventory"
echo; echo "=== second run: nothing left to change ==="
bosun run playbooks/demo.yml -i "$state/inventory"
