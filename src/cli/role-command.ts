/**
 * `bosun role init NAME` (a complete, tested role skeleton) and
 * `bosun role test PATH` (create, converge, idempotence, check-mode truth,
 * verify, destroy on sandbox hosts).
 */
import path from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { callHook } from '../reporters/types.js';
import type { PhaseResult, RoleTestReport } from '../role-test/cycle.js';
import { collect, positiveInt, type CliContext, type CliIO } from './context.js';

/** Exit code after Ctrl-C (DESIGN.md: 99 interrupted). */
const EXIT_INTERRUPTED = 99;

/** Register `bosun role`. */
export function registerRole(program: Command, { io, setExit }: CliContext): void {
  const role = program
    .command('role')
    .description('author roles: a skeleton to start from, and the test cycle on sandbox hosts');
  role
    .command('init')
    .description(
      'create a role skeleton: defaults, vars, tasks, handlers, templates, files, meta, argument specs, README and a test scenario',
    )
    .argument('<name>', 'role name (letters, digits, _ and -)')
    .option('--path <dir>', 'folder to create the role in', '.')
    .action(async (name, o) => {
      const { initRole } = await import('../role-test/skeleton.js');
      const { dir, files } = initRole(name, o.path);
      io.out(`created role ${name} in ${dir}\n${files.map((f) => `  ${f}`).join('\n')}\n`);
      const [{ roleTestBase, roleTestNext }, { tcpOpen }] = await Promise.all([
        import('../role-test/scenario.js'),
        import('../sandbox/host.js'),
      ]);
      const env = io.env ?? process.env;
      const taken = !env['BOSUN_SANDBOX_BASE'] && (await tcpOpen(roleTestBase(dir)));
      const next = roleTestNext(dir, env, process.getuid?.() ?? 0, taken);
      io.out(`next: ${next.command}\n${next.notes.map((n) => `      ${n}\n`).join('')}`);
      setExit(0);
    });
  role
    .command('test')
    .description('test a role on sandbox hosts: create, converge, idempotence, check-mode truth, verify, destroy')
    .argument('<path>', 'the role folder')
    .option('-s, --scenario <name>', 'scenario folder under tests/', 'default')
    .addOption(new Option('--hosts <n>', 'number of hosts (overrides the scenario)').argParser(positiveInt))
    .option('--keep', 'leave the hosts running after the test (for a look inside)', false)
    .option(
      '--base <address>',
      'first host address (default 127.88.X.1 from a hash of the role path, in the block of $BOSUN_SANDBOX_BASE)',
    )
    .option('--json', 'print one JSON object per phase, then a summary', false)
    .option('-v, --verbose', 'show the output of every playbook run', false)
    .option(
      '-e, --extra-vars <vars>',
      'extra variables for every run (k=v, JSON/YAML, @file; repeatable)',
      collect,
      [] as string[],
    )
    .action(async (rolePath, o) => {
      const { parseExtraVars } = await import('./extra-vars.js');
      const layers = await Promise.all(o.extraVars.map((v, i) => parseExtraVars(v, i)));
      const extraVars = layers.length
        ? (Object.assign({}, ...layers.map((l) => l.values)) as Record<string, unknown>)
        : undefined;
      const [{ runRoleTest }, { createTextReporter }, { roleTestSandboxName }, { sandboxDown }] = await Promise.all([
        import('../role-test/cycle.js'),
        import('../reporters/text.js'),
        import('../role-test/scenario.js'),
        import('../sandbox/index.js'),
      ]);
      // Ctrl-C skips the cycle's own destroy step: stop the hosts here, then exit as interrupted.
      const interrupted = (): void => {
        io.err('interrupted: stopping the sandbox hosts\n');
        void sandboxDown({ name: roleTestSandboxName(path.resolve(rolePath), o.scenario) }).finally(() =>
          process.exit(EXIT_INTERRUPTED),
        );
      };
      process.once('SIGINT', interrupted);
      if (!o.json) io.out(`role test ${rolePath} (scenario ${o.scenario})\n`);
      const reporter =
        o.verbose && !o.json
          ? createTextReporter({ write: io.out, verbosity: 0, color: false, diff: false })
          : undefined;
      let report: RoleTestReport;
      try {
        report = await runRoleTest({
          role: rolePath,
          scenario: o.scenario,
          keep: o.keep,
          ...(extraVars ? { extraVars } : {}),
          ...(o.hosts ? { hosts: o.hosts } : {}),
          ...(o.base ? { base: o.base } : {}),
          onPhase: (p) => io.out(o.json ? `${JSON.stringify({ type: 'phase', ...p })}\n` : phaseText(p)),
          ...(reporter ? { onRunEvent: (_phase, e) => void callHook(reporter, e) } : {}),
        });
      } finally {
        process.removeListener('SIGINT', interrupted);
      }
      writeSummary(report, o.json, io);
      setExit(report.exitCode);
    });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

function phaseText(p: PhaseResult): string {
  const status = p.status === 'failed' ? 'FAILED' : p.status;
  const lines = [`  ${p.phase.padEnd(12)} ${status.padEnd(8)} ${seconds(p.durationMs).padStart(6)}  ${p.summary}`];
  for (const d of p.details) lines.push(...d.split('\n').map((l) => `      ${l}`));
  return `${lines.join('\n')}\n`;
}

function writeSummary(r: RoleTestReport, json: boolean, io: CliIO): void {
  if (json) {
    const { phases, ...rest } = r;
    io.out(
      `${JSON.stringify({ type: 'summary', ...rest, phases: phases.map((p) => ({ phase: p.phase, status: p.status })) })}\n`,
    );
    return;
  }
  const failed = r.phases.find((p) => p.status === 'failed');
  io.out(
    r.passed
      ? `PASSED ${r.role}/${r.scenario} in ${seconds(r.durationMs)}\n`
      : `FAILED ${r.role}/${r.scenario}${failed ? ` at ${failed.phase}` : ''} in ${seconds(r.durationMs)} (exit ${r.exitCode})\n`,
  );
  if (r.kept) io.out(`kept: inventory ${r.kept.inventory}; stop with: bosun sandbox down --name ${r.kept.sandbox}\n`);
}
