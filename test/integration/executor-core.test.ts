/**
 * The executor's reshaped core on real sandbox hosts: one way to reach a
 * host (connection variables from any layer, per play and per task, for
 * fact gathering as for tasks), fact gathering as a setup task, and
 * positioned errors in inventory connection variables.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runJson } from '../helpers/cli.js';
import { withSandbox } from '../helpers/sandbox.js';
import { writeTree } from '../helpers/tree.js';

const fixture = withSandbox(2, { base: '127.133.0.1' });

interface Ev {
  type: string;
  host?: string;
  task?: string;
  status?: string;
  msg?: string;
  module?: string;
  data?: Record<string, unknown>;
}

function tree(files: Record<string, string>): string {
  return writeTree(files, 'bosun-core-');
}

/** An inventory of the sandbox hosts without ansible_user (so remote_user and -u decide), plus extra host vars. */
function inventory(extra: Record<string, string> = {}, groupVars = ''): string {
  const sb = fixture.sandbox;
  return [
    '[sandbox]',
    ...sb.hosts.map((h) => {
      const vars = extra[h.name];
      return `${h.name} ansible_host=${h.address}${vars ? ` ${vars}` : ''}`;
    }),
    '',
    '[sandbox:vars]',
    `ansible_ssh_private_key_file=${sb.privateKeyFile}`,
    `ansible_ssh_common_args='-o UserKnownHostsFile=${sb.knownHostsFile}'`,
    groupVars,
    '',
  ].join('\n');
}

const results = (events: Ev[], task: string): Ev[] => events.filter((e) => e.type === 'task_result' && e.task === task);

fixture.describe('the executor core on sandbox hosts', () => {
  it('ansible_connection in play vars reaches fact gathering; a later play with other connection variables gets its own connection', async () => {
    const dir = tree({
      'hosts.ini': inventory({}, 'ansible_user=root'),
      'site.yml': [
        '- hosts: node01',
        '  gather_facts: true',
        '  tasks:',
        '    - { name: over ssh, command: hostname, register: r1, changed_when: false }',
        '- hosts: node01',
        '  gather_facts: true',
        '  vars: { ansible_connection: local }',
        '  tasks:',
        '    - { name: local, command: hostname, changed_when: false }',
        '    - { name: facts, debug: { msg: "{{ ansible_hostname }}" } }',
        '',
      ].join('\n'),
    });
    const res = await runJson<Ev>(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')]);
    expect(res.code).toBe(0);
    expect(results(res.events, 'over ssh')[0]?.data?.['stdout']).toBe('node01');
    expect(results(res.events, 'local')[0]?.data?.['stdout']).toBe(hostname());
    // Gathering in the second play ran with the play's ansible_connection: the controller's facts.
    expect(results(res.events, 'facts')[0]?.data?.['msg']).toBe(hostname().split('.')[0]);
    const gathers = res.events.filter((e) => e.type === 'task_result' && e.task === 'Gathering Facts');
    expect(gathers).toHaveLength(2);
  });

  it('remote_user on play, block and task is below ansible_user and above -u', async () => {
    const dir = tree({
      'hosts.ini': inventory({ node02: 'ansible_user=root' }),
      'site.yml': [
        '- hosts: sandbox',
        '  gather_facts: false',
        '  remote_user: nosuchuser',
        '  tasks:',
        '    - block:',
        '        - { name: block user, command: whoami, changed_when: false }',
        '      remote_user: root',
        '    - { name: task user, command: whoami, changed_when: false, remote_user: root }',
        '    - { name: play user, command: whoami, changed_when: false, ignore_unreachable: true }',
        '',
      ].join('\n'),
    });
    const res = await runJson<Ev>([
      'run',
      path.join(dir, 'site.yml'),
      '-i',
      path.join(dir, 'hosts.ini'),
      '-u',
      'alsonobody',
    ]);
    expect(
      results(res.events, 'block user')
        .map((e) => `${e.host ?? '?'}:${e.status ?? '?'}:${String(e.data?.['stdout'])}`)
        .sort(),
    ).toEqual(['node01:ok:root', 'node02:ok:root']);
    expect(
      results(res.events, 'task user')
        .map((e) => `${e.host ?? '?'}:${e.status ?? '?'}`)
        .sort(),
    ).toEqual(['node01:ok', 'node02:ok']);
    // The play's remote_user (nosuchuser) cannot log in on node01; node02's ansible_user=root wins over it.
    const play = results(res.events, 'play user');
    expect(play.find((e) => e.host === 'node01')?.status).toBe('unreachable');
    expect(play.find((e) => e.host === 'node02')?.status).toBe('ok');
  });

  it('gather_subset and gather_timeout of the play reach the setup task; gathering honours become', async () => {
    const dir = tree({
      'hosts.ini': inventory({}, 'ansible_user=root'),
      'site.yml': [
        '- hosts: node01',
        '  gather_facts: true',
        '  gather_subset: [min]',
        '  gather_timeout: 5',
        '  become: true',
        '  become_method: su',
        '  become_user: nobody',
        '  tasks:',
        '    - { name: show, debug: { msg: "{{ ansible_user_id }} {{ default ansible_memtotal_mb \\"none\\" }}" } }',
        '',
      ].join('\n'),
    });
    const res = await runJson<Ev>(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')]);
    expect(res.code).toBe(0);
    const gather = results(res.events, 'Gathering Facts')[0];
    expect(gather?.module).toBe('setup');
    // Gathered as the become user (the login user is root), and only the min subset (no hardware facts).
    expect(results(res.events, 'show')[0]?.data?.['msg']).toBe('nobody none');
  });

  it('an undefined variable in an inventory connection variable is an error at its inventory line', async () => {
    const dir = tree({
      'hosts.ini': inventory({ node01: 'ansible_port="{{ no_such_port }}"' }, 'ansible_user=root'),
      'site.yml': '- hosts: node01\n  gather_facts: false\n  tasks:\n    - { name: t, command: "true" }\n',
    });
    const res = await runJson<Ev>(['run', path.join(dir, 'site.yml'), '-i', path.join(dir, 'hosts.ini')]);
    expect(res.code).toBe(2);
    const t = results(res.events, 't')[0];
    expect(t?.status).toBe('failed');
    expect(t?.msg).toMatch(new RegExp(`${path.join(dir, 'hosts.ini').replace(/[.]/g, '\\.')}:2:\\d+: .*no_such_port`));
  });
});
