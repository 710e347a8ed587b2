/**
 * The pip module with hostile values (command substitution, backticks, quotes, newlines, globs, shell
 * operators, leading dashes) in every argument that reaches the target: names, version, extra_args,
 * requirements, chdir, virtualenv, executable, umask. A name starting with '-' never reaches pip as an
 * option (no `-r FILE`, no `--index-url` from a name); every other value is one argument of pip's; nothing
 * named `pwned` appears on the host, and nothing changes outside the test's folders. One light host,
 * 127.187.1.1; the packages come from a folder of wheels made on the host (no PyPI here).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SshConnection } from '../../src/connection/ssh.js';
import { withSandbox } from '../helpers/sandbox.js';

const HOSTILE = [
  '$(cd;cd ..;cd tmp;touch pwned)',
  '`cd;cd ..;cd tmp;touch pwned`',
  'it\'s a "quote"',
  'new\nline',
  '*',
  '-leading-dash',
  '--help',
  'x;touch pwned-semi;y',
  'a|b&c>d<e',
  '$HOME${IFS}x',
];
const DIR = '/opt/pip-hostile';
const REQ_DIR = `${DIR}/$(touch pwned-dir) \`x\` it's`;
const REQ_FILE = 'req;touch pwned-req.txt';
// pip's own launcher scripts put the virtualenv's path in double quotes of sh (distlib): `$` there would run.
const VENV = `${DIR}/v sp ace;touch pwned-v|x 'q' -`;

const fixture = withSandbox(1, { base: '127.187.1.1' });
const work = mkdtempSync(path.join(tmpdir(), 'bosun-pip-hostile-'));

async function onHost(script: string): Promise<string> {
  const conn = new SshConnection(fixture.specFor(fixture.sandbox.hosts[0]!));
  try {
    await conn.connect();
    return (await conn.exec(script)).stdout;
  } finally {
    await conn.close();
  }
}

/** Every entry at the top of the host's folders and under /tmp: what must not move. */
const snapshot = (): Promise<string> =>
  onHost(
    "find /tmp /var/tmp -xdev -mindepth 1 -printf '%y %p\\n' 2>/dev/null | sort; find / /opt /root /srv -xdev -mindepth 1 -maxdepth 1 -printf '%y %p\\n' 2>/dev/null | sort; true",
  );

interface Ev {
  type: string;
  task?: string;
  status?: string;
  msg?: string;
  items?: Ev[];
}

fixture.describe('pip with hostile values', () => {
  it('passes each value as one argument, refuses options in names, and runs nothing else', async () => {
    const makeIndex = readFileSync(path.resolve('test/fixtures/differential/pip/make-index.sh'), 'utf8');
    await onHost(
      [
        'set -- /srv/pipidx',
        makeIndex,
        // A virtualenv that runs the system's pip module (fast to make); the requirement the '-r' name would read.
        `/usr/bin/python3 -m venv --without-pip --system-site-packages ${DIR}/v`,
        `printf '#!%s\\nimport sys\\nfrom pip._internal.cli.main import main\\nsys.exit(main())\\n' ${DIR}/v/bin/python3 > ${DIR}/v/bin/pip3`,
        `chmod +x ${DIR}/v/bin/pip3`,
        "printf 'bosun-gamma\\n' > /srv/evil-requirements.txt",
        `mkdir -p "$REQ_DIR" && printf 'bosun-alpha==1.1\\n' > "$REQ_DIR/$REQ_FILE"`,
      ]
        .join('\n')
        .replace('"$REQ_DIR"', `'${REQ_DIR.replace(/'/g, "'\\''")}'`)
        .replace('"$REQ_DIR/$REQ_FILE"', `'${`${REQ_DIR}/${REQ_FILE}`.replace(/'/g, "'\\''")}'`),
    );
    const before = await snapshot();
    const vars = path.join(work, 'vars.json');
    writeFileSync(vars, JSON.stringify({ hostile: HOSTILE, req_dir: REQ_DIR, req_file: REQ_FILE, venv: VENV }));
    const playbook = path.join(work, 'playbook.yml');
    const v = `${DIR}/v`;
    writeFileSync(
      playbook,
      `- hosts: all
  gather_facts: false
  environment: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: /srv/pipidx, PIP_DISABLE_PIP_VERSION_CHECK: "1" }
  tasks:
    - { name: names, pip: { name: "{{ item }}", virtualenv: ${v} }, loop: "{{ hostile }}", ignore_errors: true }
    - { name: versions, pip: { name: bosun-gamma, version: "{{ item }}", virtualenv: ${v} }, loop: "{{ hostile[:4] }}", ignore_errors: true }
    - { name: extra_args, pip: { name: bosun-gamma, extra_args: "{{ item }}", virtualenv: ${v} }, loop: "{{ hostile[:4] + hostile[7:] }}", ignore_errors: true }
    - { name: a requirements option, pip: { name: -r/srv/evil-requirements.txt, virtualenv: ${v} }, ignore_errors: true }
    - { name: an index option, pip: { name: "--index-url=http://127.0.0.1:9/", virtualenv: ${v} }, ignore_errors: true }
    - { name: umask, pip: { name: bosun-gamma, umask: "0022; touch /tmp/pwned-umask", virtualenv: ${v} }, ignore_errors: true }
    - { name: executable, pip: { name: bosun-gamma, executable: "pip3 $(touch /tmp/pwned-exe)" }, ignore_errors: true }
    - { name: requirements, pip: { requirements: "{{ req_file }}", chdir: "{{ req_dir }}", virtualenv: ${v} } }
    - { name: virtualenv, pip: { name: bosun-gamma, virtualenv: "{{ venv }}", virtualenv_command: python3 -m venv } }
`,
    );
    let out = '';
    const code = await main(['run', playbook, '-i', fixture.sandbox.inventoryFile, '-e', `@${vars}`, '--json'], {
      out: (t) => (out += t),
      err: (t) => (out += t),
      isTTY: false,
    });
    const results = new Map<string, Ev>();
    for (const line of out.split('\n')) {
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as Ev;
      if (e.type === 'task_result' && e.task) results.set(e.task, e);
    }
    expect(code, out.slice(-3000)).toBe(0);
    // Every hostile name fails: pip refuses it as a requirement, or bosun refuses a leading dash.
    const names = results.get('names')!.items!;
    expect(names.map((i) => i.status)).toEqual(HOSTILE.map(() => 'failed'));
    for (const [i, item] of names.entries()) {
      if (HOSTILE[i]!.startsWith('-')) expect(item.msg).toMatch(/starts with '-'/);
      // pip's own refusal, as Ansible reports it (its output in the message); a marker it cannot read is a traceback.
      else expect(item.msg).toMatch(/:stderr: [^]*(Invalid requirement|Invalid marker|No matching distribution)/);
    }
    expect(results.get('versions')!.items!.map((i) => i.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(results.get('a requirements option')!.msg).toMatch(/starts with '-'/);
    expect(results.get('an index option')!.msg).toMatch(/starts with '-'/);
    expect(results.get('umask')!.msg).toBe('umask must be an octal integer');
    expect(results.get('executable')!.msg).toMatch(/^Unable to find any of pip3 \$\(touch \/tmp\/pwned-exe\) to use/);
    expect(results.get('requirements')!.status).toBe('changed');
    expect(results.get('virtualenv')!.status).toBe('changed');
    // What is installed where: the requirement file's package, never the one '-r' in a name would have read.
    const listed = await onHost(
      `PIP_NO_INDEX=1 ${v}/bin/pip3 list --format=freeze | grep -i bosun; echo ==; PIP_NO_INDEX=1 '${VENV.replace(/'/g, "'\\''")}/bin/pip3' list --format=freeze | grep -i bosun`,
    );
    expect(listed).toBe('bosun-alpha==1.1\n==\nBosun_Gamma==0.1\n');
    expect(await onHost(`find / /tmp -xdev -name 'pwned*' 2>/dev/null; find ${DIR} -name 'pwned*'`)).toBe('');
    const after = await snapshot();
    expect(after).toBe(before);
  }, 170_000);
});
