// The engine applying the TP/SL ladder to open positions against a real ledger file: every rule for a long and a
// short, gaps through several levels in one tick, the side of the book each is judged on, and resuming after a restart.
import { describe, expect, it } from 'vitest';
import { formatMicros, parsePrice } from '../../src/domain/money.js';
import type { Side } from '../../src/domain/position.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { kinds, quote, startEngine } from '../fixtures/engine.js';
import { dbOf } from '../fixtures/helpers.js';

const p = (text: string): number => parsePrice(text);

/** A quote whose closing side is `mark` and whose other side is one dollar worse, so using the wrong side shows. */
function markQuote(side: Side, second: number, mark: string) {
  const other = formatMicros(side === 'long' ? p(mark) + 1_000_000 : p(mark) - 1_000_000);
  return quote(second, side === 'long' ? { bid: mark, ask: other } : { bid: other, ask: mark });
}

interface LadderCase {
  readonly name: string;
  readonly side: Side;
  readonly marks: readonly string[];
  /** Stop price after each mark while still open; 'closed' once closed. */
  readonly stops: readonly (string | 'closed')[];
  readonly trigger: string;
  readonly reason: string;
  readonly flags: readonly [number, number];
}

// Long at $100: TP1 103, TP2 106, TP3 110, SL 95. Short at $100: TP1 97, TP2 94, TP3 90, SL 105.
const CASES: readonly LadderCase[] = [
  { name: 'steps TP1 → TP2 → TP3 and closes at TP3', side: 'long', marks: ['101', '103', '106', '110'], stops: ['95', '100', '103', 'closed'], trigger: 'tp3', reason: 'TP3 (+10%) reached', flags: [1, 1] },
  { name: 'gaps from 101 to 111 and closes at TP3 in one tick, storing TP1 and TP2', side: 'long', marks: ['101', '111'], stops: ['95', 'closed'], trigger: 'tp3', reason: 'TP3 (+10%) reached', flags: [1, 1] },
  { name: 'closes at the stop loss (at the level exactly)', side: 'long', marks: ['98', '95.000001', '95'], stops: ['95', '95', 'closed'], trigger: 'stop_loss', reason: 'Stop loss (-5%) hit', flags: [0, 0] },
  { name: 'moves the stop to breakeven at TP1 and closes there', side: 'long', marks: ['103', '101', '100'], stops: ['100', '100', 'closed'], trigger: 'breakeven_stop', reason: 'Breakeven stop hit after TP1', flags: [1, 0] },
  { name: 'trails the stop to TP1 at TP2 and closes there', side: 'long', marks: ['106', '104', '103'], stops: ['103', '103', 'closed'], trigger: 'trailing_stop', reason: 'Trailing stop at TP1 (+3%) hit after TP2', flags: [1, 1] },
  { name: 'gaps down through the breakeven stop to below the stop loss: still a breakeven stop', side: 'long', marks: ['103', '90'], stops: ['100', 'closed'], trigger: 'breakeven_stop', reason: 'Breakeven stop hit after TP1', flags: [1, 0] },
  { name: 'steps TP1 → TP2 → TP3 and closes at TP3', side: 'short', marks: ['99', '97', '94', '90'], stops: ['105', '100', '97', 'closed'], trigger: 'tp3', reason: 'TP3 (+10%) reached', flags: [1, 1] },
  { name: 'gaps from 99 to 89 and closes at TP3 in one tick, storing TP1 and TP2', side: 'short', marks: ['99', '89'], stops: ['105', 'closed'], trigger: 'tp3', reason: 'TP3 (+10%) reached', flags: [1, 1] },
  { name: 'closes at the stop loss (at the level exactly)', side: 'short', marks: ['102', '104.999999', '105'], stops: ['105', '105', 'closed'], trigger: 'stop_loss', reason: 'Stop loss (-5%) hit', flags: [0, 0] },
  { name: 'moves the stop to breakeven at TP1 and closes there', side: 'short', marks: ['97', '99', '100'], stops: ['100', '100', 'closed'], trigger: 'breakeven_stop', reason: 'Breakeven stop hit after TP1', flags: [1, 0] },
  { name: 'trails the stop to TP1 at TP2 and closes there', side: 'short', marks: ['94', '96', '97'], stops: ['97', '97', 'closed'], trigger: 'trailing_stop', reason: 'Trailing stop at TP1 (+3%) hit after TP2', flags: [1, 1] },
];

describe('engine: TP/SL ladder on a real ledger', () => {
  for (const c of CASES) {
    it(`${c.side}: ${c.name}`, async () => {
      const h = await startEngine();
      const id = h.open({ side: c.side, price: '100' });
      const before = h.ledger.requireWallet('paper');
      for (const [index, mark] of c.marks.entries()) {
        await h.feed([markQuote(c.side, index, mark)]);
        const position = h.position(id);
        const expected = c.stops[index];
        if (expected === 'closed') expect(position.status).toBe('closed');
        else expect({ status: position.status, stop: position.stopPrice }).toEqual({ status: 'open', stop: p(expected ?? '') });
      }
      const closed = h.position(id);
      // The exit is the mark of the closing quote: the bid for a long, the ask for a short.
      expect(closed.exitPrice).toBe(p(c.marks[c.marks.length - 1] ?? ''));
      expect(closed.closeReason).toBe(c.reason);
      expect([closed.tp1Hit, closed.tp2Hit]).toEqual(c.flags.map((flag) => flag === 1));
      const closing = h.events.find((event) => event.kind === 'closing');
      expect(closing && closing.kind === 'closing' ? closing.trigger : null).toBe(c.trigger);
      expect(Object.fromEntries(h.engine.stats.closedByReason)).toEqual({ [c.trigger]: 1 });
      const after = h.ledger.requireWallet('paper');
      // The close frees what the position locked: its cost basis and its entry fee, set aside at open.
      expect(closed.closeReserve).toBe(closed.entryFee);
      expect(after.locked).toBe(before.locked - closed.costBasis - closed.closeReserve);
      expect(after.available).toBe(before.available + closed.costBasis + closed.closeReserve + (closed.netPnl ?? Number.NaN));
      const closes = dbOf(h.ledger).prepare("SELECT count(*) AS n FROM wallet_transactions WHERE type = 'position_close' AND position_id = ?").get(id);
      expect(closes).toEqual({ n: 1 });
      assertInvariants(h.ledger);
      h.shutdown();
    });
  }

  it('reports a gap as TP1, TP2 and then the close, in that order, within one tick', async () => {
    const h = await startEngine();
    h.open({ side: 'long', price: '100' });
    await h.feed([quote(0, '101'), quote(1, '111')]);
    expect(kinds(h.events).filter((kind) => kind !== 'reconciled')).toEqual(['tier', 'tier', 'closing', 'closed']);
    expect(h.events.flatMap((event) => (event.kind === 'tier' ? [event.tier] : []))).toEqual(['tp1', 'tp2']);
    expect(h.engine.stats.tiersHit).toBe(2);
    h.shutdown();
  });

  it('judges a long on the bid: an ask at TP1 is not a hit, a bid through the stop is a close', async () => {
    const h = await startEngine();
    const id = h.open({ side: 'long', price: '100' });
    await h.feed([quote(0, { bid: '102.99', ask: '103.5' })]);
    expect(h.position(id).tp1Hit).toBe(false);
    await h.feed([quote(1, { bid: '94.9', ask: '95.5' })]);
    expect(h.position(id)).toMatchObject({ status: 'closed', exitPrice: p('94.9'), closeReason: 'Stop loss (-5%) hit' });
    h.shutdown();
  });

  it('judges a short on the ask: a bid at TP1 is not a hit, an ask through the stop is a close', async () => {
    const h = await startEngine();
    const id = h.open({ side: 'short', price: '100' });
    await h.feed([quote(0, { bid: '96.5', ask: '97.1' })]);
    expect(h.position(id).tp1Hit).toBe(false);
    await h.feed([quote(1, { bid: '104.5', ask: '105.2' })]);
    expect(h.position(id)).toMatchObject({ status: 'closed', exitPrice: p('105.2'), closeReason: 'Stop loss (-5%) hit' });
    h.shutdown();
  });

  it('applies a quote only to the positions of its own venue and market', async () => {
    const h = await startEngine();
    const sol = h.open({ side: 'long', price: '100', market: 'SOL-USD' });
    const eth = h.open({ side: 'long', price: '100', market: 'ETH-USD' });
    const other = h.open({ side: 'long', price: '100', market: 'SOL-USD', venue: 'other' });
    await h.feed([quote(0, '100', 'ETH-USD'), quote(1, '94', 'ETH-USD')]);
    expect([h.position(sol).status, h.position(eth).status, h.position(other).status]).toEqual(['open', 'closed', 'open']);
    h.shutdown();
  });

  it('closes every position of a market that one quote triggers, each once', async () => {
    const h = await startEngine();
    const ids = [h.open({ side: 'long', price: '100' }), h.open({ side: 'long', price: '100' }), h.open({ side: 'short', price: '100' })];
    await h.feed([quote(0, '100'), quote(1, '94')]);
    expect(ids.map((id) => h.position(id).status)).toEqual(['closed', 'closed', 'open']);
    await h.feed([quote(2, '94')]);
    expect(dbOf(h.ledger).prepare("SELECT count(*) AS n FROM wallet_transactions WHERE type = 'position_close'").get()).toEqual({ n: 2 });
    assertInvariants(h.ledger);
    h.shutdown();
  });

  it('resumes mid-ladder after a restart: TP1 stored in one run, the breakeven stop closes in the next', async () => {
    const first = await startEngine();
    const id = first.open({ side: 'long', price: '100' });
    await first.feed([quote(0, '101'), quote(1, '103')]);
    expect(first.position(id)).toMatchObject({ status: 'open', tp1Hit: true, tp2Hit: false, stopPrice: p('100') });
    first.shutdown();

    const second = await startEngine({ path: first.path });
    expect(second.events[0]).toMatchObject({ kind: 'reconciled', openPositions: 1, locked: p('25.065') }); // its cost and its entry fee, set aside at open
    // 99.50 is above the original stop loss (95): only a stored breakeven stop closes here.
    await second.feed([quote(2, '99.5')]);
    expect(second.position(id)).toMatchObject({ status: 'closed', exitPrice: p('99.5'), closeReason: 'Breakeven stop hit after TP1' });
    assertInvariants(second.ledger);
    second.shutdown();
  });

  it('resumes with the stop trailed to TP1 after a restart past TP2', async () => {
    const first = await startEngine();
    const id = first.open({ side: 'short', price: '100' });
    await first.feed([quote(0, '94')]);
    first.shutdown();
    const second = await startEngine({ path: first.path });
    await second.feed([quote(1, '96.5')]);
    expect(second.position(id).status).toBe('open');
    await second.feed([quote(2, '97')]);
    expect(second.position(id)).toMatchObject({ status: 'closed', closeReason: 'Trailing stop at TP1 (+3%) hit after TP2' });
    second.shutdown();
  });
});
