// The ladder index: its quiet band is exactly the set of quotes at which evaluateLadder moves nothing; it follows the
// ledger's own position writes market by market, and other connections' writes through data_version; and the
// detectors matter — a stale index shows as a missed or a wrong ladder decision.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/config.js';
import { parseMicros, parsePrice, parseQty, type Micros, type PriceMicros } from '../../src/domain/money.js';
import { evaluateLadder, ladderLevels, type LadderPosition, type Side } from '../../src/domain/position.js';
import { FOREIGN_WRITES_CHECK_INTERVAL_MS, isQuiet, LadderIndex, marketLadder, quietBand } from '../../src/engine/ladder-index.js';
import { openPosition } from '../../src/engine/trading.js';
import { Ledger, POSITION_WRITES_KEPT_MAX, type OpenPositionInput } from '../../src/ledger/ledger.js';
import { tempLedger } from '../fixtures/helpers.js';
import { kinds, quote, seedConfigJson, startEngine } from '../fixtures/engine.js';

const p = (text: string): PriceMicros => parsePrice(text);
const CONFIG = parseConfigObject(seedConfigJson(), null);

function openOn(ledger: Ledger, args: { side: Side; price: string; market?: string; venue?: string }): number {
  const venue = args.venue ?? 'paper';
  return openPosition(ledger, {
    venue,
    market: args.market ?? 'SOL-USD',
    side: args.side,
    size: parseMicros('25'),
    price: p(args.price),
    ladder: CONFIG.tpsl,
    costs: CONFIG.costs,
    predictionMarket: CONFIG.venues.get(venue)?.predictionMarket ?? false,
  }).position.id;
}

function moves(row: LadderPosition, price: number): boolean {
  const decision = evaluateLadder(row.side, row.entryPrice, row, row, price as PriceMicros);
  return decision.events.length > 0 || decision.close !== null;
}

/** Any stored ladder row, consistent or not, with levels in a narrow window so quotes land on and around them. */
function ladderRow(low: number, high: number): fc.Arbitrary<LadderPosition> {
  const level = fc.integer({ min: low, max: high }).map((price) => price as PriceMicros);
  return fc.record({
    id: fc.nat(),
    side: fc.constantFrom<Side>('long', 'short'),
    entryPrice: level,
    tp1Price: level,
    tp2Price: level,
    tp3Price: level,
    slPrice: level,
    stopPrice: level,
    tp1Hit: fc.boolean(),
    tp2Hit: fc.boolean(),
    // Only a short with no price ceiling has one; a long's is always null.
    liquidationPrice: fc.option(level, { nil: null }),
  }).map((row) => (row.side === 'long' ? { ...row, liquidationPrice: null } : row));
}

describe('quiet band', () => {
  it('is exactly the prices at which evaluateLadder moves nothing, for every stored state', () => {
    fc.assert(
      fc.property(ladderRow(10, 30), fc.integer({ min: 0, max: 40 }), (row, price) => {
        const band = quietBand(row);
        expect(price >= band.min && price <= band.max).toBe(!moves(row, price));
      }),
      { numRuns: 20_000 },
    );
  });

  it('of a market is quiet exactly when no YES or NO position moves (NO marked at 1 − ask and 1 − bid)', () => {
    // Levels around 0.5, so YES marks (bid, ask) and NO marks (1 − ask, 1 − bid) both land among them.
    const row = ladderRow(499_990, 500_010);
    const price = fc.integer({ min: 499_985, max: 500_015 });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 5 }), fc.array(row, { maxLength: 5 }), price, price, (rows, noRows, a, b) => {
        const [bid, ask] = a <= b ? [a, b] : [b, a];
        const yesMoves = rows.some((r) => moves(r, r.side === 'long' ? bid : ask));
        const noMoves = noRows.some((r) => moves(r, r.side === 'long' ? 1_000_000 - ask : 1_000_000 - bid));
        expect(isQuiet(marketLadder('pm', 'FED', rows, noRows), bid, ask)).toBe(!yesMoves && !noMoves);
      }),
      { numRuns: 20_000 },
    );
  });
});

function ledgerWithWallets(): Ledger {
  const { ledger } = tempLedger();
  for (const venue of CONFIG.venues.values()) ledger.ensureWallet(venue.name, venue.startingBalance);
  return ledger;
}

describe('the ledger log of position writes', () => {
  // The index sees this connection's writes only through this log (data_version ignores them): every way a position
  // is created or changed must be in it.
  it('records every way a position is opened, changed or closed, with its id', () => {
    const ledger = ledgerWithWallets();
    const input = (key: string): OpenPositionInput => ({
      venue: 'paper',
      market: 'SOL-USD',
      side: 'long',
      quantity: parseQty('0.25'),
      entryPrice: p('100'),
      costBasis: parseMicros('25'),
      levels: ladderLevels('long', p('100'), CONFIG.tpsl),
      entryFee: 0 as Micros,
      idempotencyKey: key,
    });
    const logged = (write: () => number | undefined): void => {
      const since = ledger.positionWrites.version;
      const id = write();
      expect(id).toBeGreaterThan(0);
      expect(ledger.positionWrites.idsSince(since)).toContain(id);
    };
    let opened = 0;
    logged(() => (opened = ledger.openPosition(input('direct')).position.id));
    const reserve = () => ledger.reserve({ venue: 'paper', amount: parseMicros('30'), idempotencyKey: `r-${ledger.positionWrites.version}`, purpose: 'test' });
    logged(() => ledger.openPosition({ ...input('from-reservation'), reservationId: reserve().reservation.id }).position.id);
    logged(() => ledger.settleReservation(reserve().reservation.id, { positions: [input('settled')], fee: 0 as Micros }).positions[0]?.id);
    logged(() => {
      ledger.updateLadder(opened, { tp1Hit: true, tp2Hit: false, stopPrice: p('100') });
      return opened;
    });
    logged(() => {
      ledger.setPositionKind(opened, 'arb_unhedged');
      return opened;
    });
    logged(() => ledger.closePosition(opened, { exitPrice: p('101'), reason: 'Manual close', costs: CONFIG.costs }).position.id);
    ledger.close();
  });
});

describe('ladder index on a real ledger', () => {
  it('drops only the market of a position written through the ledger, and re-reads it', () => {
    const ledger = ledgerWithWallets();
    const sol = openOn(ledger, { side: 'long', price: '100' });
    openOn(ledger, { side: 'long', price: '2500', market: 'ETH-USD' });
    const index = new LadderIndex(ledger, () => false);
    const held = index.forQuote('paper', 'SOL-USD');
    index.forQuote('paper', 'ETH-USD');
    expect(index.size).toBe(2);

    ledger.updateLadder(sol, { tp1Hit: true, tp2Hit: false, stopPrice: p('100') });
    const reread = index.forQuote('paper', 'SOL-USD');
    expect(reread).not.toBe(held);
    expect(reread.rows.map((row) => [row.tp1Hit, row.stopPrice])).toEqual([[true, p('100')]]);
    expect(index.size).toBe(2); // ETH-USD was kept: SOL-USD was dropped and read again

    const opened = openOn(ledger, { side: 'short', price: '100' });
    expect(index.forQuote('paper', 'SOL-USD').rows.map((row) => row.id)).toEqual([sol, opened]);
    ledger.close();
  });

  it('starts over when it falls further behind than the ledger keeps a log of', () => {
    const ledger = ledgerWithWallets();
    const id = openOn(ledger, { side: 'long', price: '100' });
    const index = new LadderIndex(ledger, () => false);
    index.forQuote('paper', 'SOL-USD');
    for (let n = 0; n <= POSITION_WRITES_KEPT_MAX; n += 1) ledger.updateLadder(id, { tp1Hit: false, tp2Hit: false, stopPrice: (p('90') + n) as PriceMicros });
    expect(ledger.positionWrites.idsSince(ledger.positionWrites.version - POSITION_WRITES_KEPT_MAX - 1)).toBeNull();
    expect(index.forQuote('paper', 'SOL-USD').rows.map((row) => row.stopPrice)).toEqual([p('90') + POSITION_WRITES_KEPT_MAX]);
    ledger.close();
  });

  it('keeps nothing it read inside a transaction that then rolled back', () => {
    const ledger = ledgerWithWallets();
    const kept = openOn(ledger, { side: 'long', price: '100' });
    const index = new LadderIndex(ledger, () => false);
    expect(() =>
      ledger.transaction(() => {
        openOn(ledger, { side: 'short', price: '100' });
        expect(index.forQuote('paper', 'SOL-USD').rows).toHaveLength(2);
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(index.forQuote('paper', 'SOL-USD').rows.map((row) => row.id)).toEqual([kept]);
    ledger.close();
  });

  it('holds a market NO positions with the entry of its YES market on a prediction venue', () => {
    const ledger = ledgerWithWallets();
    const no = openOn(ledger, { side: 'long', price: '0.40', venue: 'pm', market: 'FED:no' });
    const index = new LadderIndex(ledger, (venue) => venue === 'pm');
    const ladder = index.forQuote('pm', 'FED');
    expect({ rows: ladder.rows.length, noRows: ladder.noRows.map((row) => row.id) }).toEqual({ rows: 0, noRows: [no] });
    // Long NO at 0.40: quiet while 0.38 < 1 − ask < 0.412.
    expect([ladder.askMin, ladder.askMax]).toEqual([1_000_000 - p('0.411999'), 1_000_000 - p('0.380001')]);
    ledger.closePosition(no, { exitPrice: p('0.41'), reason: 'Manual close', costs: CONFIG.costs });
    expect(index.forQuote('pm', 'FED').noRows).toEqual([]);
    ledger.close();
  });
});

describe('engine with the ladder index', () => {
  it('manages a position opened after its market was already held (its own write)', async () => {
    const h = await startEngine();
    await h.feed([quote(0, '100')]);
    const id = h.open({ side: 'long', price: '100' });
    await h.feed([quote(1, '111')]);
    expect(h.position(id)).toMatchObject({ status: 'closed', closeReason: 'TP3 (+10%) reached' });
    h.shutdown();
  });

  it('judges the next quote on the stop a tier just moved (the band moves with the ladder)', async () => {
    const h = await startEngine();
    const id = h.open({ side: 'short', price: '100' });
    // TP1 at 97 moves the stop from 105 to breakeven: 100 was inside the band before, and closes now.
    await h.feed([quote(0, '99'), quote(1, '97'), quote(2, '100')]);
    expect(h.position(id)).toMatchObject({ status: 'closed', closeReason: 'Breakeven stop hit after TP1', exitPrice: p('100') });
    h.shutdown();
  });

  it('manages NO positions from the YES quote: TP1 at 1 − ask, then the breakeven stop', async () => {
    const h = await startEngine();
    const id = h.open({ side: 'long', price: '0.40', venue: 'pm', market: 'FED:no' });
    await h.feed([quote(0, { bid: '0.55', ask: '0.58' }, 'FED', 'pm')]); // NO bid 0.42: TP1 (0.412), stop to 0.40
    expect(h.position(id)).toMatchObject({ status: 'open', tp1Hit: true, stopPrice: p('0.40') });
    await h.feed([quote(1, { bid: '0.57', ask: '0.61' }, 'FED', 'pm')]); // NO bid 0.39: breakeven stop
    expect(h.position(id)).toMatchObject({ status: 'closed', closeReason: 'Breakeven stop hit after TP1', exitPrice: p('0.39') });
    h.shutdown();
  });

  it('manages a position another connection opened once data_version is read — and not before (the index holds)', async () => {
    let wallMs = 1_000;
    const h = await startEngine({ wallClockMs: () => wallMs });
    await h.feed([quote(0, '100')]); // SOL-USD held: no positions, nothing can move
    const other = Ledger.open(h.path, { synchronous: 'NORMAL' });
    const id = openOn(other, { side: 'long', price: '100' });

    // Within the check interval the engine answers from what it holds: without the data_version check the new
    // position would never come under the ladder.
    await h.feed([quote(1, '111')]);
    expect(h.position(id).status).toBe('open');

    wallMs += FOREIGN_WRITES_CHECK_INTERVAL_MS;
    await h.feed([quote(2, '111')]);
    expect(h.position(id)).toMatchObject({ status: 'closed', closeReason: 'TP3 (+10%) reached', exitPrice: p('111') });
    other.close();
    h.shutdown();
  });

  it('does not act on a position another connection closed while the index still holds it', async () => {
    const wallMs = 1_000;
    const h = await startEngine({ wallClockMs: () => wallMs });
    const id = h.open({ side: 'long', price: '100' });
    await h.feed([quote(0, '101')]);
    const other = Ledger.open(h.path, { synchronous: 'NORMAL' });
    other.closePosition(id, { exitPrice: p('101'), reason: 'Manual close', costs: CONFIG.costs });
    other.close();

    const before = h.events.length;
    await h.feed([quote(1, '103'), quote(2, '111')]); // TP1, then TP3 — on a position that is closed
    expect(kinds(h.events.slice(before))).toEqual([]);
    expect(h.engine.stats.tiersHit).toBe(0);
    expect(h.position(id)).toMatchObject({ status: 'closed', closeReason: 'Manual close', tp1Hit: false });
    h.shutdown();
  });
});
