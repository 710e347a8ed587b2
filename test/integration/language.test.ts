/**
 * The playbook language on 3 real sandbox hosts over SSH: for each keyword,
 * which tasks ran, on which hosts, in which order, with which results
 * (read from the --json event stream).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCli, runJson } from '../helpers/cli.js';
import { testAddress, withSandbox } from '../helpers/sandbox.js';
import { writeTree } from '../helpers/tree.js';

const fixture = withSandbox(3, { base: '127.86.0.1' });
/** An address in this file's range where nothing listens. */
const NOBODY = testAddress('127.86.250.250');

interface Ev {
  type: string;
  host?: string;
  task?: string;
  status?: string;
  msg?: string;
  handler?: boolean;
  hosts?: unknown;
  item?: unknown;
  label?: string;
  data?: Record<string, unknown>;
  items?: Ev[];
  batch?: { index: number; count: number };
  file?: string;
  retriesLeft?: number;
  rescued?: boolean;
  delegatedTo?: string;
}

function tree(files: Record<string, string>): string {
  return writeTree(files, 'bosun-lang-');
}

function run(dir: string, extra: string[] = [], playbook = 'site.yml') {
  return runJson<Ev>(['run', path.join(dir, playbook), '-i', fixture.sandbox.inventoryFile, ...extra]);
}

/** `task|host|status` lines of the results, in the order they happened (hosts sorted within a task). */
function trace(events: Ev[]): string[] {
  const lines: string[] = [];
  let task = '';
  let group: string[] = [];
  const flush = (): void => {
    lines.push(...group.sort());
    group = [];
  };
  for (const e of events) {
    if (e.type === 'task_start') {
      flush();
      task = `${e.handler ? 'HANDLER ' : ''}${e.task}`;
    }
    if (e.type === 'task_result') group.push(`${task}|${e.host}|${e.status}`);
  }
  flush();
  return lines;
}

const recap = (events: Ev[]) => events.at(-1)!.hosts as Record<string, Record<string, number>>;
const play = (body: string, header = '- hosts: sandbox\n  gather_facts: false\n'): string => `${header}${body}`;

fixture.describe('the playbook language on sandbox hosts', () => {
  it('handlers: run once at the end, only when notified by a change, in definition order; listen; flush_handlers', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  tasks:',
          '    - name: change on node01 and node02',
          '      copy: { dest: "/tmp/h-{{ inventory_hostname }}", content: "x" }',
          '      when: (ne inventory_hostname "node03")',
          '      notify: [second, first]',
          '    - name: change again',
          '      copy: { dest: "/tmp/h2-{{ inventory_hostname }}", content: "y" }',
          '      notify: topic',
          '    - name: no change',
          '      command: "true"',
          '      changed_when: false',
          '      notify: never notified',
          '    - meta: flush_handlers',
          '    - name: after flush',
          '      debug: msg=after',
          '  handlers:',
          '    - name: first',
          '      debug: msg=first',
          '    - name: second',
          '      debug: msg=second',
          '    - name: by topic',
          '      debug: msg=topic',
          '      listen: topic',
          '    - name: never notified',
          '      debug: msg=never',
          '',
        ].join('\n'),
      ),
    });
    const first = await run(dir);
    expect(first.code).toBe(0);
    const t = trace(first.events);
    expect(t.filter((l) => l.startsWith('HANDLER'))).toEqual([
      'HANDLER first|node01|ok',
      'HANDLER first|node02|ok',
      'HANDLER second|node01|ok',
      'HANDLER second|node02|ok',
      'HANDLER by topic|node01|ok',
      'HANDLER by topic|node02|ok',
      'HANDLER by topic|node03|ok',
    ]);
    expect(t.indexOf('after flush|node01|ok')).toBeGreaterThan(t.indexOf('HANDLER by topic|node03|ok'));
    const again = await run(dir);
    expect(trace(again.events).filter((l) => l.startsWith('HANDLER'))).toEqual([]);
  });

  it("handlers: a failed host's pending handlers do not run, unless --force-handlers", async () => {
    const files = {
      'site.yml': play(
        [
          '  tasks:',
          '    - copy: { dest: "/tmp/fh-{{ inventory_hostname }}-{{ stamp }}", content: x }',
          '      notify: h',
          '    - fail: msg=boom',
          '      when: (eq inventory_hostname "node02")',
          '  handlers:',
          '    - name: h',
          '      debug: msg=handled',
          '',
        ].join('\n'),
      ),
    };
    const normal = await run(tree(files), ['-e', `stamp=${Date.now()}`]);
    expect(normal.code).toBe(2);
    expect(trace(normal.events).filter((l) => l.startsWith('HANDLER'))).toEqual([
      'HANDLER h|node01|ok',
      'HANDLER h|node03|ok',
    ]);
    const forced = await run(tree(files), ['-e', `stamp=${Date.now()}x`, '--force-handlers']);
    expect(trace(forced.events).filter((l) => l.startsWith('HANDLER'))).toEqual([
      'HANDLER h|node01|ok',
      'HANDLER h|node02|ok',
      'HANDLER h|node03|ok',
    ]);
  });

  it('blocks: rescue only where the block failed, always everywhere, counted rescued; ansible_failed_task in rescue', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  tasks:',
          '    - name: guarded',
          '      block:',
          '        - name: may fail',
          '          command: "false"',
          '          when: (eq inventory_hostname "node02")',
          '        - name: after failure',
          '          debug: msg=still',
          '      rescue:',
          '        - name: recover',
          '          debug: { msg: "rescued {{ ansible_failed_task.name }}" }',
          '      always:',
          '        - name: cleanup',
          '          debug: msg=always',
          '    - name: next',
          '      debug: msg=next',
          '',
        ].join('\n'),
      ),
    });
    const res = await run(dir);
    expect(res.code).toBe(0);
    expect(trace(res.events)).toEqual([
      'may fail|node01|skipped',
      'may fail|node02|failed',
      'may fail|node03|skipped',
      'after failure|node01|ok',
      'after failure|node03|ok',
      'recover|node02|ok',
      'cleanup|node01|ok',
      'cleanup|node02|ok',
      'cleanup|node03|ok',
      'next|node01|ok',
      'next|node02|ok',
      'next|node03|ok',
    ]);
    const recover = res.events.find((e) => e.type === 'task_result' && e.task === 'recover');
    expect(recover?.data?.['msg']).toBe('rescued may fail');
    expect(recap(res.events)['node02']).toMatchObject({ failed: 0, rescued: 1 });
  });

  it('blocks: a failure in rescue fails the host, and always still runs', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  tasks:',
          '    - block:',
          '        - command: "false"',
          '      rescue:',
          '        - fail: { msg: rescue failed too }',
          '      always:',
          '        - name: always',
          '          debug: msg=a',
          '    - name: not reached',
          '      debug: msg=x',
          '',
        ].join('\n'),
      ),
    });
    const res = await run(dir, ['--limit', 'node01']);
    expect(res.code).toBe(2);
    expect(trace(res.events)).toEqual(['command|node01|failed', 'fail|node01|failed', 'always|node01|ok']);
    expect(recap(res.events)['node01']).toMatchObject({ failed: 1, rescued: 1 });
  });

  it('loops: loop_control (loop_var, index_var, label, extended), with_items flattening, dict2items', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  vars:',
          '    sizes: { small: 1, big: 2 }',
          '  tasks:',
          '    - name: named loop',
          '      debug: { msg: "{{ idx }}={{ pkg.name }} {{ ansible_loop.index }}/{{ ansible_loop.length }}" }',
          '      loop: [{ name: a }, { name: b }]',
          '      loop_control: { loop_var: pkg, index_var: idx, label: "{{ pkg.name }}", extended: true }',
          '      register: named',
          '    - name: flattened',
          '      debug: { msg: "{{ item }}" }',
          '      with_items: [[1, 2], 3]',
          '      register: flat',
          '    - name: dict',
          '      debug: { msg: "{{ item.key }}:{{ item.value }}" }',
          '      loop: "{{ dict2items sizes }}"',
          '      register: dict',
          '    - assert:',
          '        that:',
          '          - (eq named.results.0.msg "0=a 1/2")',
          '          - (eq named.results.1.msg "1=b 2/2")',
          '          - (eq flat.results.length 3)',
          '          - (eq dict.results.1.msg "big:2")',
          '',
        ].join('\n'),
      ),
    });
    const res = await run(dir, ['--limit', 'node01']);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    const named = res.events.find((e) => e.type === 'task_result' && e.task === 'named loop');
    expect(named?.items?.map((i) => i.label)).toEqual(['a', 'b']);
  });

  it('until/retries/delay: retries until the condition holds and registers attempts', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  tasks:',
          '    - shell: "n=$(cat /tmp/until-{{ stamp }} 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/until-{{ stamp }}; echo $n"',
          '      register: r',
          '      until: (eq r.stdout "3")',
          '      retries: 5',
          '      delay: 0',
          '    - assert: { that: [(eq r.attempts 3)] }',
          '    - command: "false"',
          '      register: never',
          '      until: (eq never.rc 0)',
          '      retries: 1',
          '      delay: 0',
          '',
        ].join('\n'),
      ),
    });
    const res = await run(dir, ['--limit', 'node01', '-e', `stamp=${Date.now()}`]);
    expect(res.code).toBe(2);
    expect(res.events.filter((e) => e.type === 'retry').map((e) => e.retriesLeft)).toEqual([5, 4, 1]);
    expect(trace(res.events)).toEqual(['shell|node01|changed', 'assert|node01|ok', 'command|node01|failed']);
  });

  it('any_errors_fatal stops every host; max_fail_percentage aborts the play', async () => {
    const fatal = tree({
      'site.yml': play(
        [
          '  any_errors_fatal: true',
          '  tasks:',
          '    - fail: msg=x',
          '      when: (eq inventory_hostname "node03")',
          '    - name: next',
          '      debug: msg=never',
          '',
        ].join('\n'),
      ),
    });
    const a = await run(fatal);
    expect(a.code).toBe(2);
    expect(trace(a.events).some((l) => l.startsWith('next'))).toBe(false);
    expect(a.events.some((e) => e.type === 'play_aborted')).toBe(true);
    const pct = tree({
      'site.yml': play(
        [
          '  max_fail_percentage: 50',
          '  tasks:',
          '    - fail: msg=x',
          '      when: (ne inventory_hostname "node01")',
          '    - name: next',
          '      debug: msg=never',
          '',
        ].join('\n'),
      ),
    });
    const b = await run(pct);
    expect(trace(b.events).some((l) => l.startsWith('next'))).toBe(false);
  });

  it('serial batches, order, run_once, throttle and delegate_to localhost', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  serial: [1, 2]',
          '  order: reverse_inventory',
          '  tasks:',
          '    - name: once',
          '      command: echo {{ inventory_hostname }}',
          '      run_once: true',
          '      register: once',
          '    - name: shared',
          '      debug: { msg: "{{ once.stdout }}" }',
          '      throttle: 1',
          '    - name: on the controller',
          '      copy: { dest: "@DIR@/from-{{ inventory_hostname }}", content: "{{ inventory_hostname }}" }',
          '      delegate_to: localhost',
          '',
        ].join('\n'),
      ),
    });
    const res = await run(dir);
    expect(res.code).toBe(0);
    const batches = res.events.filter((e) => e.type === 'play_start').map((e) => e.hosts);
    expect(batches).toEqual([['node03'], ['node02', 'node01']]);
    const shared = res.events
      .filter((e) => e.type === 'task_result' && e.task === 'shared')
      .map((e) => `${e.host}:${String(e.data?.['msg'])}`);
    expect(shared.sort()).toEqual(['node01:node02', 'node02:node02', 'node03:node03']);
    for (const h of ['node01', 'node02', 'node03']) expect(readFileSync(path.join(dir, `from-${h}`), 'utf8')).toBe(h);
    const delegated = res.events.find((e) => e.type === 'task_result' && e.task === 'on the controller');
    expect(delegated?.delegatedTo).toBe('localhost');
  });

  it('include_tasks with loop and vars, import_tasks with when and tags, include_role/import_role with tasks_from', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  tasks:',
          '    - import_tasks: tasks/static.yml',
          '      when: (eq inventory_hostname "node01")',
          '      tags: [imp]',
          '    - include_tasks: "tasks/{{ which }}.yml"',
          '      loop: [a, b]',
          '      vars: { which: dynamic }',
          '    - include_role: { name: r, tasks_from: other }',
          '    - import_role: { name: r }',
          '',
        ].join('\n'),
      ),
      'tasks/static.yml': '- name: static one\n  debug: msg=s1\n- name: static two\n  debug: msg=s2\n',
      'tasks/dynamic.yml': '- name: "dynamic {{ item }}"\n  debug: { msg: "{{ item }} {{ which }}" }\n',
      'roles/r/tasks/main.yml': '- name: main of r\n  debug: { msg: "{{ r_value }}" }\n',
      'roles/r/tasks/other.yml': '- name: other of r\n  debug: { msg: "other {{ r_value }}" }\n',
      'roles/r/defaults/main.yml': 'r_value: default\n',
    });
    const res = await run(dir, ['--limit', 'node01:node02']);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(trace(res.events)).toEqual([
      'static one|node01|ok',
      'static one|node02|skipped',
      'static two|node01|ok',
      'static two|node02|skipped',
      // An include has a result of its own on each host, as in Ansible (shown, not counted).
      'include_tasks|node01|ok',
      'include_tasks|node02|ok',
      'dynamic a|node01|ok',
      'dynamic a|node02|ok',
      'dynamic b|node01|ok',
      'dynamic b|node02|ok',
      'include_role : r|node01|ok',
      'include_role : r|node02|ok',
      'r : other of r|node01|ok',
      'r : other of r|node02|ok',
      'r : main of r|node01|ok',
      'r : main of r|node02|ok',
    ]);
    // A task file's include event names it as ansible-playbook's `included:` line does: resolved, absolute.
    expect(res.events.filter((e) => e.type === 'include').map((e) => e.file)).toEqual([
      path.join(dir, 'tasks/dynamic.yml'),
      path.join(dir, 'tasks/dynamic.yml'),
      'r',
    ]);
    const tagged = await run(dir, ['--limit', 'node01', '--tags', 'imp']);
    expect(trace(tagged.events)).toEqual(['static one|node01|ok', 'static two|node01|ok']);
  });

  it('roles: meta dependencies run once, argument specs are validated before the role runs', async () => {
    const dir = tree({
      'site.yml': play(['  roles:', '    - { role: app, app_port: 80 }', '    - { role: web }', ''].join('\n')),
      'roles/base/tasks/main.yml': '- name: base task\n  debug: msg=base\n',
      'roles/app/meta/main.yml': 'dependencies: [base]\n',
      'roles/app/tasks/main.yml': '- name: app task\n  debug: { msg: "port {{ app_port }}" }\n',
      'roles/app/meta/argument_specs.yml':
        'argument_specs:\n  main:\n    options:\n      app_port: { type: int, required: true }\n',
      'roles/web/meta/main.yml': 'dependencies: [base]\n',
      'roles/web/tasks/main.yml': '- name: web task\n  debug: msg=web\n',
    });
    const ok = await run(dir, ['--limit', 'node01']);
    expect(ok.code).toBe(0);
    expect(trace(ok.events)).toEqual([
      'base : base task|node01|ok',
      "app : Validating arguments against arg spec 'main'|node01|ok",
      'app : app task|node01|ok',
      'web : web task|node01|ok',
    ]);
    writeFileSync(path.join(dir, 'site.yml'), play('  roles:\n    - { role: app, app_port: eighty }\n'));
    const bad = await run(dir, ['--limit', 'node01']);
    expect(bad.code).toBe(2);
    const failure = bad.events.find((e) => e.type === 'task_result' && e.status === 'failed');
    expect(failure?.msg).toMatch(/app_port: must be integer/);
    expect(trace(bad.events).some((l) => l.startsWith('app : app task'))).toBe(false);
  });

  it('tags: --tags, --skip-tags, always and never', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  tasks:',
          '    - { name: a, debug: msg=a, tags: [x] }',
          '    - { name: b, debug: msg=b, tags: [y] }',
          '    - { name: c, debug: msg=c, tags: [always] }',
          '    - { name: d, debug: msg=d, tags: [never, debugonly] }',
          '    - { name: e, debug: msg=e }',
          '',
        ].join('\n'),
      ),
    });
    const names = async (args: string[]) =>
      trace((await run(dir, ['--limit', 'node01', ...args])).events).map((l) => l.split('|')[0]);
    expect(await names([])).toEqual(['a', 'b', 'c', 'e']);
    expect(await names(['--tags', 'x'])).toEqual(['a', 'c']);
    expect(await names(['--skip-tags', 'x,always'])).toEqual(['b', 'e']);
    expect(await names(['--tags', 'debugonly'])).toEqual(['c', 'd']);
    expect(await names(['--tags', 'untagged'])).toEqual(['c', 'e']);
  });

  it('environment, per-task check_mode and --start-at-task', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  environment: { GREETING: hello }',
          '  tasks:',
          '    - name: real even in check',
          '      copy: { dest: "/tmp/cm-{{ stamp }}", content: x }',
          '      check_mode: false',
          '    - name: never real',
          '      copy: { dest: "/tmp/cm2-{{ stamp }}", content: x }',
          '      check_mode: true',
          '    - name: env',
          '      shell: echo "$GREETING $WHO"',
          '      environment: { WHO: "{{ inventory_hostname }}" }',
          '      register: env',
          '    - assert: { that: [(eq env.stdout "hello node01")] }',
          '      when: (not ansible_check_mode)',
          '',
        ].join('\n'),
      ),
    });
    const stamp = String(Date.now());
    const check = await run(dir, ['--limit', 'node01', '--check', '-e', `stamp=${stamp}`]);
    expect(check.err).toBe('');
    expect(trace(check.events)).toEqual([
      'real even in check|node01|changed',
      'never real|node01|changed',
      'env|node01|skipped',
      'assert|node01|skipped',
    ]);
    const real = await run(dir, ['--limit', 'node01', '-e', `stamp=${stamp}`]);
    expect(real.code).toBe(0);
    expect(trace(real.events)).toEqual([
      'real even in check|node01|ok',
      'never real|node01|changed',
      'env|node01|changed',
      'assert|node01|ok',
    ]);
    const started = await run(dir, ['--limit', 'node01', '-e', `stamp=${stamp}`, '--start-at-task', 'env*']);
    expect(trace(started.events).map((l) => l.split('|')[0])).toEqual(['env', 'assert']);
  });

  it('strategy free runs every host through the tasks; import_playbook splices plays', async () => {
    const dir = tree({
      'site.yml':
        '- import_playbook: other.yml\n' +
        play('  strategy: free\n  tasks:\n    - { name: one, debug: msg=1 }\n    - { name: two, debug: msg=2 }\n'),
      'other.yml': play('  tasks:\n    - { name: imported, debug: msg=i }\n'),
    });
    const res = await run(dir);
    expect(res.code).toBe(0);
    const t = trace(res.events);
    for (const h of ['node01', 'node02', 'node03']) {
      expect(t).toContain(`imported|${h}|ok`);
      expect(t).toContain(`two|${h}|ok`);
    }
    expect(res.events.filter((e) => e.type === 'play_start')).toHaveLength(2);
  });

  it('meta end_host / clear_host_errors, delegate_to another host, ignore_unreachable', async () => {
    const dir = tree({
      'site.yml': play(
        [
          '  tasks:',
          '    - meta: end_host',
          '      when: (eq inventory_hostname "node03")',
          '    - name: fails on node02',
          '      fail: { msg: boom }',
          '      when: (eq inventory_hostname "node02")',
          '    - meta: clear_host_errors',
          '    - name: where am I',
          '      command: hostname',
          '      delegate_to: node01',
          '      register: where',
          '    - name: unreachable but ignored',
          '      command: "true"',
          `      delegate_to: ${NOBODY}`,
          '      ignore_unreachable: true',
          '    - name: last',
          '      debug: { msg: "{{ where.stdout }}" }',
          '',
        ].join('\n'),
      ),
    });
    const res = await run(dir);
    // As ansible-playbook 2.14: clear_host_errors takes node02 off the failed list (exit 0, recap still failed=1),
    // but a host whose failure took it out of the play does not come back in this play.
    expect(res.code).toBe(0);
    const t = trace(res.events);
    expect(t.filter((l) => l.includes('node03'))).toEqual([]);
    expect(t).toContain('fails on node02|node02|failed');
    expect(t).not.toContain('where am I|node02|changed');
    expect(recap(res.events)['node02']).toMatchObject({ failed: 1 });
    expect(t).toContain('unreachable but ignored|node01|unreachable');
    const last = res.events
      .filter((e) => e.type === 'task_result' && e.task === 'last')
      .map((e) => `${e.host}:${String(e.data?.['msg'])}`)
      .sort();
    expect(last).toEqual(['node01:node01']);
    expect(recap(res.events)['node01']).toMatchObject({ unreachable: 0, ignored: 1 });
  });

  it('--list-tasks and --list-tags connect to nothing', async () => {
    const dir = tree({
      'site.yml': play('  tasks:\n    - { name: a, debug: msg=a, tags: [x] }\n    - { name: b, debug: msg=b }\n'),
      'hosts.ini': `[sandbox]\n${NOBODY}\n`,
    });
    // The only host is an address where nothing listens: listing must not try to reach it.
    const t0 = Date.now();
    const { code, out } = await runCli([
      'run',
      path.join(dir, 'site.yml'),
      '-i',
      path.join(dir, 'hosts.ini'),
      '--list-hosts',
      '--list-tasks',
      '--list-tags',
    ]);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out).toContain(`      ${NOBODY}\n`);
    expect(out).toContain('a\tTAGS: [x]');
    expect(out).toContain('b\tTAGS: []');
    expect(out).toContain('TASK TAGS: [x]');
  });
});
