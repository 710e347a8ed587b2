// `bosun ARGS` from the TypeScript sources in a child process of its own (real signals, a real exit code),
// for tests that must not depend on a build in dist/: node test/helpers/bosun-source.mjs ARGS...
// With BOSUN_TEST_MAXRSS set it prints `MAXRSS_KB <peak RSS>` on stderr at the end.
import { createServer, createServerModuleRunner } from 'vite';

const server = await createServer({
  configFile: false,
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  appType: 'custom',
});
// The runner stays open for the whole run: bosun imports some of its parts lazily.
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
const { main } = await runner.import(new URL('../../src/cli/main.ts', import.meta.url).pathname);
const code = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: false,
});
process.exitCode = code;
await server.close();
// For tests of the controller's memory: the peak resident set of this process, on stderr.
if (process.env.BOSUN_TEST_MAXRSS) process.stderr.write(`MAXRSS_KB ${process.resourceUsage().maxRSS}\n`);
