/**
 * `bosun report LOG.jsonl... -o FILE.html`: the recap, the exit code and the
 * HTML report of a run, later, from the event log `bosun run --log` wrote;
 * given the logs of the shards of one run (`--shard K/N`), merged into one.
 */
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';

/** Register `bosun report`. */
export function registerReport(program: Command, { io, setExit }: CliContext): void {
  program
    .command('report')
    .description(
      "print the recap and write the HTML report of a run from its --log file (several shards' logs: merged), exiting with the run's code",
    )
    .argument('<log...>', 'JSON-lines event logs written by bosun run --log (the shards of one run, in any order)')
    .option(
      '-o, --output <file>',
      'the HTML file to write (default: the log name with .html; report.html beside the first of several)',
    )
    .action(async (logs, o) => {
      const [{ readEventLog }, { writeReportModel }, { mergeRuns }, { banner, recapHosts, recapLine }] =
        await Promise.all([
          import('../reporters/log.js'),
          import('../reporters/html.js'),
          import('../reporters/report-merge.js'),
          import('../reporters/text.js'),
        ]);
      const output =
        o.output ??
        (logs.length === 1
          ? `${logs[0]!.replace(/\.jsonl?$/i, '')}.html`
          : path.join(path.dirname(logs[0]!), 'report.html'));
      const merged = mergeRuns(logs.map((file) => ({ file, records: readEventLog(file) })));
      for (const w of merged.warnings) io.err(`[WARNING]: ${w}\n`);
      writeReportModel(output, merged.model);
      if (merged.recap) {
        io.out(`${banner('PLAY RECAP').trimStart()}\n`);
        for (const [host, stats] of recapHosts(merged.recap)) io.out(`${recapLine(host, stats)}\n`);
        io.out('\n');
      }
      io.out(`report written to ${output}\n`);
      setExit(merged.exitCode);
    });
}
