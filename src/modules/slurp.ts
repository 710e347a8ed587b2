/**
 * `slurp`: read a file from the target into a registered variable, base64
 * encoded (binary-safe). Reads only, so it runs in check mode too.
 */
import { RemoteFailure, statPath } from './lib/remote-file.js';
import { deciding, failed } from './lib/result.js';
import { defineModule } from './types.js';

/** Arguments of `slurp`. */
export interface SlurpArgs {
  src: string;
}

/** The `slurp` module. */
export default defineModule<SlurpArgs>({
  name: 'slurp',
  docs: {
    short: 'Read a file from the target into a variable, base64 encoded',
    description: 'Register the result and decode it with the b64decode helper. Never changes anything.',
  },
  checkMode: 'full',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['src'],
    properties: {
      src: { type: 'string', minLength: 1, description: 'The file on the target to read' },
    },
  },
  decide: (ctx, args) =>
    deciding(async () => {
      const st = await statPath(ctx.conn, args.src, { follow: true });
      if (!st.exists) return failed(`file not found: ${args.src}`, { source: args.src });
      if (st.type === 'directory')
        return failed(`source is a directory and must be a file: ${args.src}`, { source: args.src });
      const data = await ctx.conn.readFile(args.src).catch((e: unknown) => {
        throw new RemoteFailure(`cannot read ${args.src}: ${e instanceof Error ? e.message : String(e)}`);
      });
      if (data === null) return failed(`file not found: ${args.src}`, { source: args.src });
      return { kind: 'ok', data: { content: data.toString('base64'), encoding: 'base64', source: args.src } };
    }),
});
