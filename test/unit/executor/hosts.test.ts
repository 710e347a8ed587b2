import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { mergeFacts } from '../../../src/modules/lib/facts.js';
import { Hosts } from '../../../src/executor/hosts.js';
import type { RunOptions } from '../../../src/executor/run.js';
import { loadInventory, type Inventory } from '../../../src/inventory/index.js';
import type { Play, Playbook, Role } from '../../../src/playbook/types.js';
import { createTemplateEngine, type TemplateEngine } from '../../../src/template/index.js';
import type { VarLayer, VarLevel } from '../../../src/vars/scope.js';

const layer = (level: VarLevel, values: Record<string, unknown>): VarLayer => ({ level, source: level, values });

async function inventory(): Promise<Inventory> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bosun-hosts-'));
  writeFileSync(
    path.join(dir, 'hosts.ini'),
    '[web]\nweb1 x=inventory inv_only=1\nweb2 x=inventory\n[web:vars]\ngroup_only=1\n',
  );
  return loadInventory([path.join(dir, 'hosts.ini')]);
}

const role = (name: string, defaults: Record<string, unknown>, vars: Record<string, unknown>): Role =>
  ({
    name,
    dir: `/roles/${name}`,
    defaults: layer('role_defaults', defaults),
    vars: layer('role_vars', vars),
  }) as unknown as Role;

describe('Hosts.taskVars', () => {
  const web = role('web', { x: 'web default', web_default: 1 }, { web_var: 'web' });
  const other = role('other', { x: 'other default', other_default: 1 }, { x_role: 'other' });
  const play = {
    name: 'p',
    vars: layer('play_vars', { x: 'play', play_only: 1 }),
    varsFiles: [],
    roles: [web, other],
  } as unknown as Play;
  const playbook = { dir: '/pb' } as unknown as Playbook;
  let hosts: Hosts;
  let extraVars: VarLayer[];

  beforeEach(async () => {
    extraVars = [];
    const opts = {
      extraVars,
      check: false,
      diff: false,
      verbosity: 0,
      tags: { only: [], skip: [] },
    } as unknown as RunOptions;
    hosts = new Hosts(await inventory(), opts);
    await hosts.prepare('web1', '/pb');
    await hosts.prepare('web2', '/pb');
  });

  const varsOf = (host: string, ctx: { role?: Role; layers?: VarLayer[] } = {}): Record<string, unknown> =>
    hosts.taskVars(hosts.playScope(play, host), host, {
      play,
      playbook,
      hosts: ['web1', 'web2'],
      layers: ctx.layers ?? [],
      ...(ctx.role ? { role: ctx.role } : {}),
    });

  it('puts facts below play vars, set_fact above them, and extra vars above everything', () => {
    const scope = hosts.playScope(play, 'web1');
    const at = (): Record<string, unknown> =>
      hosts.taskVars(scope, 'web1', { play, playbook, hosts: ['web1'], layers: [layer('task_vars', { t: 1 })] });
    expect(at()['x']).toBe('play');
    hosts.get('web1').facts = mergeFacts(hosts.get('web1').facts, { x: 'fact', ansible_distribution: 'Debian' });
    // As Ansible injects module facts: under their own names (below play vars) and in ansible_facts.
    expect(at()).toMatchObject({ x: 'play', ansible_distribution: 'Debian', ansible_facts: { x: 'fact' } });
    expect(at()['ansible_x']).toBeUndefined();
    hosts.get('web1').facts = { x: 'plain fact', fact_only: 1 };
    expect(at()).toMatchObject({ x: 'play', fact_only: 1 });
    hosts.get('web1').runtime['x'] = 'set_fact';
    expect(at()['x']).toBe('set_fact');
    extraVars.push(layer('extra_vars', { x: 'extra' }));
    expect(at()['x']).toBe('extra');
  });

  it('sees a value registered by one task in the next, on that host only', () => {
    expect(varsOf('web1')['result']).toBeUndefined();
    hosts.get('web1').runtime['result'] = { results: [{ item: 1 }, { item: 2 }] };
    expect(varsOf('web1')['result']).toEqual({ results: [{ item: 1 }, { item: 2 }] });
    expect(varsOf('web2')['result']).toBeUndefined();
  });

  it("layers a role's own defaults and vars again over the play-wide ones, for that role's tasks only", () => {
    expect(varsOf('web1')).toMatchObject({
      x: 'play',
      web_default: 1,
      other_default: 1,
      web_var: 'web',
      x_role: 'other',
    });
    expect(varsOf('web1', { role: web })).toMatchObject({ x: 'play', role_name: 'web', role_path: '/roles/web' });
    const noPlayVar = { ...play, vars: layer('play_vars', {}) };
    const scope = hosts.playScope(noPlayVar, 'web1');
    const inRole = (r: Role): unknown =>
      hosts.taskVars(scope, 'web1', { play: noPlayVar, playbook, hosts: ['web1'], role: r, layers: [] })['x'];
    // Inventory host vars beat every role default, the role's own included.
    expect(inRole(web)).toBe('inventory');
    expect(varsOf('web1', { role: other })['role_name']).toBe('other');
    expect(varsOf('web1')['role_name']).toBeUndefined();
  });

  it('orders block, task and include layers by level whatever order they come in', () => {
    const vars = varsOf('web1', {
      layers: [
        layer('include_params', { x: 'include', i: 1 }),
        layer('block_vars', { x: 'block', b: 1 }),
        layer('task_vars', { x: 'task' }),
      ],
    });
    expect(vars).toMatchObject({ x: 'include', i: 1, b: 1 });
    hosts.get('web1').runtime['x'] = 'set_fact';
    expect(varsOf('web1', { layers: [layer('task_vars', { x: 'task' })] })['x']).toBe('set_fact');
    expect(varsOf('web1', { layers: [layer('include_params', { x: 'include' })] })['x']).toBe('include');
  });

  it('keeps magic variables on top and per host, and gives each call its own object', () => {
    const a = varsOf('web1', { layers: [layer('task_vars', { inventory_hostname: 'mine', groups: 'mine' })] });
    expect(a).toMatchObject({
      inventory_hostname: 'web1',
      group_names: ['web'],
      groups: { all: ['web1', 'web2'], web: ['web1', 'web2'] },
      inv_only: 1,
      group_only: '1',
      playbook_dir: '/pb',
      ansible_play_hosts: ['web1', 'web2'],
      ansible_run_tags: ['all'],
    });
    a['x'] = 'changed';
    const b = varsOf('web1');
    expect(b['x']).toBe('play');
    expect(varsOf('web2')).toMatchObject({ inventory_hostname: 'web2', x: 'play' });
    expect(varsOf('web2')['inv_only']).toBeUndefined();
  });

  it('reads hostvars live: facts and registered values of other hosts', () => {
    hosts.get('web2').runtime['token'] = 'abc';
    hosts.get('web2').facts = { ansible_os_family: 'Debian' };
    const hv = varsOf('web1')['hostvars'] as Record<string, Record<string, unknown>>;
    expect(hv['web2']).toMatchObject({
      token: 'abc',
      ansible_os_family: 'Debian',
      inventory_hostname: 'web2',
      x: 'inventory',
    });
  });
});

describe('hostvars views', () => {
  const play = { name: 'p', vars: layer('play_vars', { x: 'play' }), varsFiles: [], roles: [] } as unknown as Play;
  const playbook = { dir: '/pb' } as unknown as Playbook;
  const opts = { extraVars: [], check: false, diff: false, verbosity: 0, tags: { only: [], skip: [] } };

  async function setup(): Promise<{ hosts: Hosts; engine: TemplateEngine; renders: string[] }> {
    const engine = createTemplateEngine();
    const renders: string[] = [];
    const renderString = engine.renderString.bind(engine);
    engine.renderString = (text, vars, source) => {
      renders.push(text);
      return renderString(text, vars, source);
    };
    const hosts = new Hosts(await inventory(), opts, engine);
    await hosts.prepare('web1', '/pb');
    await hosts.prepare('web2', '/pb');
    hosts
      .get('web2')
      .inventoryLayers!.push(
        layer('host_vars', { tpl: '{{ inventory_hostname }}-{{ x }}', bad: '{{ nothere }}', other: '{{ missing }}' }),
      );
    return { hosts, engine, renders };
  }
  const varsOf = (hosts: Hosts, host: string): Record<string, unknown> =>
    hosts.taskVars(hosts.playScope(play, host), host, { play, playbook, hosts: ['web1', 'web2'], layers: [] });

  it("renders one key, in its own host's context, in both dialects", async () => {
    const { hosts, engine, renders } = await setup();
    const vars = varsOf(hosts, 'web1');
    expect(engine.renderString("{{ hostvars['web2'].tpl }}", vars)).toBe('web2-inventory');
    expect(engine.renderString('{{ lookup (lookup hostvars "web2") "tpl" }}', vars)).toBe('web2-inventory');
    // Only the key read was rendered: `bad` and `other` never were.
    expect(renders.filter((t) => t.includes('nothere') || t.includes('missing'))).toEqual([]);
    // An undefined name in the other host's context leaves the value as it was (Ansible's fail_on_undefined=False).
    expect(engine.renderString('{{ hostvars.web2.bad }}', vars)).toBe('{{ nothere }}');
  });

  it('renders a key once for any number of readers, again after the host changed', async () => {
    const { hosts, engine, renders } = await setup();
    for (let i = 0; i < 1000; i++) engine.renderString("{{ hostvars['web2'].tpl }}", varsOf(hosts, 'web1'));
    expect(renders.filter((t) => t === '{{ inventory_hostname }}-{{ x }}')).toHaveLength(1);
    hosts.get('web2').runtime['x'] = 'set';
    hosts.get('web2').varsVersion++;
    expect(engine.renderString("{{ hostvars['web2'].tpl }}", varsOf(hosts, 'web1'))).toBe('web2-set');
  });
});
