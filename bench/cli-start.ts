// Benchmark 5 — CLI start: `node bin/arbbot.js positions --json` on an empty ledger against `node -e ""`, each run
// as a child process (spawnSync), interleaved, median of each. The CLI runs once first to create and migrate the
// ledger, so every timed run opens an existing empty database, as a user's second command would.
// Where the time goes comes from two views: a --cpu-prof profile of one run, and the import cost of each module.
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

/** Imported in this order by the import-cost child: packages first, then arbbot's modules from the inside out. */
const IMPORT_ORDER = [
  'commander',
  'chalk',
  'ora',
  'cli-table3',
  'zod',
  'kysely',
  'better-sqlite3',
  'dist/config/config.js',
  'dist/ledger/ledger.js',
  'dist/cli/context.js',
  'dist/cli/commands/position-commands.js',
  'dist/cli/commands/ledger-commands.js',
  'dist/cli/commands/open-command.js',
  'dist/cli/commands/check-commands.js',
  'dist/cli/commands/arb-command.js',
  'dist/cli/commands/run-command.js',
  'dist/cli/main.js',
] as const;

export async function cliStart(): Promise<Section> {
  const started = nowNs();
  const dir = scratchDir('cli');
  try {
    const dbPath = join(dir, 'empty.db');
    const cli = () => run(dir, [CLI, '--db', dbPath, 'positions', '--json'], (stdout) => JSON.stringify(JSON.parse(stdout)) === '{"positions":[]}');
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
      ...importCostLines(importCosts(dir)),
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

/** Median import cost per module, in IMPORT_ORDER, or why it could not be measured. */
function importCosts(dir: string): Map<string, number> | string {
  const specifiers = IMPORT_ORDER.map((module) => (module.startsWith('dist/') ? pathToFileURL(join(REPO_ROOT, module)).href : module));
  const runs: Map<string, number>[] = [];
  for (let i = 0; i < IMPORT_COST_RUNS; i += 1) {
    const result = spawnSync(process.execPath, [IMPORT_COST_SCRIPT, ...specifiers], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) return `import-cost run failed: ${result.stderr.trim()}`;
    const costs = JSON.parse(result.stdout) as { module: string; ms: number }[];
    runs.push(new Map(costs.map((cost, index) => [IMPORT_ORDER[index] ?? cost.module, cost.ms])));
  }
  return new Map(IMPORT_ORDER.map((module) => [module, median(runs.map((costs) => costs.get(module) ?? 0))]));
}

/** Command modules `positions` does not need: what lazy-loading commands in main.ts could save. */
const OTHER_COMMANDS = IMPORT_ORDER.filter((module) => module.startsWith('dist/cli/commands/') && !module.endsWith('position-commands.js'));

function importCostLines(costs: Map<string, number> | string): string[] {
  if (typeof costs === 'string') return [costs];
  const sum = (modules: readonly string[]) => modules.reduce((total, module) => total + (costs.get(module) ?? 0), 0);
  const packages = IMPORT_ORDER.filter((module) => !module.startsWith('dist/'));
  return [
    `Import cost, each module after the ones before it (median of ${IMPORT_COST_RUNS} fresh processes): ` +
      `${[...costs].map(([module, ms]) => `${module} ${ms.toFixed(0)} ms`).join(', ')}.`,
    `The packages every command loads cost ${sum(packages).toFixed(0)} ms together; the command modules \`positions\` does not use cost ` +
      `${sum(OTHER_COMMANDS).toFixed(0)} ms, the most lazy-loading commands in src/cli/main.ts could save.`,
  ];
}
