// The paper venue does not invent liquidity: what a fill takes from a quote's book stays taken — in every read of
// the book (bookNow, bestAskNow, the live top of book the arbitrage scanner keeps) and in the next order's match —
// until the market's next quote gives it back. What was taken persists with the book in the paper state file, an
// old state file gains the columns that hold it, and a process that only took liquidity never writes an old quote
// over a newer one another process wrote.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Micros, Ppm, PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { PaperState } from '../../src/venues/paper/paper-state.js';
import { PaperVenue } from '../../src/venues/paper/paper-venue.js';
import type { OrderReport, OrderSide, Outcome, TopOfBook } from '../../src/venues/venue.js';
import { tempDir } from '../fixtures/helpers.js';

const MARKET = 'FED';
const price = (cents: number): PriceMicros => (cents * 10_000) as PriceMicros;
const contracts = (count: number): QtyMicros => (count * 1_000_000) as QtyMicros;
const NO_COSTS = { feePpm: 0 as Ppm, spreadPpm: 0 as Ppm, slippagePpm: 0 as Ppm };

const states: PaperState[] = [];
afterEach(() => {
  for (const state of states.splice(0)) state.close();
});

function openState(path: string): PaperState {
  const state = new PaperState(path);
  states.push(state);
  return state;
}

function paperVenue(state: PaperState, predictionMarket = true): PaperVenue {
  return new PaperVenue({ name: 'kalshi', predictionMarket, costs: NO_COSTS, state, startingBalance: 1_000_000_000 as Micros });
}

/** YES bid 0.40 and ask 0.42, 100 contracts a level: YES asks 0.42 / 0.43 / 0.44, YES bids 0.40 / 0.39 / 0.38. */
function quoted(venue: PaperVenue, timestampMs = 1_000): void {
  venue.setQuote(MARKET, price(40), price(42), contracts(100), timestampMs);
}

let orderSeq = 0;
function order(venue: PaperVenue, side: OrderSide, outcome: Outcome, count: number, limitCents: number): Promise<OrderReport> {
  orderSeq += 1;
  return venue.placeOrder({
    clientOrderId: `order-${orderSeq}`,
    market: MARKET,
    outcome,
    side,
    quantity: contracts(count),
    limitPrice: price(limitCents),
    timeInForce: 'fok',
  });
}

/** An outcome's book as [price in dollars, contracts] per level, best first. */
function levels(venue: PaperVenue, outcome: Outcome): { bids: number[][]; asks: number[][] } {
  const book = venue.bookNow(MARKET, outcome);
  const dollars = (side: typeof book.bids) => side.map((level) => [level.price / 1_000_000, level.size / 1_000_000]);
  return { bids: dollars(book.bids), asks: dollars(book.asks) };
}

/** The best YES and NO asks as every fast path reads them: bestAskNow, and bestAskIn over the kept top of book. */
function bestAsks(venue: PaperVenue, view: TopOfBook): { yes: (number | null)[]; no: (number | null)[] } {
  const read = (outcome: Outcome) => [venue.bestAskNow(MARKET, outcome), venue.bestAskIn(view, outcome)].map((ask) => (ask === null ? null : ask / 1_000_000));
  return { yes: read('yes'), no: read('no') };
}

describe('a paper book consumed by fills', () => {
  it('sells one quote’s first level once; the next quote gives it back (the same order twice fills only across a quote)', async () => {
    const venue = paperVenue(openState(join(tempDir(), 'paper.db')));
    quoted(venue);
    // Control: with a quote between them, the same order fills twice — the detector below can see a second fill.
    expect((await order(venue, 'buy', 'yes', 100, 42)).status).toBe('filled');
    quoted(venue);
    expect((await order(venue, 'buy', 'yes', 100, 42)).status).toBe('filled');

    // Without one, the first level is gone: the second order at its price finds nothing.
    const second = await order(venue, 'buy', 'yes', 100, 42);
    expect([second.status, second.filledQuantity, second.rejectReason]).toEqual(['canceled', 0, 'no liquidity within limit']);
    quoted(venue);
    expect((await order(venue, 'buy', 'yes', 100, 42)).status).toBe('filled');
  });

  it('moves the best price to the next level in every read of the book, and to none once every level is gone', async () => {
    const venue = paperVenue(openState(join(tempDir(), 'paper.db')));
    quoted(venue);
    const view = venue.topOfBookNow(MARKET);
    if (view === null) throw new Error('no top of book');
    expect(bestAsks(venue, view)).toEqual({ yes: [0.42, 0.42], no: [0.6, 0.6] });

    // 150 from the best level outward: all of 0.42 and half of 0.43.
    const walked = await order(venue, 'buy', 'yes', 150, 43);
    expect([walked.status, walked.filledNotional]).toEqual(['filled', 42_000_000 + 21_500_000]);
    expect(levels(venue, 'yes').asks).toEqual([[0.43, 50], [0.44, 100]]);
    expect(bestAsks(venue, view)).toEqual({ yes: [0.43, 0.43], no: [0.6, 0.6] });
    // The NO bids are the YES asks turned over: taken alike.
    expect(levels(venue, 'no').bids).toEqual([[0.57, 50], [0.56, 100]]);

    expect((await order(venue, 'buy', 'yes', 150, 44)).status).toBe('filled');
    expect(levels(venue, 'yes').asks).toEqual([]);
    expect(bestAsks(venue, view)).toEqual({ yes: [null, null], no: [0.6, 0.6] });
    expect((await order(venue, 'buy', 'yes', 1, 99)).status).toBe('canceled');

    // The scanner keeps the view: the next quote must restore it in place.
    quoted(venue);
    expect(venue.topOfBookNow(MARKET)).toBe(view);
    expect(bestAsks(venue, view)).toEqual({ yes: [0.42, 0.42], no: [0.6, 0.6] });
    expect(levels(venue, 'yes').asks).toEqual([[0.42, 100], [0.43, 100], [0.44, 100]]);
  });

  it('takes from the YES asks when buying YES or selling NO, from the YES bids when selling YES or buying NO', async () => {
    const cases = [
      { side: 'buy', outcome: 'yes', limit: 42, yesAsks: [[0.43, 100], [0.44, 100]], yesBids: [[0.4, 100], [0.39, 100], [0.38, 100]] },
      { side: 'sell', outcome: 'no', limit: 58, yesAsks: [[0.43, 100], [0.44, 100]], yesBids: [[0.4, 100], [0.39, 100], [0.38, 100]] },
      { side: 'sell', outcome: 'yes', limit: 40, yesAsks: [[0.42, 100], [0.43, 100], [0.44, 100]], yesBids: [[0.39, 100], [0.38, 100]] },
      { side: 'buy', outcome: 'no', limit: 60, yesAsks: [[0.42, 100], [0.43, 100], [0.44, 100]], yesBids: [[0.39, 100], [0.38, 100]] },
    ] as const;
    for (const { side, outcome, limit, yesAsks, yesBids } of cases) {
      const venue = paperVenue(openState(join(tempDir(), 'paper.db')));
      quoted(venue);
      expect((await order(venue, side, outcome, 100, limit)).status, `${side} ${outcome}`).toBe('filled');
      expect(levels(venue, 'yes'), `${side} ${outcome}`).toEqual({ bids: yesBids, asks: yesAsks });
      // The same order again finds its level gone.
      expect((await order(venue, side, outcome, 100, limit)).status, `${side} ${outcome} again`).toBe('canceled');
    }
  });

  it('on a general market, buying takes the asks and selling the bids, whatever outcome the order names', async () => {
    const venue = paperVenue(openState(join(tempDir(), 'paper.db')), false);
    venue.setQuote(MARKET, price(10_000), price(10_010), contracts(1), 1_000);
    expect((await order(venue, 'buy', 'no', 1, 10_010)).status).toBe('filled');
    expect((await order(venue, 'sell', 'yes', 1, 10_000)).status).toBe('filled');
    const book = venue.bookNow(MARKET, 'yes');
    expect([book.asks[0]?.price, book.bids[0]?.price]).toEqual([price(10_010) + 50_050, price(10_000) - 50_000]);
  });

  it('takes nothing for an order that did not fill (rejected for want of cash, or injected)', async () => {
    const state = openState(join(tempDir(), 'paper.db'));
    const venue = new PaperVenue({ name: 'kalshi', predictionMarket: true, costs: NO_COSTS, state, startingBalance: 10_000_000 as Micros });
    quoted(venue);
    expect((await order(venue, 'buy', 'yes', 100, 42)).rejectReason).toBe('insufficient balance at venue');
    venue.scriptFaults(['reject']);
    expect((await order(venue, 'buy', 'yes', 10, 42)).status).toBe('rejected');
    expect(levels(venue, 'yes').asks[0]).toEqual([0.42, 100]);
  });
});

describe('what fills took, in the paper state file', () => {
  it('persists with the book: a reopened state (another process) sees the book consumed until a new quote', async () => {
    const path = join(tempDir(), 'paper.db');
    const first = new PaperState(path);
    const venue = paperVenue(first);
    quoted(venue);
    expect((await order(venue, 'buy', 'yes', 100, 42)).status).toBe('filled');
    first.close();

    const reopened = paperVenue(openState(path));
    expect(levels(reopened, 'yes').asks).toEqual([[0.43, 100], [0.44, 100]]);
    expect((await order(reopened, 'buy', 'yes', 100, 42)).status).toBe('canceled');
    quoted(reopened);
    expect((await order(reopened, 'buy', 'yes', 100, 42)).status).toBe('filled');
  });

  it('adds its columns to a state file written before they existed, keeping the books in it', () => {
    const path = join(tempDir(), 'paper.db');
    const old = new Database(path);
    old.exec(`CREATE TABLE paper_books (venue TEXT NOT NULL, market TEXT NOT NULL, bid INTEGER NOT NULL, ask INTEGER NOT NULL,
      depth INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, PRIMARY KEY (venue, market)) STRICT`);
    old.prepare('INSERT INTO paper_books VALUES (?, ?, ?, ?, ?, ?)').run('kalshi', MARKET, price(40), price(42), contracts(100), 1_000);
    old.close();

    // Opened twice: the second open finds the columns there and adds nothing.
    new PaperState(path).close();
    const venue = paperVenue(openState(path));
    expect(levels(venue, 'yes').asks).toEqual([[0.42, 100], [0.43, 100], [0.44, 100]]);
    const check = new Database(path, { readonly: true });
    const columns = (check.pragma('table_info(paper_books)') as { name: string }[]).map((column) => column.name);
    check.close();
    expect(columns).toEqual(['venue', 'market', 'bid', 'ask', 'depth', 'updated_at_ms', 'bids_taken', 'asks_taken']);
  });

  it('a process that only took liquidity writes it over the quote it took from, never over a newer quote', async () => {
    const path = join(tempDir(), 'paper.db');
    const engine = paperVenue(openState(path));
    quoted(engine, 1_000);
    engine.flushBooks();

    // Another process takes from the quote it loaded while the file still holds that quote: its take lands.
    const taker = new PaperState(path);
    expect((await order(paperVenue(taker), 'buy', 'yes', 100, 42)).status).toBe('filled');
    taker.close();
    expect(levels(paperVenue(openState(path)), 'yes').asks[0]).toEqual([0.43, 100]);

    // Another one loads the book, the engine then writes a newer quote, and the taker closes after: the newer quote stays.
    const late = new PaperState(path);
    quoted(engine, 2_000);
    engine.flushBooks();
    expect((await order(paperVenue(late), 'buy', 'yes', 100, 43)).status).toBe('filled');
    late.close();
    const reader = openState(path);
    expect(reader.getBook('kalshi', MARKET)).toMatchObject({ updatedAtMs: 2_000, asksTaken: 0, bidsTaken: 0 });
  });
});
