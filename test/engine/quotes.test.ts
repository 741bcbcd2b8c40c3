// The price `open` and `close` use without --price: the paper venue's current book (a NO position's from the YES book
// turned over), the quote's age on the wall clock, and the refusal of a quote older than staleAfterMs — never of a
// configured quote, which has no feed time.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/errors.js';
import type { Micros, Ppm, PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { entryQuote, exitQuote, formatAge, type QuoteClock } from '../../src/engine/quotes.js';
import { PaperState } from '../../src/venues/paper/paper-state.js';
import { PaperVenue } from '../../src/venues/paper/paper-venue.js';
import { tempDir } from '../fixtures/helpers.js';

const price = (cents: number): PriceMicros => (cents * 10_000) as PriceMicros;
const QUOTED_AT_MS = 1_000_000;
const STALE_AFTER_MS = 30_000;
const at = (nowMs: number): QuoteClock => ({ nowMs, staleAfterMs: STALE_AFTER_MS });

const states: PaperState[] = [];
afterEach(() => {
  for (const state of states.splice(0)) state.close();
});

/** A prediction market quoted YES bid 0.40 / ask 0.42: NO bid 0.58, NO ask 0.60. */
function venue(): PaperVenue {
  const state = new PaperState(join(tempDir(), 'paper.db'));
  states.push(state);
  const paper = new PaperVenue({
    name: 'kalshi',
    predictionMarket: true,
    costs: { feePpm: 0 as Ppm, spreadPpm: 0 as Ppm, slippagePpm: 0 as Ppm },
    state,
    startingBalance: 0 as Micros,
  });
  paper.setQuote('FED', price(40), price(42), 100_000_000 as QtyMicros, QUOTED_AT_MS);
  return paper;
}

describe('the current quote of a paper position', () => {
  it('opens a long at the ask and a short at the bid; closes a long at the bid and a short at the ask', async () => {
    const paper = venue();
    const now = at(QUOTED_AT_MS + 800);
    expect((await entryQuote(paper, 'FED', 'long', now)).price).toBe(price(42));
    expect((await entryQuote(paper, 'FED', 'short', now)).price).toBe(price(40));
    expect((await exitQuote(paper, 'FED', 'long', now)).price).toBe(price(40));
    expect((await exitQuote(paper, 'FED', 'short', now)).price).toBe(price(42));
  });

  it('marks a NO position from the YES book turned over: NO bid = 1 − YES ask, NO ask = 1 − YES bid', async () => {
    const paper = venue();
    const now = at(QUOTED_AT_MS);
    expect((await exitQuote(paper, 'FED:no', 'long', now)).price).toBe(price(58));
    expect((await exitQuote(paper, 'FED:no', 'short', now)).price).toBe(price(60));
    expect((await entryQuote(paper, 'FED:no', 'long', now)).price).toBe(price(60));
  });

  it('is as old as the wall clock less its feed time, and refused past staleAfterMs, naming its age', async () => {
    const paper = venue();
    expect(await exitQuote(paper, 'FED', 'long', at(QUOTED_AT_MS + 800))).toMatchObject({ quotedAtMs: QUOTED_AT_MS, ageMs: 800 });
    expect((await exitQuote(paper, 'FED', 'long', at(QUOTED_AT_MS + STALE_AFTER_MS))).ageMs).toBe(STALE_AFTER_MS);
    // A feed time ahead of the wall clock is not old.
    expect((await exitQuote(paper, 'FED', 'long', at(QUOTED_AT_MS - 5_000))).ageMs).toBe(0);
    const stale = exitQuote(paper, 'FED', 'long', at(QUOTED_AT_MS + STALE_AFTER_MS + 1));
    await expect(stale).rejects.toThrow(InputError);
    await expect(stale).rejects.toThrow('the quote for kalshi FED is 30.0 s old (priceGuard.staleAfterMs 30.0 s); pass --price');
  });

  it('never refuses a configured quote, however late the wall clock', async () => {
    const paper = venue();
    paper.seedQuote('RAIN', price(20), price(22), null);
    const configured = await entryQuote(paper, 'RAIN', 'long', at(Date.UTC(2080, 0, 1)));
    expect(configured).toMatchObject({ price: price(22), quotedAtMs: 0, ageMs: null });
  });

  it('has none for a market never quoted, or a side fills emptied', async () => {
    const paper = venue();
    await expect(entryQuote(paper, 'NOPE', 'long', at(QUOTED_AT_MS))).rejects.toThrow('no current quote for kalshi NOPE; pass --price');
    paper.setQuote('THIN', price(40), price(42), 1_000_000 as QtyMicros, QUOTED_AT_MS);
    // All three levels of YES bids, one contract each, sold.
    const sold = await paper.placeOrder({ clientOrderId: 'sell-all', market: 'THIN', outcome: 'yes', side: 'sell', quantity: 3_000_000 as QtyMicros, limitPrice: price(1), timeInForce: 'ioc' });
    expect(sold.filledQuantity).toBe(3_000_000);
    await expect(exitQuote(paper, 'THIN', 'long', at(QUOTED_AT_MS))).rejects.toThrow('no current quote for kalshi THIN; pass --price');
    expect((await exitQuote(paper, 'THIN', 'short', at(QUOTED_AT_MS))).price).toBe(price(42));
  });
});

describe('formatAge', () => {
  it('reads in the largest units that keep it short, rounded down', () => {
    const cases: [number, string][] = [
      [0, '0.0 s'],
      [812, '0.8 s'],
      [59_999, '59.9 s'],
      [60_000, '1 min 0 s'],
      [125_400, '2 min 5 s'],
      [3_600_000, '1 h 0 min'],
      [90_061_000, '1 d 1 h'],
    ];
    expect(cases.map(([ms]) => [ms, formatAge(ms)])).toEqual(cases);
  });
});
