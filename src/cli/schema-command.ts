/**
 * `bosun schema playbook|tasks|inventory|role-args|role-meta|scenario [-o FILE]`:
 * the JSON Schemas bosun validates with, for editors (see docs/authoring.md).
 */
import { writeFileSync } from 'node:fs';
import { Argument, type Command } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';

const KINDS = ['playbook', 'tasks', 'inventory', 'role-args', 'role-meta', 'scenario'] as const;

/** Register `bosun schema`. */
export function registerSchema(program: Command, { io, setExit }: CliContext): void {
  program
    .command('schema')
    .description(
      'print a JSON Schema bosun validates with, for editors (module arguments included for playbook and tasks)',
    )
    .addArgument(new Argument('<kind>', 'which schema').choices(KINDS))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (kind, o) => {
      const { editorSchema } = await import('../schema/index.js');
      const text = `${JSON.stringify(editorSchema(kind), null, 2)}\n`;
      if (o.output) {
        writeFileSync(o.output, text);
        io.out(`wrote the ${kind} schema to ${o.output}\n`);
      } else {
        io.out(text);
      }
      setExit(0);
    });
}
