import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { runCli } from './helpers/cli.js';
it('scratch', async () => {
  const r = await runCli(['run', '/tmp/typed-bosun/pb.yml', '-i', '/tmp/typed-bosun/inv.ini', '-v']);
  writeFileSync('/tmp/typed-bosun/out.txt', r.out + '\n---ERR---\n' + r.err + `\ncode=${r.code}\n`);
}, 120000);
