// `npm run bench`: runs every benchmark in turn, prints each verdict as it lands, and writes BENCHMARKS.md.
// BENCH_ONLY=ledger,tick,replay,walletcheck,cli,listing,growth,ws runs a subset (and then writes nothing, so a partial run never
// replaces the full report).
//
// Each benchmark runs in a process of its own: V8 shares what it learns about a function's argument shapes across
// the whole process, so engine code the tick benchmark had trained (every quote an arbitrage) ran the replay
// benchmark's quotes (none an arbitrage) at 206,000 quotes/s where a fresh process ran them at 297,000. A child is
// this same file with BENCH_SECTION set; it writes its section as JSON to the file named in BENCH_SECTION_OUT.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliListing } from './cli-listing.js';
import { cliStart } from './cli-start.js';
import { installMigrations, nowNs, REPO_ROOT, removeDir, scratchDir, secondsSince, type Section } from './harness.js';
import { ledgerThroughput } from './ledger-throughput.js';
import { growthBench } from './growth.js';
import { describeMachine, loadText } from './machine.js';
import { renderReport } from './report.js';
import { replayThroughput } from './replay.js';
import { tickToOrder } from './tick-to-order.js';
import { walletCheckBench } from './wallet-check.js';
import { wsLatency } from './ws-latency.js';

const BENCHMARKS: ReadonlyMap<string, () => Promise<Section>> = new Map([
  ['ledger', ledgerThroughput],
  ['tick', tickToOrder],
  ['replay', replayThroughput],
  ['walletcheck', walletCheckBench],
  ['cli', cliStart],
  ['listing', cliListing],
  ['growth', growthBench],
  ['ws', wsLatency],
]);

/** Runs one benchmark in a fresh process and returns its section. */
function runInChild(name: string): Section {
  const dir = scratchDir(`section-${name}`);
  try {
    const out = join(dir, 'section.json');
    // --expose-gc: the replay benchmark measures the heap after full collections.
    const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_SECTION: name, BENCH_SECTION_OUT: out },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`bench: ${name} exited ${result.status ?? result.signal}`);
    return JSON.parse(readFileSync(out, 'utf8')) as Section;
  } finally {
    removeDir(dir);
  }
}

async function main(): Promise<void> {
  const section = process.env.BENCH_SECTION;
  if (section !== undefined) {
    const run = BENCHMARKS.get(section);
    if (!run || !process.env.BENCH_SECTION_OUT) throw new Error(`bench: no benchmark "${section}", or no BENCH_SECTION_OUT`);
    writeFileSync(process.env.BENCH_SECTION_OUT, JSON.stringify(await run()));
    return;
  }
  const started = nowNs();
  installMigrations();
  const machine = describeMachine();
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  const sections: Section[] = [];
  for (const name of BENCHMARKS.keys()) {
    if (only && !only.includes(name)) continue;
    process.stdout.write(`bench: ${name} …\n`);
    const section = runInChild(name);
    sections.push(section);
    for (const m of section.measurements) {
      process.stdout.write(`  ${m.informational ? 'INFO' : m.pass ? 'PASS' : 'MISS'}  ${m.name}: ${m.figure.value.toFixed(3)} ${m.figure.unit} vs ${m.floor.value.toFixed(3)} ${m.floor.unit} — ${m.ratioText} (target ${m.target})\n`);
    }
    process.stdout.write(`  (${section.seconds.toFixed(1)} s)\n`);
  }
  const report = renderReport(machine, sections, secondsSince(started), loadText());
  if (only) {
    process.stdout.write('\nBENCH_ONLY set: BENCHMARKS.md left as it was. The partial report:\n\n');
    process.stdout.write(report);
    return;
  }
  writeFileSync(join(REPO_ROOT, 'BENCHMARKS.md'), report);
  process.stdout.write(`\nwrote BENCHMARKS.md (${secondsSince(started).toFixed(0)} s)\n`);
}

await main();
