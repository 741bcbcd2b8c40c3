// BENCHMARKS.md: the machine, a summary table of every figure against its floor and target, then each section's
// supporting measurements (splits, profiles, sizes) that say why a target was missed.
import type { Machine } from './machine.js';
import { formatQuantity, type Measurement, type Section } from './harness.js';

export function renderReport(machine: Machine, sections: readonly Section[], wallSeconds: number, loadAfter: string): string {
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/); do not edit by hand. Every verdict compares two figures measured in the same run',
    '(or, for p99 tick-to-order, p99 of the websocket path and wallet-check time, an absolute bound), so a slower or busier machine moves both sides.',
    'Rows marked "reported" have no target: they give context (a one-off or on-request cost) beside the figures that do.',
    'Each section runs in a fresh process, so one benchmark\'s warmed-up code and heap cannot colour the next.',
    '',
    '## Machine',
    '',
    `- Date: ${machine.date}`,
    `- CPU: ${machine.cpu}, ${machine.cores} cores; ${machine.os}`,
    `- Node ${machine.node}, better-sqlite3 ${machine.betterSqlite3}, SQLite ${machine.sqlite}`,
    `- Temp databases: ${machine.scratchFilesystem}`,
    `- Load average (1 / 5 / 15 min) at start: ${machine.loadAverage}; at end: ${loadAfter}`,
    `- Wall time of the whole run: ${wallSeconds.toFixed(0)} s`,
    '',
    '## Summary',
    '',
    '| Benchmark | Figure | Floor | Ratio | Target | Verdict |',
    '|---|---|---|---|---|---|',
    ...sections.flatMap((section) => section.measurements.map(row)),
    '',
  ];
  for (const section of sections) {
    lines.push(`## ${section.title}`, '', `Section time: ${section.seconds.toFixed(1)} s.`, '');
    for (const measurement of section.measurements) {
      lines.push(
        `- **${measurement.name}: ${verdict(measurement)}** — ${measurement.figure.label}: ${formatQuantity(measurement.figure)}; ` +
          `${measurement.floor.label}: ${formatQuantity(measurement.floor)}; ${measurement.ratioText} (target ${measurement.target}).`,
      );
    }
    lines.push('', ...section.details.map((detail) => `- ${detail}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function verdict(measurement: Measurement): string {
  if (measurement.informational) return 'reported';
  return measurement.pass ? 'PASS' : 'MISS';
}

function row(measurement: Measurement): string {
  const cells = [
    measurement.name,
    Number.isNaN(measurement.figure.value) ? measurement.figure.label : formatQuantity(measurement.figure),
    Number.isNaN(measurement.floor.value) ? 'n/a' : formatQuantity(measurement.floor),
    measurement.ratioText,
    measurement.target,
    `**${verdict(measurement)}**`,
  ];
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}
