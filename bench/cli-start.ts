// Benchmark 5 — CLI start: `node bin/arbbot.js positions --json` on an empty ledger against `node -e ""`, each run
// as a child process (spawnSync), interleaved, median of each. The CLI runs once first to create and migrate the
// ledger, so every timed run opens an existing empty database, as a user's second command would.
// Where the time goes comes from two views: a --cpu-prof profile of one run, and the import cost of the entry module
// unbundled and bundled.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, multipleOfFloor, nowNs, REPO_ROOT, removeDir, scratchDir, secondsSince, type Section } from './harness.js';

const RUNS = 10;
const IMPORT_COST_RUNS = 3;
const MULTIPLE_MAX = 3;
const CLI = join(REPO_ROOT, 'bin', 'arbbot.js');
const IMPORT_COST_SCRIPT = join(REPO_ROOT, 'dist-bench', 'bench', 'import-cost.js');

/**
 * The CLI's entry module two ways, each imported alone by a fresh import-cost child: tsc's output, one file per module
 * (kysely alone is some 250), and the bundle bin/arbbot.js loads (scripts/bundle.js).
 */
const ENTRY_MODULES = ['dist/cli/main.js', 'dist/bundle/main.js'] as const;

export async function cliStart(): Promise<Section> {
  const started = nowNs();
  const dir = scratchDir('cli');
  try {
    const dbPath = join(dir, 'empty.db');
    // `positions` only reads: the empty ledger is made first, as `arbbot init` makes it.
    run(dir, [CLI, '--db', dbPath, 'init'], () => true);
    const cli = () => run(dir, [CLI, '--db', dbPath, 'positions', '--json'], (stdout) => (JSON.parse(stdout) as { positions: unknown[] }).positions.length === 0);
    const bare = () => run(dir, ['-e', ''], (stdout) => stdout === '');
    cli();
    bare();
    const cliMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      if (i % 2 === 0) cliMs.push(cli());
      bareMs.push(bare());
      if (i % 2 === 1) cliMs.push(cli());
    }
    const measurement = multipleOfFloor(
      'CLI start, `arbbot positions --json` on an empty ledger',
      { label: 'node bin/arbbot.js positions --json', value: median(cliMs), unit: 'ms' },
      { label: 'node -e ""', value: median(bareMs), unit: 'ms' },
      MULTIPLE_MAX,
    );
    const details = [
      `${RUNS} runs each, interleaved, median: CLI ${cliMs.map((ms) => ms.toFixed(0)).join(' / ')} ms; bare node ${bareMs.map((ms) => ms.toFixed(0)).join(' / ')} ms.`,
      `--cpu-prof of one CLI run, self time by kind: ${profileText(dir, dbPath)}.`,
      importCostLine(dir),
    ];
    return { title: '5. CLI start', measurements: [measurement], details, seconds: secondsSince(started) };
  } finally {
    removeDir(dir);
  }
}

/** Runs `node …args` in `cwd` (no config file there, so the built-in defaults apply) and returns its wall time. */
function run(cwd: string, args: readonly string[], expected: (stdout: string) => boolean): number {
  const env = { ...process.env };
  delete env.ARBBOT_DB;
  const start = nowNs();
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
  const ms = Number(nowNs() - start) / 1e6;
  if (result.status !== 0 || !expected(result.stdout.trim())) {
    throw new Error(`cli bench: node ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()} ${result.stdout.trim()}`);
  }
  return ms;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Native fs calls with no script of their own: in a CLI start they are the module loader reading files. */
const LOADER_NATIVES = new Set(['openFileHandle', 'read', 'fstat', 'lstat', 'close', 'internalModuleStat', 'readFileUtf8', 'realpath']);

function kindOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (/^node:internal\/(modules|url)|^node:(path|fs)$/.test(url) || (url === '' && LOADER_NATIVES.has(functionName))) {
    return 'module loading (resolve, read, compile, link)';
  }
  if (url.includes('/node_modules/')) return `package code (${/\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? '?'} …)`;
  if (url.includes('/dist/bundle/')) return 'bundled code (arbbot and the packages it bundles)';
  if (url.includes('/dist/')) return 'arbbot code';
  if (functionName === '(garbage collector)') return 'garbage collection';
  return 'other (node start-up, idle, native)';
}

function profileText(dir: string, dbPath: string): string {
  const profileDir = join(dir, 'cpu-prof');
  const result = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, CLI, '--db', dbPath, 'positions', '--json'], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) return `profiling run failed: ${result.stderr.trim()}`;
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return 'no profile written';
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as Profile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byKind = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    if (!frame) return;
    const kind = kindOf(frame).replace(/^package code \(.*\)$/, 'package code');
    byKind.set(kind, (byKind.get(kind) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1_000);
  });
  const totalMs = [...byKind.values()].reduce((a, b) => a + b, 0);
  return [...byKind]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, ms]) => `${kind} ${ms.toFixed(0)} ms (${((100 * ms) / totalMs).toFixed(0)}%)`)
    .join(', ');
}

/** Median import cost of each entry module in a fresh process, or why it could not be measured. */
function importCostLine(dir: string): string {
  const costs: string[] = [];
  for (const module of ENTRY_MODULES) {
    const runs: number[] = [];
    for (let i = 0; i < IMPORT_COST_RUNS; i += 1) {
      const result = spawnSync(process.execPath, [IMPORT_COST_SCRIPT, pathToFileURL(join(REPO_ROOT, module)).href], { cwd: dir, encoding: 'utf8' });
      if (result.status !== 0) return `import-cost run failed: ${result.stderr.trim()}`;
      runs.push((JSON.parse(result.stdout) as { module: string; ms: number }[])[0]?.ms ?? Number.NaN);
    }
    costs.push(`${module} ${median(runs).toFixed(0)} ms`);
  }
  return (
    `Import of the CLI's entry module alone, median of ${IMPORT_COST_RUNS} fresh processes: ${costs.join('; ')}. The first is tsc's output, ` +
    `one file per module (kysely alone is some 250); the second is the bundle bin/arbbot.js loads, where the modules every command needs ` +
    `are one file and each venue adapter a chunk loaded only when configured.`
  );
}
