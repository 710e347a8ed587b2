#!/usr/bin/env node
/**
 * `npm run bench`: bosun against Ansible and the hand-written floor on N
 * sandbox hosts (see bench/README.md). Needs a built dist/ (npm run build),
 * root, and sandbox support; runs Ansible when ansible-playbook is installed.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { delayedSandbox, ensureSshd, inBlock, sandboxDown, sandboxSupport, sandboxUp } from '../dist/sandbox/index.js';
import { writeChart } from './lib/chart.mjs';
import { floorChanged, floorScript, writeDriver } from './lib/floor.mjs';
import { measure, median, medianRun, recapTotals, running, stopTree } from './lib/measure.mjs';
import { markdown, targets } from './lib/report.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const BOSUN = join(ROOT, 'bin', 'bosun.js');
const PLAYBOOK = join(BENCH, 'playbook.yml');
/** The copies of the playbook in each dialect (`--dialects`): the same tasks, the same bytes written. */
const COPIES = {
  default: PLAYBOOK,
  jinja: join(BENCH, 'playbook-jinja.yml'),
  handlebars: join(BENCH, 'playbook-handlebars.yml'),
};
const ANSIBLE = '/usr/bin/ansible-playbook';
const REMOTE_ROOTS = ['/opt/bosun-bench', '/opt/bosun-demo', '/usr/local/bin/bosun-demo-runtime'];

const { values: opt } = parseArgs({
  options: {
    hosts: { type: 'string', default: '10,50,100' },
    forks: { type: 'string' },
    'ansible-max-hosts': { type: 'string', default: '100' },
    'no-ansible': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '5' },
    rtt: { type: 'string' },
    dialects: { type: 'string' },
    'rtt-hosts': { type: 'string', default: '10' },
    // 127.90.0.1 in the block of BOSUN_SANDBOX_BASE.
    base: { type: 'string', default: inBlock('127.90.0.1') },
    out: { type: 'string', default: join(BENCH, 'results') },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    `usage: npm run bench -- [--hosts 10,50,100 | none] [--forks N (default: hosts)] [--ansible-max-hosts 100] [--no-ansible] [--repeat 5] [--rtt 0,20,100 [--rtt-hosts 10]] [--dialects jinja,handlebars] [--base 127.90.0.1, moved by BOSUN_SANDBOX_BASE] [--out bench/results]\n`,
  );
  process.exit(0);
}
const hostCounts = opt.hosts === 'none' ? [] : opt.hosts.split(',').map(Number);
if (hostCounts.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error(`--hosts: expected counts like 10,50,100, got ${opt.hosts}`);
const repeat = Number(opt.repeat);
const rtts = opt.rtt === undefined ? [] : opt.rtt.split(',').map(Number);
if (rtts.some((n) => !Number.isFinite(n) || n < 0 || n > 2000))
  throw new Error(`--rtt: expected round-trip times in ms like 0,20,100, got ${opt.rtt}`);
const dialects =
  opt.dialects === undefined ? [] : ['default', ...opt.dialects.split(',').filter((d) => d !== 'default')];
for (const d of dialects)
  if (!COPIES[d]) throw new Error(`--dialects: expected names among ${Object.keys(COPIES).join(', ')}, got ${d}`);
const rttHosts = Number(opt['rtt-hosts']);
if (!Number.isInteger(rttHosts) || rttHosts < 1 || rttHosts > 127)
  throw new Error(`--rtt-hosts: expected 1 to 127 hosts, got ${opt['rtt-hosts']}`);
const ansibleMax = Number(opt['ansible-max-hosts']);
const withAnsible = !opt['no-ansible'] && existsSync(ANSIBLE);
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

let current;
let delayed;
let interrupted = false;
async function cleanup() {
  for (const child of running) stopTree(child);
  await delayed?.close();
  delayed = undefined;
  if (current)
    await sandboxDown({ name: current }).catch((e) => log(`could not stop sandbox ${current}: ${e.message}`));
  current = undefined;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: stopping the sandbox hosts`);
    cleanup().finally(() => process.exit(130));
  });
}

const work = mkdtempSync(join(os.tmpdir(), 'bosun-bench-'));
const tasks = parse(readFileSync(PLAYBOOK, 'utf8'))[0].tasks.length;

function fail(what, r) {
  const lines = `${r.stdout}\n${r.stderr}`.trim().split('\n');
  const tail = [...lines.filter((l) => /fatal|FAILED|ERROR/.test(l)).slice(0, 5), ...lines.slice(-10)].join('\n');
  throw new Error(`${what} failed (exit ${r.code}):\n${tail}`);
}

/** A measured row for the table. */
function rowOf(tool, run, hosts, forks, r, changed) {
  const out = {
    tool,
    run,
    hosts,
    forks,
    wallS: r.wallS,
    cpuS: r.cpuS,
    maxRssMB: r.maxRssMB,
    perHostTaskMs: (r.wallS * 1000) / (hosts * tasks),
    cpuPerHostTaskMs: (r.cpuS * 1000) / (hosts * tasks),
    changed,
  };
  if (r.samples) out.samples = r.samples;
  log(
    `${tool.padEnd(7)} ${run.padEnd(6)} ${String(hosts).padStart(3)} hosts: ${r.wallS.toFixed(2)} s wall, ${r.cpuS.toFixed(2)} s CPU, ${r.maxRssMB?.toFixed(0) ?? '?'} MB, changed=${changed}`,
  );
  return out;
}

async function bosunRun(sb, forks, times, extra = [], playbook = PLAYBOOK) {
  const args = [BOSUN, 'run', playbook, '-i', sb.inventoryFile, '-f', String(forks), '--no-color', ...extra];
  const r = times > 1 ? await medianRun(times, process.execPath, args) : await measure(process.execPath, args);
  if (r.code !== 0) fail(`bosun ${extra.join(' ')} ${relative(ROOT, playbook)}`, r);
  return r;
}

async function ansibleRun(sb, forks, hosts, key = hosts) {
  const env = {
    ...process.env,
    ANSIBLE_PIPELINING: '1',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(work, `cp-${key}`),
    // The connection timeout (default 10 s) is for slow networks; at 100 hosts the 2 cores are saturated
    // and Ansible's own connections queue longer than that. It does not make a run faster.
    ANSIBLE_TIMEOUT: '120',
  };
  return measure(ANSIBLE, [PLAYBOOK, '-i', sb.inventoryFile, '-f', String(forks)], { env });
}

/** A failed Ansible run is reported (with the end of its output), not the end of the benchmark. */
function ansibleFailed(results, n, which, r) {
  const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-4).join(' | ').slice(0, 400);
  results.notes = [
    ...(results.notes ?? []),
    `Ansible's ${which} run at ${n} hosts failed (exit ${r.code} after ${r.wallS.toFixed(0)} s): ${tail}`,
  ];
  log(`ansible-playbook ${which} run at ${n} hosts failed (exit ${r.code}); see the notes of the report`);
}

async function floorRun(sb, driver, times) {
  const r = times > 1 ? await medianRun(times, 'bash', [driver]) : await measure('bash', [driver]);
  if (r.code !== 0) fail('floor script', r);
  return r;
}

/**
 * A sandbox host's PID-namespace counter: the last PID it gave out (the `cat` reading it takes one more).
 * `host.pid` is the sandbox's `unshare`, outside the namespace; its only child is the namespace's init.
 */
function lastPid(host) {
  const init = readFileSync(`/proc/${host.pid}/task/${host.pid}/children`, 'utf8').trim().split(/\s+/)[0];
  const out = execFileSync('nsenter', ['-t', init, '-p', '-m', 'cat', '/proc/sys/kernel/ns_last_pid'], {
    encoding: 'utf8',
  });
  return Number(out.trim());
}

/**
 * `fn`'s result (`runs` runs of a tool) and the processes each host started per run, on average over the
 * hosts: sshd's session processes, the shell, and every command the tool ran there (the counter's own `cat`
 * left out). Threads take PIDs too; nothing the three tools start on a host is threaded.
 */
async function processesPerHost(sb, runs, fn) {
  const before = sb.hosts.map(lastPid);
  const r = await fn();
  const after = sb.hosts.map(lastPid);
  const started = after.reduce((sum, a, i) => sum + (a - before[i] - 1), 0);
  return { r, perHost: started / sb.hosts.length / runs };
}

async function wipe(sb) {
  const r = await measure('bash', [join(work, `wipe-${sb.hosts.length}.sh`)]);
  if (r.code !== 0) fail(`wiping ${REMOTE_ROOTS.join(' ')}`, r);
}

async function benchHosts(n, results) {
  const forks = opt.forks ? Number(opt.forks) : n;
  current = `bench-${n}`;
  log(`starting ${n} sandbox hosts from ${opt.base}`);
  const sb = await sandboxUp({ count: n, base: opt.base, name: current });
  const script = join(work, 'floor.sh');
  writeFileSync(script, floorScript(BENCH));
  writeFileSync(join(work, 'wipe.sh'), `rm -rf ${REMOTE_ROOTS.join(' ')}\n`);
  const driver = writeDriver(sb, script, join(work, `floor-${n}.sh`));
  writeDriver(sb, join(work, 'wipe.sh'), join(work, `wipe-${n}.sh`));

  let r = await floorRun(sb, driver, 1);
  results.rows.push(rowOf('floor', 'first', n, forks, r, floorChanged(r.stdout)));
  let p = await processesPerHost(sb, repeat, () => floorRun(sb, driver, repeat));
  results.rows.push({
    ...rowOf('floor', 'second', n, forks, p.r, floorChanged(p.r.stdout)),
    processesPerHost: p.perHost,
  });
  await wipe(sb);

  r = await bosunRun(sb, forks, 1);
  results.rows.push(rowOf('bosun', 'first', n, forks, r, recapTotals(r.stdout).changed));
  p = await processesPerHost(sb, repeat, () => bosunRun(sb, forks, repeat));
  results.rows.push({
    ...rowOf('bosun', 'second', n, forks, p.r, recapTotals(p.r.stdout).changed),
    processesPerHost: p.perHost,
  });
  // Check mode of the demo on hosts it has already set up (on fresh hosts its copy into a
  // folder an earlier task would create fails in check mode, as in Ansible).
  const demo = join(ROOT, 'playbooks', 'demo.yml');
  await bosunRun(sb, forks, 1, [], demo);
  r = await bosunRun(sb, forks, repeat, ['--check'], demo);
  results.check.push({
    playbook: relative(ROOT, demo),
    hosts: n,
    forks,
    wallS: r.wallS,
    cpuS: r.cpuS,
    maxRssMB: r.maxRssMB,
  });
  log(`bosun --check demo.yml on ${n} hosts: ${r.wallS.toFixed(2)} s`);
  await wipe(sb);

  if (dialects.length > 0) await benchDialects(sb, n, forks, results);

  if (withAnsible && n <= ansibleMax) {
    r = await ansibleRun(sb, forks, n);
    if (r.code !== 0) ansibleFailed(results, n, 'first', r);
    else {
      results.rows.push(rowOf('ansible', 'first', n, forks, r, recapTotals(r.stdout).changed));
      p = await processesPerHost(sb, 1, () => ansibleRun(sb, forks, n));
      r = p.r;
      if (r.code !== 0) ansibleFailed(results, n, 'second', r);
      else
        results.rows.push({
          ...rowOf('ansible', 'second', n, forks, r, recapTotals(r.stdout).changed),
          processesPerHost: p.perHost,
        });
    }
  } else if (withAnsible) {
    results.ansibleSkipped.push(n);
  }
  await sandboxDown({ name: current });
  current = undefined;
}

/**
 * bosun on each copy of the playbook (`--dialects`), interleaved so that the machine's drift falls on all of them
 * alike: each of `repeat` rounds wipes the hosts and runs every copy's first run, then every copy's second run.
 * A copy's second run after another copy's first changes nothing only when the copies write the same bytes.
 */
async function benchDialects(sb, n, forks, results) {
  const runs = Object.fromEntries(dialects.map((d) => [d, { first: [], second: [] }]));
  for (let round = 0; round < repeat; round++) {
    for (const d of dialects) {
      await wipe(sb);
      runs[d].first.push(await bosunRun(sb, forks, 1, [], COPIES[d]));
    }
    for (const d of dialects) {
      const r = await bosunRun(sb, forks, 1, [], COPIES[d]);
      const changed = recapTotals(r.stdout).changed;
      if (changed !== 0)
        throw new Error(`${relative(ROOT, COPIES[d])} changed ${changed} on hosts another copy set up`);
      runs[d].second.push(r);
    }
  }
  for (const d of dialects)
    for (const run of ['first', 'second']) {
      const all = runs[d][run];
      const m = median(all.map((r) => r.wallS));
      const r = all.find((x) => x.wallS === m) ?? all[0];
      const row = {
        dialect: d,
        playbook: relative(ROOT, COPIES[d]),
        run,
        hosts: n,
        forks,
        wallS: r.wallS,
        cpuS: median(all.map((x) => x.cpuS)),
        maxRssMB: r.maxRssMB,
        samples: all.map((x) => x.wallS),
        changed: recapTotals(r.stdout).changed,
      };
      results.dialects.push(row);
      log(
        `dialect ${d.padEnd(10)} ${run.padEnd(6)} ${String(n).padStart(3)} hosts: ${r.wallS.toFixed(2)} s wall (median of ${all.length}), ${row.cpuS.toFixed(2)} s CPU`,
      );
    }
  await wipe(sb);
}

/**
 * The latency panel: the idempotent re-run of each tool on `rttHosts` hosts reached
 * through delay proxies (src/sandbox/delay-proxy.ts) for each round-trip time, with
 * the round trips per host the proxies counted.
 */
async function benchLatency(results) {
  const n = rttHosts;
  current = `bench-rtt-${n}`;
  log(`starting ${n} sandbox hosts from ${opt.base} for the latency runs (${rtts.join(', ')} ms)`);
  const sb = await sandboxUp({ count: n, base: opt.base, name: current });
  const script = join(work, 'floor.sh');
  writeFileSync(script, floorScript(BENCH));
  for (const rtt of rtts) {
    delayed = await delayedSandbox(sb, rtt, join(work, `rtt-${rtt}`));
    const driver = writeDriver(delayed, script, join(work, `floor-rtt-${rtt}.sh`));
    const add = (tool, r, changed) => {
      const c = delayed.counts();
      const out = {
        tool,
        rttMs: rtt,
        hosts: n,
        wallS: r.wallS,
        cpuS: r.cpuS,
        changed,
        roundTripsPerHost: c.roundTripsPerHost / (tool === 'ansible' ? 1 : (r.runs ?? 1)),
        connectionsPerHost: c.connectionsPerHost / (tool === 'ansible' ? 1 : (r.runs ?? 1)),
      };
      results.latency.push(out);
      log(
        `rtt ${String(rtt).padStart(3)} ms ${tool.padEnd(7)} ${n} hosts, re-run: ${r.wallS.toFixed(2)} s wall, ${out.roundTripsPerHost.toFixed(1)} round trips and ${out.connectionsPerHost.toFixed(1)} connections per host, changed=${changed}`,
      );
    };
    // One real run converges the hosts; every measured run after it is an idempotent re-run.
    await bosunRun(delayed, n, 1);
    delayed.reset();
    let r = await bosunRun(delayed, n, repeat);
    add('bosun', { ...r, runs: repeat }, recapTotals(r.stdout).changed);
    delayed.reset();
    r = await floorRun(delayed, driver, repeat);
    add('floor', { ...r, runs: repeat }, floorChanged(r.stdout));
    if (withAnsible) {
      delayed.reset();
      r = await ansibleRun(delayed, n, n, `rtt-${rtt}`);
      if (r.code !== 0) ansibleFailed(results, n, `re-run at rtt ${rtt} ms`, r);
      else add('ansible', r, recapTotals(r.stdout).changed);
    }
    await delayed.close();
    delayed = undefined;
  }
  await sandboxDown({ name: current });
  current = undefined;
}

async function startup(results) {
  const v = await medianRun(11, process.execPath, [BOSUN, '--version']);
  if (v.code !== 0) fail('bosun --version', v);
  const site = join(ROOT, 'playbooks', 'site.yml');
  const pb = existsSync(site) ? site : join(ROOT, 'playbooks', 'demo.yml');
  const s = await medianRun(11, process.execPath, [BOSUN, 'run', '--syntax-check', pb]);
  if (s.code !== 0) fail('bosun --syntax-check', s);
  results.startup = {
    version: { wallS: v.wallS, cpuS: v.cpuS, maxRssMB: v.maxRssMB },
    syntaxCheck: { playbook: relative(ROOT, pb), wallS: s.wallS, cpuS: s.cpuS, maxRssMB: s.maxRssMB },
  };
  log(`bosun --version ${v.wallS.toFixed(3)} s; --syntax-check ${relative(ROOT, pb)} ${s.wallS.toFixed(3)} s`);
}

function machine() {
  let ansible = null;
  if (existsSync(ANSIBLE)) ansible = execFileSync(ANSIBLE, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  return {
    loadAvgStart: os.loadavg()[0],
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? '?',
    memGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
    kernel: os.release(),
    ansible,
  };
}

function bosunInfo() {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  let commit = process.env.BENCH_COMMIT ?? 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (dirty) commit += '+changes';
  } catch {
    /* not a git checkout: BENCH_COMMIT or 'unknown' */
  }
  return { version, commit };
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
  const support = sandboxSupport();
  if (!support.ok) throw new Error(`cannot start sandbox hosts: ${support.reason}`);
  await ensureSshd();
  if (!existsSync(ANSIBLE))
    log(`${ANSIBLE} not found: Ansible is left out (apt-get install -y ansible-core to include it)`);
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    bosun: bosunInfo(),
    tasks,
    repeat,
    ansibleMaxHosts: ansibleMax,
    ansibleSkipped: [],
    rows: [],
    latency: [],
    dialects: [],
    check: [],
    startup: {},
  };
  const started = Date.now();
  await startup(results);
  mkdirSync(opt.out, { recursive: true });
  for (const n of hostCounts) {
    await benchHosts(n, results);
    // What is measured so far survives an interrupted run.
    writeFileSync(join(opt.out, 'partial.json'), `${JSON.stringify({ ...results, partial: true }, null, 2)}\n`);
  }
  if (rtts.length > 0) {
    await benchLatency(results);
    writeFileSync(join(opt.out, 'partial.json'), `${JSON.stringify({ ...results, partial: true }, null, 2)}\n`);
  }
  results.totalS = (Date.now() - started) / 1000;
  results.machine.loadAvgEnd = os.loadavg()[0];
  results.targets = targets(results);
  const stamp = results.date.replace(/[:.]/g, '-');
  writeFileSync(join(opt.out, `bench-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(opt.out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const md = markdown(results);
  writeFileSync(join(opt.out, `bench-${stamp}.md`), md);
  writeFileSync(join(opt.out, 'latest.md'), md);
  const chart = writeChart(
    results.rows,
    results.latency,
    `bosun, Ansible and the floor: ${tasks}-task playbook`,
    join(opt.out, 'chart.svg'),
    join(opt.out, 'chart.png'),
  );
  if (chart.png) copyFileSync(join(opt.out, 'chart.png'), join(BENCH, 'chart-latest.png'));
  else log(chart.hint);
  process.stdout.write(`${md}\n`);
  log(`done in ${results.totalS.toFixed(0)} s; results in ${relative(process.cwd(), opt.out) || '.'}/latest.md`);
}

try {
  await main();
} catch (e) {
  log(`failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  if (!interrupted) await cleanup();
  rmSync(work, { recursive: true, force: true });
}
