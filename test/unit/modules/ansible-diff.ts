/**
 * Runs a list of module tasks through the installed `ansible-playbook`
 * (connection local) in one run, so table tests can compare bosun's files
 * with Ansible's byte for byte. Only used when /usr/bin/ansible-playbook exists.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** True when ansible-core is installed on this machine. */
export const hasAnsible = existsSync('/usr/bin/ansible-playbook');

/** Run `tasks` (module name + args) with ansible-playbook on localhost; returns each task's result. */
export async function runAnsible(
  dir: string,
  tasks: Array<{ module: string; args: Record<string, unknown> }>,
): Promise<Array<Record<string, unknown>>> {
  const play = [
    {
      hosts: 'localhost',
      connection: 'local',
      gather_facts: false,
      tasks: tasks.map((t, i) => ({ name: `t${i}`, [t.module]: t.args, register: `r${i}`, ignore_errors: true })),
    },
  ];
  play[0]!.tasks.push({
    name: 'dump',
    copy: { content: `{{ [${tasks.map((_, i) => `r${i}`).join(', ')}] | to_json }}`, dest: join(dir, 'results.json') },
  } as never);
  const file = join(dir, 'play.json');
  // A JSON document is valid YAML.
  await fs.writeFile(file, JSON.stringify(play));
  await promisify(execFile)('ansible-playbook', ['-i', 'localhost,', file], {
    env: {
      ...process.env,
      ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: 'false',
    },
    maxBuffer: 1 << 24,
  });
  return JSON.parse(await fs.readFile(join(dir, 'results.json'), 'utf8')) as Array<Record<string, unknown>>;
}
