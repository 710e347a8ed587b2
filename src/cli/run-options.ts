/**
 * The options of `bosun run`, in ONE typed table. Each entry names its
 * flags, value parser, default, `--help` text, docs text, and the
 * `RunOptions` field it fills (with how the flag's value becomes the
 * field's). From the table come: the commander options
 * (`addRunOptions`), the type of the CLI-settable part of `RunOptions`
 * (`CliRunOptions`, so a field cannot be forgotten), the flags type the
 * action receives (`RunFlags`), the filling of those fields
 * (`cliRunOptions`), and the options section of docs/cli.md
 * (`runOptionsMarkdown`, checked by a test). Entries without `fills` are
 * read by the CLI itself (the reporters, --confirm, --list-*, the vault).
 *
 * A new run option: one entry here (in `--help` order), then
 * `npm run docs:cli`; the executor sees the new field on `RunOptions`.
 */
import { InvalidArgumentError, Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import { handshakeLimit } from '../connection/handshake-gate.js';
import { CONNECTION_TYPES_HINT, connectionTypeOf, envOutputLimit, outputLimitBytes } from '../connection/spec.js';
import { BosunError, DEFAULT_MAX_OUTPUT_MIB, MAX_OUTPUT_MIB } from '../errors.js';
import type { ConfirmStep } from '../executor/step.js';
import type { TagFilter } from '../executor/tags.js';
import { parseShard, type Shard } from '../inventory/shard.js';
import type { VarLayer } from '../vars/scope.js';
import { collect, increase, positiveInt, type CliIO } from './context.js';
import { option, type EntryTypes, type FillContext, type RunOptionSpec } from './option-spec.js';
import { RUN_OUTPUT_OPTIONS } from './run-output-options.js';
import { VAULT_OPTIONS } from './run-vault-options.js';

const seconds = (s: number): number => s * 1000;
/** `-c TYPE`: a connection type bosun has. */
const connectionType = (s: string | undefined): string | undefined => {
  if (!s) return undefined;
  if (connectionTypeOf(s) === undefined)
    throw new BosunError('BAD_OPTION', `-c/--connection: '${s}' is not a connection type bosun has`, {
      hint: CONNECTION_TYPES_HINT,
    });
  return s;
};
/** An empty string counts as not given (as the flags always did). */
const nonEmpty = (s: string | undefined): string | undefined => s || undefined;
/** `--tags a,b --tags c` as a list of tags. */
export const splitTags = (list: string[]): string[] =>
  list
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);

/** `--shard K/N` (base 1) or `--shard-index I/N` (base 0), as commander reads an option's value. */
const shardArgument = (v: string, base: 0 | 1): Shard => {
  try {
    return parseShard(v, base);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};
/** The run's shard: from `--shard` or `--shard-index`, not both. */
export const oneShard = (shard: Shard | undefined, { flags }: FillContext): Shard | undefined => {
  const indexed = flags['shardIndex'] as Shard | undefined;
  if (shard && indexed)
    throw new BosunError('BAD_OPTION', '--shard and --shard-index name the same thing: give one of them', {
      hint: '--shard counts from 1 (--shard 1/4 is the first of four), --shard-index from 0 (--shard-index 0/4)',
    });
  return shard ?? indexed;
};

/**
 * Every option of `bosun run`, keyed by commander's attribute name (the
 * camel-cased long flag; `--no-color` is `color`), in `--help` order.
 */
export const RUN_OPTIONS = {
  inventory: option({
    flags: '-i, --inventory <path>',
    description: 'inventory file, folder or host list "a,b," (repeatable)',
    parse: collect,
    default: [] as string[],
    doc: 'an inventory file (INI or YAML), a folder of them, or a host list `a,b,` (repeatable; sources are merged). Without one only the implicit `localhost` exists (with a warning, as in Ansible)',
    fills: { field: 'inventories' },
  }),
  check: option({
    flags: '-C, --check',
    description: "don't change anything; report what would change",
    default: false,
    doc: 'change nothing; report what would change (`changed` means "would change")',
    fills: { field: 'check' },
  }),
  diff: option({
    flags: '-D, --diff',
    description: 'show the differences in changed files',
    default: false,
    doc: 'show file differences (with `--check`: the differences that would be made)',
    fills: { field: 'diff' },
  }),
  limit: option({
    flags: '-l, --limit <pattern>',
    description: 'further limit the selected hosts to a pattern',
    doc: 'run only on hosts that also match PATTERN (same syntax as `hosts:`; `@FILE` reads a retry file)',
    fills: { field: 'limit', optional: true, to: nonEmpty },
  }),
  shard: option({
    flags: '--shard <K/N>',
    description: 'run only shard K of N (K from 1): a stable part of the selected hosts, by name',
    parse: (v: string): Shard | undefined => shardArgument(v, 1),
    doc: "run only shard K of N (K from 1 to N) of the hosts `--limit` and the inventory select, so N controllers share a fleet: a host's shard follows from its name and N alone (hosts added later never move the others); `localhost` is in every shard. `bosun report` merges the shards' `--log` files. See docs/scale.md",
    fills: { field: 'shard', optional: true, to: oneShard },
  }),
  shardIndex: option({
    flags: '--shard-index <I/N>',
    description: "as --shard, with I from 0 (Kubernetes' JOB_COMPLETION_INDEX, GitHub's strategy.job-index)",
    parse: (v: string): Shard | undefined => shardArgument(v, 0),
    doc: "`--shard` with the index counted from 0 (0 to N-1), as Kubernetes' `JOB_COMPLETION_INDEX` and GitHub Actions' `strategy.job-index` count: `--shard-index 0/4` is `--shard 1/4` (it fills `shard`)",
  }),
  extraVars: option({
    flags: '-e, --extra-vars <vars>',
    description: 'extra variables: k=v, JSON/YAML, or @file (repeatable)',
    parse: collect,
    default: [] as string[],
    doc: '`k=v k2=v2` (strings), inline JSON/YAML `\'{"k": [1, 2]}\'`, or `@file.yml` (repeatable; later wins; highest precedence)',
    fills: {
      field: 'extraVars',
      to: async (values): Promise<VarLayer[]> => {
        const { parseExtraVars } = await import('./extra-vars.js');
        return Promise.all(values.map((v, i) => parseExtraVars(v, i)));
      },
    },
  }),
  forks: option({
    flags: '-f, --forks <n>',
    description: 'hosts to run at once',
    parse: positiveInt,
    default: 20,
    doc: 'hosts worked on at once (SSH handshakes are paced separately: at most 32 per CPU core, at least 64, at once; `BOSUN_SSH_HANDSHAKES` sets it)',
    // BOSUN_SSH_HANDSHAKES is checked here, so a bad value stops the run before any host is touched.
    fills: {
      field: 'forks',
      to: (n: number) => {
        handshakeLimit();
        return n;
      },
    },
  }),
  connection: option({
    flags: '-c, --connection <type>',
    description: 'connection type: ssh (default) or local (ansible_connection and the connection keyword win)',
    doc: "connect with TYPE (`ssh`, the default, or `local`; `smart` and `paramiko` mean ssh) unless `ansible_connection` or a play's `connection:` says otherwise",
    fills: { field: 'connection.type', optional: true, to: connectionType },
  }),
  user: option({
    flags: '-u, --user <name>',
    description: 'connect as this user (ansible_user wins)',
    doc: 'connect as NAME unless the inventory sets `ansible_user`',
    fills: { field: 'connection.user', optional: true, to: nonEmpty },
  }),
  privateKey: option({
    flags: '--private-key <file>',
    description: 'private key file (ansible_ssh_private_key_file wins)',
    doc: 'key file unless the inventory sets `ansible_ssh_private_key_file`',
    fills: { field: 'connection.privateKeyFile', optional: true, to: nonEmpty },
  }),
  timeout: option({
    flags: '-T, --timeout <seconds>',
    description: 'SSH connect timeout (as ansible-playbook)',
    parse: positiveInt,
    default: 10,
    doc: 'SSH connect timeout in seconds',
    fills: { field: 'connection.connectTimeoutMs', optional: true, to: seconds },
  }),
  maxOutput: option({
    flags: '--max-output <MiB>',
    description: `most output one command may give on stdout, and on stderr (MiB, 1-${MAX_OUTPUT_MIB}; default ${DEFAULT_MAX_OUTPUT_MIB})`,
    parse: (v: string): number | undefined => {
      const bytes = outputLimitBytes(v);
      if (bytes === undefined)
        throw new InvalidArgumentError(`expected a whole number of MiB from 1 to ${MAX_OUTPUT_MIB}`);
      return bytes;
    },
    doc: `the most output one command may give on stdout, and on stderr, in MiB (default ${DEFAULT_MAX_OUTPUT_MIB}, or \`BOSUN_MAX_OUTPUT\`; at most ${MAX_OUTPUT_MIB}). A command that writes more fails its task (\`OUTPUT_LIMIT\`) and is stopped; see docs/modules.md#command`,
    // BOSUN_MAX_OUTPUT is read here too, so a bad value stops the run before any host is touched.
    fills: { field: 'connection.maxOutputBytes', optional: true, to: (bytes) => bytes ?? envOutputLimit() },
  }),
  runTimeout: option({
    flags: '--run-timeout <seconds>',
    description: 'stop the whole run after this long (running commands are cut off; exit 99)',
    parse: (v: string): number | undefined => positiveInt(v),
    doc: 'stop the whole run after SECONDS; running commands are cut off; exit 99',
    fills: { field: 'runDeadline', optional: true, to: (s) => (s === undefined ? undefined : Date.now() + s * 1000) },
  }),
  retryFile: option({
    flags: '--retry-file <file>',
    description: 'write the hosts that failed or were unreachable to FILE (then: --limit @FILE)',
    doc: 'write the hosts that failed or were unreachable to FILE; run just those again with `--limit @FILE`',
    fills: { field: 'retryFile', optional: true, to: nonEmpty },
  }),
  grace: option({
    flags: '--grace <seconds>',
    description: 'after Ctrl-C, how long running tasks may finish',
    parse: positiveInt,
    default: 10,
    doc: 'after Ctrl-C (or SIGTERM), how long running tasks may finish before their commands are killed on the targets (the process group, as a timeout does) and their connections closed; a second Ctrl-C kills them at once',
    fills: { field: 'graceMs', optional: true, to: seconds },
  }),
  verbose: option({
    flags: '-v, --verbose',
    description: 'more output: -v results, -vv task paths, -vvv connection details and stack traces',
    parse: increase,
    default: 0,
    doc: 'repeatable (`-vv`, `-vvv`): results of every task; task file:line; connection details and stack traces of internal errors',
    fills: { field: 'verbosity' },
  }),
  json: option({
    flags: '--json',
    description: 'print one JSON event per line instead of text',
    default: false,
    doc: 'one JSON object per event on stdout; the last line is `{"type":"recap","hosts":{...}}`',
  }),
  tags: option({
    flags: '-t, --tags <tags>',
    description: 'only run tasks with these tags (comma-separated; repeatable)',
    parse: collect,
    default: [] as string[],
    doc: 'run only tasks with these tags (comma-separated, repeatable; `always`, `never`, `tagged`, `untagged`, `all`); a tag no task has is warned about',
    fills: {
      field: 'tags',
      to: (only, { flags }): TagFilter => ({
        only: splitTags(only),
        skip: splitTags((flags['skipTags'] as string[] | undefined) ?? []),
      }),
    },
  }),
  skipTags: option({
    flags: '--skip-tags <tags>',
    description: 'skip tasks with these tags (comma-separated; repeatable)',
    parse: collect,
    default: [] as string[],
    doc: 'skip tasks with these tags (comma-separated, repeatable); filled into `tags.skip` with `--tags`',
  }),
  startAtTask: option({
    flags: '--start-at-task <name>',
    description: 'start at the first task with this name (or glob)',
    doc: "skip tasks until the first whose name matches (a glob); when none matches, an error is printed after the recap (the exit code stays the run's, as in Ansible)",
    fills: { field: 'startAtTask', optional: true, to: nonEmpty },
  }),
  step: option({
    flags: '--step',
    description: 'ask before each task: (y)es, (n)o, (c)ontinue with the rest',
    default: false,
    doc: "ask before each task, include and handler, Gathering Facts included, in ansible-playbook's words (`Perform task: TASK: NAME (N)o/(y)es/(c)ontinue: `): `y` runs it, `c` runs it and the rest without asking, anything else skips it; answers may be piped. See [Questions](#questions---step-and---confirm)",
    fills: {
      field: 'confirmStep',
      optional: true,
      to: async (step, { io }): Promise<ConfirmStep | undefined> => {
        if (!step) return undefined;
        const { askStep } = await import('./prompt.js');
        return (title, host) => askStep(title, host, io);
      },
    },
  }),
  forceHandlers: option({
    flags: '--force-handlers',
    description: 'run notified handlers even on hosts that failed',
    default: false,
    doc: 'run notified handlers on hosts that failed later',
    fills: { field: 'forceHandlers', optional: true },
  }),
  become: option({
    flags: '-b, --become',
    description: 'run tasks with become (sudo) unless a play or task says otherwise',
    default: false,
    doc: 'become (sudo) for every task unless plays/tasks say otherwise',
    fills: { field: 'become?.enabled' },
  }),
  becomeUser: option({
    flags: '--become-user <user>',
    description: 'the user to become (default root)',
    fills: { field: 'become?.user', optional: true, to: nonEmpty },
  }),
  becomeMethod: option({
    flags: '--become-method <method>',
    description: 'how to become',
    choices: ['sudo', 'su'],
    fills: { field: 'become?.method', optional: true },
  }),
  confirm: option({
    flags: '--confirm',
    description: 'plan first (a check run), ask once, then apply',
    default: false,
    doc: 'run in check mode first, print the plan (with `--diff`: the diffs), ask once, then apply',
  }),
  yes: option({
    flags: '-y, --yes',
    description: 'with --confirm: apply without asking',
    default: false,
    doc: 'with `--confirm`: apply without asking (for scripts)',
  }),
  askBecomePass: option({
    flags: '-K, --ask-become-pass',
    description: 'ask for the become password (or set BOSUN_BECOME_PASSWORD)',
    default: false,
    doc: 'ask for the become password (or set `BOSUN_BECOME_PASSWORD`, or `ansible_become_password`); after `-k` the question is `BECOME password[defaults to SSH password]: ` and an empty answer means the SSH password, as in Ansible',
    fills: {
      field: 'becomePassword',
      optional: true,
      late: true,
      to: async (ask, { io, filled }): Promise<string | undefined> => {
        if (!ask) return undefined;
        const { askSecret } = await import('./prompt.js');
        // As ansible-playbook (CLI.ask_passwords): after -k, an empty answer means the SSH password.
        const sshPassword = (filled['connection'] as { password?: string } | undefined)?.password;
        if (sshPassword === undefined) return askSecret('BECOME password: ', io);
        return (await askSecret('BECOME password[defaults to SSH password]: ', io)) || sshPassword;
      },
    },
  }),
  syntaxCheck: option({
    flags: '--syntax-check',
    description: 'load and check the playbooks, then stop',
    default: false,
    doc: 'load and check the playbooks, connect to nothing',
  }),
  listHosts: option({
    flags: '--list-hosts',
    description: 'list the hosts each play would run on, then stop',
    default: false,
    doc: 'print the hosts each play would run on',
  }),
  listTasks: option({
    flags: '--list-tasks',
    description: 'list the tasks each play would run, then stop',
    default: false,
    doc: 'print the tasks (with their tags) of each play; connect to nothing',
  }),
  listTags: option({
    flags: '--list-tags',
    description: 'list the tags of each play, then stop',
    default: false,
    doc: 'print the tags of each play; connect to nothing',
  }),
  color: option({
    flags: '--no-color',
    description: 'no colours in the output',
    doc: 'no colours (also `NO_COLOR=1`; colours are off when stdout is not a terminal)',
  }),
  ...RUN_OUTPUT_OPTIONS,
  ...VAULT_OPTIONS,
} as const;

/** The table's type. */
type Table = typeof RUN_OPTIONS;

/** The parsed flags the `run` action receives, typed from the table (a flag without default or `[]` may be absent). */
export type RunFlags = {
  [K in keyof Table]: Table[K] extends EntryTypes<string, infer V, unknown, unknown, infer D>
    ? undefined extends D
      ? Table[K] extends { flags: `--no-${string}` }
        ? boolean
        : V | undefined
      : V
    : never;
};

/** The field a path and value give: `a.b` nests, `a?.b` makes `a` optional; a value that may be undefined makes the leaf optional. */
type AtPath<P extends string, T, O> = P extends `${infer H}?.${infer R}`
  ? { [K in H]?: AtPath<R, T, O> }
  : P extends `${infer H}.${infer R}`
    ? { [K in H]: AtPath<R, T, O> }
    : O extends true
      ? Partial<Record<P, Exclude<T, undefined>>>
      : Record<P, T>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Flatten<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { [K in keyof T]: Flatten<T[K]> }
    : T;

/** An entry's field (an entry without `fills` keeps the path type `string`: no field). */
type FieldsOf<K extends keyof Table> =
  Table[K] extends EntryTypes<infer P, unknown, infer T, infer O, unknown>
    ? string extends P
      ? never
      : AtPath<P, T, O>
    : never;

/**
 * The part of `RunOptions` the command line sets, derived from the table:
 * every entry with `fills` adds its field (nested by its dotted path),
 * typed by its conversion.
 */
export type CliRunOptions = Flatten<UnionToIntersection<{ [K in keyof Table]: FieldsOf<K> }[keyof Table]>>;

/** Add every option of the table to `bosun run` (chain before `.action`). */
export function addRunOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  cmd: Command<A, O, G>,
): Command<A, O, G> {
  for (const spec of Object.values(RUN_OPTIONS) as RunOptionSpec[]) cmd.addOption(commanderOption(spec));
  return cmd;
}

/** The commander Option of one entry (exactly what `.option(flags, description, parse, default)` builds). */
export function commanderOption(spec: RunOptionSpec): Option {
  const opt = new Option(spec.flags, spec.description);
  if (spec.default !== undefined || spec.parse) opt.default(spec.default);
  if (spec.parse) opt.argParser(spec.parse);
  if (spec.choices) opt.choices(spec.choices);
  return opt;
}

/**
 * Fill the table's RunOptions fields from the parsed flags, in table order
 * (so prompts come in that order); `between` runs before the `late` entries.
 */
export async function cliRunOptions(flags: RunFlags, io: CliIO, between?: () => Promise<void>): Promise<CliRunOptions> {
  const out: Record<string, unknown> = {};
  const ctx: FillContext = { io, flags, filled: out };
  const entries = Object.entries(RUN_OPTIONS) as Array<[keyof RunFlags, RunOptionSpec]>;
  const fill = async (late: boolean): Promise<void> => {
    for (const [key, spec] of entries) {
      if (!spec.fills || (spec.fills.late === true) !== late) continue;
      const given = flags[key];
      setPath(out, spec.fills.field, spec.fills.to ? await spec.fills.to(given, ctx) : given);
    }
  };
  await fill(false);
  await between?.();
  await fill(true);
  return out as CliRunOptions;
}

/** Set a dotted path, making the objects on the way; an undefined value leaves the leaf unset. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/\?\./g, '.').split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) {
    at[part] ??= {};
    at = at[part] as Record<string, unknown>;
  }
  if (value === undefined) return;
  at[parts.at(-1)!] = value;
}

/** The docs/cli.md markers the options table is written between. */
export const DOC_MARKERS = {
  start: '<!-- run-options:start (npm run docs:cli) -->',
  end: '<!-- run-options:end -->',
} as const;

/** `-f, --forks <n>` as the docs write it: `-f, --forks N`. */
function docFlags(spec: RunOptionSpec): string {
  return spec.flags.replace(/<([^>]+)>/g, (_m, arg: string) =>
    spec.choices ? spec.choices.join('\\|') : arg.toUpperCase(),
  );
}

/** The default as the docs show it, or nothing for the flags' natural defaults (false, [], none). */
function docDefault(spec: RunOptionSpec): string {
  const d = spec.default;
  if (d === undefined || d === false || (Array.isArray(d) && d.length === 0) || d === 0) return '';
  // The table's defaults are numbers, booleans and lists; a list would print as JSON.
  const shown =
    typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean' ? String(d) : JSON.stringify(d);
  return ` (default ${shown})`;
}

/** The options section of docs/cli.md: one row per option, with the RunOptions field it fills. */
export function runOptionsMarkdown(): string {
  const rows = (Object.values(RUN_OPTIONS) as RunOptionSpec[]).map((spec) => {
    const text = (spec.doc ?? spec.description).replace(/\|/g, '\\|');
    const field = spec.fills ? `\`${spec.fills.field.replace('?.', '.')}\`` : '';
    return `| \`${docFlags(spec)}\` | ${text}${docDefault(spec)} | ${field} |`;
  });
  return ['| option | meaning | `RunOptions` field |', '|---|---|---|', ...rows].join('\n');
}

/** docs/cli.md with its options section regenerated from the table. */
export function updateCliMarkdown(markdown: string): string {
  const start = markdown.indexOf(DOC_MARKERS.start);
  const end = markdown.indexOf(DOC_MARKERS.end);
  if (start < 0 || end < start)
    throw new Error(`docs/cli.md has no ${DOC_MARKERS.start} ... ${DOC_MARKERS.end} section`);
  return `${markdown.slice(0, start + DOC_MARKERS.start.length)}\n${runOptionsMarkdown()}\n${markdown.slice(end)}`;
}
