#!/usr/bin/env node
import { existsSync } from 'node:fs';

// The CLI runs from its build; a checkout that was never built (npm install --ignore-scripts, say) gets one line that
// says how to build it rather than a module-resolution stack.
const bundle = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('arbbot: not built yet: run `npm run build` in the arbbot folder (npm install does it too)\n');
  process.exit(3);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv);
