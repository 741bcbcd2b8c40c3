// Building what the engine benchmarks run on: a config of paper prediction venues, the ledger with every configured
// wallet created (as the CLI does on open), the paper venues, and an engine wired to all of them — with WAL
// checkpoints in a background worker, as `arbbot run` has them.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigObject, type Config } from '../src/config/config.js';
import { Engine } from '../src/engine/engine.js';
import type { EngineEvent } from '../src/engine/events.js';
import type { SynchronousMode } from '../src/ledger/database.js';
import { BackgroundCheckpointer } from '../src/ledger/checkpointer.js';
import { Ledger } from '../src/ledger/ledger.js';
import { createVenues, type VenueSet } from '../src/venues/registry.js';
import type { Venue } from '../src/venues/venue.js';
import { nowNs } from './harness.js';
import { connectionOf as dbOf } from '../src/ledger/connections.js';

export interface EngineRig {
  readonly config: Config;
  readonly ledger: Ledger;
  readonly venues: VenueSet;
  /** The venues the engine was given: the configured ones, or what the rig's `engineVenues` option made of them. */
  readonly engineVenues: ReadonlyMap<string, Venue>;
  readonly engine: Engine;
  readonly events: EngineEvent[];
  /** Ledger transactions committed so far (outermost BEGIN IMMEDIATE … COMMIT only; savepoints are not commits). */
  commits(): number;
  /** Milliseconds spent inside those transactions so far, from BEGIN to the end of COMMIT. */
  transactionMs(): number;
  close(): Promise<void>;
}

/** Events kept for inspection; the engine emits several per trade and a bench must not grow without bound. */
const EVENTS_KEPT_MAX = 1_000;

export interface EngineRigOptions {
  /** The venues to hand the engine, built from the configured ones (default: those, as they are). */
  readonly engineVenues?: (venues: VenueSet) => ReadonlyMap<string, Venue>;
}

export async function engineRig(dir: string, configJson: unknown, synchronous: SynchronousMode, name = 'engine', options: EngineRigOptions = {}): Promise<EngineRig> {
  const config = parseConfigObject(configJson, 'bench config');
  const dbPath = join(dir, `${name}-${synchronous}.db`);
  const ledger = Ledger.open(dbPath, { synchronous });
  for (const venue of config.venues.values()) ledger.ensureWallet(venue.name, venue.startingBalance);
  const checkpointer = BackgroundCheckpointer.start(ledger, dbPath, { synchronous, busyTimeoutMs: config.busyTimeoutMs });
  const { commits, transactionMs } = countCommits(ledger);
  const venues = await createVenues(config, dbPath);
  const engineVenues = options.engineVenues?.(venues) ?? venues.venues;
  const events: EngineEvent[] = [];
  const engine = new Engine({
    ledger,
    config,
    venues: engineVenues,
    listener: (event) => {
      if (events.length < EVENTS_KEPT_MAX) events.push(event);
    },
  });
  await engine.start();
  return {
    config,
    ledger,
    venues,
    engineVenues,
    engine,
    events,
    commits,
    transactionMs,
    close: async () => {
      engine.stop();
      await checkpointer.stop();
      await venues.close();
      ledger.close();
    },
  };
}

/** Wraps the ledger's one transaction entry point to count and time commits (the outermost call is the COMMIT). */
function countCommits(ledger: Ledger): { commits: () => number; transactionMs: () => number } {
  let count = 0;
  let totalNs = 0n;
  const transaction = ledger.transaction.bind(ledger);
  ledger.transaction = <T>(fn: () => T): T => {
    if (dbOf(ledger).inTransaction) return transaction(fn);
    const start = nowNs();
    try {
      return transaction(fn);
    } finally {
      count += 1;
      totalNs += nowNs() - start;
    }
  };
  return { commits: () => count, transactionMs: () => Number(totalNs) / 1e6 };
}

/** A paper prediction venue's config entry with a generous balance, so funds never end a bench early. */
export function paperVenue(markets: Record<string, { bid: string; ask: string }> = {}): Record<string, unknown> {
  return { type: 'paper', predictionMarket: true, startingBalance: '10000000', markets };
}

/** Times one durable small write: 100 bytes written in place, then fs.fsyncSync. Returns milliseconds. */
export class FsyncProbe {
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(100, 0x61);

  constructor(dir: string) {
    this.fd = openSync(join(dir, 'fsync-probe.bin'), 'w');
    writeSync(this.fd, this.buffer, 0, this.buffer.length, 0);
    fsyncSync(this.fd);
  }

  sampleMs(): number {
    writeSync(this.fd, this.buffer, 0, this.buffer.length, 0);
    const start = nowNs();
    fsyncSync(this.fd);
    return Number(nowNs() - start) / 1e6;
  }

  close(): void {
    closeSync(this.fd);
  }
}
