// Unhedged legs are first-class: the configured policy tries to complete the hedge within hedgeMaxLossBps, else
// unwinds at the best bids, else holds the leg under the TP/SL ladder; resolution writes a worthless one off.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { executeArb, type ArbResult } from '../../../src/engine/arb/executor.js';
import { handleUnhedged } from '../../../src/engine/arb/unhedged.js';
import { cliJson, writeConfig } from '../../fixtures/helpers.js';
import { A, A_MARKET, arbConfigJson, arbHarness, B, B_MARKET, contracts, pairWith, price, usd, type ArbHarness } from '../../fixtures/arb.js';

/** Executes the standard plan with leg B rejected: leg A's 100 YES on kalshi become an unhedged position. */
async function unhedgedA(h: ArbHarness) {
  h.b.scriptFaults(['reject']);
  const result: ArbResult = await executeArb(h.deps, await h.best());
  if (result.status !== 'settled') throw new Error(`trade did not settle: ${JSON.stringify(result)}`);
  const excess = result.settlement.unhedged[0];
  const record = excess ? h.store.unhedgedForPosition(excess.positionId) : undefined;
  if (!excess || !record) throw new Error('no unhedged leg');
  return { tradeId: result.tradeId, positionId: excess.positionId, record };
}

function engineOn(h: ArbHarness, events: EngineEvent[] = []): Engine {
  return new Engine({ ledger: h.ledger, config: h.config, venues: h.venueSet.venues, listener: (event) => events.push(event) });
}

/** `arbbot positions --json` run by the real CLI on the harness's files. */
function positionsJson(h: ArbHarness) {
  const config = writeConfig(h.dir, currentConfig.get(h));
  const { code, json } = cliJson<{ positions: { venue: string; market: string; kind: string; status: string }[] }>(h.dir, ['--config', config, '--db', h.path, 'positions']);
  expect(code).toBe(0);
  return json.positions.map((p) => [p.venue, p.market, p.kind, p.status]);
}

const currentConfig = new WeakMap<ArbHarness, Record<string, unknown>>();

async function harness(action: 'hedge' | 'unwind' | 'hold', hedgeMaxLossBps = 200): Promise<ArbHarness> {
  const json = arbConfigJson({ arbitrage: { orderTimeoutMs: 200, unhedged: { action, hedgeMaxLossBps } } });
  const h = await arbHarness({ config: json });
  currentConfig.set(h, json);
  return h;
}

describe('unhedged policy: hedge', () => {
  it('completes the hedge on the other venue: the leg becomes part of a hedged pair', async () => {
    const h = await harness('hedge');
    const { positionId, record } = await unhedgedA(h);
    expect(await handleUnhedged(h.deps, record)).toBe('hedged');
    expect(h.store.unhedgedForPosition(positionId)).toMatchObject({ state: 'hedged', resolved_at: expect.any(String) });
    const positions = h.ledger.listPositions('all');
    expect(positions.map((p) => [p.venue, p.market, p.kind, p.status, p.quantity, p.costBasis])).toEqual([
      [A, A_MARKET, 'arb_hedged', 'open', contracts(100), usd('42')],
      [B, `${B_MARKET}:no`, 'arb_hedged', 'open', contracts(100), usd('55')],
    ]);
    const hedge = h.store.legsOf(record.trade_id).find((leg) => leg.leg === 'hedge');
    expect(hedge).toMatchObject({ venue: B, outcome: 'no', side: 'buy', state: 'settled', filled_quantity: contracts(100) });
    // One rejected order and the hedge on poly; nothing placed twice.
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 2]);
    expect((await h.venueBalances()).every((check) => check.agrees)).toBe(true);
    expect(positionsJson(h)).toEqual([
      [A, A_MARKET, 'arb_hedged', 'open'],
      [B, `${B_MARKET}:no`, 'arb_hedged', 'open'],
    ]);
  });

  it('unwinds when the hedge would cost more than hedgeMaxLossBps: the position is sold and closed', async () => {
    const h = await harness('hedge');
    const { positionId, record } = await unhedgedA(h);
    // Polymarket's NO now asks 0.93: 42.84 + 93 + fee is far above $1.02 a pair.
    h.b.setQuote(B_MARKET, price('0.05'), price('0.07'), contracts(100));
    expect(await handleUnhedged(h.deps, record)).toBe('unwound');
    expect(h.store.unhedgedForPosition(positionId)?.state).toBe('unwound');
    const position = h.ledger.requirePosition(positionId);
    // Sold 100 at the 0.40 bid: 40 − 42 − entry fee 0.84 − exit fee 0.80.
    expect(position).toMatchObject({ status: 'closed', exitPrice: price('0.4'), netPnl: -usd('3.64'), kind: 'arb_unhedged' });
    const legs = h.store.legsOf(record.trade_id);
    expect(legs.map((leg) => [leg.leg, leg.side, leg.state])).toEqual([
      ['a', 'buy', 'settled'],
      ['b', 'buy', 'settled'],
      ['unwind', 'sell', 'settled'],
    ]);
    expect(h.wallet(A)).toEqual({ venue: A, total: usd('996.36'), available: usd('996.36'), locked: 0, deficit: 0 });
    expect(await h.venueBalances()).toContainEqual({ venue: A, venueCash: '996.360000', expectedCash: '996.360000', agrees: true });
  });

  it('holds the leg when neither a hedge nor an unwind is possible', async () => {
    const h = await harness('hedge');
    const { positionId, record } = await unhedgedA(h);
    h.b.setQuote(B_MARKET, price('0.05'), price('0.07'), contracts(100));
    h.a.setQuote(A_MARKET, price('0.40'), price('0.42'), contracts(10)); // bids too thin to sell 100
    expect(await handleUnhedged(h.deps, record)).toBe('held');
    expect(h.store.unhedgedForPosition(positionId)?.state).toBe('open');
    expect(h.ledger.requirePosition(positionId)).toMatchObject({ status: 'open', kind: 'arb_unhedged' });
  });
});

describe('unhedged policy: unwind', () => {
  it('sells at once, even when a hedge would be cheap', async () => {
    const h = await harness('unwind');
    const { positionId, record } = await unhedgedA(h);
    expect(await handleUnhedged(h.deps, record)).toBe('unwound');
    expect(h.store.legsOf(record.trade_id).map((leg) => leg.leg)).toEqual(['a', 'b', 'unwind']);
    expect(h.ledger.requirePosition(positionId)).toMatchObject({ status: 'closed', exitPrice: price('0.4') });
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([2, 1]);
  });

  // The average price rounded to a micro-unit (33 × 0.396060 = $13.06998) is not what the venue paid ($13.07 =
  // 20 × 0.40 + 13 × 0.39): the close must book the fill's actual proceeds, or 20 micro-USD would vanish.
  it('unwinding across several bid levels books exactly what the venue paid', async () => {
    const json = arbConfigJson({ pairs: pairWith({ maxSize: '33' }), arbitrage: { orderTimeoutMs: 200, unhedged: { action: 'unwind' } } });
    const h = await arbHarness({ config: json });
    const { record } = await unhedgedA(h);
    expect(record.quantity).toBe(contracts(33));
    h.a.setQuote(A_MARKET, price('0.40'), price('0.42'), contracts(20)); // bids 0.40 × 20, 0.39 × 20, 0.38 × 20
    expect(await handleUnhedged(h.deps, record)).toBe('unwound');
    expect(await h.venueBalances()).toContainEqual({ venue: A, venueCash: '998.671400', expectedCash: '998.671400', agrees: true });
    expect((await h.venueBalances()).every((check) => check.agrees)).toBe(true);
  });
});

describe('unhedged policy: hold under the ladder, and resolution', () => {
  it('holds the leg open until the TP/SL ladder closes it: state unwound', async () => {
    const h = await harness('hold');
    const { positionId, record } = await unhedgedA(h);
    expect(await handleUnhedged(h.deps, record)).toBe('held');
    expect(positionsJson(h)).toEqual([[A, A_MARKET, 'arb_unhedged', 'open']]);
    const events: EngineEvent[] = [];
    const engine = engineOn(h, events);
    await engine.start();
    // The YES bid falls to 0.30, below the 5% stop under the 0.42 entry (the wide ask leaves no arbitrage to take).
    await engine.handle({ type: 'quote', venue: A, market: A_MARKET, bid: '0.30', ask: '0.70', timestampMs: Date.UTC(2026, 0, 1) });
    expect(h.ledger.requirePosition(positionId)).toMatchObject({ status: 'closed' });
    expect(h.store.unhedgedForPosition(positionId)?.state).toBe('unwound');
    // The contracts were held at the venue: the exit is a sale there, so the venue's cash and the ledger agree.
    expect(await h.venueBalances()).toContainEqual(expect.objectContaining({ venue: A, agrees: true }));
    expect(events.filter((event) => event.kind === 'arb')).toEqual([]);
    expect(engine.stats.unhedgedResolved.get('unwound')).toBe(1);
  });

  it('writes off an unhedged leg whose market resolved against it', async () => {
    const h = await harness('hold');
    const { positionId } = await unhedgedA(h);
    const engine = engineOn(h);
    await engine.handle({ type: 'resolve', venue: A, market: A_MARKET, outcome: 'no', timestampMs: Date.UTC(2026, 0, 1) });
    expect(h.store.unhedgedForPosition(positionId)?.state).toBe('written_off');
    expect(h.ledger.requirePosition(positionId)).toMatchObject({ status: 'closed', exitPrice: 0, netPnl: -usd('42.84') });
    expect(h.wallet(A)).toEqual({ venue: A, total: usd('957.16'), available: usd('957.16'), locked: 0, deficit: 0 });
    // The venue paid nothing either: its cash and the ledger agree.
    expect(await h.venueBalances()).toContainEqual({ venue: A, venueCash: '957.160000', expectedCash: '957.160000', agrees: true });
  });
});

describe('the engine trades arbitrage on quotes', () => {
  it('executes the opportunity a quote opens and hedges the leg that failed, by itself', async () => {
    const h = await harness('hedge');
    h.b.scriptFaults(['reject']);
    const events: EngineEvent[] = [];
    const engine = engineOn(h, events);
    await engine.start();
    await engine.handle({ type: 'quote', venue: A, market: A_MARKET, bid: '0.40', ask: '0.42', timestampMs: Date.UTC(2026, 0, 1) });
    const arb = events.find((event) => event.kind === 'arb');
    expect(arb?.kind === 'arb' && arb.result.status === 'settled' && arb.result.settlement.trade.outcome).toBe('unhedged');
    expect(events.filter((event) => event.kind === 'unhedged').map((event) => event.kind === 'unhedged' && event.outcome)).toEqual(['hedged']);
    expect(h.ledger.listPositions('open').map((p) => p.kind)).toEqual(['arb_hedged', 'arb_hedged']);
    expect(engine.stats).toMatchObject({ arbsFound: 1, arbsExecuted: 1, arbsFailed: 0, unhedgedLegs: 1 });
    expect(h.store.inFlightCount('fed-dec')).toBe(0);
  });
});
