/**
 * Facts, Ansible vs bosun, key by key: the same playbook (gather_facts, then
 * setup with gather_subset, filter, gather_timeout and fact_path, then the
 * facts read as variables) on two sandbox hosts of the same kind, one per
 * tool. Each host gets the same extra state first (a tmpfs with a device
 * name and a bind mount of a subtree, a resolv.conf with domain, search and
 * options, local facts of each kind; the hosts' network namespaces cannot
 * take addresses, so aliases and secondary addresses are unit-tested). Every key Ansible's setup returns is either compared (same type,
 * and the same value where the host decides it) or listed below as left
 * out or differing, with the reason (docs/ansible-differences.md says the
 * same). EL hosts are not available here: the parsing of their files is
 * unit-tested in test/unit/modules/facts-el.test.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CASES_DIR, comparable, differentialSuite, type DifferentialRun } from '../helpers/differential.js';

const suite = differentialSuite({ base: '127.190.0.1', slots: 2 });
const CASE = 'facts/setup';
const SETUP = readFileSync(path.join(CASES_DIR, CASE, 'setup.sh'), 'utf8');

/** The keys roles read (issue 17): bosun must have each, with Ansible's type, and its value unless noted below. */
const ROLE_KEYS = [
  'fips',
  'python',
  'service_mgr',
  'pkg_mgr',
  'distribution',
  'distribution_version',
  'distribution_major_version',
  'distribution_minor_version',
  'distribution_release',
  'distribution_file_path',
  'distribution_file_variety',
  'distribution_file_parsed',
  'os_family',
  'system',
  'kernel',
  'kernel_version',
  'architecture',
  'machine',
  'userspace_architecture',
  'userspace_bits',
  'hostname',
  'nodename',
  'fqdn',
  'domain',
  'default_ipv4',
  'default_ipv6',
  'all_ipv4_addresses',
  'all_ipv6_addresses',
  'interfaces',
  'eth0',
  'lo',
  'mounts',
  'lsb',
  'selinux',
  'selinux_python_present',
  'apparmor',
  'memtotal_mb',
  'memfree_mb',
  'swaptotal_mb',
  'swapfree_mb',
  'memory_mb',
  'processor',
  'processor_count',
  'processor_cores',
  'processor_vcpus',
  'processor_threads_per_core',
  'processor_nproc',
  'env',
  'user_id',
  'user_uid',
  'user_gid',
  'user_dir',
  'user_shell',
  'user_gecos',
  'effective_user_id',
  'effective_group_id',
  'real_user_id',
  'real_group_id',
  'date_time',
  'dns',
  'virtualization_type',
  'virtualization_role',
  'cmdline',
  'proc_cmdline',
  'local',
  'python_version',
  'gather_subset',
  'module_setup',
];

/** Values that change from one moment to the next: same type (and same keys), not the same value. */
const MOMENTARY: Record<string, string> = {
  date_time: 'the time of gathering',
  memfree_mb: 'free memory moves',
  memory_mb: 'free and used memory move (the totals are compared)',
  swapfree_mb: 'free swap moves',
  uptime_seconds: 'the host has been up longer at the second gathering',
  loadavg: 'the load moves',
};

/** Values each host has its own of: compared with what that host says (its name, its public host keys). */
const PER_HOST = [
  'hostname',
  'nodename',
  'fqdn',
  'ssh_host_key_rsa_public',
  'ssh_host_key_ecdsa_public',
  'ssh_host_key_ed25519_public',
];
/** What a host says of itself: its name, then the key of each public host key file. */
const HOST_COMMAND = `hostname; for t in rsa ecdsa ed25519; do cut -d' ' -f2 /etc/ssh/ssh_host_\${t}_key.pub 2>/dev/null; done`;

/**
 * Keys of Ansible's setup that bosun leaves out, and why (docs/ansible-differences.md, "Facts").
 * The test fails when Ansible stops giving one (the list must stay true) or bosun starts to.
 */
export const LEFT_OUT: Record<string, string> = {
  devices: 'a walk over /sys/block of every disk and partition: not cheap, and no role of this project reads it',
  device_links: 'part of devices',
  lvm: 'runs vgs, lvs and pvs',
  system_capabilities: 'runs capsh',
  system_capabilities_enforced: 'runs capsh',
  virtualization_tech_guest: 'bosun gives virtualization_type and _role only',
  virtualization_tech_host: 'bosun gives virtualization_type and _role only',
  fibre_channel_wwn: 'storage facts (fc_wwn, iscsi, nvme) are not gathered',
  iscsi_iqn: 'storage facts (fc_wwn, iscsi, nvme) are not gathered',
  hostnqn: 'storage facts (fc_wwn, iscsi, nvme) are not gathered',
};

/** Keys whose value differs on purpose (the type is still compared). */
const DIFFERING: Record<string, string> = {
  env: 'the environment of the session: bosun runs with LC_ALL=C and LANG=C and no TTY (the other variables are compared)',
};

/** Keys only bosun gives. */
const BOSUN_ONLY: Record<string, string> = { bosun_arch: "uname -m as Go's GOARCH (amd64, arm64), for download URLs" };

/** Environment variables that are the host's, not the session's. */
const ENV_KEYS = ['HOME', 'LOGNAME', 'PATH', 'PWD', 'SHELL', 'USER'];

type Facts = Record<string, unknown>;

const typeOf = (v: unknown): string => (Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v);

/** The shape of a value: types all the way down (dict keys included), for the momentary values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v as Facts).map(([k, x]) => [k, shape(x)]));
  return typeOf(v);
}

/** What is compared of one key: the value, or for a momentary one its shape plus the parts that do not move. */
function view(key: string, value: unknown, own: readonly string[]): unknown {
  if (key === 'memory_mb') {
    const m = value as { real: { total: number }; swap: { total: number } };
    return { shape: shape(value), total: m.real.total, swap: m.swap.total };
  }
  if (key === 'date_time') {
    const d = value as Record<string, string>;
    return { shape: shape(value), tz: d['tz'], tz_offset: d['tz_offset'] };
  }
  if (key in MOMENTARY) return shape(value);
  if (key === 'env') {
    const e = value as Record<string, string>;
    return Object.fromEntries(ENV_KEYS.map((k) => [k, e[k]]));
  }
  if (PER_HOST.includes(key)) return typeof value === 'string' && own.includes(value) ? '<this host>' : value;
  if (key === 'interfaces' || key === 'all_ipv4_addresses' || key === 'all_ipv6_addresses')
    return [...(value as string[])].sort();
  if (key === 'mounts')
    return [...(value as Facts[])].sort((a, b) => String(a['mount']).localeCompare(String(b['mount'])));
  return value;
}

/** The registered ansible_facts of one task on one side (unprefixed, as ansible_facts is read). */
function registeredFacts(r: DifferentialRun, side: 'ansible' | 'bosun', task: string): Facts {
  const value = r[side].registered[task]?.['h1']?.[0] as { ansible_facts?: Facts } | undefined;
  const facts = value?.ansible_facts ?? {};
  return Object.fromEntries(Object.entries(facts).map(([k, v]) => [k.replace(/^ansible_/, ''), v]));
}

suite.describe('facts: Ansible setup vs bosun, key by key', () => {
  it.concurrent(
    'gather_facts and setup give the facts roles read, with the same types and values',
    async () => {
      const r = await suite.differential(CASE, {
        setup: SETUP,
        compare: {
          registered: {
            'setup all': ['ansible_facts'],
            'setup with gather_subset and filter': ['ansible_facts'],
            'setup with a comma-separated subset': ['ansible_facts'],
            'local facts from fact_path': ['ansible_facts', 'failed', 'changed'],
            'facts as variables': ['msg'],
          },
          command: HOST_COMMAND,
          warning: { ansible: /error loading facts as JSON or ini/, bosun: /error loading facts as JSON or ini/ },
        },
      });
      const context = `ansible stderr:\n${r.ansible.stderr.slice(0, 2000)}\nbosun stderr:\n${r.bosun.stderr.slice(0, 2000)}`;
      // Exit code, recap, results in order, and the warning of the broken local fact: the same.
      const c = r.options.compare!;
      const { registered: _a, command: _b, ...wantRest } = comparable(r.ansible, c);
      const { registered: _c, command: _d, ...gotRest } = comparable(r.bosun, c);
      expect(gotRest, context).toEqual(wantRest);

      const ansible = registeredFacts(r, 'ansible', 'setup all');
      const bosun = registeredFacts(r, 'bosun', 'setup all');
      const aHost = r.ansible.command['h1']!.trim().split('\n');
      const bHost = r.bosun.command['h1']!.trim().split('\n');
      expect(Object.keys(ansible).length, context).toBeGreaterThan(50);

      if (process.env['BOSUN_DIFF_DUMP']) {
        // Both sides' facts, for looking at them while changing the gatherer: BOSUN_DIFF_DUMP=/tmp/some-folder.
        mkdirSync(process.env['BOSUN_DIFF_DUMP'], { recursive: true });
        writeFileSync(
          path.join(process.env['BOSUN_DIFF_DUMP'], 'facts.json'),
          JSON.stringify({ ansible, bosun, r }, null, 1),
        );
      }
      const report: string[] = [];
      let compared = 0;
      let same = 0;
      for (const key of [...new Set([...Object.keys(ansible), ...ROLE_KEYS])].sort()) {
        if (key in LEFT_OUT) {
          expect(key in bosun, `${key} is listed as left out, yet bosun gives it`).toBe(false);
          continue;
        }
        expect(key in ansible, `${key}: Ansible no longer gives it here; fix the lists of this test`).toBe(true);
        expect(key in bosun, `${key}: bosun does not give it (Ansible: ${JSON.stringify(ansible[key])})`).toBe(true);
        compared++;
        expect(typeOf(bosun[key]), `${key}: type`).toBe(typeOf(ansible[key]));
        if (key in DIFFERING) report.push(`${key}: differs (${DIFFERING[key]})`);
        const want = view(key, ansible[key], aHost);
        const got = view(key, bosun[key], bHost);
        expect(got, `${key}: bosun (received) vs Ansible (expected)`).toEqual(want);
        same++;
      }
      for (const key of Object.keys(bosun))
        expect(key in ansible || key in BOSUN_ONLY, `${key}: bosun gives it, Ansible does not`).toBe(true);
      for (const key of Object.keys(LEFT_OUT))
        expect(key in ansible, `${key}: listed as left out, but Ansible does not give it`).toBe(true);
      console.log(
        `facts compared: ${compared} keys of ${Object.keys(ansible).length} Ansible gives; ${same} match; ` +
          `${Object.keys(LEFT_OUT).length} left out; ${report.join('; ')}`,
      );

      // setup's arguments: the same keys come back for the same gather_subset, filter and fact_path.
      for (const task of ['setup with gather_subset and filter', 'setup with a comma-separated subset']) {
        const a = registeredFacts(r, 'ansible', task);
        const b = registeredFacts(r, 'bosun', task);
        const known = (k: string): boolean => !(k in LEFT_OUT) && !(k in BOSUN_ONLY);
        expect(Object.keys(b).filter(known).sort(), task).toEqual(Object.keys(a).filter(known).sort());
        for (const key of Object.keys(a).filter(known))
          expect(view(key, b[key], bHost), `${task}: ${key}`).toEqual(view(key, a[key], aHost));
      }
      expect(r.bosun.registered['local facts from fact_path'], 'local facts').toEqual(
        r.ansible.registered['local facts from fact_path'],
      );
      // INJECT_FACTS_AS_VARS: ansible_<name> and ansible_facts.<name> read the same facts on both.
      expect(r.bosun.registered['facts as variables'], 'facts as variables').toEqual(
        r.ansible.registered['facts as variables'],
      );
    },
    180_000,
  );
});
