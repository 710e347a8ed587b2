/**
 * `bosun inventory`, like `ansible-inventory`: `--list` (JSON in the
 * inventory-script shape, or `--yaml`), `--host H` (the merged variables of
 * one host), `--graph` (the group tree, `--vars` adds variables). With -vvv,
 * `--host` says where each value came from.
 */
import type { Command } from '@commander-js/extra-typings';
import { collect, increase, type CliContext } from './context.js';
import path from 'node:path';
import { stringify } from 'yaml';
import { BosunError } from '../errors.js';
import { hostVarLayers, loadInventory, selectHosts, type Inventory } from '../inventory/index.js';
import { stateOf } from '../inventory/model.js';
import { varsFileLayers } from '../inventory/vars-files.js';
import { VarScope, type VarLayer } from '../vars/scope.js';

/** What `bosun inventory` was asked for. */
export interface InventoryCommandOptions {
  inventories: string[];
  list?: boolean;
  host?: string;
  graph?: boolean;
  /** With --graph: show each host's and group's variables. */
  vars?: boolean;
  yaml?: boolean;
  playbookDir?: string;
  limit?: string;
  verbosity: number;
  extraVars: VarLayer[];
}

/** Print the inventory as ansible-inventory does; resolves with the exit code (0). */
export async function inventoryCommand(opts: InventoryCommandOptions, io: { out(t: string): void }): Promise<number> {
  const actions = [opts.list, opts.host !== undefined, opts.graph].filter(Boolean).length;
  if (actions !== 1) {
    throw new BosunError(
      'BAD_OPTION',
      actions === 0
        ? 'bosun inventory needs one of --list, --host HOST or --graph'
        : 'give only one of --list, --host and --graph',
    );
  }
  const inv = await loadInventory(opts.inventories.length > 0 ? opts.inventories : ['/etc/ansible/hosts']);
  const available = new Set(opts.limit === undefined ? realHosts(inv) : selectHosts(inv, opts.limit));
  const view = new InventoryView(inv, opts);
  if (opts.host !== undefined) {
    if (!inv.hosts.has(opts.host) || stateOf(inv).implicit.has(opts.host)) {
      throw new BosunError('INVENTORY', `host '${opts.host}' is not in the inventory`, {
        hint: 'bosun inventory --list shows the hosts',
      });
    }
    const scope = await view.scope(opts.host);
    const values = scope.toObject();
    if (opts.verbosity >= 3) io.out(describeOrigins(scope, values));
    io.out(opts.yaml ? yamlText(values) : `${jsonText(values)}\n`);
  } else if (opts.list) {
    io.out(opts.yaml ? yamlText(await view.yamlTree(available)) : `${jsonText(await view.listJson(available))}\n`);
  } else {
    io.out(`${(await view.graph(available)).join('\n')}\n`);
  }
  return 0;
}

/** Inventory hosts in file order, without the implicit localhost. */
function realHosts(inv: Inventory): string[] {
  const implicit = stateOf(inv).implicit;
  return [...inv.hosts.keys()].filter((h) => !implicit.has(h));
}

/** The inventory seen as ansible-inventory shows it. */
class InventoryView {
  private readonly scopes = new Map<string, Promise<VarScope>>();
  constructor(
    private readonly inv: Inventory,
    private readonly opts: InventoryCommandOptions,
  ) {}

  /** A group's children; `all` lists `ungrouped` first, as Ansible creates it with `all`. */
  private children(name: string): string[] {
    const kids = this.inv.groups.get(name)?.children ?? [];
    return name === 'all' && kids.includes('ungrouped')
      ? ['ungrouped', ...kids.filter((k) => k !== 'ungrouped')]
      : [...kids];
  }

  /** A host's variables: inventory, group_vars, host_vars, extra vars. */
  scope(host: string): Promise<VarScope> {
    let s = this.scopes.get(host);
    if (!s) {
      const layers = hostVarLayers(
        this.inv,
        host,
        this.opts.playbookDir === undefined ? {} : { playbookDir: this.opts.playbookDir },
      );
      s = layers.then((l) => new VarScope(l).with(...this.opts.extraVars));
      this.scopes.set(host, s);
    }
    return s;
  }

  private async hostVars(host: string): Promise<Record<string, unknown>> {
    return (await this.scope(host)).toObject();
  }

  /** A group's own variables: inline, then its group_vars/ files (no extra vars, as Ansible). */
  private async groupVars(name: string): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = { ...this.inv.groups.get(name)!.vars };
    const dirs = [
      ...stateOf(this.inv).varDirs,
      ...(this.opts.playbookDir === undefined ? [] : [this.opts.playbookDir]),
    ];
    for (const dir of new Set(dirs.map((d) => path.resolve(d))))
      for (const layer of await varsFileLayers(this.inv, dir, 'group_vars', name)) Object.assign(out, layer.values);
    return out;
  }

  /** `--list`: `_meta.hostvars` (hosts with variables), then each group with `hosts`/`children`. */
  async listJson(available: Set<string>): Promise<Record<string, unknown>> {
    const hostvars: Record<string, unknown> = {};
    for (const host of realHosts(this.inv)) {
      if (!available.has(host)) continue;
      const vars = await this.hostVars(host);
      if (Object.keys(vars).length > 0) hostvars[host] = vars;
    }
    const out: Record<string, unknown> = { _meta: { hostvars } };
    const seen = new Set<string>();
    const visit = (name: string): void => {
      const g = this.inv.groups.get(name)!;
      const entry: Record<string, unknown> = {};
      const hosts = name === 'all' ? [] : g.hosts.filter((h) => available.has(h));
      if (hosts.length > 0) entry['hosts'] = hosts;
      const kids = this.children(name);
      if (kids.length > 0) entry['children'] = kids;
      for (const child of kids) {
        if (!seen.has(child)) {
          seen.add(child);
          visit(child);
        }
      }
      if (Object.keys(entry).length > 0) out[name] = entry;
    };
    visit('all');
    return out;
  }

  /** `--list --yaml`: the nested tree, each host's variables at its first appearance. */
  async yamlTree(available: Set<string>): Promise<Record<string, unknown>> {
    const seen = new Set<string>();
    const visit = async (name: string): Promise<Record<string, unknown>> => {
      const g = this.inv.groups.get(name)!;
      const entry: Record<string, unknown> = {};
      const children: Record<string, unknown> = {};
      for (const child of this.children(name))
        if (child !== 'all') Object.assign(children, { [child]: await visit(child) });
      if (Object.keys(children).length > 0) entry['children'] = children;
      const hosts: Record<string, unknown> = {};
      if (name !== 'all') {
        for (const h of g.hosts) {
          if (!available.has(h)) continue;
          hosts[h] = seen.has(h) ? {} : await this.hostVars(h);
          seen.add(h);
        }
      }
      if (Object.keys(hosts).length > 0) entry['hosts'] = hosts;
      return entry;
    };
    return { all: await visit('all') };
  }

  /** `--graph`: `@group:` lines, children before hosts, `  |--` per level; `--vars` adds `{name = value}`. */
  async graph(available: Set<string>): Promise<string[]> {
    const lines: string[] = [];
    const line = (text: string, depth: number): void => {
      lines.push(depth === 0 ? text : `${'  |'.repeat(depth)}--${text}`);
    };
    const showVars = (vars: Record<string, unknown>, depth: number): void => {
      for (const key of Object.keys(vars).sort()) line(`{${key} = ${pythonStr(vars[key])}}`, depth);
    };
    const visit = async (name: string, depth: number): Promise<void> => {
      const g = this.inv.groups.get(name)!;
      line(`@${name}:`, depth);
      for (const child of this.children(name)) await visit(child, depth + 1);
      if (name !== 'all') {
        for (const h of g.hosts) {
          if (!available.has(h)) continue;
          line(h, depth + 1);
          if (this.opts.vars) showVars(await this.hostVars(h), depth + 2);
        }
      }
      if (this.opts.vars) showVars(await this.groupVars(name), depth + 1);
    };
    await visit('all', 0);
    return lines;
  }
}

/** Keys sorted at every level, as Python's json.dumps(sort_keys=True). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** JSON as ansible-inventory prints it: 4 spaces, sorted keys. */
function jsonText(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 4);
}

/** YAML as ansible-inventory prints it: sorted keys, block style, lists not indented. */
function yamlText(value: unknown): string {
  return stringify(value, { sortMapEntries: true, indentSeq: false });
}

/** A value as Python's str() shows it, for `--graph --vars`. */
function pythonStr(value: unknown, nested = false): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return nested ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : value;
  if (Array.isArray(value)) return `[${value.map((v) => pythonStr(v, true)).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `'${k}': ${pythonStr(v, true)}`)
      .join(', ')}}`;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only numbers, bigints, symbols and functions get here; TypeScript does not narrow `unknown` that far
  return String(value);
}

/** With -vvv: one line per variable saying which layer won and where it is written. */
function describeOrigins(scope: VarScope, values: Record<string, unknown>): string {
  const lines = Object.keys(values)
    .sort()
    .map((name) => {
      const found = scope.lookup(name)!;
      const { level, source, pos } = found.origin;
      const where = pos ? ` (${pos.file}:${pos.line}:${pos.col})` : '';
      return `# ${name} = ${JSON.stringify(found.value)}  <- ${level}: ${source}${where}`;
    });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Register `bosun inventory`. */
export function registerInventory(program: Command, { io, setExit }: CliContext): void {
  program
    .command('inventory')
    .description('show the inventory and host variables (like ansible-inventory)')
    .option('-i, --inventory <path>', 'inventory file, folder or host list (repeatable)', collect, [] as string[])
    .option('--list', 'all groups and hosts with their variables, as JSON', false)
    .option('--host <host>', 'the variables of one host (-vvv: where each value comes from)')
    .option('--graph', 'the group tree', false)
    .option('--vars', 'with --graph: show variables', false)
    .option('-y, --yaml', 'YAML instead of JSON', false)
    .option('-l, --limit <pattern>', 'only these hosts')
    .option('-e, --extra-vars <vars>', 'extra variables (repeatable)', collect, [] as string[])
    .option('--playbook-dir <dir>', 'also read group_vars/ and host_vars/ beside this folder')
    .option('-v, --verbose', 'more output', increase, 0)
    .action(async (o) => {
      const { parseExtraVars } = await import('./extra-vars.js');
      const extraVars = await Promise.all(o.extraVars.map((v, i) => parseExtraVars(v, i)));
      setExit(
        await inventoryCommand(
          {
            inventories: o.inventory,
            list: o.list,
            graph: o.graph,
            vars: o.vars,
            yaml: o.yaml,
            verbosity: typeof o.verbose === 'number' ? o.verbose : 1,
            extraVars,
            ...(o.host ? { host: o.host } : {}),
            ...(o.limit ? { limit: o.limit } : {}),
            ...(o.playbookDir ? { playbookDir: o.playbookDir } : {}),
          },
          io,
        ),
      );
    });
}
