/** Roles as kubespray lays them out: a role named by a path below a search folder, defaults/main/ and vars/main/ as folders. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { engine, tasksOf, writeTree } from './helpers.js';

describe('role folders', () => {
  const dir = writeTree({
    'site.yml': '- hosts: all\n  roles:\n    - container-engine/runc\n',
    'lib/container-engine/runc/tasks/main.yml': '- name: t\n  debug: { msg: "{{ a }} {{ b }} {{ c }}" }\n',
    'lib/container-engine/runc/defaults/main/01-first.yml': 'a: 1\nb: first\n',
    'lib/container-engine/runc/defaults/main/02-second.yml': 'b: second\n',
    'lib/container-engine/runc/defaults/main/sub/03.yaml': 'c: deep\n',
    'lib/container-engine/runc/defaults/main/.hidden.yml': 'a: hidden\n',
    'lib/container-engine/runc/vars/main/x.json': '{"v": 1}\n',
  });

  it('finds a role named by a path below the roles path, keeps that name, and reads defaults/main/ as a folder', async () => {
    const pb = await loadPlaybook(path.join(dir, 'site.yml'), { engine, rolesPath: [path.join(dir, 'lib')] });
    const [task] = tasksOf(pb.plays[0]!);
    expect(task!.context.role?.name).toBe('container-engine/runc');
    const role = task!.context.role!;
    expect(role.defaults.values).toEqual({ a: 1, b: 'second', c: 'deep' });
    expect(role.defaults.positions?.get('b')?.file).toMatch(/02-second\.yml$/);
    expect(role.vars.values).toEqual({ v: 1 });
  });

  it('a name written as a relative path is a path from the playbook, never searched (role test: role: ../..)', async () => {
    const tree = writeTree({
      'myrole/tasks/main.yml': '- name: mine\n  debug: { msg: hi }\n',
      'myrole/tests/default/converge.yml': '- hosts: all\n  roles:\n    - role: ../..\n',
    });
    const pb = await loadPlaybook(path.join(tree, 'myrole/tests/default/converge.yml'), { engine, rolesPath: [] });
    const [task] = tasksOf(pb.plays[0]!);
    expect(task!.name).toBe('mine');
    expect(task!.context.role?.name).toBe('myrole');
  });
});

describe('a module of a collection bosun does not have', () => {
  it('loads as a task that fails with a clear message when it runs; a plain unknown name is still an error', async () => {
    const tree = writeTree({
      'site.yml':
        '- hosts: all\n  tasks:\n    - name: sync\n      ansible.posix.synchronize: { src: a, dest: b }\n      when: false\n',
      'bad.yml': '- hosts: all\n  tasks:\n    - name: typo\n      synchronise: { src: a }\n',
    });
    const pb = await loadPlaybook(path.join(tree, 'site.yml'), { engine, rolesPath: [] });
    const [task] = tasksOf(pb.plays[0]!);
    expect(task!.module).toBe('fail');
    expect((task!.args as { msg: string }).msg).toMatch(/module 'ansible\.posix\.synchronize' is not in bosun/);
    await expect(loadPlaybook(path.join(tree, 'bad.yml'), { engine, rolesPath: [] })).rejects.toMatchObject({
      code: 'UNKNOWN_MODULE',
    });
  });
});

describe('a custom module in a library/ folder (kubespray library/kube.py)', () => {
  it("loads from the top playbook's, an imported playbook's or the role's library/; fails only if it runs", async () => {
    const tree = writeTree({
      'library/kube.py': '# a custom module\n',
      'site.yml': '- import_playbook: playbooks/inner.yml\n',
      'playbooks/inner.yml': '- hosts: all\n  roles: [r]\n  tasks:\n    - name: apply\n      kube: { name: x }\n',
      'playbooks/roles/r/library/helper.sh': '#!/bin/sh\n',
      'playbooks/roles/r/tasks/main.yml': '- name: helper\n  helper: { a: 1 }\n',
      'other.yml': '- hosts: all\n  tasks:\n    - name: typo\n      kubee: { name: x }\n',
    });
    const pb = await loadPlaybook(path.join(tree, 'site.yml'), { engine, rolesPath: [] });
    const [helper, apply] = tasksOf(pb.plays[0]!);
    expect(helper!.module).toBe('fail');
    expect((helper!.args as { msg: string }).msg).toMatch(
      /module 'helper' is a custom module \(.*roles\/r\/library\/helper\.sh\)/,
    );
    expect(apply!.module).toBe('fail');
    expect((apply!.args as { msg: string }).msg).toMatch(/module 'kube' is a custom module .*runs no Python there/);
    // A playbook with no library/ of its own: a name nothing defines is still a load error.
    await expect(loadPlaybook(path.join(tree, 'other.yml'), { engine, rolesPath: [] })).rejects.toMatchObject({
      code: 'UNKNOWN_MODULE',
    });
  });
});

describe("service takes the systemd module's arguments (Ansible's service action hands the task to systemd)", () => {
  it('loads service with daemon_reload and masked', async () => {
    const tree = writeTree({
      'site.yml':
        '- hosts: all\n  tasks:\n    - name: s\n      service: { name: containerd, state: stopped, daemon_reload: true, masked: false }\n',
    });
    const pb = await loadPlaybook(path.join(tree, 'site.yml'), { engine, rolesPath: [] });
    expect(tasksOf(pb.plays[0]!)[0]!.args).toMatchObject({ daemon_reload: true, masked: false });
  });
});

describe('a handlers file importing tasks (kubespray etcd: handlers/main.yml imports backup.yml beside it)', () => {
  it('finds the file beside the handlers file, and its tasks are handlers that may listen', async () => {
    const tree = writeTree({
      'site.yml': '- hosts: all\n  roles: [etcd]\n',
      'roles/etcd/tasks/main.yml': '- name: t\n  command: "true"\n  notify: Restart etcd\n',
      'roles/etcd/handlers/main.yml': '- name: Backup etcd\n  import_tasks: backup.yml\n',
      'roles/etcd/handlers/backup.yml': '- name: Backup now\n  command: "true"\n  listen: Restart etcd\n',
    });
    const pb = await loadPlaybook(path.join(tree, 'site.yml'), { engine, rolesPath: [] });
    expect(pb.plays[0]!.handlers.map((h) => h.name)).toContain('Backup now');
  });
});
