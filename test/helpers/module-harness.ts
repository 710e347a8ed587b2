/**
 * Runs modules the way the executor does (validate args, decide, then the
 * executor's own settle step: apply unless check) against a real
 * LocalConnection, for module tests in real temp folders.
 */
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalConnection } from '../../src/connection/local.js';
import { BosunError } from '../../src/errors.js';
import { createTemplateEngine } from '../../src/template/index.js';
import { getModule } from '../../src/modules/index.js';
import type { FileDiff, ModuleContext } from '../../src/modules/types.js';
import type { TaskStatus } from '../../src/executor/events.js';
import { taskResult } from '../../src/executor/results.js';
import { settle } from '../../src/executor/settle.js';
import { compileSchema } from '../../src/util/schema.js';

/** The folder with `files/` and `templates/` for module tests. */
export const FIXTURES = resolve(fileURLToPath(new URL('.', import.meta.url)), '../unit/modules/fixtures');

/** What a task run returns: the executor's view of one module run. */
export interface ModuleRun {
  status: TaskStatus;
  changed: boolean;
  failed: boolean;
  skipped: boolean;
  msg: string | undefined;
  /** The decision's diff (whatever `diff` was: what --diff would print). */
  diff: FileDiff[];
  /** The module's own keys (the decision's, then apply's over them). */
  data: Record<string, unknown>;
  /** What `register` would store (the module's keys plus Ansible's status keys). */
  registered: Record<string, unknown>;
  /** Whether decide said the outcome could not be predicted in check mode. */
  unpredictable: string | undefined;
}

/** Options of one run. */
export interface RunOptions {
  check?: boolean;
  diff?: boolean;
  vars?: Record<string, unknown>;
  verbosity?: number;
  /** Where the task is written (include_vars' search for relative names). */
  searchPaths?: ModuleContext['searchPaths'];
}

/** A connection to this machine's own shell, as the unit tests of modules and probes use it. */
export function localConnection(): LocalConnection {
  return new LocalConnection({
    name: 'local',
    type: 'local',
    address: 'localhost',
    port: 22,
    user: 'root',
    strictHostKeyChecking: true,
    knownHostsFiles: [],
    connectTimeoutMs: 5000,
  });
}

/** Module test context: one local connection, a temp folder, and runModule. */
export class ModuleHarness {
  readonly conn = localConnection();
  dir = '';
  private readonly engine = createTemplateEngine();

  /** Create the temp folder. */
  async setup(): Promise<void> {
    this.dir = await fs.mkdtemp(join(tmpdir(), 'bosun-mod-'));
  }

  /** Remove the temp folder and close the shell. */
  async teardown(): Promise<void> {
    await this.conn.close();
    if (this.dir) await fs.rm(this.dir, { recursive: true, force: true });
  }

  /** A path inside the temp folder. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Build the context a module sees. */
  context(opts: RunOptions = {}): ModuleContext {
    const vars = opts.vars ?? {};
    const engine = this.engine;
    return {
      host: 'local',
      conn: this.conn,
      check: opts.check ?? false,
      diff: opts.diff ?? false,
      vars,
      source: { file: 'test.yml', line: 1, col: 1 },
      verbosity: opts.verbosity ?? 0,
      ...(opts.searchPaths ? { searchPaths: opts.searchPaths } : {}),
      findFile(kind, name) {
        const p = name.startsWith('/') ? name : join(FIXTURES, kind, name);
        if (!existsSync(p))
          return Promise.reject(
            new BosunError('FILE_NOT_FOUND', `Could not find or access '${name}' on the Ansible Controller.`),
          );
        return Promise.resolve(p);
      },
      renderTemplate: (text, file, options = {}) => {
        const { extra, ...settings } = options;
        return engine.renderText(text, extra ? { ...vars, ...extra } : vars, file, settings);
      },
      evaluate: (expr) => engine.evaluate(expr, vars),
      isTruthy: (value) => engine.isTruthy(value),
    };
  }

  /** Validate args, decide, and apply unless in check mode: what the executor does. */
  async run(name: string, args: Record<string, unknown>, opts: RunOptions = {}): Promise<ModuleRun> {
    const def = getModule(name);
    if (!def) throw new Error(`no module ${name}`);
    const validate = compileSchema(def.schema);
    if (!validate(args)) throw new Error(`invalid args for ${name}: ${JSON.stringify(validate.errors)}`);
    const ctx = this.context(opts);
    const d = await def.decide(ctx, args);
    // The executor's settle step, with the decision's diff kept as --diff would show it.
    const verdict = await settle(d, { check: ctx.check, diff: true });
    const r = taskResult(
      { host: 'local', task: name, module: name, noLog: false, ignoreErrors: false, ignoreUnreachable: false },
      verdict,
      Date.now(),
    );
    return {
      status: r.status,
      changed: r.changed,
      failed: r.status === 'failed',
      skipped: r.status === 'skipped',
      msg: r.msg,
      diff: r.diff,
      data: { ...verdict.returned },
      registered: r.data,
      unpredictable: d.kind === 'unpredictable' ? d.reason : undefined,
    };
  }
}

/** A file's bytes and mode, to prove that check mode touched nothing. */
export async function snapshot(path: string): Promise<{ bytes: string | null; mode: number | null }> {
  try {
    const st = await fs.lstat(path);
    const bytes = st.isFile()
      ? (await fs.readFile(path)).toString('base64')
      : st.isSymbolicLink()
        ? `link:${await fs.readlink(path)}`
        : 'dir';
    return { bytes, mode: st.mode };
  } catch {
    return { bytes: null, mode: null };
  }
}
