/**
 * `bosun report FILE.jsonl -o FILE.html`: render the HTML report of a run
 * later, from the event log that `bosun run --log` wrote.
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';

/** Register `bosun report`. */
export function registerReport(program: Command, { io, setExit }: CliContext): void {
  program
    .command('report')
    .description('render the HTML report of a run from its --log file')
    .argument('<log>', 'a JSON-lines event log written by bosun run --log')
    .option('-o, --output <file>', 'the HTML file to write (default: the log name with .html)')
    .action(async (log, o) => {
      const [{ readEventLog }, { writeReport }] = await Promise.all([
        import('../reporters/log.js'),
        import('../reporters/html.js'),
      ]);
      const output = o.output ?? `${log.replace(/\.jsonl?$/i, '')}.html`;
      writeReport(output, readEventLog(log));
      io.out(`report written to ${output}\n`);
      setExit(0);
    });
}
