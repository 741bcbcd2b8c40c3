// The engine writes the guard's last accepted prices on wall time, not feed time (a fast replay would otherwise spend
// as much on these writes as on its quotes), only the markets that changed, and everything still unsaved at stop.
import { describe, expect, it } from 'vitest';
import { parsePrice } from '../../src/domain/money.js';
import { PRICE_FLUSH_INTERVAL_MS } from '../../src/engine/engine.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { quote, startEngine } from '../fixtures/engine.js';
import { dbOf } from '../fixtures/helpers.js';

const p = (text: string): number => parsePrice(text);

function storedPrices(path: string): Record<string, [number, number]> {
  const reader = Ledger.open(path, { readonly: true });
  try {
    return Object.fromEntries(reader.loadMarketPrices().map((row) => [`${row.venue} ${row.market}`, [row.bid, row.ask]]));
  } finally {
    reader.close();
  }
}

describe('price flush', () => {
  it('writes on wall time whatever feed time says, only changed markets, and the rest at stop', async () => {
    let wallMs = 0;
    const h = await startEngine({ wallClockMs: () => wallMs });
    // A minute of feed time in a few milliseconds of wall time: nothing is written yet.
    await h.feed([quote(0, '100'), quote(30, '101'), quote(60, '100', 'ETH-USD')]);
    expect(storedPrices(h.path)).toEqual({});

    // The first event past the interval writes what was accepted before it.
    wallMs += PRICE_FLUSH_INTERVAL_MS;
    await h.feed([quote(61, '100', 'ETH-USD')]);
    expect(storedPrices(h.path)).toEqual({ 'paper SOL-USD': [p('101'), p('101')], 'paper ETH-USD': [p('100'), p('100')] });

    // Only what changed since: a row for an unchanged market is not written again (deleted here, it stays deleted).
    const writer = Ledger.open(h.path, { synchronous: 'NORMAL' });
    dbOf(writer).prepare("DELETE FROM market_prices WHERE market = 'SOL-USD'").run();
    writer.close();
    await h.feed([quote(62, '101', 'ETH-USD')]);
    wallMs += PRICE_FLUSH_INTERVAL_MS;
    await h.feed([quote(63, '101', 'ETH-USD')]);
    expect(storedPrices(h.path)).toEqual({ 'paper ETH-USD': [p('101'), p('101')] });

    await h.feed([quote(64, { bid: '102', ask: '102.5' })]);
    h.shutdown();
    expect(storedPrices(h.path)).toEqual({ 'paper SOL-USD': [p('102'), p('102.5')], 'paper ETH-USD': [p('101'), p('101')] });
  });
});
