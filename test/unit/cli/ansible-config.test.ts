/**
 * ansible.cfg and ANSIBLE_* for `bosun run`: found where ansible-core finds it,
 * read as configparser reads it, with Ansible's precedence (flag, environment,
 * file, default), and bad values named with where they came from.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ansibleDefaults, applyAnsibleDefaults, findAnsibleConfig } from '../../../src/cli/ansible-config.js';
import { BosunError } from '../../../src/errors.js';
import { runCli } from '../../helpers/cli.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-cfg-'));
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('finding ansible.cfg', () => {
  it('ANSIBLE_CONFIG (a file, or a folder holding ansible.cfg), then ./ansible.cfg, then ~/.ansible.cfg', () => {
    const d = tree({ 'env/ansible.cfg': '', 'cwd/ansible.cfg': '', 'home/.ansible.cfg': '', 'other.cfg': '' });
    const home = path.join(d, 'home');
    expect(findAnsibleConfig({ HOME: home, ANSIBLE_CONFIG: path.join(d, 'other.cfg') }, path.join(d, 'cwd')).file).toBe(
      path.join(d, 'other.cfg'),
    );
    expect(findAnsibleConfig({ HOME: home, ANSIBLE_CONFIG: path.join(d, 'env') }, path.join(d, 'cwd')).file).toBe(
      path.join(d, 'env/ansible.cfg'),
    );
    expect(findAnsibleConfig({ HOME: home }, path.join(d, 'cwd')).file).toBe(path.join(d, 'cwd/ansible.cfg'));
    expect(findAnsibleConfig({ HOME: home }, path.join(d, 'env', '..', 'home')).file).toBe(
      path.join(home, '.ansible.cfg'),
    );
    // A missing ANSIBLE_CONFIG file falls through to the next place, as in Ansible.
    expect(findAnsibleConfig({ HOME: home, ANSIBLE_CONFIG: path.join(d, 'nope.cfg') }, path.join(d, 'cwd')).file).toBe(
      path.join(d, 'cwd/ansible.cfg'),
    );
  });

  it("./bosun.cfg (bosun's own name, the same format) comes before ./ansible.cfg; ANSIBLE_CONFIG before both", () => {
    const d = tree({
      'cwd/bosun.cfg': '[defaults]\ninventory = hosts-for-bosun\n',
      'cwd/ansible.cfg': '[defaults]\ninventory = hosts-for-ansible\n',
      'other.cfg': '',
    });
    const cwd = path.join(d, 'cwd');
    expect(findAnsibleConfig({ HOME: d }, cwd).file).toBe(path.join(cwd, 'bosun.cfg'));
    expect(findAnsibleConfig({ HOME: d, ANSIBLE_CONFIG: path.join(d, 'other.cfg') }, cwd).file).toBe(
      path.join(d, 'other.cfg'),
    );
    const inventory = ansibleDefaults({ HOME: d }, cwd).values.get('inventory')?.value;
    expect(inventory).toEqual([path.join(cwd, 'hosts-for-bosun')]);
  });

  it('a world-writable working folder is no source, with a warning', () => {
    const d = tree({ 'open/ansible.cfg': '[defaults]\nforks = 3\n' });
    chmodSync(path.join(d, 'open'), 0o777);
    const found = findAnsibleConfig({ HOME: path.join(d, 'nohome') }, path.join(d, 'open'));
    expect(found.file === undefined || found.file === '/etc/ansible/ansible.cfg').toBe(true);
    expect(found.warnings.join('\n')).toMatch(
      /world writable directory .*ignoring it as a bosun.cfg or ansible.cfg source/,
    );
  });
});

describe('reading it', () => {
  const cfg = [
    '# a comment',
    '[defaults]',
    'inventory = ./inv/hosts.ini, /abs/other.yml ; two sources',
    'Roles_Path = roles:~/shared-roles',
    'forks: 7',
    'remote_user = deploy',
    'gathering = smart',
    'stdout_callback = yaml',
    '[privilege_escalation]',
    'become = True',
    'become_method = su',
    '',
  ].join('\n');

  it('reads the settings bosun honours, paths from the file\'s folder, keys in any case, "key: value" too', () => {
    const d = tree({ 'ansible.cfg': cfg });
    const got = ansibleDefaults({ HOME: '/home/x' }, d);
    const value = (k: string): unknown => got.values.get(k)?.value;
    expect(got.file).toBe(path.join(d, 'ansible.cfg'));
    expect(value('inventory')).toEqual([path.join(d, 'inv/hosts.ini'), '/abs/other.yml']);
    expect(value('rolesPath')).toEqual([path.join(d, 'roles'), '/home/x/shared-roles']);
    expect(value('forks')).toBe(7);
    expect(value('user')).toBe('deploy');
    expect(value('become')).toBe(true);
    expect(value('becomeMethod')).toBe('su');
    expect(got.values.get('forks')?.source.from).toBe(`${path.join(d, 'ansible.cfg')} [defaults] forks`);
    expect(got.unused).toEqual(['[defaults] stdout_callback']);
  });

  it('an ANSIBLE_* variable wins over the file; a flag given on the command line wins over both', () => {
    const d = tree({ 'ansible.cfg': cfg });
    const defaults = ansibleDefaults({ HOME: '/h', ANSIBLE_FORKS: '9', ANSIBLE_REMOTE_USER: 'ops' }, d);
    const flags: Record<string, unknown> = { forks: 20, user: 'cli-user', inventory: [] };
    const extras = applyAnsibleDefaults(flags, new Set(['user']), defaults);
    expect(flags['forks']).toBe(9);
    expect(flags['user']).toBe('cli-user');
    expect(flags['inventory']).toEqual([path.join(d, 'inv/hosts.ini'), '/abs/other.yml']);
    expect(extras.gathering).toBe('smart');
    expect(extras.rolesPath).toEqual([path.join(d, 'roles'), '/h/shared-roles']);
    expect(extras.notes[0]).toBe(`Using ${path.join(d, 'ansible.cfg')} as config file`);
  });

  it('host_key_checking = False turns checking off, with a warning', () => {
    const d = tree({ 'ansible.cfg': '[defaults]\nhost_key_checking = False\n' });
    const extras = applyAnsibleDefaults({}, new Set(), ansibleDefaults({ HOME: '/h' }, d));
    expect(extras.strictHostKeyChecking).toBe(false);
    expect(extras.warnings.join('\n')).toMatch(/host keys are not checked/);
  });

  it.each([
    ['[defaults]\nforks = many\n', /\[defaults\] forks: expected a whole number of at least 1, not 'many'/],
    ['[defaults]\ngathering = sometimes\n', /gathering must be implicit, explicit or smart, not 'sometimes'/],
    ['[privilege_escalation]\nbecome = perhaps\n', /become: expected a boolean .* not 'perhaps'/],
    ['[privilege_escalation]\nbecome_method = doas\n', /become method 'doas' is not supported/],
  ])('a bad value is an error naming the file and setting: %j', (text, message) => {
    const d = tree({ 'ansible.cfg': text });
    let err: unknown;
    try {
      applyAnsibleDefaults({}, new Set(), ansibleDefaults({ HOME: '/h' }, d));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BosunError);
    expect((err as BosunError).code).toBe('BAD_OPTION');
    expect((err as BosunError).message).toMatch(message);
  });
});

describe('bosun run with an ansible.cfg', () => {
  it('takes the inventory and roles path from it, and names the file at -v', async () => {
    const d = tree({
      'ansible.cfg': '[defaults]\ninventory = inv.ini\nroles_path = shared\n',
      'inv.ini': 'localhost ansible_connection=local\n',
      'shared/greet/tasks/main.yml': '- debug: { msg: greeted }\n',
      'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [greet]\n',
    });
    const r = await runCli(['run', path.join(d, 'site.yml'), '-v'], { ANSIBLE_CONFIG: path.join(d, 'ansible.cfg') });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Using ${path.join(d, 'ansible.cfg')} as config file`);
    expect(r.out).toContain('"msg": "greeted"');
    expect(r.out).toMatch(/localhost +: ok=1 /);
  });
});

describe('display_skipped_hosts / display_ok_hosts', () => {
  it('are read from the file and the environment (which wins), not listed as unused, and go to the reporter', () => {
    const d = tree({ 'ansible.cfg': '[defaults]\ndisplay_skipped_hosts = no\ndisplay_ok_hosts = yes\n' });
    const fromFile = applyAnsibleDefaults({}, new Set(), ansibleDefaults({ HOME: d }, d));
    expect(fromFile.display).toEqual({ skippedHosts: false, okHosts: true });
    expect(fromFile.notes.join('\n')).not.toContain('display_');
    const env = { HOME: d, ANSIBLE_DISPLAY_OK_HOSTS: 'false', ANSIBLE_DISPLAY_SKIPPED_HOSTS: '1' };
    expect(applyAnsibleDefaults({}, new Set(), ansibleDefaults(env, d)).display).toEqual({
      skippedHosts: true,
      okHosts: false,
    });
    expect(() => ansibleDefaults({ HOME: d, ANSIBLE_DISPLAY_OK_HOSTS: 'maybe' }, d)).toThrow(
      /ANSIBLE_DISPLAY_OK_HOSTS/,
    );
  });
});
