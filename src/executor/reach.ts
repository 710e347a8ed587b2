/**
 * How a task reaches its host: the one place that turns a host's variables
 * (inventory, play, block, task, extra vars), the `remote_user` keyword and
 * `delegate_to` into a ConnectionSpec, and the pool that opens one
 * connection per distinct spec. Fact gathering, tasks, handlers and
 * delegated tasks all come through here, so a play or task with other
 * connection variables gets the connection it asks for.
 */
import { isUnsafeKey } from '../util/unsafe.js';
import { connectionSpecFromVars, createConnection, type ConnectionDefaults } from '../connection/spec.js';
import { withinBound } from '../connection/kill-group.js';
import type { Connection, ConnectionSpec } from '../connection/types.js';
import { InterruptedError, type SourcePos } from '../errors.js';
import type { TemplateEngine } from '../template/index.js';

/** The variables that decide how to connect (Ansible's names); become variables are read per task. */
export const CONNECTION_VARS: readonly string[] = [
  'ansible_connection',
  'ansible_host',
  'ansible_ssh_host',
  'ansible_port',
  'ansible_ssh_port',
  'ansible_user',
  'ansible_ssh_user',
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_ssh_private_key_file',
  'ansible_private_key_file',
  'ansible_ssh_common_args',
  'ansible_ssh_extra_args',
  'ansible_timeout',
  'ansible_ssh_timeout',
  'ansible_ssh_retries',
  'ansible_retries',
];

/** What a task asks for beyond the variables. */
export interface ReachKeywords {
  /** `remote_user` of the play, block or task (below `ansible_user`, above `-u`, as in Ansible). */
  remoteUser?: string | undefined;
  /** `connection` of the play, block or task (below `ansible_connection`, above `-c`, as in Ansible). */
  connection?: string | undefined;
}

/**
 * The ConnectionSpec for `host` from its variables. Templated connection
 * variables are rendered with the same variables; an error in one points at
 * the variable's own definition (`positionOf`, e.g. its inventory line).
 */
export function resolveConnectionSpec(
  host: string,
  vars: Record<string, unknown>,
  keywords: ReachKeywords,
  deps: { engine: TemplateEngine; defaults: ConnectionDefaults; positionOf?: (name: string) => SourcePos | undefined },
): ConnectionSpec {
  return connectionSpecFromVars(host, connectionVarsOf(vars, keywords, deps), deps.defaults);
}

/** The connection variables of a task, rendered, with `remote_user` where no variable names the user. */
function connectionVarsOf(
  vars: Record<string, unknown>,
  keywords: ReachKeywords,
  deps: { engine: TemplateEngine; positionOf?: (name: string) => SourcePos | undefined },
): Record<string, unknown> {
  const connVars: Record<string, unknown> = {};
  for (const name of CONNECTION_VARS) {
    const v = vars[name];
    if (v === undefined) continue;
    // A value set at run time (set_fact, a fact) is data: used as it is, never rendered.
    connVars[name] =
      typeof v === 'string' && v.includes('{{') && !isUnsafeKey(vars, name)
        ? deps.engine.renderString(v, vars, deps.positionOf?.(name))
        : v;
  }
  const hasUserVar = ['ansible_user', 'ansible_ssh_user'].some(
    (n) => connVars[n] !== undefined && connVars[n] !== null && connVars[n] !== '',
  );
  if (!hasUserVar && keywords.remoteUser !== undefined) connVars['ansible_user'] = keywords.remoteUser;
  const hasTypeVar = connVars['ansible_connection'] !== undefined && connVars['ansible_connection'] !== '';
  if (!hasTypeVar && keywords.connection !== undefined) connVars['ansible_connection'] = keywords.connection;
  return connVars;
}

/** A key equal for specs that connect the same way (field order does not matter). */
function specKey(spec: ConnectionSpec): string {
  return JSON.stringify(spec, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Open connections of a run, one per distinct spec (a failure to connect is remembered for that spec). */
export class ConnectionPool {
  private readonly open = new Map<string, Promise<Connection>>();
  /** Specs already keyed, so a task's hot path does not serialise the same spec again. */
  private readonly keys = new WeakMap<ConnectionSpec, string>();
  /** Why the run was stopped, once interruptAll ran: no connection opens after it. */
  private interruption: string | undefined;

  /** The connection for `spec` (opened on first use). */
  get(spec: ConnectionSpec): Promise<Connection> {
    if (this.interruption !== undefined)
      return Promise.reject(new InterruptedError(`${this.interruption}; no new command starts`));
    let key = this.keys.get(spec);
    if (key === undefined) this.keys.set(spec, (key = specKey(spec)));
    let conn = this.open.get(key);
    if (!conn) {
      conn = (async () => {
        const c = createConnection(spec);
        await c.connect();
        return c;
      })();
      // A connection that could not open is tried again by the next task that asks (wait_for_connection waits for
      // a host that is still booting; ignore_unreachable goes on), as Ansible connects again for each task.
      const opening = conn;
      const k = key;
      opening.catch(() => {
        if (this.open.get(k) === opening) this.open.delete(k);
      });
      this.open.set(key, conn);
    }
    return conn;
  }

  /**
   * The run was stopped: every connection kills the command it runs (in
   * parallel, see Connection.interrupt), within `boundMs` in all. A
   * connection still opening is told as soon as it is open.
   */
  async interruptAll(why: string, boundMs: number): Promise<void> {
    this.interruption ??= why;
    const all = [...this.open.values()].map(async (pending) => {
      const c = await pending.catch(() => undefined);
      await c?.interrupt?.(why);
    });
    await withinBound(Promise.allSettled(all), boundMs);
  }

  /** Close every connection opened during the run. */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.open.values()].map(async (c) => (await c.catch(() => undefined))?.close()));
  }
}

/**
 * Resolves specs for hosts and caches them per host and connection-variable
 * values, so the spec (and its ssh config lookup) is computed once while a
 * host's connection variables stay the same.
 */
export class Reacher {
  private readonly cache = new Map<string, { key: string; spec: ConnectionSpec }>();

  constructor(
    readonly pool: ConnectionPool,
    private readonly deps: { engine: TemplateEngine; defaults: ConnectionDefaults },
  ) {}

  /** The spec for `host` with these variables and keywords (cached while its connection variables are the same). */
  spec(
    host: string,
    vars: Record<string, unknown>,
    keywords: ReachKeywords,
    positionOf?: (name: string) => SourcePos | undefined,
  ): ConnectionSpec {
    const connVars = connectionVarsOf(vars, keywords, {
      engine: this.deps.engine,
      ...(positionOf ? { positionOf } : {}),
    });
    const key = JSON.stringify(connVars);
    const hit = this.cache.get(host);
    if (hit?.key === key) return hit.spec;
    const spec = connectionSpecFromVars(host, connVars, this.deps.defaults);
    this.cache.set(host, { key, spec });
    return spec;
  }

  /** The connection for `host` with these variables and keywords. */
  connect(
    host: string,
    vars: Record<string, unknown>,
    keywords: ReachKeywords,
    positionOf?: (name: string) => SourcePos | undefined,
  ): Promise<Connection> {
    return this.pool.get(this.spec(host, vars, keywords, positionOf));
  }
}
