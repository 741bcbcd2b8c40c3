// Shared pieces of the benchmarks: the result shape every benchmark returns, clocks, order statistics and
// scratch directories. Targets are ratios of two figures measured in the same run, so a slower or busier machine
// moves both sides; only two are absolute bounds (tick-to-order p99, wallet-check time).
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR } from '../src/ledger/database.js';

/** The repository root (this file runs from dist-bench/bench/). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Quantity {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
}

/** One figure against its floor, with the target it is judged by. */
export interface Measurement {
  readonly name: string;
  readonly figure: Quantity;
  readonly floor: Quantity;
  /** figure / floor (or figure / bound): what the target compares. */
  readonly ratio: number;
  readonly ratioText: string;
  readonly target: string;
  readonly pass: boolean;
  /** Reported beside the targets for context, judged by none (a one-off or on-request cost). */
  readonly informational?: boolean;
}

export interface Section {
  readonly title: string;
  readonly measurements: readonly Measurement[];
  /** Supporting figures (splits, profiles, sizes) rendered under the section. */
  readonly details: readonly string[];
  readonly seconds: number;
}

export function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function secondsSince(startNs: bigint): number {
  return Number(nowNs() - startNs) / 1e9;
}

/** Nearest-rank percentile of an unsorted sample (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** A rate-style measurement: higher is better, target is a minimum share of the floor. */
export function shareOfFloor(name: string, figure: Quantity, floor: Quantity, minShare: number): Measurement {
  const ratio = figure.value / floor.value;
  return { name, figure, floor, ratio, ratioText: `${pct(ratio)} of floor`, target: `>= ${pct(minShare)} of floor`, pass: ratio >= minShare };
}

/** A time-style measurement: lower is better, target is a maximum multiple of the floor. */
export function multipleOfFloor(name: string, figure: Quantity, floor: Quantity, maxMultiple: number): Measurement {
  const ratio = figure.value / floor.value;
  return { name, figure, floor, ratio, ratioText: `${ratio.toFixed(2)}× floor`, target: `<= ${maxMultiple}× floor`, pass: ratio <= maxMultiple };
}

/** An absolute bound (the one target that is not a ratio: p99 <= 1 ms). */
export function atMost(name: string, figure: Quantity, bound: Quantity): Measurement {
  const ratio = figure.value / bound.value;
  return { name, figure, floor: bound, ratio, ratioText: `${ratio.toFixed(2)}× bound`, target: `<= ${formatQuantity(bound)} (absolute)`, pass: ratio <= 1 };
}

/** A figure shown against a floor for context, with no target: its verdict is "reported". */
export function reported(name: string, figure: Quantity, floor: Quantity): Measurement {
  const ratio = figure.value / floor.value;
  return { name, figure, floor, ratio, ratioText: `${ratio.toFixed(2)}× floor`, target: 'none (reported)', pass: true, informational: true };
}

export function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

function formatNumber(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

export function formatQuantity(quantity: Quantity): string {
  return `${formatNumber(quantity.value)} ${quantity.unit}`;
}

/** A scratch directory on the temp disk, removed by the caller. BENCH_DIR overrides where it is made. */
export function scratchDir(name: string): string {
  const base = process.env.BENCH_DIR ?? tmpdir();
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `arbbot-bench-${name}-`));
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/**
 * The ledger code compiled into dist-bench/ looks for its migrations next to itself (dist-bench/migrations);
 * copy the repository's migrations there so the bench opens databases exactly as the bot does.
 */
export function installMigrations(): void {
  // Replaced whole: a migration renamed since the last build must not linger beside its new name.
  rmSync(MIGRATIONS_DIR, { recursive: true, force: true });
  cpSync(join(REPO_ROOT, 'migrations'), MIGRATIONS_DIR, { recursive: true });
}
