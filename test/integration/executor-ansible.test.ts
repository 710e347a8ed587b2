/**
 * The executor's behaviours against ansible-playbook itself: the same
 * playbooks (handlers, blocks under any_errors_fatal, clear_host_errors,
 * meta, force_handlers, max_fail_percentage, templated keywords, include
 * loops) run by both on two local-connection hosts, with the same exit
 * code, the same recap per host and the same handlers run. The playbooks
 * only run debug, fail, meta and `true` on the controller.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

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
