/**
 * Text from a target is data, never a template (issue 15): a file on the
 * host holds `{{ secret_var }}` and `{{ hostvars.node02.token }}`; bosun
 * registers it, copies it with set_fact, through a task variable, a loop
 * and hostvars, and writes each copy back with `copy`. Every file must hold
 * the literal braces, never a secret. The same for a fact (an environment
 * variable read by gather_facts), for a `!unsafe` value in the playbook, and
 * for a target that answers with a template that would loop for hours.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SshConnection } from '../../src/connection/ssh.js';
import { withSandbox } from '../helpers/sandbox.js';

const fixture = withSandbox(2, { base: '127.140.0.1' });
const dir = mkdtempSync(path.join(tmpdir(), 'bosun-unsafe-'));

const SECRET = 's3cr3t-controller-4471';
const TOKEN = 'tok-node02-private-9918';
const EVIL = 'pw={{ secret_var }} tok={{ hostvars.node02.token }}';
const BOMB = '{{#each (range 100000)}}{{#each (range 100000)}}x{{/each}}{{/each}}';

async function onHost<T>(i: number, fn: (conn: SshConnection) => Promise<T>): Promise<T> {
  const conn = new SshConnection(fixture.specFor(fixture.sandbox.hosts[i]!));
  try {
    await conn.connect();
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

async function runPlaybook(text: string): Promise<{ code: number; out: string; err: string; ms: number }> {
  const file = path.join(dir, `site-${Date.now()}.yml`);
  writeFileSync(file, text);
  let out = '';
  let err = '';
  const started = Date.now();
  const code = await main(['run', file, '-i', fixture.sandbox.inventoryFile], {
    out: (t) => (out += t),
    err: (t) => (err += t),
    isTTY: false,
  });
  return { code, out, err, ms: Date.now() - started };
}

const read = (i: number, file: string): Promise<string> => onHost(i, async (c) => (await c.exec(`cat ${file}`)).stdout);

const PLAYBOOK = String.raw`- hosts: all
  gather_facts: true
  environment:
    EVIL_ENV: '\{{ secret_var }} and \{{ hostvars.node02.token }}'
  vars:
    secret_var: ${SECRET}
    token: "tok-{{ inventory_hostname }}"
  tasks:
    - set_fact: { token: ${TOKEN} }
      when: (eq inventory_hostname "node02")
    - command: cat /opt/unsafe/evil.txt
      register: out
    - set_fact:
        copied: "{{ out.stdout }}"
        copied_lines: "{{ out.stdout_lines }}"
        copied_out: "{{ out }}"
    - copy: { dest: /opt/unsafe/from-register, content: "{{ out.stdout }}\n" }
    - copy: { dest: /opt/unsafe/from-set-fact, content: "{{ copied }}\n" }
    - copy: { dest: /opt/unsafe/from-set-fact-dict, content: "{{ copied_out.stdout }}\n" }
    - copy: { dest: "/opt/unsafe/from-loop-{{ i }}", content: "{{ item }}\n" }
      loop: "{{ copied_lines }}"
      loop_control: { index_var: i }
    - copy: { dest: /opt/unsafe/from-task-var, content: "{{ via_var }}\n" }
      vars: { via_var: "{{ out.stdout }}" }
    - copy: { dest: /opt/unsafe/from-task-var-dict, content: "{{ via_dict.stdout }} {{ via_dict.stdout_lines.0 }}\n" }
      vars: { via_dict: "{{ out }}" }
    - copy: { dest: /opt/unsafe/from-hostvars, content: "{{ hostvars.node01.copied }}\n" }
    - copy: { dest: /opt/unsafe/from-fact, content: "{{ ansible_env.EVIL_ENV }}\n" }
    - copy: { dest: /opt/unsafe/from-fact-dict, content: "{{ ansible_facts.env.EVIL_ENV }}\n" }
`;

fixture.describe('text from a target is never rendered as a template', () => {
  let run: Awaited<ReturnType<typeof runPlaybook>>;
  beforeAll(async () => {
    for (const i of [0, 1]) {
      await onHost(i, async (c) => {
        await c.exec('mkdir -p /opt/unsafe && rm -f /opt/unsafe/*');
        await c.writeFile('/opt/unsafe/evil.txt', Buffer.from(`${EVIL}\n`));
        await c.writeFile('/opt/unsafe/bomb.txt', Buffer.from(`${BOMB}\n`));
      });
    }
    run = await runPlaybook(PLAYBOOK);
  }, 120_000);

  it('the run succeeds', () => {
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
  });

  for (const file of [
    'from-register',
    'from-set-fact',
    'from-set-fact-dict',
    'from-loop-0',
    'from-task-var',
    'from-hostvars',
  ]) {
    it(`${file} holds the literal braces, not the secrets`, async () => {
      for (const i of [0, 1]) {
        const text = await read(i, `/opt/unsafe/${file}`);
        expect(text).toBe(`${EVIL}\n`);
      }
    });
  }

  it('a task variable holding the registered dict is data below it too', async () => {
    expect(await read(0, '/opt/unsafe/from-task-var-dict')).toBe(`${EVIL} ${EVIL}\n`);
  });

  it('a fact (an environment variable of the target) is data', async () => {
    for (const file of ['from-fact', 'from-fact-dict']) {
      const text = await read(1, `/opt/unsafe/${file}`);
      expect(text).toBe('{{ secret_var }} and {{ hostvars.node02.token }}\n');
    }
  });

  it('a value tagged !unsafe in the playbook is never templated', async () => {
    const r = await runPlaybook(`- hosts: node01
  gather_facts: false
  vars:
    secret_var: ${SECRET}
    authored: !unsafe "{{ secret_var }} {{ hostvars.node02.token }}"
    plain: plain-value
    authored_list: [!unsafe "{{ secret_var }}", "{{ plain }}"]
  tasks:
    - copy: { dest: /opt/unsafe/from-unsafe-tag, content: "{{ authored }}|{{ authored_list.0 }}|{{ authored_list.1 }}\\n" }
    - copy: { dest: /opt/unsafe/from-unsafe-arg, content: !unsafe "{{ secret_var | b }}\\n" }
    - shell: printf '%s\\n' "$UNSAFE_ENV" > /opt/unsafe/from-unsafe-env
      environment: { UNSAFE_ENV: !unsafe "{{ secret_var }}" }
`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const text = await read(0, '/opt/unsafe/from-unsafe-tag');
    expect(text).toBe(`{{ secret_var }} {{ hostvars.node02.token }}|{{ secret_var }}|plain-value\n`);
    expect(await read(0, '/opt/unsafe/from-unsafe-arg')).toBe('{{ secret_var | b }}\n');
    expect(await read(0, '/opt/unsafe/from-unsafe-env')).toBe('{{ secret_var }}\n');
  });

  it('no file on a host holds a secret', async () => {
    for (const i of [0, 1]) {
      const all = await onHost(i, async (c) => (await c.exec('cat /opt/unsafe/*')).stdout);
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain(TOKEN);
    }
  });

  it('a template bomb in target output is data: copied back at once', async () => {
    const r = await runPlaybook(`- hosts: node01
  gather_facts: false
  tasks:
    - command: cat /opt/unsafe/bomb.txt
      register: bomb
    - copy: { dest: /opt/unsafe/bomb-copy, content: "{{ bomb.stdout }}" }
`);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(20_000);
    expect(await read(0, '/opt/unsafe/bomb-copy')).toBe(BOMB);
  }, 60_000);

  it('a template in the playbook that runs too long ends with a positioned error', async () => {
    const r = await runPlaybook(`- hosts: node01
  gather_facts: false
  tasks:
    - debug: { msg: "${BOMB}" }
`);
    console.info(`nested range in a playbook: exit ${r.code} after ${r.ms} ms`);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.out).toMatch(/site-\d+\.yml:4:\d+/);
    expect(r.out).toMatch(/rendering stopped: it ran longer than 5 s/);
  }, 60_000);
});
