/**
 * The `bosun run` option table: commander options, the derived RunOptions
 * fields and the docs section all come from it.
 */
import { readFileSync } from 'node:fs';
import { Command } from '@commander-js/extra-typings';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ConnectionDefaults } from '../../../src/connection/spec.js';
import { buildProgram } from '../../../src/cli/main.js';
import {
  addRunOptions,
  cliRunOptions,
  RUN_OPTIONS,
  runOptionsMarkdown,
  updateCliMarkdown,
  type CliRunOptions,
  type RunFlags,
} from '../../../src/cli/run-options.js';
import type { RunOptions } from '../../../src/executor/run.js';
import type { TagFilter } from '../../../src/executor/tags.js';
import type { Shard } from '../../../src/inventory/shard.js';
import type { VarLayer } from '../../../src/vars/scope.js';

const io = { out: (): void => {}, err: (): void => {}, isTTY: false };

/** Parse `bosun run ARGS site.yml` with the real program and return the flags the action would get. */
function parseRun(args: string[]): RunFlags {
  const program = buildProgram(io, () => {});
  const run = program.commands.find((c) => c.name() === 'run')!;
  run.action(() => {});
  program.parse(['run', ...args, 'site.yml'], { from: 'user' });
  return run.opts() as unknown as RunFlags;
}

describe('the run option table', () => {
  it('keys every entry by the attribute name commander gives its flags', () => {
    const cmd = addRunOptions(new Command('run'));
    expect(cmd.options.map((o) => o.attributeName())).toEqual(Object.keys(RUN_OPTIONS));
  });

  it('builds the options of bosun run exactly: flags, help text, defaults, choices, in order', () => {
    const run = buildProgram(io, () => {}).commands.find((c) => c.name() === 'run')!;
    const shown = run.options.map((o) => [o.flags, o.description, o.defaultValue as unknown, o.argChoices]);
    const table = Object.values(RUN_OPTIONS).map((s) => [
      s.flags,
      s.description,
      'default' in s ? s.default : undefined,
      'choices' in s ? s.choices : undefined,
    ]);
    expect(shown).toEqual(table);
    expect(run.options.find((o) => o.long === '--forks')?.defaultValue).toBe(20);
  });

  it('derives the CLI part of RunOptions: every field typed as the flags fill it', () => {
    expectTypeOf<CliRunOptions>().toEqualTypeOf<{
      inventories: string[];
      check: boolean;
      diff: boolean;
      limit?: string;
      shard?: Shard;
      extraVars: VarLayer[];
      forks: number;
      connection: {
        type?: string;
        user?: string;
        privateKeyFile?: string;
        connectTimeoutMs?: number;
        maxOutputBytes?: number;
        sshConfigFile?: string;
        password?: string;
        keyPassphrase?: string;
      };
      runDeadline?: number;
      retryFile?: string;
      graceMs?: number;
      verbosity: number;
      tags: TagFilter;
      startAtTask?: string;
      confirmStep?: (title: string, host?: string) => Promise<'yes' | 'no' | 'continue'>;
      forceHandlers?: boolean;
      become?: { enabled: boolean; user?: string; method?: string };
      becomePassword?: string;
    }>();
    expectTypeOf<RunOptions>().toExtend<CliRunOptions>();
    expectTypeOf<RunOptions['connection']>().toExtend<ConnectionDefaults>();
  });

  it('fills the RunOptions fields from the parsed flags as the flags always did', async () => {
    const before = Date.now();
    const filled = await cliRunOptions(
      parseRun([
        '-i',
        'a.ini',
        '-i',
        'b,',
        '-C',
        '-l',
        'web',
        '-e',
        'x=1',
        '-f',
        '3',
        '-u',
        'deploy',
        '-T',
        '5',
        '--run-timeout',
        '60',
        '--max-output',
        '128',
        '--grace',
        '2',
        '-vv',
        '-t',
        'a,b',
        '--tags',
        'c',
        '--skip-tags',
        'd',
        '--start-at-task',
        'go*',
        '-b',
        '--become-method',
        'su',
        '-F',
        'none',
      ]),
      io,
    );
    const { runDeadline, extraVars, ...rest } = filled;
    expect(rest).toEqual({
      inventories: ['a.ini', 'b,'],
      check: true,
      diff: false,
      limit: 'web',
      forks: 3,
      verbosity: 2,
      connection: { user: 'deploy', connectTimeoutMs: 5000, maxOutputBytes: 128 * 1024 * 1024, sshConfigFile: 'none' },
      graceMs: 2000,
      tags: { only: ['a', 'b', 'c'], skip: ['d'] },
      startAtTask: 'go*',
      forceHandlers: false,
      become: { enabled: true, method: 'su' },
    });
    expect(extraVars).toEqual([{ level: 'extra_vars', source: '-e #1', values: { x: '1' } }]);
    expect(runDeadline! - before).toBeGreaterThanOrEqual(60_000);
    expect(runDeadline! - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('takes the output limit from --max-output, else BOSUN_MAX_OUTPUT (a bad value stops the run at once)', async () => {
    const saved = process.env['BOSUN_MAX_OUTPUT'];
    try {
      process.env['BOSUN_MAX_OUTPUT'] = '8';
      expect((await cliRunOptions(parseRun([]), io)).connection.maxOutputBytes).toBe(8 << 20);
      expect((await cliRunOptions(parseRun(['--max-output', '3']), io)).connection.maxOutputBytes).toBe(3 << 20);
      process.env['BOSUN_MAX_OUTPUT'] = 'abc';
      await expect(cliRunOptions(parseRun([]), io)).rejects.toMatchObject({
        code: 'BAD_OPTION',
        message: "BOSUN_MAX_OUTPUT must be a whole number of MiB from 1 to 500, not 'abc'",
      });
    } finally {
      if (saved === undefined) delete process.env['BOSUN_MAX_OUTPUT'];
      else process.env['BOSUN_MAX_OUTPUT'] = saved;
    }
  });

  it('leaves optional fields out when their flags are not given', async () => {
    const filled = await cliRunOptions(parseRun([]), io);
    expect(filled).toEqual({
      inventories: [],
      check: false,
      diff: false,
      extraVars: [],
      forks: 20,
      verbosity: 0,
      connection: { connectTimeoutMs: 10_000 },
      graceMs: 10_000,
      tags: { only: [], skip: [] },
      forceHandlers: false,
      become: { enabled: false },
    });
  });
});

describe('--shard and --shard-index', () => {
  it('read K/N counting from 1, and I/N counting from 0, into one 0-based shard', async () => {
    expect((await cliRunOptions(parseRun(['--shard', '1/4']), io)).shard).toEqual({ index: 0, count: 4 });
    expect((await cliRunOptions(parseRun(['--shard', '4/4']), io)).shard).toEqual({ index: 3, count: 4 });
    expect((await cliRunOptions(parseRun(['--shard-index', '0/4']), io)).shard).toEqual({ index: 0, count: 4 });
    expect((await cliRunOptions(parseRun(['--shard-index', '3/4']), io)).shard).toEqual({ index: 3, count: 4 });
    expect((await cliRunOptions(parseRun(['--shard', ' 1 / 1 ']), io)).shard).toEqual({ index: 0, count: 1 });
    expect((await cliRunOptions(parseRun(['--shard=2/3']), io)).shard).toEqual({ index: 1, count: 3 });
  });

  it.each([
    [
      ['--shard', '0/0'],
      "option '--shard <K/N>' argument '0/0' is invalid. N, the number of shards, must be at least 1",
    ],
    [['--shard', '5/4'], "argument '5/4' is invalid. K must be from 1 to 4 for 4 shard(s)"],
    [
      ['--shard', '0/4'],
      'K must be from 1 to 4 for 4 shard(s); --shard counts from 1: did you mean --shard-index 0/4?',
    ],
    [
      ['--shard-index', '4/4'],
      'K must be from 0 to 3 for 4 shard(s); --shard-index counts from 0: did you mean --shard 4/4?',
    ],
    [['--shard', 'two/4'], "argument 'two/4' is invalid. expected K/N with whole numbers, e.g. 2/4"],
    [['--shard', '2'], 'expected K/N with whole numbers'],
    [['--shard', '-1/4'], 'expected K/N with whole numbers'],
    [['--shard', '1.5/4'], 'expected K/N with whole numbers'],
    [['--shard', '1/4/2'], 'expected K/N with whole numbers'],
    [['--shard', '1/20000'], 'N, the number of shards, may be at most 10000'],
  ])('refuses %j with a clear message (exit 5)', async (args, message) => {
    let err = '';
    const { main } = await import('../../../src/cli/main.js');
    const code = await main(['run', 'site.yml', ...args], {
      out: () => {},
      err: (t) => {
        err += t;
      },
      isTTY: false,
    });
    expect(code).toBe(5);
    expect(err).toContain(message);
  });

  it('refuses both flags at once', async () => {
    await expect(cliRunOptions(parseRun(['--shard', '1/4', '--shard-index', '0/4']), io)).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: '--shard and --shard-index name the same thing: give one of them',
    });
  });
});

describe('docs/cli.md', () => {
  it('holds the options section generated from the table (run npm run docs:cli when this fails)', () => {
    const markdown = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
    expect(updateCliMarkdown(markdown)).toBe(markdown);
  });

  it('has one row per option, naming the RunOptions field it fills', () => {
    const rows = runOptionsMarkdown().split('\n').slice(2);
    expect(rows).toHaveLength(Object.keys(RUN_OPTIONS).length);
    const forks = rows.find((r) => r.startsWith('| `-f, --forks N`'));
    expect(forks).toMatch(/^\| `-f, --forks N` \| hosts worked on at once .*\(default 20\) \| `forks` \|$/);
    expect(forks).toContain('`BOSUN_SSH_HANDSHAKES`');
    expect(rows.find((r) => r.startsWith('| `--become-method'))).toContain('`--become-method sudo\\|su`');
  });
});
