// The engine drives a venue through its `simulation` capability, never by knowing it is paper: a venue that offers
// the capability follows the accepted quotes and is paid out on resolution; the same venue behind a port without it
// (as a live venue is) is never told.
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { Venue } from '../../src/venues/venue.js';
import { A, A_MARKET, arbHarness, type ArbHarness } from '../fixtures/arb.js';

const T0_MS = Date.UTC(2026, 0, 1);

/** The venue's market data and order entry alone: what a live adapter offers. */
function withoutCapabilities(venue: Venue): Venue {
  return {
    name: venue.name,
    predictionMarket: venue.predictionMarket,
    getBook: (market, outcome) => venue.getBook(market, outcome),
    takerFee: (market, quantity, price) => venue.takerFee(market, quantity, price),
    getBalance: () => venue.getBalance(),
    placeOrder: (request) => venue.placeOrder(request),
    getOrderByClientId: (clientOrderId, market) => venue.getOrderByClientId(clientOrderId, market),
    cancelOrder: (venueOrderId, market) => venue.cancelOrder(venueOrderId, market),
  };
}

const harnesses: ArbHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function engineOn(h: ArbHarness, strip: boolean): Promise<Engine> {
  const venues = new Map([...h.venueSet.venues].map(([name, venue]) => [name, strip ? withoutCapabilities(venue) : venue]));
  const engine = new Engine({ ledger: h.ledger, config: h.config, venues, listener: () => undefined });
  await engine.start();
  return engine;
}

describe('the simulation capability', () => {
  for (const strip of [false, true]) {
    it(strip ? 'is the only way in: a venue without it is never driven' : 'makes a simulated venue follow accepted quotes and pay out resolutions', async () => {
      const h = await arbHarness();
      harnesses.push(h);
      const paper = h.venueSet.paper.get(A);
      if (!paper) throw new Error('no paper venue');
      const seededAtMs = paper.quotedAtMs(A_MARKET);
      const engine = await engineOn(h, strip);
      await engine.handle({ type: 'quote', venue: A, market: A_MARKET, bid: '0.30', ask: '0.32', timestampMs: T0_MS });
      await engine.handle({ type: 'resolve', venue: A, market: A_MARKET, outcome: 'yes', timestampMs: T0_MS + 1000 });
      const expected = strip ? { quotedAtMs: seededAtMs, lastResolutionId: 0 } : { quotedAtMs: T0_MS, lastResolutionId: expect.any(Number) };
      expect({ quotedAtMs: paper.quotedAtMs(A_MARKET), lastResolutionId: paper.lastResolutionId() }).toEqual(expected);
      if (!strip) expect(paper.lastResolutionId()).toBeGreaterThan(0);
    });
  }
});
