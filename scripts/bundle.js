// The CLI as a few bundled files in dist/bundle/, built from tsc's output in dist/. Node resolves, reads and compiles
// every ES module on its own, and kysely alone is some 250 of them: loading it cost about 100 ms of every command's
// start, more than the code it runs. Bundled, the modules every command needs are one file; each venue adapter (and
// the packages only it uses, such as viem) stays a chunk of its own, loaded only when that venue is configured.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // A native addon, loaded from node_modules as it is.
  external: ['better-sqlite3'],
  // CommonJS packages bundled into ES modules still call require() for Node's built-ins.
  banner: { js: "import { createRequire as bundleCreateRequire } from 'node:module'; const require = bundleCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
