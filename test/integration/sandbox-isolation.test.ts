/**
 * Sandbox hosts share this machine's kernel and network namespace, so they
 * must not be able to change it: /proc/sys, /proc/sysrq-trigger, /proc/irq,
 * /proc/bus and /proc/fs are read-only, /sys is a read-only sysfs, and the
 * capabilities to load kernel modules, set the clock or change the network
 * are gone from every process of a host (light or systemd). Every write here
 * either writes the value already there or only opens the file, so even a
 * broken sandbox changes nothing; the one task that asks for a different
 * value (sysctl) restores the machine's value if it ever got through.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/connection/ssh.js';
import { inBlock, SANDBOX_BASE_VARIABLE, sandboxAddresses, type SandboxHost } from '../../src/sandbox/index.js';
import { shq } from '../../src/util/shell.js';
import { runCli, runJson } from '../helpers/cli.js';
import { testAddress, withSandbox, type SandboxFixture } from '../helpers/sandbox.js';

interface JsonEvent {
  type: string;
  task?: string;
  status?: string;
  msg?: string;
}

const dir = mkdtempSync(path.join(tmpdir(), 'bosun-iso-'));
const light = withSandbox(1, { base: '127.153.0.1' });
const sd = withSandbox(1, { base: '127.153.1.1', systemd: true });

/** Run a script on a host as root; rc, stdout and stderr. */
async function onHost(
  fixture: SandboxFixture,
  host: SandboxHost,
  script: string,
): Promise<{ rc: number; stdout: string; stderr: string }> {
  const conn = new SshConnection(fixture.specFor(host, { connectTimeoutMs: 15_000 }));
  try {
    await conn.connect();
    const r = await conn.exec(script);
    return { rc: r.rc, stdout: r.stdout, stderr: r.stderr };
  } finally {
    await conn.close();
  }
}

/** Load a module from fd -1: EBADF (9) with CAP_SYS_MODULE, EPERM (1) without, ENOSYS (38) without module support. */
const FINIT_MODULE = 'my $p = ""; syscall(313, -1, $p, 0); print "finit_module errno ", $!+0, "\\n"';

/** Capability numbers (linux/capability.h) a sandbox host must not hold. */
const DROPPED = { net_admin: 12, sys_module: 16, sys_rawio: 17, sys_time: 25, syslog: 34, wake_alarm: 35 };

/** The names of DROPPED capabilities present in a /proc/PID/status CapBnd line. */
function heldOfDropped(status: string): string[] {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (hex === undefined) throw new Error(`no CapBnd in ${status}`);
  const bits = BigInt(`0x${hex}`);
  return Object.entries(DROPPED)
    .filter(([, bit]) => (bits >> BigInt(bit)) & 1n)
    .map(([name]) => name);
}

/** This machine's selected transparent-hugepage mode (the word in brackets), to write back unchanged. */
function thpMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Writes that would reach this machine's kernel, each a no-op (same value, or open only). */
function kernelWrites(): string[] {
  const swappiness = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
  const thp = thpMode();
  return [
    `echo ${swappiness} > /proc/sys/vm/swappiness`,
    ...(existsSync('/proc/sysrq-trigger') ? [': > /proc/sysrq-trigger'] : []),
    ...(existsSync('/proc/irq/default_smp_affinity') ? [': > /proc/irq/default_smp_affinity'] : []),
    thp ? `echo ${thp} > /sys/kernel/mm/transparent_hugepage/enabled` : ': > /sys/kernel/uevent_helper',
  ];
}

/** The machine's values the writes aim at. */
const machineValues = () => [readFileSync('/proc/sys/vm/swappiness', 'utf8'), thpMode()];

/** Each write fails as read-only, and the machine's values are what they were. */
async function expectReadOnly(fixture: SandboxFixture): Promise<void> {
  const host = fixture.sandbox.hosts[0]!;
  const before = machineValues();
  for (const write of kernelWrites()) {
    const r = await onHost(fixture, host, `( ${write} ) 2>&1; echo "rc=$?"`);
    expect(`${write}: ${r.stdout}`).toMatch(/Read-only file system\nrc=[1-9]\d*\n$/);
  }
  expect(machineValues()).toEqual(before);
}

/** The host's processes hold none of the dropped capabilities; the probes that need them fail with EPERM. */
async function expectNoMachineCapabilities(fixture: SandboxFixture): Promise<void> {
  const host = fixture.sandbox.hosts[0]!;
  const status = await onHost(fixture, host, 'cat /proc/self/status; echo; cat /proc/1/status');
  const [self, init] = status.stdout.split('\n\n');
  expect(heldOfDropped(self!)).toEqual([]);
  expect(heldOfDropped(init!)).toEqual([]);
  // Harmless probes: finit_module(-1) is EBADF with the capability (ENOSYS on a kernel without modules, as
  // here perhaps), settimeofday(NULL, NULL) sets nothing, and lo is up already. Without the capability each is
  // EPERM (errno 1) before anything else is looked at.
  const modules = execFileSync('perl', ['-e', FINIT_MODULE]).toString();
  const probes = await onHost(
    fixture,
    host,
    [
      `perl -e ${shq(FINIT_MODULE)}`,
      `perl -e 'syscall(164, 0, 0); print "settimeofday errno ", $!+0, "\\n"'`,
      'ip link set lo up 2>&1; echo "ip rc=$?"',
    ].join('\n'),
  );
  expect(probes.stdout).toBe(
    `${modules === 'finit_module errno 38\n' ? modules : 'finit_module errno 1\n'}settimeofday errno 1\nRTNETLINK answers: Operation not permitted\nip rc=2\n`,
  );
}

light.describe('a light sandbox host cannot change the machine it runs on', () => {
  it('a sysctl task writes its file and fails with the documented message; the machine keeps its vm.swappiness', async () => {
    const before = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
    const other = before === '61' ? '62' : '61';
    const file = path.join(dir, 'sysctl.yml');
    writeFileSync(
      file,
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: s\n      sysctl: { name: vm.swappiness, value: "${other}", sysctl_file: /etc/sysctl.d/60-bosun-test.conf }\n`,
    );
    try {
      const res = await runJson<JsonEvent>(['run', file, '-i', light.sandbox.inventoryFile]);
      expect(res.events.find((e) => e.type === 'task_result' && e.task === 's')).toMatchObject({
        status: 'failed',
        msg: 'sysctl: /proc/sys is read-only in this host: cannot set vm.swappiness live (/etc/sysctl.d/60-bosun-test.conf was written); use reload: false to manage only the file',
      });
      const written = await onHost(light, light.sandbox.hosts[0]!, 'cat /etc/sysctl.d/60-bosun-test.conf');
      expect(written.stdout).toBe(`vm.swappiness=${other}\n`);
      expect(existsSync('/etc/sysctl.d/60-bosun-test.conf')).toBe(false);
    } finally {
      const after = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
      if (after !== before) writeFileSync('/proc/sys/vm/swappiness', before);
      expect(after, 'the machine vm.swappiness changed (restored)').toBe(before);
    }
  });

  it('raw writes to /proc/sys, /proc/sysrq-trigger, /proc/irq and /sys fail as read-only', async () => {
    await expectReadOnly(light);
    const mounts = await onHost(light, light.sandbox.hosts[0]!, 'awk \'$2=="/sys"{print $3, $4}\' /proc/mounts');
    expect(mounts.stdout).toMatch(/^sysfs ro,/);
  });

  it('no process may load kernel modules, set the clock or change the network', async () => {
    await expectNoMachineCapabilities(light);
    // Only after the guards above: an address added to lo would be the machine's.
    const add = await onHost(
      light,
      light.sandbox.hosts[0]!,
      `ip addr add ${testAddress('127.153.0.250')}/32 dev lo 2>&1; echo "rc=$?"`,
    );
    expect(add.stdout).toBe('RTNETLINK answers: Operation not permitted\nrc=2\n');
  });
});

sd.describe('a systemd sandbox host cannot change the machine it runs on', () => {
  it('boots with no failed unit while /proc/sys and /sys are read-only and the capabilities are gone', async () => {
    const host = sd.sandbox.hosts[0]!;
    const state = await onHost(sd, host, 'systemctl is-system-running; systemctl --failed --no-legend');
    expect(state.stdout).toBe('running\n');
    await expectReadOnly(sd);
    await expectNoMachineCapabilities(sd);
  });
});

/** Run with BOSUN_SANDBOX_BASE set, then put it back as it was. */
async function withBlockVariable<T>(value: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env[SANDBOX_BASE_VARIABLE];
  process.env[SANDBOX_BASE_VARIABLE] = value;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.BOSUN_SANDBOX_BASE;
    else process.env[SANDBOX_BASE_VARIABLE] = saved;
  }
}

// After the blocks above have brought their hosts down: this block's base is theirs.
describe.skipIf(light.skipReason !== undefined)(
  `BOSUN_SANDBOX_BASE moves every default address${light.skipReason ? ` [skipped: ${light.skipReason}]` : ''}`,
  () => {
    const block = testAddress('127.153.0.1');
    const second = block.split('.')[1]!;

    it('bosun sandbox up 2 without --base starts its hosts at the block base, and the inventory names them', async () => {
      const stateDir = mkdtempSync(path.join(tmpdir(), 'bosun-block-'));
      const name = `block-${second}`;
      await withBlockVariable(block, async () => {
        try {
          const up = await runCli(['sandbox', 'up', '2', '--name', name, '--state-dir', stateDir]);
          expect(up.err).toBe('');
          expect(up.code).toBe(0);
          const [a1, a2] = sandboxAddresses(block, 2);
          expect(up.out).toContain(`started 2 host(s): node01=${a1} node02=${a2}\n`);
          expect(readFileSync(path.join(stateDir, 'inventory'), 'utf8')).toContain(
            `[sandbox]\nnode01 ansible_host=${a1}\nnode02 ansible_host=${a2}\n`,
          );
        } finally {
          expect((await runCli(['sandbox', 'down', '--name', name, '--state-dir', stateDir])).code).toBe(0);
        }
      });
    }, 60_000);

    it('bosun role test without --base puts its hosts at 127.88.X.1 moved into the block', async () => {
      const parent = mkdtempSync(path.join(tmpdir(), 'bosun-block-role-'));
      expect((await runCli(['role', 'init', 'blockdemo', '--path', parent])).code).toBe(0);
      const r = await withBlockVariable(block, () =>
        runCli(['role', 'test', path.join(parent, 'blockdemo'), '--json']),
      );
      const summary = JSON.parse(r.out.trim().split('\n').at(-1)!) as {
        passed: boolean;
        hosts: Array<{ address: string }>;
      };
      expect(summary.passed).toBe(true);
      const x = summary.hosts[0]!.address.split('.')[2];
      expect(summary.hosts[0]!.address).toBe(inBlock(`127.88.${x}.1`, block));
      expect(summary.hosts[0]!.address.split('.')[1]).toBe(String(((Number(second) - 1 + 88 - 77) % 254) + 1));
    }, 120_000);

    it('a BOSUN_SANDBOX_BASE that is not a block base is refused before anything starts, with the fix', async () => {
      const name = `never-${second}`;
      const r = await withBlockVariable('10.0.0.1', () => runCli(['sandbox', 'up', '1', '--name', name]));
      // Should it have started anyway, it goes.
      if (r.code === 0) await runCli(['sandbox', 'down', '--name', name]);
      expect(r.code).not.toBe(0);
      expect(r.err).toContain('BOSUN_SANDBOX_BASE=10.0.0.1 is not the first address of a sandbox block');
      expect(r.err).toContain('set it to 127.B.0.1 with B from 1 to 254');
    });
  },
);
