// `npm install` runs `prepare`, which builds the CLI; on a checkout whose dist/ is already newer than everything it is
// built from, building again would only cost the user time, so this skips it and says so. A missing or older bundle
// is rebuilt with a line saying what is happening (tsc and the bundler print nothing while they work).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const OUTPUT = 'dist/bundle/main.js';
const INPUTS = ['src', 'scripts/bundle.js', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The newest modification time (ms) of a file or, for a folder, of any file beneath it. */
function newestMtimeMs(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtimeMs(join(path, entry))), stat.mtimeMs);
}

const builtMs = existsSync(OUTPUT) ? statSync(OUTPUT).mtimeMs : 0;
const sourceMs = Math.max(...INPUTS.map(newestMtimeMs));
if (builtMs > sourceMs) {
  console.error(`arbbot: ${OUTPUT} is newer than its sources; not rebuilding (npm run build forces it)`);
} else {
  console.error(`arbbot: building the CLI (${builtMs === 0 ? 'first build' : 'sources changed'}): tsc, then the bundler…`);
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  console.error('arbbot: built; run it with npx arbbot (or put it on PATH with npm link)');
}
