/**
 * Per-host state that lives across tasks and plays (facts, set_fact and
 * register values, the persistent connection, failure flags, notified
 * handlers), and the variables a task sees on a host, merged by precedence.
 */
import { connectionSpecFromVars, createConnection } from '../connection/spec.js';
import type { Connection } from '../connection/types.js';
import { hostVarLayers, magicVars, selectHosts, type Inventory } from '../inventory/index.js';
import type { Play, Playbook, Role, Task } from '../playbook/types.js';
import type { TemplateEngine } from '../template/index.js';
import { VarScope, type VarLayer } from '../vars/scope.js';
import type { RunOptions } from './run.js';

/** One host's state. */
export interface HostState {
  name: string;
  inventoryLayers: VarLayer[] | undefined;
  facts: Record<string, unknown>;
  /** set_fact and register (one precedence level). */
  runtime: Record<string, unknown>;
  conn: Promise<Connection> | undefined;
  failed: boolean;
  unreachable: boolean;
  /** meta: end_host / end_play: no more tasks in this play. */
  ended: boolean;
  /** Handler names and listen topics notified and not yet run. */
  notified: Set<string>;
  /** The last failure, for ansible_failed_task / ansible_failed_result in rescue. */
  lastFailure: { task: Task; result: Record<string, unknown> } | undefined;
}

/** The hosts of a run: their states, variables and connections. */
export class Hosts {
  private readonly states = new Map<string, HostState>();
  private hostvarsObject: Record<string, unknown> | undefined;

  constructor(
    readonly inventory: Inventory,
    private readonly engine: TemplateEngine,
    private readonly opts: RunOptions,
  ) {}

  /** The state of a host (created on first use). */
  get(host: string): HostState {
    let s = this.states.get(host);
    if (!s) {
      s = {
        name: host, inventoryLayers: undefined, facts: {}, runtime: {}, conn: undefined,
        failed: false, unreachable: false, ended: false, notified: new Set(), lastFailure: undefined,
      };
      this.states.set(host, s);
    }
    return s;
  }

  /** Read the host's inventory layers (group_vars, host_vars beside the inventory and the playbook) once. */
  async prepare(host: string, playbookDir: string): Promise<void> {
    const s = this.get(host);
    // delegate_to may name a host that is not in the inventory (Ansible connects to it by name).
    s.inventoryLayers ??= this.inventory.hosts.has(host) ? await hostVarLayers(this.inventory, host, { playbookDir }) : [];
  }

  /** Can the host run more tasks in this play? */
  active(host: string): boolean {
    const s = this.get(host);
    return !s.failed && !s.unreachable && !s.ended;
  }

  /** The layers that stay the same for a host during a play (runtime layers are added per task). */
  playScope(play: Play, host: string): VarScope {
    const s = this.get(host);
    return new VarScope([...play.roles.map((r) => r.defaults), ...(s.inventoryLayers ?? []), play.vars, ...play.varsFiles, ...play.roles.map((r) => r.vars)]);
  }

  /** Every variable a task sees on a host, with magic variables on top. */
  taskVars(
    scope: VarScope, host: string, ctx: { play: Play; playbook: Playbook; hosts: string[]; role?: Role; layers: VarLayer[] },
  ): Record<string, unknown> {
    const s = this.get(host);
    const layers: VarLayer[] = [
      { level: 'facts', source: 'facts', values: s.facts },
      { level: 'set_fact', source: 'set_fact/register', values: s.runtime },
      ...(ctx.role ? [ctx.role.defaults, ctx.role.vars] : []),
      ...ctx.layers,
      ...this.opts.extraVars,
    ];
    const vars = { ...scope.with(...layers).toObject() };
    Object.assign(vars, magicVars(this.inventory, host), {
      playbook_dir: ctx.playbook.dir,
      ansible_play_name: ctx.play.name,
      ansible_play_hosts: ctx.hosts,
      ansible_play_hosts_all: ctx.hosts,
      ansible_play_batch: ctx.hosts,
      play_hosts: ctx.hosts,
      ansible_check_mode: this.opts.check,
      ansible_diff_mode: this.opts.diff,
      ansible_verbosity: this.opts.verbosity,
      ansible_run_tags: this.opts.tags.only.length ? this.opts.tags.only : ['all'],
      ansible_skip_tags: this.opts.tags.skip,
      hostvars: this.hostvars(),
      ...(ctx.role ? { role_name: ctx.role.name, role_path: ctx.role.dir } : {}),
    });
    return vars;
  }

  /** `hostvars`: every host's current variables, computed when read (one object for the run: its getters read live state). */
  hostvars(): Record<string, unknown> {
    if (this.hostvarsObject) return this.hostvarsObject;
    const out: Record<string, unknown> = {};
    this.hostvarsObject = out;
    for (const name of this.inventory.hosts.keys()) {
      Object.defineProperty(out, name, {
        enumerable: true,
        get: () => {
          const s = this.states.get(name);
          const base = new VarScope(s?.inventoryLayers ?? []);
          return { ...base.toObject(), ...s?.facts, ...s?.runtime, ...magicVars(this.inventory, name) };
        },
      });
    }
    return out;
  }

  /** Variables enough to connect to a host that is not in the play (delegate_to, fact gathering). */
  async connectionVars(host: string, playbookDir: string): Promise<Record<string, unknown>> {
    // `localhost` / 127.0.0.1 outside the inventory is the implicit localhost (local connection): the
    // inventory adds it when a pattern names it, as Ansible does.
    if (!this.inventory.hosts.has(host) && /^[\w.-]+$/.test(host)) selectHosts(this.inventory, host);
    await this.prepare(host, playbookDir);
    const s = this.get(host);
    const magic = this.inventory.hosts.has(host) ? magicVars(this.inventory, host) : { inventory_hostname: host, inventory_hostname_short: host.split('.')[0] };
    return { ...new VarScope(s.inventoryLayers ?? []).with(...this.opts.extraVars).toObject(), ...magic };
  }

  /** The host's one connection for the whole run (opened on first use; a failure is remembered). */
  connection(host: string, vars: Record<string, unknown>): Promise<Connection> {
    const state = this.get(host);
    if (!state.conn) {
      const p = (async () => {
        const connVars: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(vars)) {
          if (!k.startsWith('ansible_') || k === 'ansible_facts') continue;
          connVars[k] = typeof v === 'string' && v.includes('{{') ? this.engine.renderString(v, vars) : v;
        }
        const spec = connectionSpecFromVars(host, connVars, this.opts.connection);
        const conn = createConnection(spec);
        await conn.connect();
        return conn;
      })();
      state.conn = p;
      p.catch(() => undefined);
    }
    return state.conn;
  }

  /** Close every connection opened during the run. */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.states.values()].map(async (s) => (await s.conn?.catch(() => undefined))?.close()));
  }
}
