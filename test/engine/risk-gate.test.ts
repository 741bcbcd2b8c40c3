// The risk limits inside the engine, on a real ledger file with the ledger stamped by the feed's time (as a replay
// is): demo positions are held back while a limit holds — announced once — the ladder keeps managing what is open,
// and a new UTC day lifts a daily-loss limit. Closes made by another connection count too.
import { describe, expect, it } from 'vitest';
import { parseMicros, parsePrice, type Micros } from '../../src/domain/money.js';
import type { DemoOptions } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { openPosition } from '../../src/engine/trading.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { quote, seedConfigJson, startEngine, T0_MS, type Harness } from '../fixtures/engine.js';

const NO_COSTS = { feePct: '0', spreadPct: '0', slippagePct: '0' };
const DAY_SECONDS = 86_400;

function demo(markets: readonly string[], size = '25'): DemoOptions {
  return { markets: markets.map((market) => ({ venue: 'paper', market })), sizeMicros: parseMicros(size), openPositionsMax: 3, opensMax: 100 };
}

function riskEvents(events: readonly EngineEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'risk_limit' ? [`${event.state} ${event.breach.limit}`] : []));
}

function opened(events: readonly EngineEvent[]): number {
  return events.filter((event) => event.kind === 'opened').length;
}

/** The venues of the positions the demo opened after the first `risk_limit` event. */
function openedAfterLimit(events: readonly EngineEvent[]): string[] {
  const from = events.findIndex((event) => event.kind === 'risk_limit');
  return events.slice(from).flatMap((event) => (event.kind === 'opened' ? [event.position.venue] : []));
}

async function withEngine(options: Parameters<typeof startEngine>[0], body: (h: Harness) => Promise<void>): Promise<void> {
  const harness = await startEngine({ feedClock: true, ...options });
  try {
    await body(harness);
  } finally {
    harness.shutdown();
  }
}

describe('the daily-loss limit in the engine', () => {
  it('holds demo positions back from the close that reaches it until the next UTC day; the ladder still closes what is open', async () => {
    const config = seedConfigJson({ costs: NO_COSTS, risk: { maxDailyLossUsd: '1' } });
    await withEngine({ config, demo: demo(['SOL-USD']) }, async (h) => {
      const held = h.open({ side: 'long', price: '100', market: 'ETH-USD', venue: 'other', size: '10' });
      await h.feed([quote(1, '100')]);
      expect(opened(h.events)).toBe(1); // the control: no limit reached, the demo opens
      // The demo long ($25 at 100, stop at 95) stops out at 94: −$1.50, past the $1 limit.
      await h.feed([quote(2, '94')]);
      expect(riskEvents(h.events)).toEqual(['reached risk.maxDailyLossUsd']);
      const reached = h.events.find((event) => event.kind === 'risk_limit');
      expect(reached?.kind === 'risk_limit' && reached.breach).toMatchObject({ value: parseMicros('1.5'), limitValue: parseMicros('1'), venue: null });
      await h.feed([quote(3, '94.5'), quote(4, '95'), quote(5, '95.5')]);
      expect(opened(h.events)).toBe(1);
      expect(h.engine.risk?.skipped.get('risk.maxDailyLossUsd')).toBeGreaterThanOrEqual(3);
      // The position opened before still runs its ladder: TP3 closes it, and a win does not lift the day's limit.
      await h.feed([quote(6, '110.5', 'ETH-USD', 'other')]);
      expect(h.position(held).status).toBe('closed');
      await h.feed([quote(7, '96')]);
      expect(opened(h.events)).toBe(1);
      expect(riskEvents(h.events)).toEqual(['reached risk.maxDailyLossUsd']);
      // Feed time crosses midnight UTC: lifted, announced once, and the demo trades again.
      await h.feed([quote(DAY_SECONDS + 1, '96'), quote(DAY_SECONDS + 2, '96.5')]);
      expect(riskEvents(h.events)).toEqual(['reached risk.maxDailyLossUsd', 'lifted risk.maxDailyLossUsd']);
      const lifted = h.events.filter((event) => event.kind === 'risk_limit')[1];
      expect(lifted?.kind === 'risk_limit' && lifted.reason).toBe('a new UTC day began (2026-01-02)');
      expect(opened(h.events)).toBe(2);
    });
  });

  it('a venue limit holds back that venue only', async () => {
    const config = seedConfigJson({ costs: NO_COSTS, venues: { paper: { startingBalance: '1000', maxDailyLossUsd: '1' }, other: { startingBalance: '1000' } } });
    const markets = { markets: [{ venue: 'paper', market: 'SOL-USD' }, { venue: 'other', market: 'SOL-USD' }] };
    await withEngine({ config, demo: { ...demo([]), ...markets } }, async (h) => {
      await h.feed([quote(1, '100'), quote(2, '94')]);
      expect(riskEvents(h.events)).toEqual(['reached venues.paper.maxDailyLossUsd']);
      await h.feed([quote(3, '94.5'), quote(4, '100', 'SOL-USD', 'other')]);
      expect(openedAfterLimit(h.events)).toEqual(['other']);
    });
  });

  it('counts a loss closed by another connection (another process) once the engine sees its commit', async () => {
    const config = seedConfigJson({ costs: NO_COSTS, risk: { maxDailyLossUsd: '5' } });
    let wallMs = 0;
    await withEngine({ config, demo: demo(['SOL-USD', 'ETH-USD']), wallClockMs: () => (wallMs += 10) }, async (h) => {
      await h.feed([quote(1, '100')]);
      expect(riskEvents(h.events)).toEqual([]);
      expect(opened(h.events)).toBe(1); // the control: before the loss, the demo opens
      // Another process, stamping the same feed day, opens and closes a $6 loss.
      const other = Ledger.open(h.path, { synchronous: 'NORMAL', now: () => new Date(T0_MS + 1_500) });
      try {
        const { position } = openPosition(other, {
          venue: 'other',
          market: 'X',
          side: 'long',
          size: parseMicros('60') as Micros,
          price: parsePrice('100'),
          ladder: h.config.tpsl,
          costs: h.config.costs,
          predictionMarket: false,
        });
        other.closePosition(position.id, { exitPrice: parsePrice('90'), reason: 'closed elsewhere', costs: h.config.costs });
      } finally {
        other.close();
      }
      await h.feed([quote(2, '100.5'), quote(3, '2000', 'ETH-USD')]);
      expect(riskEvents(h.events)).toEqual(['reached risk.maxDailyLossUsd']);
      expect(openedAfterLimit(h.events)).toEqual([]);
      expect(h.engine.risk?.skipped.get('risk.maxDailyLossUsd')).toBe(1);
    });
  });
});

describe('maxOpenPositions and maxPositionUsd in the engine', () => {
  it('counts every open position, announces once when it first holds the demo back, and again when there is room', async () => {
    const config = seedConfigJson({ costs: NO_COSTS, risk: { maxOpenPositions: 2 } });
    await withEngine({ config, demo: demo(['SOL-USD', 'ETH-USD']) }, async (h) => {
      const manual = h.open({ side: 'long', price: '50', market: 'BTC-USD', venue: 'other', size: '10' });
      await h.feed([quote(1, '100', 'SOL-USD')]);
      expect(opened(h.events)).toBe(1); // two open now: the limit
      await h.feed([quote(2, '2000', 'ETH-USD'), quote(3, '2001', 'ETH-USD'), quote(4, '2002', 'ETH-USD')]);
      expect(opened(h.events)).toBe(1);
      expect(riskEvents(h.events)).toEqual(['reached risk.maxOpenPositions']);
      expect(h.engine.risk?.skipped.get('risk.maxOpenPositions')).toBe(3);
      h.ledger.closePosition(manual, { exitPrice: parsePrice('50'), reason: 'make room', costs: h.config.costs });
      await h.feed([quote(5, '2003', 'ETH-USD')]);
      expect(opened(h.events)).toBe(2);
      expect(riskEvents(h.events)).toEqual(['reached risk.maxOpenPositions', 'lifted risk.maxOpenPositions']);
    });
  });

  it('sizes demo positions within maxPositionUsd', async () => {
    await withEngine({ config: seedConfigJson({ costs: NO_COSTS, risk: { maxPositionUsd: '10' } }), demo: demo(['SOL-USD'], '25') }, async (h) => {
      await h.feed([quote(1, '100')]);
      const open = h.ledger.listPositions('open');
      expect(open.map((p) => p.costBasis)).toEqual([parseMicros('10')]);
    });
    // The control: without the limit the demo's own size.
    await withEngine({ config: seedConfigJson({ costs: NO_COSTS }), demo: demo(['SOL-USD'], '25') }, async (h) => {
      await h.feed([quote(1, '100')]);
      expect(h.ledger.listPositions('open').map((p) => p.costBasis)).toEqual([parseMicros('25')]);
    });
  });
});
