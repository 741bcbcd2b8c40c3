// Fixtures for ledger and CLI suites: the reference cost model and ladder (docs/ledger.md), opening positions the way the engine does
// (levels from the ladder, entry fee from the cost model), a ready CLI directory, and raw writes that break the books.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CostModel } from '../src/domain/costs.js';
import { entryFee } from '../src/domain/costs.js';
import { parseMicros, parsePrice, quantityFor, type Micros, type Ppm } from '../src/domain/money.js';
import { ladderLevels, type LadderConfig, type Side } from '../src/domain/position.js';
import { closeSetAside } from '../src/domain/set-aside.js';
import { Ledger } from '../src/ledger/ledger.js';
import { tempDir, writeConfig } from './helpers.js';

/** Fee 0.26%, spread 0.1%, slippage 0.05% (the reference figures and the built-in defaults). */
export const SEED_COSTS: CostModel = { feePpm: 2600 as Ppm, spreadPpm: 1000 as Ppm, slippagePpm: 500 as Ppm };
/** TP 3/6/10%, SL 5%. */
export const SEED_LADDER: LadderConfig = { tp1Ppm: 30_000 as Ppm, tp2Ppm: 60_000 as Ppm, tp3Ppm: 100_000 as Ppm, slPpm: 50_000 as Ppm };

export const usd = (text: string): Micros => parseMicros(text, { allowZero: true, allowNegative: true });

export interface OpenArgs {
  readonly venue?: string;
  readonly market?: string;
  readonly side?: Side;
  /** Cost basis in dollars, e.g. "25". */
  readonly size?: string;
  /** Entry price in dollars, e.g. "100". */
  readonly price?: string;
  readonly idempotencyKey?: string;
  readonly reservationId?: number;
  readonly entryFeeCharged?: boolean;
  /** A prediction market: prices below $1, so a short's worst close is at $1. */
  readonly predictionMarket?: boolean;
  /**
   * false: lock the cost basis alone, as positions opened before set-asides did (a ledger from an earlier version
   * still holds such positions, and their closes must still be booked).
   */
  readonly setAside?: boolean;
}

/** Opens a position on the ledger with the reference ladder and cost model: long $25 at $100 on paper unless told. */
export function openPosition(ledger: Ledger, args: OpenArgs = {}) {
  const side = args.side ?? 'long';
  const costBasis = usd(args.size ?? '25');
  const entryPrice = parsePrice(args.price ?? '100');
  const quantity = quantityFor(costBasis, entryPrice, 'down');
  const fee = entryFee(SEED_COSTS, costBasis);
  const setAside = closeSetAside(SEED_COSTS, {
    side,
    quantity,
    costBasis,
    entryFee: fee,
    entryFeeCharged: args.entryFeeCharged ?? false,
    priceCeiling: args.predictionMarket ? parsePrice('1') : null,
  });
  return ledger.openPosition({
    venue: args.venue ?? 'paper',
    market: args.market ?? 'BTC-USD',
    side,
    quantity,
    entryPrice,
    costBasis,
    levels: { ...ladderLevels(side, entryPrice, SEED_LADDER), liquidationPrice: args.setAside === false ? null : setAside.liquidationPrice },
    entryFee: fee,
    ...(args.setAside === false ? {} : { closeReserve: setAside.closeReserve, liquidationPrice: setAside.liquidationPrice }),
    ...(args.idempotencyKey === undefined ? {} : { idempotencyKey: args.idempotencyKey }),
    ...(args.reservationId === undefined ? {} : { reservationId: args.reservationId }),
    ...(args.entryFeeCharged === undefined ? {} : { entryFeeCharged: args.entryFeeCharged }),
  });
}

export function closeAt(ledger: Ledger, id: number, price: string, reason = 'test close') {
  return ledger.closePosition(id, { exitPrice: parsePrice(price), reason, costs: SEED_COSTS });
}

/**
 * A directory ready for the CLI: ./arbbot.config.json with one paper wallet of `startingBalance` and ./arbbot.db
 * already created (so the first CLI run writes nothing of its own). `setup` may add positions etc. before closing.
 */
export function cliDir(startingBalance = '100', setup?: (ledger: Ledger) => void): { dir: string; db: string } {
  const dir = tempDir();
  writeConfig(dir, { venues: { paper: { startingBalance } } });
  const db = join(dir, 'arbbot.db');
  const ledger = Ledger.open(db, { synchronous: 'NORMAL' });
  try {
    ledger.ensureWallet('paper', usd(startingBalance));
    setup?.(ledger);
  } finally {
    ledger.close();
  }
  return { dir, db };
}

/** Runs raw SQL on the file through a separate better-sqlite3 connection: the way to write a row the ledger never would. */
export function rawSql(path: string, sql: string, options: { ignoreChecks?: boolean; foreignKeys?: boolean } = {}): void {
  const db = new Database(path);
  try {
    if (options.ignoreChecks) db.pragma('ignore_check_constraints = ON');
    db.pragma(`foreign_keys = ${options.foreignKeys === false ? 'OFF' : 'ON'}`);
    db.exec(sql);
  } finally {
    db.close();
  }
}
