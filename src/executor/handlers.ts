/**
 * Handlers of a play, as Ansible runs them: a notification marks handlers
 * (not names) for a host — the first handler whose name (or `role : name`,
 * rendered) matches, and every handler that listens to the topic — and a
 * flush runs the marked handlers in definition order on the hosts that
 * marked them. A handler may be an include_tasks; handlers that an
 * include_role brings are added when it is included.
 */
import type { Handler, Task } from '../playbook/types.js';
import type { PlayRun } from './play.js';

/** The handlers of one play and their notifications. */
export class Handlers {
  private readonly list: Handler[];

  constructor(
    private readonly play: PlayRun,
    handlers: readonly Handler[],
  ) {
    this.list = [...handlers];
  }

  /** Handlers an include_role brought. */
  add(more: readonly Handler[]): void {
    for (const h of more) if (!this.list.includes(h)) this.list.push(h);
  }

  /** A task changed on `host`: mark the handlers its `notify` names. */
  notify(task: Task, host: string, vars: Record<string, unknown>): void {
    const { engine, sink } = this.play.run;
    const state = this.play.run.hosts.get(host);
    for (const raw of task.notify) {
      let name = raw;
      if (raw.includes('{{')) {
        try {
          name = String(engine.renderString(raw, vars, task.source));
        } catch {
          name = raw;
        }
      }
      const byName = this.list.find((h) => this.namesOf(h, vars).includes(name));
      const listeners = this.list.filter((h) => h.listen.includes(name));
      if (!byName && listeners.length === 0) {
        sink({
          type: 'warning',
          message: `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`,
          source: task.source,
        });
        continue;
      }
      if (byName) state.notified.add(byName.id);
      for (const h of listeners) state.notified.add(h.id);
    }
  }

  /** The names a handler answers to: its name (rendered) and `role : name`. */
  private namesOf(handler: Handler, vars: Record<string, unknown>): string[] {
    if (handler.name === undefined) return [];
    let name = handler.name;
    if (name.includes('{{')) {
      try {
        name = String(this.play.run.engine.renderString(name, vars, handler.source));
      } catch {
        // A name that cannot be rendered answers to its listen topics only, as in Ansible.
        return [];
      }
    }
    const role = handler.context.role;
    return role ? [name, `${role.name} : ${name}`] : [name];
  }

  /** Whether notified handlers run on failed hosts: the play's `force_handlers`, else --force-handlers. */
  private get forced(): boolean {
    return this.play.play.forceHandlers ?? this.play.run.settings.forceHandlers ?? false;
  }

  /** Run the notified handlers, in definition order, on the hosts of `hosts` that notified them. */
  async flush(hosts: readonly string[]): Promise<void> {
    const states = this.play.run.hosts;
    for (const handler of this.list) {
      const notified = hosts.filter((h) => {
        const s = states.get(h);
        if (!s.notified.has(handler.id)) return false;
        return s.active || (this.forced && s.status.kind === 'failed');
      });
      if (notified.length === 0) continue;
      for (const h of notified) states.get(h).notified.delete(handler.id);
      // A forced handler runs on a failed host, which stays failed afterwards.
      const held = notified.map((h) => states.get(h).suspendFailure());
      try {
        await this.play.runNodes([handler], notified, { layers: [], rescuable: false, free: false, handler: true });
      } finally {
        for (const token of held) token.resume();
      }
    }
  }
}
