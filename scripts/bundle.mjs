// Bundle the compiled CLI (dist/cli/main.js and everything it imports, bosun's
// files and its pure-JS dependencies) into dist/bundle/ with esbuild.
//
// Why: Node 20 has no compile cache, and resolving, reading and compiling
// ~250 ESM and CommonJS files one by one was about half of bosun's start-up
// (measured: `import('dist/cli/main.js')` 66–75 ms plus 120–170 ms of further
// loading in a `--syntax-check`, against 48 ms and 53–75 ms bundled).
// Dynamic imports stay dynamic (code splitting), so commands and reporters a
// run does not use are still not loaded. bin/bosun.js loads the bundle when it
// exists and dist/cli/main.js otherwise.
//
// The bundle lives two folders below the package root, like every compiled
// file in dist/<layer>/, so `new URL('../../package.json', import.meta.url)`
// and the built-in roles folder resolve the same from either.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ssh2 and cpu-features load native addons (.node files); playwright-core is a dev tool.
  external: ['ssh2', 'cpu-features', 'playwright-core', 'ajv', 'ajv/*', 'ajv-formats'],
  // CommonJS dependencies inside an ES module need `require` for Node's own modules.
  banner: {
    js: "import { createRequire as __bosunRequire } from 'node:module'; const require = __bosunRequire(import.meta.url);",
  },
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [
    {
      // Handlebars' compiler loads `source-map` only to emit source maps of compiled templates, which
      // bosun never asks for; without it, it uses its own small SourceNode (as in browsers).
      name: 'no-source-map',
      setup(b) {
        b.onResolve({ filter: /^source-map$/ }, () => ({ path: 'source-map', namespace: 'bosun-empty' }));
        b.onLoad({ filter: /.*/, namespace: 'bosun-empty' }, () => ({
          contents: 'module.exports = {};',
          loader: 'js',
        }));
      },
    },
  ],
});
