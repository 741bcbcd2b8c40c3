// The storage pause in the engine: which errors it waits out, its backoff, and what it does to a trade caught in the
// middle. A real engine on real files, with another connection holding the ledger's write lock at the worst moment:
// after the venues filled both legs and before the fills are booked. The pause's reconcile settles the trade from the
// venues' answers, as recovery after a crash would; the control (onStorageFault "exit") leaves it in flight.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/domain/errors.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { reconcile } from '../../src/engine/reconcile.js';
import { nextRetryMs, STORAGE_RETRY_MS_MAX, STORAGE_RETRY_MS_MIN } from '../../src/engine/storage-pause.js';
import { transientStorageFault } from '../../src/ledger/database.js';
import type { OrderReport, PlaceOrderRequest } from '../../src/venues/venue.js';
import { A, arbConfigJson, arbHarness, type ArbHarness } from '../fixtures/arb.js';
import { dbOf } from '../fixtures/helpers.js';

/** An error as better-sqlite3 throws it: SQLite's code on it. */
function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('which storage errors the engine waits out', () => {
  it('a lock held past the busy timeout, a full disk and an I/O error, straight from SQLite or wrapped by the ledger', () => {
    expect(transientStorageFault(sqliteError('SQLITE_BUSY', 'database is locked'))).toEqual({ code: 'SQLITE_BUSY', message: 'database is locked' });
    expect(transientStorageFault(sqliteError('SQLITE_LOCKED_SHAREDCACHE', 'locked'))?.code).toBe('SQLITE_LOCKED_SHAREDCACHE');
    expect(transientStorageFault(sqliteError('SQLITE_IOERR_WRITE', 'disk I/O error'))?.code).toBe('SQLITE_IOERR_WRITE');
    const wrapped = new OperationalError('database error: database or disk is full', { cause: sqliteError('SQLITE_FULL', 'database or disk is full') });
    expect(transientStorageFault(wrapped)).toEqual({ code: 'SQLITE_FULL', message: 'database or disk is full' });
  });

  it('not a file that waiting cannot mend (damaged, read-only, not a database), nor an error of the code', () => {
    for (const code of ['SQLITE_CORRUPT', 'SQLITE_READONLY', 'SQLITE_NOTADB', 'SQLITE_CANTOPEN', 'SQLITE_CONSTRAINT_CHECK']) {
      expect(transientStorageFault(sqliteError(code, 'no')), code).toBeNull();
    }
    expect(transientStorageFault(new OperationalError('database error: database is locked'))).toBeNull();
    expect(transientStorageFault(new TypeError('x is undefined'))).toBeNull();
    expect(transientStorageFault('SQLITE_BUSY')).toBeNull();
  });

  it('retries after 250 ms, doubling to at most 10 s', () => {
    const waits: number[] = [];
    for (let last = 0, index = 0; index < 9; index += 1) waits.push((last = nextRetryMs(last)));
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect([STORAGE_RETRY_MS_MIN, STORAGE_RETRY_MS_MAX]).toEqual([250, 10_000]);
  });
});

/**
 * An engine on the harness whose ledger gives up on a held lock after 50 ms, and a second connection that takes the
 * write lock the moment venue B has filled its leg, for `heldMs`.
 */
async function engineLockedAfterFill(h: ArbHarness, heldMs: number): Promise<{ engine: Engine; events: EngineEvent[]; holder: Database.Database }> {
  dbOf(h.ledger).pragma('busy_timeout = 50');
  const holder = new Database(h.path);
  const place = h.b.placeOrder.bind(h.b);
  let armed = true;
  h.b.placeOrder = async (request: PlaceOrderRequest): Promise<OrderReport> => {
    const report = await place(request);
    if (armed) {
      armed = false;
      holder.exec('BEGIN IMMEDIATE');
      setTimeout(() => holder.exec('ROLLBACK'), heldMs);
    }
    return report;
  };
  const events: EngineEvent[] = [];
  const engine = new Engine({ ledger: h.ledger, config: h.config, venues: h.venueSet.venues, listener: (event) => events.push(event) });
  await engine.start();
  return { engine, events, holder };
}

const QUOTE = { type: 'quote', venue: A, market: 'FED', bid: '0.40', ask: '0.42', timestampMs: Date.UTC(2026, 0, 1) } as const;

/** Trades sent and not yet settled (armed ones, nothing sent under them, are the engine's next trades). */
const sentInFlight = (h: ArbHarness) => h.store.inFlightTrades().filter((trade) => trade.state !== 'reserved');

describe('a storage fault in the middle of an arbitrage', () => {
  it('pauses, and the reconcile that ends the pause settles the filled legs from the venues: nothing half-settled', async () => {
    const h = await arbHarness();
    const { engine, events, holder } = await engineLockedAfterFill(h, 600);
    const applied = await engine.storage.apply(QUOTE, (event) => engine.handle(event), new AbortController().signal);
    expect(applied).toBe(true);
    const kinds = events.map((event) => event.kind).filter((kind) => kind.startsWith('storage_'));
    expect(kinds[0]).toBe('storage_paused');
    expect(kinds.at(-1)).toBe('storage_resumed');
    expect(kinds).toContain('storage_retry');
    const resumed = events.find((event) => event.kind === 'storage_resumed');
    expect(resumed?.kind === 'storage_resumed' && resumed.report.actions.map((action) => action.detail)).toEqual([
      expect.stringMatching(/^arb #\d+: settled from the venues' reports \(hedged\)$/),
    ]);
    expect(sentInFlight(h)).toEqual([]);
    expect(h.ledger.listPositions('open').map((position) => position.kind)).toEqual(['arb_hedged', 'arb_hedged']);
    // Not counted failed: the trade was settled, by the reconcile, from what the venues filled.
    expect(engine.stats.arbsFailed).toBe(0);
    expect(engine.storage.state).toBeNull();
    expect(engine.storage.pauseCount).toBe(1);
    engine.stop();
    holder.close();
  });

  it('the control: with onStorageFault "exit" the fault is thrown and the trade is left in flight for the next reconcile', async () => {
    const h = await arbHarness({ config: arbConfigJson({ onStorageFault: 'exit' }) });
    const { engine, holder } = await engineLockedAfterFill(h, 200);
    await expect(Promise.resolve(engine.storage.apply(QUOTE, (event) => engine.handle(event), new AbortController().signal))).rejects.toThrow(/database is locked/);
    expect(sentInFlight(h).map((trade) => trade.state)).toEqual(['submitted']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    engine.stop();
    // As after a crash: the next reconcile (a restart's) settles it from the venues.
    const report = await reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
    expect(report.unresolved).toEqual([]);
    expect(sentInFlight(h)).toEqual([]);
    holder.close();
  });
});
