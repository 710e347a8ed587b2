/**
 * --step, bosun against ansible-playbook 2.14, each on a sandbox host and a
 * real pseudo-terminal (test/helpers/pty.ts), answering every question as it
 * appears (issue 20): the same questions in the same words and order (every
 * task, include and handler, Gathering Facts included; names as written),
 * the answered questions printed again as banners, the same tasks run (TASK
 * banners), the same recap and the same files on the host.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { SandboxHost } from '../../src/sandbox/index.js';
import { ANSIBLE_PLAYBOOK } from '../helpers/differential.js';
import {
  onTerminal,
  ptySkip,
  screenLines,
  STEP_QUESTION,
  stepBanners,
  stepQuestions,
  taskBanners,
} from '../helpers/pty.js';
import { withSandbox } from '../helpers/sandbox.js';

const BUILT = path.resolve('dist/cli/prompt.js');
const fresh = existsSync(BUILT) && statSync(BUILT).mtimeMs >= statSync(path.resolve('src/cli/prompt.ts')).mtimeMs;
const skip =
  ptySkip ??
  (!existsSync(ANSIBLE_PLAYBOOK)
    ? `${ANSIBLE_PLAYBOOK} is not installed`
    : !fresh
      ? 'needs a current build: npm run build'
      : undefined);

const fixture = withSandbox(2, { base: '127.163.0.1', skip });
const PLAYBOOK = path.resolve('test/fixtures/step/playbook.yml');

/** What one tool did at the terminal. */
interface StepRun {
  questions: string[];
  banners: string[];
  tasks: string[];
  recap: string;
  files: string;
}

function inventory(dir: string, host: SandboxHost): string {
  const sb = fixture.sandbox;
  const file = path.join(dir, 'inventory.ini');
  writeFileSync(
    file,
    `h1 ansible_host=${host.address} ansible_user=root ansible_ssh_private_key_file=${sb.privateKeyFile} ` +
      `ansible_ssh_common_args="-o UserKnownHostsFile=${sb.knownHostsFile}"\n`,
  );
  return file;
}

/** The files the run left on the host. */
function filesOn(host: SandboxHost): string {
  const sb = fixture.sandbox;
  return execFileSync(
    'ssh',
    [
      ...['-i', sb.privateKeyFile, '-o', `UserKnownHostsFile=${sb.knownHostsFile}`, '-o', 'BatchMode=yes'],
      `root@${host.address}`,
      'cd /opt/step 2>/dev/null && grep -r . | sort; rm -rf /opt/step',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
}

async function stepRun(tool: 'ansible' | 'bosun', host: SandboxHost, answers: string[]): Promise<StepRun> {
  const dir = mkdtempSync(path.join(tmpdir(), `bosun-step-${tool}-`));
  try {
    const inv = inventory(dir, host);
    const command =
      tool === 'ansible'
        ? `${ANSIBLE_PLAYBOOK} -i ${inv} ${PLAYBOOK} --step`
        : `node ${path.resolve('bin/bosun.js')} run -i ${inv} ${PLAYBOOK} --step`;
    const env = {
      ...process.env,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_STDOUT_CALLBACK: 'default',
      ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      ANSIBLE_CONFIG: path.join(dir, 'none.cfg'),
    };
    const lines = screenLines(await onTerminal(command, STEP_QUESTION, answers, env, 120_000));
    return {
      questions: stepQuestions(lines),
      banners: stepBanners(lines),
      tasks: taskBanners(lines),
      recap:
        lines
          .find((l) => l.startsWith('h1 '))
          ?.replace(/\s+/g, ' ')
          .trim() ?? '(no recap)',
      files: filesOn(host),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

fixture.describe('--step: bosun and ansible-playbook ask the same, on a terminal', () => {
  it('the same questions, in the same words and order; the same tasks run; the same recap and files', async () => {
    // Gathering Facts y, greet n, make the folder y, include_tasks y, its task y, the import's task n,
    // in a block y, the templated one n, the unnamed one (an answer Ansible reads as no), after the skip y, handler y.
    const answers = ['y', 'n', 'y', 'y', 'y', 'n', 'y', 'n', 'what', 'y', 'y'];
    const [hostA, hostB] = fixture.sandbox.hosts;
    const [ansible, bosun] = await Promise.all([
      stepRun('ansible', hostA!, answers),
      stepRun('bosun', hostB!, answers),
    ]);
    expect(ansible.questions).toEqual([
      'TASK: Gathering Facts',
      'TASK: greet : greet',
      'TASK: make the folder',
      'TASK: include_tasks',
      'TASK: included task',
      'TASK: included task',
      'TASK: in a block',
      'TASK: named {{ inventory_hostname }}',
      'TASK: debug',
      'TASK: after the skip',
      'HANDLER: the handler',
    ]);
    expect(bosun.questions).toEqual(ansible.questions);
    expect(bosun.banners).toEqual(ansible.banners);
    expect(bosun.tasks).toEqual(ansible.tasks);
    expect(bosun.recap).toEqual(ansible.recap);
    expect(bosun.files).toEqual(ansible.files);
    expect(bosun.files).toContain('handled');
  }, 240_000);

  it('c: the task runs and nothing more is asked, on both', async () => {
    const answers = ['y', 'c'];
    const [hostA, hostB] = fixture.sandbox.hosts;
    const [ansible, bosun] = await Promise.all([
      stepRun('ansible', hostA!, answers),
      stepRun('bosun', hostB!, answers),
    ]);
    expect(ansible.questions).toEqual(['TASK: Gathering Facts', 'TASK: greet : greet']);
    expect(bosun.questions).toEqual(ansible.questions);
    expect(bosun.tasks).toEqual(ansible.tasks);
    expect(bosun.recap).toEqual(ansible.recap);
    expect(bosun.files).toEqual(ansible.files);
  }, 240_000);
});
