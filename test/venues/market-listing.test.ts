// Each adapter's market listing over real loopback HTTP against its imitation: every page read, closed markets left
// out, the venue's own title, close time, rules and YES outcome carried through, and a listing longer than the page
// bound refused whole rather than cut short.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MARKET_LISTING_PAGES_MAX as KALSHI_PAGES_MAX } from '../../src/venues/kalshi/client.js';
import { createKalshiVenue } from '../../src/venues/kalshi/index.js';
import { parseMarketsPage as parseKalshiMarketsPage } from '../../src/venues/kalshi/models.js';
import { MARKET_LISTING_PAGES_MAX as POLY_PAGES_MAX } from '../../src/venues/polymarket/client.js';
import { createPolymarketVenue } from '../../src/venues/polymarket/index.js';
import { parseMarketsPage as parsePolyMarketsPage } from '../../src/venues/polymarket/listing.js';
import { FAST_TUNING, liveConfig } from '../fixtures/venues/live-config.js';
import { KalshiImitation } from '../fixtures/venues/kalshi-server.js';
import { PolymarketImitation, type PolymarketMarketSpec } from '../fixtures/venues/polymarket-server.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
const EMPTY = { yes: [], no: [] };

async function kalshiWith(count: number, pageSize: number): Promise<KalshiImitation> {
  const tickers = Array.from({ length: count }, (_, n) => `KXT-${String(n).padStart(3, '0')}`);
  const server = await KalshiImitation.start({
    apiKeyId: 'key-1',
    publicKey,
    books: Object.fromEntries([...tickers, 'KXT-CLOSED'].map((ticker) => [ticker, EMPTY])),
    markets: { 'KXT-000': { title: 'First market?', closeTime: '2026-12-10T19:00:00Z', rulesPrimary: 'Resolves Yes if first.', yesSubTitle: 'Above 4%' }, 'KXT-CLOSED': { status: 'closed' } },
    balanceCents: 0,
    marketsPageSize: pageSize,
  });
  servers.push(server);
  return server;
}

function polySpec(n: number, extra: Partial<PolymarketMarketSpec> = {}): PolymarketMarketSpec {
  return { yesToken: `${n}1`, noToken: `${n}2`, tickSize: 0.01, negRisk: false, feeRate: 0, feeExponent: 1, ...extra };
}

async function polyWith(count: number, pageSize: number): Promise<PolymarketImitation> {
  const ids = Array.from({ length: count }, (_, n) => `0x${n.toString(16).padStart(64, '0')}`);
  const markets = Object.fromEntries(ids.map((id, n) => [id, polySpec(n + 1, n === 0 ? { question: 'First market?', endDateIso: '2026-12-10T19:00:00Z', description: 'Resolves Yes if first.' } : {})]));
  markets[`0x${'f'.repeat(64)}`] = polySpec(999, { closed: true });
  const server = await PolymarketImitation.start({ apiKey: 'k', secret: 'c2VjcmV0', passphrase: 'p', address: `0x${'11'.repeat(20)}`, markets, books: {}, balanceMicros: 0n, marketsPageSize: pageSize });
  servers.push(server);
  return server;
}

describe('market listing', () => {
  it('Kalshi: every open market across pages, without credentials, in the venue\'s own words', async () => {
    const server = await kalshiWith(5, 2);
    const venue = createKalshiVenue(liveConfig('kalshi', server.baseUrl), { env: {}, tuning: FAST_TUNING });
    const markets = await venue.listMarkets!();
    expect(markets.map((m) => m.market)).toEqual(['KXT-000', 'KXT-001', 'KXT-002', 'KXT-003', 'KXT-004']);
    expect(markets[0]).toEqual({ venue: 'kalshi', market: 'KXT-000', title: 'First market?', closeTime: '2026-12-10T19:00:00Z', rules: 'Resolves Yes if first.', yesOutcome: 'Above 4%' });
  });

  it('Polymarket: every active, unclosed market across pages, the first token as YES and the description as rules', async () => {
    const server = await polyWith(5, 2);
    const venue = createPolymarketVenue(liveConfig('polymarket', server.server.url), { env: {}, tuning: FAST_TUNING });
    const markets = await venue.listMarkets!();
    expect(markets).toHaveLength(5);
    expect(markets[0]).toEqual({ venue: 'polymarket', market: `0x${'0'.repeat(64)}`, title: 'First market?', closeTime: '2026-12-10T19:00:00Z', rules: 'Resolves Yes if first.', yesOutcome: 'Yes' });
  });

  it('refuses a listing longer than its page bound on either venue (control: one page fewer is read whole)', async () => {
    const kalshi = await kalshiWith(KALSHI_PAGES_MAX + 1, 1);
    const kalshiVenue = createKalshiVenue(liveConfig('kalshi', kalshi.baseUrl), { env: {}, tuning: FAST_TUNING });
    await expect(kalshiVenue.listMarkets!()).rejects.toThrow(/more than 50 pages/);
    const poly = await polyWith(POLY_PAGES_MAX + 1, 1);
    const polyVenue = createPolymarketVenue(liveConfig('polymarket', poly.server.url), { env: {}, tuning: FAST_TUNING });
    await expect(polyVenue.listMarkets!()).rejects.toThrow(/more than 50 pages/);
    // The imitation lists its closed market too (left out by the adapter): 49 open + 1 closed is exactly 50 pages.
    const within = await polyWith(POLY_PAGES_MAX - 1, 1);
    const withinVenue = createPolymarketVenue(liveConfig('polymarket', within.server.url), { env: {}, tuning: FAST_TUNING });
    await expect(withinVenue.listMarkets!()).resolves.toHaveLength(POLY_PAGES_MAX - 1);
  });

  it('reads the last page by its end cursor: an empty Kalshi cursor, Polymarket\'s "LTE="', () => {
    expect(parseKalshiMarketsPage({ markets: [], cursor: '' }, 'kalshi').nextCursor).toBeNull();
    expect(parseKalshiMarketsPage({ markets: [], cursor: 'abc' }, 'kalshi').nextCursor).toBe('abc');
    expect(parsePolyMarketsPage({ limit: 500, count: 0, next_cursor: 'LTE=', data: [] }, 'polymarket').nextCursor).toBeNull();
    expect(parsePolyMarketsPage({ limit: 500, count: 0, next_cursor: 'NTAw', data: [] }, 'polymarket').nextCursor).toBe('NTAw');
    expect(() => parseKalshiMarketsPage({ markets: [{ title: 'no ticker' }], cursor: '' }, 'kalshi')).toThrow(/ticker/);
  });
});
