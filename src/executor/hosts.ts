/**
 * The hosts of a run: each host's state (src/executor/host-state.ts) and
 * the variables a task sees on a host, merged by precedence.
 */
import { hostVarLayers, magicVars, selectHosts, type Inventory } from '../inventory/index.js';
import type { Play, Playbook, Role } from '../playbook/types.js';
import type { TemplateEngine } from '../template/index.js';
import { markUnsafe } from '../util/unsafe.js';
import { VarScope, type VarLayer } from '../vars/scope.js';
import { HostVarsViews, withMagic } from './hostvars.js';
import { HostState } from './host-state.js';
import type { RunSettings } from './context.js';

/** The play's hosts as the magic variables name them. */
interface PlayHosts {
  /** `ansible_play_batch`: the batch's hosts still running. */
  batch: string[];
  /** `ansible_play_hosts_all`: every host of the play. */
  all: string[];
  /** `ansible_play_hosts`: the play's hosts still running. */
  active: string[];
}

/** `ansible_version`: the ansible-core release whose behaviour bosun follows (docs/ansible-differences.md). */
const ANSIBLE_VERSION = { full: '2.14.18', major: 2, minor: 14, revision: 18, string: '2.14.18' };

/** The facts with `ansible_facts` always there, `{}` before any were gathered (Ansible's namespace_facts). */
function withFactsDict(facts: Record<string, unknown>): Record<string, unknown> {
  return 'ansible_facts' in facts ? facts : { ansible_facts: {}, ...facts };
}

/** The hosts of a run: their states, variables and connections. */
export class Hosts {
  private readonly states = new Map<string, HostState>();
  private hostvarsObject: Record<string, unknown> | undefined;
  private readonly roleScopes = new WeakMap<VarScope, Map<Role, VarScope>>();
  private readonly factsScopes = new WeakMap<VarScope, WeakMap<Record<string, unknown>, VarScope>>();
  private readonly magicByHost = new Map<string, Record<string, unknown>>();
  private playMagicCache:
    { play: Play; playbook: Playbook; hosts: PlayHosts; vars: Record<string, unknown> } | undefined;
  private readonly searchPaths = new Map<string, string[]>();
  private readonly views: HostVarsViews;
  /** The run-level magic variables a host's hostvars show (those of the last play's magic). */
  private runMagic: Record<string, unknown> = {};

  constructor(
    readonly inventory: Inventory,
    private readonly opts: Pick<RunSettings, 'check' | 'diff' | 'verbosity' | 'tags' | 'extraVars'>,
    /** Renders hostvars values in their host's context (without it they are given unrendered). */
    engine?: TemplateEngine,
  ) {
    this.views = new HostVarsViews(engine);
  }

  /** The state of a host (created on first use). */
  get(host: string): HostState {
    let s = this.states.get(host);
    if (!s) this.states.set(host, (s = new HostState(host)));
    return s;
  }

  /** Read the host's inventory layers (group_vars, host_vars beside the inventory and the playbook) once. */
  async prepare(host: string, playbookDir: string): Promise<void> {
    const s = this.get(host);
    // delegate_to may name a host that is not in the inventory (Ansible connects to it by name).
    s.inventoryLayers ??= this.inventory.hosts.has(host)
      ? await hostVarLayers(this.inventory, host, { playbookDir })
      : [];
  }

  /**
   * The inventory changed (add_host, group_by): drop what was computed from it, and read the inventory layers of
   * `changed` hosts again (their groups or variables changed), where they were read before.
   */
  async inventoryChanged(changed: Iterable<string>, playbookDir: string): Promise<void> {
    this.magicByHost.clear();
    this.hostvarsObject = undefined;
    this.playMagicCache = undefined;
    this.views.clear();
    for (const host of changed) {
      const s = this.states.get(host);
      if (s?.inventoryLayers === undefined) continue;
      s.inventoryLayers = undefined;
      await this.prepare(host, playbookDir);
    }
  }

  /** Can the host run more tasks in this play? */
  active(host: string): boolean {
    return this.get(host).active;
  }

  /** The layers that stay the same for a host during a play (runtime layers are added per task). */
  playScope(play: Play, host: string): VarScope {
    const s = this.get(host);
    return new VarScope([
      ...play.roles.map((r) => r.defaults),
      ...(s.inventoryLayers ?? []),
      play.vars,
      ...play.varsFiles,
      ...play.roles.map((r) => r.vars),
    ]);
  }

  /**
   * Every variable a task sees on a host, with magic variables on top. The
   * play's layers are merged once per host (and role); only the layers that
   * change between tasks (facts, set_fact/register, block/task/include vars,
   * extra vars) are merged per call, each at its precedence.
   */
  taskVars(
    scope: VarScope,
    host: string,
    ctx: {
      play: Play;
      playbook: Playbook;
      /** The batch's hosts still running. */
      hosts: string[];
      /** Every host of the play, and those still running. */
      allHosts?: string[];
      activeHosts?: string[];
      /** The folder of the task's file (the search path of lookups). */
      fileDir?: string;
      role?: Role;
      layers: VarLayer[];
    },
  ): Record<string, unknown> {
    const s = this.get(host);
    const vars = this.factsScope(this.roleScope(scope, ctx.role), s.facts).mergeWith([
      { level: 'include_vars', source: 'include_vars', values: s.includedVars },
      { level: 'set_fact', source: 'set_fact/register', values: s.runtime, unsafe: true },
      ...ctx.layers,
      ...this.opts.extraVars,
    ]);
    const playHosts: PlayHosts = {
      batch: ctx.hosts,
      all: ctx.allHosts ?? ctx.hosts,
      active: ctx.activeHosts ?? ctx.hosts,
    };
    Object.assign(
      vars,
      this.magic(host),
      this.playMagic(ctx.play, ctx.playbook, playHosts),
      ctx.role ? { role_name: ctx.role.name, role_path: ctx.role.dir } : undefined,
      { ansible_search_path: this.searchPath(ctx.playbook.dir, ctx.fileDir, ctx.role?.dir) },
    );
    return vars;
  }

  /** `ansible_search_path`, as Ansible's Task.get_search_path: the role, the task file's folder, the playbook's. */
  private searchPath(playbookDir: string, fileDir: string | undefined, roleDir: string | undefined): string[] {
    const key = `${roleDir ?? ''}\0${fileDir ?? ''}\0${playbookDir}`;
    let paths = this.searchPaths.get(key);
    if (!paths) {
      paths = [...new Set([...(roleDir ? [roleDir] : []), ...(fileDir ? [fileDir] : []), playbookDir])];
      this.searchPaths.set(key, paths);
    }
    return paths;
  }

  /** The play's scope with a role's own defaults and vars layered again on top of their levels (cached per scope and role). */
  private roleScope(scope: VarScope, role: Role | undefined): VarScope {
    if (!role) return scope;
    let byRole = this.roleScopes.get(scope);
    if (!byRole) this.roleScopes.set(scope, (byRole = new Map<Role, VarScope>()));
    let withRole = byRole.get(role);
    if (!withRole) byRole.set(role, (withRole = scope.with(role.defaults, role.vars)));
    return withRole;
  }

  /**
   * A scope with the host's facts at their level (cached per facts object:
   * facts are replaced, never changed in place, when a task or a gather
   * brings new ones), so that the layers around them are merged once.
   */
  private factsScope(scope: VarScope, facts: Record<string, unknown>): VarScope {
    let byFacts = this.factsScopes.get(scope);
    if (!byFacts) this.factsScopes.set(scope, (byFacts = new WeakMap()));
    let withFacts = byFacts.get(facts);
    if (!withFacts)
      byFacts.set(
        facts,
        (withFacts = scope.with({ level: 'facts', source: 'facts', values: withFactsDict(facts), unsafe: true })),
      );
    return withFacts;
  }

  /** A host's magic inventory variables (computed once: the inventory does not change during a run). */
  private magic(host: string): Record<string, unknown> {
    let vars = this.magicByHost.get(host);
    if (!vars) this.magicByHost.set(host, (vars = magicVars(this.inventory, host)));
    return vars;
  }

  /** The magic variables of the play and the run, the same for every host (one object while the play's hosts do not change). */
  private playMagic(play: Play, playbook: Playbook, hosts: PlayHosts): Record<string, unknown> {
    const cached = this.playMagicCache;
    if (
      cached?.play === play &&
      cached.playbook === playbook &&
      cached.hosts.batch === hosts.batch &&
      cached.hosts.all === hosts.all &&
      cached.hosts.active === hosts.active
    )
      return cached.vars;
    const vars: Record<string, unknown> = {
      playbook_dir: playbook.dir,
      ansible_play_name: play.name,
      ansible_play_hosts: hosts.active,
      ansible_play_hosts_all: hosts.all,
      ansible_play_batch: hosts.batch,
      play_hosts: hosts.batch,
      ansible_version: ANSIBLE_VERSION,
      ansible_check_mode: this.opts.check,
      ansible_diff_mode: this.opts.diff,
      ansible_verbosity: this.opts.verbosity,
      ansible_run_tags: this.opts.tags.only.length ? this.opts.tags.only : ['all'],
      ansible_skip_tags: this.opts.tags.skip,
      hostvars: this.hostvars(),
    };
    this.playMagicCache = { play, playbook, hosts, vars };
    if (this.runMagic['playbook_dir'] !== playbook.dir)
      this.runMagic = {
        playbook_dir: playbook.dir,
        ansible_version: ANSIBLE_VERSION,
        ansible_check_mode: this.opts.check,
        ansible_diff_mode: this.opts.diff,
        ansible_verbosity: this.opts.verbosity,
        ansible_run_tags: vars['ansible_run_tags'],
        ansible_skip_tags: vars['ansible_skip_tags'],
      };
    return vars;
  }

  /**
   * `hostvars`: every inventory host's view (src/executor/hostvars.ts), built when read and rebuilt only when the
   * host's variables changed; one object for the run, data to the reader (nothing in it is rendered in the reader's
   * context).
   */
  hostvars(): Record<string, unknown> {
    if (this.hostvarsObject) return this.hostvarsObject;
    const out: Record<string, unknown> = {};
    this.hostvarsObject = out;
    for (const name of this.inventory.hosts.keys()) {
      Object.defineProperty(out, name, {
        enumerable: true,
        get: () => this.hostView(name),
      });
    }
    return markUnsafe(out);
  }

  /** One host's hostvars view, as Ansible's get_vars(host) without a play: no play vars, no role defaults. */
  private hostView(name: string): Record<string, unknown> {
    const s = this.states.get(name);
    const magic = this.magic(name);
    const key = {
      state: s,
      version: s?.varsVersion ?? 0,
      layers: s?.inventoryLayers,
      facts: s?.facts,
      magic,
      run: this.runMagic,
    };
    return this.views.view(name, key, () => {
      const scope = new VarScope([
        ...(s?.inventoryLayers ?? []),
        { level: 'facts', source: 'facts', values: withFactsDict(s?.facts ?? {}), unsafe: true },
        { level: 'include_vars', source: 'include_vars', values: s?.includedVars ?? {} },
        { level: 'set_fact', source: 'set_fact/register', values: s?.runtime ?? {}, unsafe: true },
        ...this.opts.extraVars,
      ]);
      return withMagic(scope.toObject(), { ...this.runMagic, ...magic });
    });
  }

  /** Variables enough to connect to a host that is not in the play (delegate_to): its inventory variables and -e. */
  async connectionVars(host: string, playbookDir: string): Promise<Record<string, unknown>> {
    // `localhost` / 127.0.0.1 outside the inventory is the implicit localhost (local connection): the
    // inventory adds it when a pattern names it, as Ansible does.
    if (!this.inventory.hosts.has(host) && /^[\w.-]+$/.test(host)) selectHosts(this.inventory, host);
    await this.prepare(host, playbookDir);
    const s = this.get(host);
    const magic = this.inventory.hosts.has(host)
      ? magicVars(this.inventory, host)
      : { inventory_hostname: host, inventory_hostname_short: host.split('.')[0] };
    return { ...new VarScope(s.inventoryLayers ?? []).with(...this.opts.extraVars).toObject(), ...magic };
  }
}
