// End-to-end fixtures: a temporary directory holding ./arbbot.config.json (the CLI's default config path) and
// ./arbbot.db, feeds written as JSON Lines files, the real CLI run in a child process, and read-only looks at the
// resulting SQLite file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseConfigObject } from '../../src/config/config.js';
import { parseMicros, parsePrice } from '../../src/domain/money.js';
import type { Side } from '../../src/domain/position.js';
import { openPosition } from '../../src/engine/trading.js';
import { Ledger, type PositionRow, type Wallet } from '../../src/ledger/ledger.js';
import { cli, tempDir, writeConfig, type CliResult } from '../helpers.js';
import { invariantViolations } from '../invariants.js';
import { dbOf } from '../helpers.js';

/** The reference figures (docs/ledger.md): a $100 paper wallet, TP 3/6/10%, SL 5%, fee 0.26%, spread 0.1%, slippage 0.05%. */
export function seedConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    synchronous: 'NORMAL',
    venues: { paper: { type: 'paper', startingBalance: '100' } },
    tpsl: { tp1Pct: '3', tp2Pct: '6', tp3Pct: '10', slPct: '5' },
    costs: { feePct: '0.26', spreadPct: '0.1', slippagePct: '0.05' },
    priceGuard: { maxJumpPct: '50', staleAfterMs: 30_000 },
    ...overrides,
  };
}

/** A temporary directory with ./arbbot.config.json written. */
export function configuredDir(config: Record<string, unknown> = seedConfig()): string {
  const dir = tempDir();
  writeConfig(dir, config);
  return dir;
}

export function dbPath(dir: string): string {
  return join(dir, 'arbbot.db');
}

const T0_MS = Date.UTC(2026, 0, 1);

export function at(second: number): string {
  return new Date(T0_MS + second * 1000).toISOString();
}

export type FeedLine = Record<string, unknown> | string;

export function quote(second: number, price: string | { bid: string; ask: string }, market = 'SOL-USD', venue = 'paper'): FeedLine {
  return { ts: at(second), venue, market, ...(typeof price === 'string' ? { price } : price) };
}

export function writeFeed(dir: string, lines: readonly FeedLine[], name = 'feed.jsonl'): string {
  writeFileSync(join(dir, name), lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  return name;
}

export interface RunSummary {
  stoppedBy: string;
  events: number;
  quotesAccepted: number;
  quotesRejected: number;
  rejectedByReason: Record<string, number>;
  badLines: number;
  pauses: number;
  positionsOpened: number;
  positionsClosed: number;
  closedByReason: Record<string, number>;
  tiersHit: number;
  resolutions: number;
  openPositions: number;
  realisedNetPnl: string;
  wallets: { venue: string; total: string; available: string; locked: string }[];
}

/**
 * `arbbot --json --verbose run --feed <file>`: the summary from stdout and the event log from stderr (--verbose
 * keeps the log lines that --json alone silences). Fails the test unless the run exits 0 with a JSON summary.
 */
export function runFeed(dir: string, lines: readonly FeedLine[], args: readonly string[] = []): { summary: RunSummary; stderr: string } {
  const name = writeFeed(dir, lines);
  const result = cli(dir, ['--json', '--verbose', 'run', '--feed', name, ...args]);
  return { summary: parseSummary(result), stderr: result.stderr };
}

export function parseSummary(result: CliResult): RunSummary {
  expect(result.code, result.stderr).toBe(0);
  try {
    return JSON.parse(result.stdout) as RunSummary;
  } catch {
    throw new Error(`run printed no JSON summary:\n${result.stdout}\n${result.stderr}`);
  }
}

/** `arbbot --json open …` → the new position's id. */
export function openCli(dir: string, args: readonly string[]): number {
  const result = cli(dir, ['--json', 'open', ...args]);
  expect(result.code, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout) as { status: string; position: { id: number } };
  expect(parsed.status).toBe('opened');
  return parsed.position.id;
}

/** Opens positions straight on the ledger file (the way `open` does), for set-ups with many positions. */
export function openDirect(
  dir: string,
  config: Record<string, unknown>,
  orders: readonly { market: string; side: Side; price: string; size?: string; venue?: string }[],
): number[] {
  const parsed = parseConfigObject(config, null);
  const ledger = Ledger.open(dbPath(dir), { synchronous: 'NORMAL' });
  try {
    for (const venue of parsed.venues.values()) ledger.ensureWallet(venue.name, venue.startingBalance);
    return orders.map((order) => {
      const venue = order.venue ?? 'paper';
      return openPosition(ledger, {
        venue,
        market: order.market,
        side: order.side,
        size: parseMicros(order.size ?? '25'),
        price: parsePrice(order.price),
        ladder: parsed.tpsl,
        costs: parsed.costs,
        predictionMarket: parsed.venues.get(venue)?.predictionMarket ?? false,
      }).position.id;
    });
  } finally {
    ledger.close();
  }
}

/** Reads the ledger file read-only (no migration, no writes). */
export function readLedger<T>(dir: string, read: (ledger: Ledger) => T): T {
  const ledger = Ledger.open(dbPath(dir), { readonly: true });
  try {
    return read(ledger);
  } finally {
    ledger.close();
  }
}

export function positions(dir: string): PositionRow[] {
  return readLedger(dir, (ledger) => ledger.listPositions('all'));
}

export function position(dir: string, id: number): PositionRow {
  return readLedger(dir, (ledger) => ledger.requirePosition(id));
}

export function wallet(dir: string, venue = 'paper'): Wallet {
  return readLedger(dir, (ledger) => ledger.requireWallet(venue));
}

export function transactionCount(dir: string, type?: string): number {
  return readLedger(dir, (ledger) => {
    const row = type
      ? dbOf(ledger).prepare('SELECT count(*) AS n FROM wallet_transactions WHERE type = ?').get(type)
      : dbOf(ledger).prepare('SELECT count(*) AS n FROM wallet_transactions').get();
    return (row as { n: number }).n;
  });
}

/** `arbbot wallet-check` exits 0 with HEALTHY, and the independent auditor (test/invariants.ts) agrees. */
export function expectHealthy(dir: string): CliResult {
  const check = cli(dir, ['wallet-check']);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(check.stdout).toMatch(/^HEALTHY \(/m);
  expect(readLedger(dir, (ledger) => invariantViolations(ledger))).toEqual([]);
  return check;
}

/** Micro-units from a decimal string, for comparing ledger rows. */
export const m = (text: string): number => parseMicros(text, { allowZero: true, allowNegative: true });

/** The stderr lines, in order, without colour (NO_COLOR is set by the helper). */
export function logLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '');
}

/** Asserts that `expected` occur in `lines` in this order (other lines may come between). */
export function expectInOrder(lines: readonly string[], expected: readonly string[]): void {
  let from = 0;
  for (const wanted of expected) {
    const index = lines.findIndex((line, i) => i >= from && line.includes(wanted));
    expect(index, `"${wanted}" after line ${from} in:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = index + 1;
  }
}
