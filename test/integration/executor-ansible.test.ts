/**
 * The executor's behaviours against ansible-playbook itself: the same
 * playbooks (handlers, blocks under any_errors_fatal, clear_host_errors,
 * meta, force_handlers, max_fail_percentage, templated keywords, include
 * loops) run by both on two local-connection hosts, with the same exit
 * code, the same recap per host and the same handlers run. The playbooks
 * only run debug, fail, meta and `true` on the controller.
 *
 * Then the text itself: playbooks under output/ run by both on sandbox hosts
 * of their own (h1, h2 on each side), ansible-playbook with its default
 * callback and check-mode markers, bosun with its text reporter, and the
 * lines compared after only what must differ is normalised (addresses, the
 * order in which hosts' results arrive within a task, diff header labels).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { withSandbox, type SandboxFixture } from '../helpers/sandbox.js';

const ANSIBLE = '/usr/bin/ansible-playbook';
const DIR = path.resolve('test/fixtures/executor-ansible');
const INVENTORY = path.join(DIR, 'inventory.yml');

interface Outcome {
  code: number;
  /** `host ok changed unreachable failed skipped rescued ignored` per host. */
  recap: Record<string, number[]>;
  /** RUNNING HANDLER [name] lines, in order (Ansible's repeats in a row counted once). */
  handlers: string[];
}

const recapRe =
  /^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/gm;

function outcome(code: number, output: string, ansibleOutput = false): Outcome {
  const recap: Record<string, number[]> = {};
  for (const m of output.matchAll(recapRe)) recap[m[1]!] = m.slice(2).map(Number);
  // Under load ansible-playbook's linear strategy sometimes prints an
  // include_tasks handler's banner twice in a row (once per host whose
  // include result arrives in a later poll): Ansible's repeats in a row are
  // counted once, bosun's never (a banner bosun printed twice is a bug).
  const handlers = [...output.matchAll(/^RUNNING HANDLER \[([^\]]*)\]/gm)]
    .map((m) => m[1]!)
    .filter((name, i, all) => !ansibleOutput || i === 0 || all[i - 1] !== name);
  return { code, recap, handlers };
}

async function ansible(playbook: string, extra: string[]): Promise<Outcome> {
  try {
    const { stdout } = await promisify(execFile)(ANSIBLE, [path.join(DIR, playbook), '-i', INVENTORY, ...extra], {
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_STDOUT_CALLBACK: 'default',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
      },
      timeout: 120_000,
    });
    return outcome(0, stdout, true);
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return outcome(typeof err.code === 'number' ? err.code : -1, err.stdout ?? '', true);
  }
}

async function bosun(playbook: string, extra: string[]): Promise<Outcome> {
  const res = await runCli(['run', path.join(DIR, playbook), '-i', INVENTORY, ...extra]);
  return outcome(res.code, res.out);
}

const cases: Array<{ title: string; playbook: string; extra?: string[]; expectCode: number }> = [
  {
    title: 'handlers: every listener of a topic, a templated name, an include_tasks handler, flush_handlers with when',
    playbook: 'handlers.yml',
    expectCode: 0,
  },
  {
    title:
      'any_errors_fatal with a rescue goes on; clear_host_errors in always; end_play under serial ends every batch',
    playbook: 'blocks.yml',
    expectCode: 0,
  },
  {
    title: 'clear_host_errors outside a block: exit 0, the host stays out of this play and runs in the next',
    playbook: 'clear-host-errors.yml',
    expectCode: 0,
  },
  {
    title: 'a failing rescue under any_errors_fatal fails the host and the run, and the rest of the playbook',
    playbook: 'rescue-fails.yml',
    expectCode: 2,
  },
  {
    title: "a play's force_handlers: false beats --force-handlers; max_fail_percentage",
    playbook: 'force-handlers.yml',
    extra: ['--force-handlers'],
    expectCode: 2,
  },
  {
    title: 'templated run_once and tags (with --tags), include_tasks loop with index_var counted per included file',
    playbook: 'keywords.yml',
    extra: ['--tags', 'deploy'],
    expectCode: 0,
  },
  {
    title: 'a meta when that cannot be evaluated ends the run with an error',
    playbook: 'meta-when.yml',
    expectCode: 1,
  },
];

if (existsSync(ANSIBLE)) {
  describe('executor behaviours: bosun and ansible-playbook give the same outcome', () => {
    for (const c of cases) {
      it(
        c.title,
        async () => {
          const [a, b] = await Promise.all([ansible(c.playbook, c.extra ?? []), bosun(c.playbook, c.extra ?? [])]);
          expect(a.code).toBe(c.expectCode);
          expect(b).toEqual(a);
        },
        180_000,
      );
    }
  });
} else {
  describe.skip(`executor behaviours against ansible-playbook [skipped: ${ANSIBLE} is not installed]`, () => {
    it('needs ansible-core', () => undefined);
  });
}

const OUTPUT_DIR = path.join(DIR, 'output');

/** An inventory of h1, h2 on two sandbox hosts (`offset`: which two). */
function sandboxInventory(fixture: SandboxFixture, offset: number): { text: string; addresses: string[] } {
  const sb = fixture.sandbox;
  const hosts = sb.hosts.slice(offset, offset + 2);
  const text = stringify({
    all: {
      hosts: Object.fromEntries(hosts.map((h, i) => [`h${i + 1}`, { ansible_host: h.address }])),
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: sb.privateKeyFile,
        ansible_ssh_common_args: `-o UserKnownHostsFile=${sb.knownHostsFile}`,
        ansible_python_interpreter: '/usr/bin/python3',
      },
    },
  });
  return { text, addresses: hosts.map((h) => h.address) };
}

/**
 * The lines as compared: from the first banner on (Ansible's -v names its config file first), each host's address
 * as `ADDRESS-hN`, diff header labels cut to `before`/`after` (Ansible's name a temporary file or `PATH (content)`),
 * and within each banner's section the results sorted (one result: its diff, its line and what is printed under it).
 */
export function comparableText(out: string, addresses: string[]): string[] {
  let text = out;
  addresses.forEach((a, i) => (text = text.replaceAll(`(${a})`, `(ADDRESS-h${i + 1})`)));
  const lines = text.split('\n');
  const first = lines.findIndex((l) => / \*{3,}$/.test(l));
  const sections: string[][] = [];
  for (const line of lines.slice(Math.max(0, first))) {
    // Ansible's copy raises its missing-file error as an exception and says so; bosun's is a user error, without.
    if (line.startsWith('An exception occurred during task execution.')) continue;
    if (/ \*{3,}$/.test(line)) sections.push([line]);
    else if (line !== '') sections.at(-1)?.push(line.replace(/^(---|\+\+\+) (before|after)(: .*)?$/, '$1 $2'));
  }
  return sections.flatMap(([title, ...body]) => [title!, ...recordsOf(body).sort()]);
}

/** A section's results, each one string: a diff opens one and its status line closes it; other lines join the last. */
function recordsOf(body: string[]): string[] {
  const records: string[] = [];
  let openDiff = false;
  for (const line of body) {
    const status = /^(ok|changed|skipping|fatal|failed|included): /.test(line);
    if (line.startsWith('--- before')) {
      if (!openDiff) records.push(line);
      else records.push(`${records.pop()!}\n${line}`);
      openDiff = true;
    } else if (status && !openDiff) records.push(line);
    else {
      if (records.length === 0) records.push(line);
      else records.push(`${records.pop()!}\n${line}`);
      if (status) openDiff = false;
    }
  }
  return records;
}

const ANSIBLE_TEXT_ENV = {
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_FORCE_COLOR: '0',
  ANSIBLE_STDOUT_CALLBACK: 'default',
  ANSIBLE_RETRY_FILES_ENABLED: '0',
  ANSIBLE_PIPELINING: '1',
  ANSIBLE_CHECK_MODE_MARKERS: '1',
  ANSIBLE_DEPRECATION_WARNINGS: '0',
  ANSIBLE_HOST_KEY_CHECKING: '1',
};

async function ansibleText(
  playbook: string,
  inventory: string,
  extra: string[],
): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(ANSIBLE, [playbook, '-i', inventory, ...extra], {
      env: { ...process.env, ...ANSIBLE_TEXT_ENV },
      timeout: 150_000,
    });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: err.stdout ?? '' };
  }
}

const textCases: Array<{ title: string; playbook: string; extra: string[] }> = [
  {
    title:
      'results: -> delegate only for another host (with its address), a skipped include_role, a failure per host, diffs, items',
    playbook: 'results.yml',
    extra: ['--diff'],
  },
  {
    title: 'a check run: DRY RUN first and last, [CHECK MODE] on what runs in check mode',
    playbook: 'check.yml',
    extra: ['--check', '--diff'],
  },
  { title: '-v: fact gathering is not dumped, other results are', playbook: 'verbose.yml', extra: ['-v'] },
];

const textSandbox = withSandbox(2 * 2 * textCases.length, { base: '127.166.0.1' });
if (existsSync(ANSIBLE)) {
  textSandbox.describe('text output: bosun prints what ansible-playbook prints', () => {
    textCases.forEach((c, n) => {
      it.concurrent(
        c.title,
        async () => {
          const work = mkdtempSync(path.join(tmpdir(), 'bosun-text-'));
          try {
            const a = sandboxInventory(textSandbox, 4 * n);
            const b = sandboxInventory(textSandbox, 4 * n + 2);
            writeFileSync(path.join(work, 'ansible.yml'), a.text);
            writeFileSync(path.join(work, 'bosun.yml'), b.text);
            const playbook = path.join(OUTPUT_DIR, c.playbook);
            const [ansibleRun, bosunRun] = await Promise.all([
              ansibleText(playbook, path.join(work, 'ansible.yml'), c.extra),
              runCli(['run', playbook, '-i', path.join(work, 'bosun.yml'), ...c.extra]),
            ]);
            expect(bosunRun.code).toBe(ansibleRun.code);
            expect(comparableText(bosunRun.out, b.addresses).join('\n')).toBe(
              comparableText(ansibleRun.out, a.addresses).join('\n'),
            );
            // The recap is compared byte for byte: sorted hosts, Ansible's padding (trailing spaces included).
            const recap = (out: string): string => out.slice(out.indexOf('PLAY RECAP'));
            expect(
              recap(bosunRun.out)
                .split('\n')
                .filter((l) => /^h\d /.test(l)),
            ).toEqual(
              recap(ansibleRun.out)
                .split('\n')
                .filter((l) => /^h\d /.test(l)),
            );
          } finally {
            rmSync(work, { recursive: true, force: true });
          }
        },
        240_000,
      );
    });
  });
}
