// The secret masker's cost as secrets grow with hosts (docs/reliability.md, "Secrets"):
// `npx tsc -p tsconfig.build.json && node bench/tools/mask-secrets.mjs 1000`.
// A masker with two secrets per host (a password, its quoted form), then the line cost, then a run that learns one
// registered token per host, each followed by masking that host's result.
import { SecretMasker } from '../../dist/util/secrets.js';

const hosts = Number(process.argv[2] ?? 1000);
const m = new SecretMasker();
for (let i = 0; i < hosts; i++) m.addNamed({ ansible_password: `host-pw-${i}-Xq${(i * 7919) % 10007}` });
const line =
  'changed: [node0042] => {"changed": true, "cmd": "systemctl restart containerd", "stdout": "some ordinary output line of a command that ran on the host", "rc": 0}';
let t = performance.now();
for (let i = 0; i < 20000; i++) m.mask(line + i);
const perLine = (performance.now() - t) / 20000;
t = performance.now();
for (let i = 0; i < hosts; i++) {
  const token = `registered-token-${i}-Zz${i * 31}`;
  m.addRegistered({ stdout: token });
  m.maskDeep({ type: 'task_result', result: { host: `node${i}`, msg: line, stdout: token } }, { values: true });
}
const learning = performance.now() - t;
console.log(
  JSON.stringify({
    hosts,
    secrets: m.size,
    perLineMicros: +(perLine * 1000).toFixed(2),
    learningMs: Math.round(learning),
  }),
);
