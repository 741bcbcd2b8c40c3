// `arbbot status` and the banner `run` prints as it starts: which ledger and config are in use, which venues (paper
// or live, credentials there or not), whether an engine trades on this ledger, what is open, and when the books were
// last proven. It reads only: no ledger is created, nothing is written.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import type { Micros } from '../domain/money.js';
import { engineStartedAt, runningEngine } from '../ledger/engine-lock.js';
import type { Ledger } from '../ledger/ledger.js';
import { readCheckpoint } from '../ledger/log-audit.js';
import type { Venue } from '../venues/venue.js';

export interface VenueStatus {
  readonly name: string;
  readonly type: string;
  readonly live: boolean;
  /** Live venues: null when it can trade, else what is missing (credentials); paper venues: null. */
  readonly cannotTrade: string | null;
  /** Where `arbbot run` reads the venue's books: kept by the process (paper), from its stream, or polled over REST. */
  readonly books: 'local' | 'streamed' | 'polled';
}

export interface LedgerStatus {
  readonly ledgerId: string;
  readonly createdAt: string;
  readonly bytes: number;
  readonly openPositions: number;
  readonly locked: Micros;
  /** The last healthy wallet-check: when, through which log row, and how many rows came after it. */
  readonly lastProof: { readonly verifiedAt: string; readonly throughId: number; readonly rowsSince: number } | null;
}

export interface Status {
  readonly ledgerPath: string;
  readonly configSource: string | null;
  /** null: no ledger at the path yet. */
  readonly ledger: LedgerStatus | null;
  readonly engine: { readonly pid: number | null; readonly since: string | null } | null;
  readonly venues: readonly VenueStatus[];
}

function venueStatus(config: Config, venues: ReadonlyMap<string, Venue>): VenueStatus[] {
  return [...config.venues.values()].map((venue) => {
    let cannotTrade: string | null = null;
    try {
      venues.get(venue.name)?.assertCanTrade?.();
    } catch (error) {
      cannotTrade = error instanceof Error ? error.message : String(error);
    }
    const built = venues.get(venue.name);
    const books = built?.stream !== undefined ? 'streamed' : built?.localBooks !== undefined ? 'local' : 'polled';
    return { name: venue.name, type: venue.type, live: venue.type !== 'paper', cannotTrade, books };
  });
}

function ledgerStatus(ledger: Ledger, dbPath: string): LedgerStatus {
  const identity = ledger.identity();
  const open = ledger.listPositions('open');
  const checkpoint = readCheckpoint(ledger);
  const lastId = ledger.listTransactions(null, 1)[0]?.id ?? 0;
  return {
    ledgerId: identity.ledgerId,
    createdAt: identity.createdAt,
    bytes: statSync(dbPath).size,
    openPositions: open.length,
    locked: ledger.listWallets().reduce((sum, wallet) => sum + wallet.locked, 0) as Micros,
    lastProof: checkpoint && { verifiedAt: checkpoint.verifiedAt, throughId: checkpoint.throughId, rowsSince: Math.max(0, lastId - checkpoint.throughId) },
  };
}

/**
 * The status, from a ledger opened read-only by the caller (`open` is called only when a ledger file exists) and the
 * configured venues (built without I/O: a live venue's credentials are looked for, not used).
 */
export function readStatus(config: Config, dbPath: string, venues: ReadonlyMap<string, Venue>, open: () => Ledger): Status {
  const exists = existsSync(dbPath);
  const pid = exists ? runningEngine(dbPath) : null;
  return {
    ledgerPath: resolve(dbPath),
    configSource: config.source === null ? null : resolve(config.source),
    ledger: exists ? ledgerStatus(open(), dbPath) : null,
    engine: pid === null ? null : { pid: pid === 0 ? null : pid, since: engineStartedAt(dbPath)?.toISOString() ?? null },
    venues: venueStatus(config, venues),
  };
}
