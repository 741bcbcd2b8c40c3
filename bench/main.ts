// `npm run bench`: runs every benchmark in turn, prints each verdict as it lands, and writes BENCHMARKS.md.
// BENCH_ONLY=ledger,tick,replay,walletcheck,cli runs a subset (and then writes nothing, so a partial run never
// replaces the full report).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliStart } from './cli-start.js';
import { installMigrations, nowNs, REPO_ROOT, secondsSince, type Section } from './harness.js';
import { ledgerThroughput } from './ledger-throughput.js';
import { describeMachine, loadText } from './machine.js';
import { renderReport } from './report.js';
import { replayThroughput } from './replay.js';
import { tickToOrder } from './tick-to-order.js';
import { walletCheckBench } from './wallet-check.js';

const BENCHMARKS: readonly (readonly [string, () => Promise<Section>])[] = [
  ['ledger', ledgerThroughput],
  ['tick', tickToOrder],
  ['replay', replayThroughput],
  ['walletcheck', walletCheckBench],
  ['cli', cliStart],
];

async function main(): Promise<void> {
  const started = nowNs();
  installMigrations();
  const machine = describeMachine();
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  const sections: Section[] = [];
  for (const [name, run] of BENCHMARKS) {
    if (only && !only.includes(name)) continue;
    process.stdout.write(`bench: ${name} …\n`);
    const section = await run();
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
