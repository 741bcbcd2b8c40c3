// The Kalshi adapter against the Kalshi imitation over real loopback HTTP.
import { spawnSync } from 'node:child_process';
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyConflictError, VenueUnavailableError } from '../../src/domain/errors.js';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { VenueCredentialsError, VenueResponseError } from '../../src/venues/errors.js';
import { kalshiAuthHeaders, kalshiSigningMessage } from '../../src/venues/kalshi/auth.js';
import { ORDER_LOOKUP_PAGES_MAX } from '../../src/venues/kalshi/client.js';
import { CENTICENT_MICROS } from '../../src/venues/kalshi/fees.js';
import { createKalshiVenue, kalshiTakerFee } from '../../src/venues/kalshi/index.js';
import { OrderOutcomeUnknownError, VenueRejectedError, type PlaceOrderRequest, type Venue } from '../../src/venues/venue.js';
import { FAST_TUNING, liveConfig, type LiveConfigOverrides } from '../fixtures/venues/live-config.js';
import { feeOfFill, kalshiFee, KalshiImitation, type KalshiImitationOptions } from '../fixtures/venues/kalshi-server.js';

const TICKER = 'KXFED-26DEC-T4.00';
const ORDERS_PATH = '/trade-api/v2/portfolio/events/orders';
const LIST_ORDERS_PATH = '/trade-api/v2/portfolio/orders';
// YES bids 0.38 ×50, 0.40 ×20; NO bids 0.55 ×30, 0.58 ×100 → YES asks 0.42 ×100, 0.45 ×30.
const BOOK = {
  yes: [['0.3800', '50.00'], ['0.4000', '20.00']],
  no: [['0.5500', '30.00'], ['0.5800', '100.00']],
} as const;

let keys: { privateKey: KeyObject; publicKey: KeyObject; pem: string };
let otherPem: string;
const servers: KalshiImitation[] = [];

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keys = { ...pair, pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  otherPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<KalshiImitationOptions> = {}): Promise<KalshiImitation> {
  const server = await KalshiImitation.start({ apiKeyId: 'key-1', publicKey: keys.publicKey, books: { [TICKER]: BOOK }, balanceCents: 100_000, ...options });
  servers.push(server);
  return server;
}

function venueFor(server: KalshiImitation, options: { pem?: string; config?: LiveConfigOverrides; retriesMax?: number; env?: NodeJS.ProcessEnv } = {}): Venue {
  return createKalshiVenue(liveConfig('kalshi', server.baseUrl, options.config), {
    env: options.env ?? { KALSHI_API_KEY_ID: 'key-1', KALSHI_PRIVATE_KEY: options.pem ?? keys.pem },
    tuning: { ...FAST_TUNING, ...(options.retriesMax === undefined ? {} : { retriesMax: options.retriesMax }) },
  });
}

function order(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    clientOrderId: `cid-${Math.random().toString(36).slice(2)}`,
    market: TICKER,
    outcome: 'yes',
    side: 'buy',
    quantity: 100_000_000 as QtyMicros,
    limitPrice: 420_000 as PriceMicros,
    timeInForce: 'fok',
    ...overrides,
  };
}

const signed = (server: KalshiImitation) => server.server.requests.filter((request) => request.headers['kalshi-access-signature'] !== undefined);

describe('kalshi books and balance', () => {
  it('reads the bids-only book best-first, deriving YES asks from NO bids', async () => {
    const venue = venueFor(await start());
    const yes = await venue.getBook(TICKER, 'yes');
    expect(yes.bids).toEqual([
      { price: 400_000, size: 20_000_000 },
      { price: 380_000, size: 50_000_000 },
    ]);
    expect(yes.asks).toEqual([
      { price: 420_000, size: 100_000_000 },
      { price: 450_000, size: 30_000_000 },
    ]);
    const no = await venue.getBook(TICKER, 'no');
    expect(no.bids[0]).toEqual({ price: 580_000, size: 100_000_000 });
    expect(no.asks[0]).toEqual({ price: 600_000, size: 20_000_000 });
  });

  it('reads public market data with no credentials at all, unsigned; balances and orders still need them, clearly', async () => {
    const server = await start();
    const venue = venueFor(server, { env: {} });
    expect((await venue.getBook(TICKER, 'yes')).asks[0]).toEqual({ price: 420_000, size: 100_000_000 });
    expect((await venue.describeMarket!(TICKER)).market).toBe(TICKER);
    expect(server.server.requests).toHaveLength(2);
    expect(signed(server)).toEqual([]);
    const balance = await venue.getBalance().catch((caught: unknown) => caught);
    expect(balance).toBeInstanceOf(VenueCredentialsError);
    expect((balance as Error).message).toBe('kalshi: missing credentials: KALSHI_API_KEY_ID');
    // An order that cannot be signed is certainly not placed: a refusal, never an unknown outcome.
    const placing = await venue.placeOrder(order()).catch((caught: unknown) => caught);
    expect(placing).toBeInstanceOf(VenueRejectedError);
    expect((placing as Error).message).toBe('kalshi: missing credentials: KALSHI_API_KEY_ID');
    expect(server.server.requests).toHaveLength(2); // nothing private was sent
    // Asked before an arbitrage records anything, with no request: the other leg is never sent alone.
    expect(() => venue.assertCanTrade!()).toThrow('kalshi: missing credentials: KALSHI_API_KEY_ID');
    expect(server.server.requests).toHaveLength(2);
  });

  it('can trade with credentials configured: assertCanTrade passes without a request', async () => {
    const server = await start();
    const venue = venueFor(server);
    expect(() => venue.assertCanTrade!()).not.toThrow();
    expect(server.server.requests).toHaveLength(0);
  });

  it('with credentials configured signs every request, market data included (as Kalshi\'s SDK does)', async () => {
    const server = await start();
    const venue = venueFor(server);
    await venue.getBook(TICKER, 'yes');
    await venue.describeMarket!(TICKER);
    await venue.getBalance();
    await venue.placeOrder(order({ quantity: 1_000_000 as QtyMicros }));
    expect(signed(server).map((request) => `${request.method} ${request.pathname}`)).toEqual([
      `GET /trade-api/v2/markets/${TICKER}/orderbook`,
      `GET /trade-api/v2/markets/${TICKER}`,
      'GET /trade-api/v2/portfolio/balance',
      `POST ${ORDERS_PATH}`,
      'GET /trade-api/v2/portfolio/fills',
    ]);
  });

  it('with a rejected key configured, fails at the first book read with the credentials error (before any order)', async () => {
    const server = await start();
    const venue = venueFor(server, { pem: otherPem });
    await expect(venue.getBook(TICKER, 'yes')).rejects.toThrow(/credentials rejected \(HTTP 401: authentication_error: invalid signature\)/);
  });

  it('reads the balance exactly', async () => {
    const venue = venueFor(await start({ balanceCents: 123_456 }));
    expect(await venue.getBalance()).toEqual({ total: 1_234_560_000, available: 1_234_560_000 });
  });
});

describe('kalshi market descriptions', () => {
  it('describes a market as GET /markets/{ticker} gives it: title, close time, tick from price_ranges, status', async () => {
    const server = await start({ markets: { [TICKER]: { title: 'Fed funds upper bound above 4.00% after the December meeting?', closeTime: '2026-12-10T18:55:00Z' } } });
    expect(await venueFor(server).describeMarket!(TICKER)).toEqual({
      market: TICKER,
      title: 'Fed funds upper bound above 4.00% after the December meeting?',
      closeTime: '2026-12-10T18:55:00Z',
      tickSize: 10_000,
      minSize: null,
      notes: ['status active'],
    });
  });

  it('falls back to the YES side title when the deprecated title is absent, and names finer tail ticks', async () => {
    const server = await start({ markets: { [TICKER]: { yesSubTitle: 'Above 4.00%', priceLevelStructure: 'tapered_deci_cent', status: 'closed' } } });
    const description = await venueFor(server).describeMarket!(TICKER);
    expect(description).toMatchObject({ title: 'Above 4.00%', tickSize: 10_000 });
    expect(description.notes).toEqual(['status closed', 'tick $0.001 in 0.00–0.10, 0.90–1.00']);
    const deci = await venueFor(await start({ markets: { [TICKER]: { priceLevelStructure: 'deci_cent' } } })).describeMarket!(TICKER);
    expect(deci).toMatchObject({ title: null, tickSize: 1_000, notes: ['status active'] });
  });

  it('gives the minimum from fractional_trading_enabled: 0.01 contracts, one contract, or not given', async () => {
    const minimum = async (fractionalTradingEnabled?: boolean) =>
      (await venueFor(await start({ markets: { [TICKER]: fractionalTradingEnabled === undefined ? {} : { fractionalTradingEnabled } } })).describeMarket!(TICKER)).minSize;
    expect(await minimum(true)).toBe(10_000);
    expect(await minimum(false)).toBe(1_000_000);
    expect(await minimum()).toBeNull();
  });

  it('reports an unknown ticker as the venue refusing it', async () => {
    const venue = venueFor(await start());
    await expect(venue.describeMarket!('KXNOPE-26')).rejects.toBeInstanceOf(VenueRejectedError);
  });
});

describe('kalshi orders', () => {
  it('fills a fill-or-kill order completely, with the venue fee per fill', async () => {
    const server = await start();
    const venue = venueFor(server);
    const report = await venue.placeOrder(order());
    expect(report.status).toBe('filled');
    expect(report.filledQuantity).toBe(100_000_000);
    expect(report.filledNotional).toBe(42_000_000);
    expect(report.feePaid).toBe(1_710_000); // 0.07 × 100 × 0.42 × 0.58 = 1.7052 → $1.71
    expect(report.remainingQuantity).toBe(0);
    expect(report.fills).toHaveLength(1);
    expect(server.balanceMicros).toBe(1_000_000_000n - 42_000_000n - 1_710_000n);
  });

  it('sends Create Order (V2) with self_trade_prevention_type taker_at_cross; Kalshi refuses an order without it', async () => {
    const server = await start();
    await venueFor(server).placeOrder(order({ clientOrderId: 'cid-stp', quantity: 1_000_000 as QtyMicros }));
    const sent = JSON.parse(server.server.requests.find((request) => request.method === 'POST')!.bodyText) as Record<string, unknown>;
    expect(sent).toEqual({ ticker: TICKER, client_order_id: 'cid-stp', side: 'bid', count: '1.00', price: '0.4200', time_in_force: 'fill_or_kill', self_trade_prevention_type: 'taker_at_cross' });
    expect([...server.orders.values()][0]!.selfTradePrevention).toBe('taker_at_cross');

    // The control: the same body without the field, signed as the adapter signs, is refused.
    const without: Record<string, unknown> = { ...sent, client_order_id: 'cid-no-stp' };
    delete without.self_trade_prevention_type;
    const bodyText = JSON.stringify(without);
    const headers = kalshiAuthHeaders({ apiKeyId: 'key-1', privateKey: keys.privateKey }, Date.now(), { method: 'POST', pathname: ORDERS_PATH, bodyText });
    const refused = await fetch(`${server.server.url}${ORDERS_PATH}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: bodyText });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ code: 'invalid_parameters', message: 'self_trade_prevention_type must be a string' });
    expect(server.orders.size).toBe(1);
  });

  it('kills a fill-or-kill order the book cannot fill, leaving the book untouched', async () => {
    const server = await start();
    const venue = venueFor(server);
    const report = await venue.placeOrder(order({ quantity: 200_000_000 as QtyMicros }));
    expect(report).toMatchObject({ status: 'canceled', filledQuantity: 0, filledNotional: 0, feePaid: 0, fills: [] });
    expect((await venue.getBook(TICKER, 'yes')).asks[0]).toEqual({ price: 420_000, size: 100_000_000 });
  });

  it('partially fills an immediate-or-cancel order across levels and cancels the rest', async () => {
    const venue = venueFor(await start());
    const report = await venue.placeOrder(order({ quantity: 150_000_000 as QtyMicros, limitPrice: 450_000 as PriceMicros, timeInForce: 'ioc' }));
    expect(report.status).toBe('partially_filled');
    expect(report.filledQuantity).toBe(130_000_000);
    expect(report.filledNotional).toBe(42_000_000 + 13_500_000);
    expect(report.feePaid).toBe(1_710_000 + 520_000); // 0.07 × 30 × 0.45 × 0.55 = 0.51975 → $0.52
    expect(report.remainingQuantity).toBe(0);
    expect(report.fills.map((fill) => fill.price)).toEqual([420_000, 450_000]);
  });

  it('buys NO as an ask on the YES book at the complement, and reports NO prices', async () => {
    const server = await start();
    const venue = venueFor(server);
    const report = await venue.placeOrder(order({ outcome: 'no', quantity: 10_000_000 as QtyMicros, limitPrice: 600_000 as PriceMicros, timeInForce: 'ioc' }));
    const sent = JSON.parse(server.server.requests.find((request) => request.method === 'POST')!.bodyText) as Record<string, string>;
    expect(sent).toMatchObject({ side: 'ask', price: '0.4000', count: '10.00', time_in_force: 'immediate_or_cancel' });
    expect(report).toMatchObject({ status: 'filled', filledQuantity: 10_000_000, filledNotional: 6_000_000 });
    expect(report.fills[0]!.price).toBe(600_000);
  });

  it('places a duplicate client order id once and answers with the first order', async () => {
    const server = await start();
    const venue = venueFor(server);
    const request = order({ quantity: 10_000_000 as QtyMicros });
    const first = await venue.placeOrder(request);
    const second = await venue.placeOrder(request);
    expect(second).toEqual(first);
    expect(server.orders.size).toBe(1);
    expect(server.server.count('POST', ORDERS_PATH)).toBe(2); // the second was answered 409 and looked up
  });

  it('refuses a client order id reused for a different order: other outcome, other size or other limit', async () => {
    const server = await start();
    const venue = venueFor(server);
    const request = order({ quantity: 10_000_000 as QtyMicros });
    await venue.placeOrder(request);
    await expect(venue.placeOrder({ ...request, outcome: 'no', limitPrice: 600_000 as PriceMicros })).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(venue.placeOrder({ ...request, quantity: 11_000_000 as QtyMicros })).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(venue.placeOrder({ ...request, limitPrice: 450_000 as PriceMicros })).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(server.orders.size).toBe(1);
    expect((await venue.getOrderByClientId(request.clientOrderId, TICKER))?.fills[0]?.price).toBe(420_000); // still read as YES
  });

  it('reports an unknown outcome when the connection drops after acceptance, then finds the order by client id', async () => {
    const server = await start();
    const venue = venueFor(server, { retriesMax: 0 });
    server.server.inject({ method: 'POST', path: ORDERS_PATH, fault: { kind: 'drop-after-accept' } });
    const request = order();
    await expect(venue.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    const found = await venue.getOrderByClientId(request.clientOrderId, TICKER);
    expect(found).toMatchObject({ clientOrderId: request.clientOrderId, status: 'filled', filledQuantity: 100_000_000, feePaid: 1_710_000 });
    expect(server.orders.size).toBe(1);
    expect(await venue.getOrderByClientId('never-sent', TICKER)).toBeNull();
  });

  it('finds an order another process placed from book_side and outcome_side, with its terms on the outcome it bought', async () => {
    const server = await start();
    const request = order({ outcome: 'no', quantity: 10_000_000 as QtyMicros, limitPrice: 600_000 as PriceMicros, timeInForce: 'ioc' });
    await venueFor(server).placeOrder(request);
    const fresh = venueFor(server); // remembers nothing it sent
    const found = await fresh.getOrderByClientId(request.clientOrderId, TICKER);
    expect(found).toMatchObject({ status: 'filled', filledQuantity: 10_000_000, filledNotional: 6_000_000, terms: { quantity: 10_000_000, limitPrice: 600_000 } });
    expect(found!.fills[0]!.price).toBe(600_000);
  });

  it('looks an order up by paging through the market\'s orders, without any client order id filter', async () => {
    const server = await start({ ordersPageSize: 2 });
    const venue = venueFor(server);
    const first = order({ limitPrice: 300_000 as PriceMicros, timeInForce: 'gtc', quantity: 1_000_000 as QtyMicros });
    await venue.placeOrder(first);
    for (let index = 0; index < 4; index += 1) await venue.placeOrder(order({ limitPrice: 300_000 as PriceMicros, timeInForce: 'gtc', quantity: 1_000_000 as QtyMicros }));
    const before = server.server.count('GET', LIST_ORDERS_PATH);
    // Newest first here: the first order is on the third page of two.
    expect(await venueFor(server).getOrderByClientId(first.clientOrderId, TICKER)).toMatchObject({ clientOrderId: first.clientOrderId, status: 'open' });
    const lookups = server.server.requests.filter((request) => request.pathname === LIST_ORDERS_PATH).slice(before);
    expect(lookups).toHaveLength(3);
    for (const lookup of lookups) {
      expect(lookup.query.get('ticker')).toBe(TICKER);
      expect(lookup.query.has('client_order_id')).toBe(false);
    }
  });

  it('answers "not found" only after the last page, and an error (never "not found") past the page bound', async () => {
    const server = await start({ ordersPageSize: 1 });
    const venue = venueFor(server);
    const gtc = () => order({ limitPrice: 300_000 as PriceMicros, timeInForce: 'gtc', quantity: 1_000_000 as QtyMicros });
    for (let index = 0; index < ORDER_LOOKUP_PAGES_MAX; index += 1) await venue.placeOrder(gtc());
    expect(await venue.getOrderByClientId('never-sent', TICKER)).toBeNull(); // every page read
    await venue.placeOrder(gtc());
    await expect(venue.getOrderByClientId('never-sent', TICKER)).rejects.toBeInstanceOf(VenueResponseError);
  });

  it('retries placement after a dropped answer (Kalshi dedupes on client id) and resolves it without a second order', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'POST', path: ORDERS_PATH, fault: { kind: 'drop-after-accept' } });
    const report = await venue.placeOrder(order());
    expect(report.status).toBe('filled');
    expect(server.orders.size).toBe(1);
    expect(server.server.count('POST', ORDERS_PATH)).toBe(2);
  });

  it('rests a good-till-canceled order and cancels it (Cancel Order V2, routed by market_ticker), then reads it back', async () => {
    const server = await start();
    const venue = venueFor(server);
    const placed = await venue.placeOrder(order({ limitPrice: 300_000 as PriceMicros, timeInForce: 'gtc', quantity: 5_000_000 as QtyMicros }));
    expect(placed).toMatchObject({ status: 'open', filledQuantity: 0, remainingQuantity: 5_000_000 });
    const canceled = await venue.cancelOrder(placed.venueOrderId!, TICKER);
    expect(canceled).toMatchObject({ status: 'canceled', remainingQuantity: 0, clientOrderId: placed.clientOrderId, terms: { quantity: 5_000_000, limitPrice: 300_000 } });
    const cancel = server.server.requests.find((request) => request.method === 'DELETE')!;
    expect(cancel.pathname).toBe(`${ORDERS_PATH}/${placed.venueOrderId}`);
    expect(cancel.query.get('market_ticker')).toBe(TICKER);
    // Cancelling in the wrong market, or an order that no longer rests, is refused.
    const again = await venue.placeOrder(order({ limitPrice: 300_000 as PriceMicros, timeInForce: 'gtc', quantity: 5_000_000 as QtyMicros }));
    await expect(venue.cancelOrder(again.venueOrderId!, 'KXOTHER-26')).rejects.toBeInstanceOf(VenueRejectedError);
    await expect(venue.cancelOrder(placed.venueOrderId!, TICKER)).rejects.toBeInstanceOf(VenueRejectedError);
  });

  it('refuses amounts Kalshi cannot represent before sending anything', async () => {
    const server = await start();
    const venue = venueFor(server);
    await expect(venue.placeOrder(order({ quantity: 1_000 as QtyMicros }))).rejects.toBeInstanceOf(VenueRejectedError);
    await expect(venue.placeOrder(order({ limitPrice: 420_050 as PriceMicros }))).rejects.toThrow(/more than 4 decimals/);
    expect(server.server.requests).toHaveLength(0);
  });

  it('pages through fills with the cursor', async () => {
    const server = await start({ fillsPageSize: 1 });
    const venue = venueFor(server);
    const report = await venue.placeOrder(order({ quantity: 130_000_000 as QtyMicros, limitPrice: 450_000 as PriceMicros, timeInForce: 'ioc' }));
    expect(report.fills).toHaveLength(2);
    expect(server.server.count('GET', '/trade-api/v2/portfolio/fills')).toBe(2);
    expect(server.server.requests.filter((request) => request.pathname.endsWith('/fills'))[1]!.query.get('cursor')).not.toBeNull();
  });
});

describe('kalshi fees (Kalshi docs: "Fee Rounding")', () => {
  /** Contracts in hundredths (150 = 1.50 contracts), the price in micro-dollars. */
  const fee = (hundredths: number, price: number, multiplierPpm = 1_000_000, step?: number) =>
    kalshiTakerFee((hundredths * 10_000) as QtyMicros, price as PriceMicros, multiplierPpm, step);

  it('is the trade fee rounded up to the cent at whole-cent prices and whole contracts, times the multiplier', () => {
    expect(fee(10_000, 420_000)).toBe(1_710_000); // 1.7052 → $1.71
    expect(fee(100, 500_000)).toBe(20_000); // 0.0175 → $0.02
    expect(fee(10_000, 420_000, 500_000)).toBe(860_000); // 0.8526 → $0.86
    expect(kalshiTakerFee(0 as QtyMicros, 420_000 as PriceMicros, 1_000_000)).toBe(0);
  });

  it('rounds the trade fee to $0.0001, then the balance change to the cent, at sub-cent prices and fractional counts', () => {
    // 3 at $0.055: trade fee 0.01091475 → 0.0110; 0.165 + 0.0110 = 0.176 → $0.18 debited: fee $0.015 (not $0.02).
    expect(fee(300, 55_000)).toBe(15_000);
    // 1 at $0.055: 0.00363825 → 0.0037; 0.055 + 0.0037 → $0.06: fee $0.005.
    expect(fee(100, 55_000)).toBe(5_000);
    // 1.5 at $0.33: 0.0232155 → 0.0233; 0.495 + 0.0233 = 0.5183 → $0.52: fee $0.025.
    expect(fee(150, 330_000)).toBe(25_000);
    // A direct member's balance is kept to $0.0001: only the trade fee's own rounding remains.
    expect(fee(300, 55_000, 1_000_000, CENTICENT_MICROS)).toBe(11_000);
    expect(fee(10_000, 420_000, 1_000_000, CENTICENT_MICROS)).toBe(1_705_200);
  });

  it('agrees with the imitation\'s own fill arithmetic, and one fill per level adds up through the accumulator', () => {
    for (const [contracts, price] of [[3n, 55_000n], [1n, 55_000n], [100n, 420_000n], [7n, 993_000n], [2n, 51_000n]] as const) {
      expect(BigInt(fee(Number(contracts) * 100, Number(price)))).toBe(kalshiFee(contracts * 1_000_000n, price));
    }
    // Three 1-lot fills at $0.055 pay what one 3-lot fill pays: 0.005 × 3 = 0.015.
    let accumulator = 0n;
    let total = 0n;
    for (let index = 0; index < 3; index += 1) {
      const fill = feeOfFill(1_000_000n, 55_000n, accumulator);
      accumulator = fill.accumulator;
      total += fill.netFee;
    }
    expect(total).toBe(15_000n);
  });

  it('uses the configured multiplier in takerFee', async () => {
    const venue = venueFor(await start(), { config: { fees: { multiplier: '0.5' } } });
    expect(venue.takerFee(TICKER, 100_000_000 as QtyMicros, 420_000 as PriceMicros)).toBe(860_000);
  });

  it('books the fee Kalshi charged on each fill, sub-cent prices included, and the balance moves by exactly that', async () => {
    const server = await start({ books: { [TICKER]: { yes: [], no: [['0.9450', '1.00'], ['0.9460', '2.00']] } }, markets: { [TICKER]: { priceLevelStructure: 'tapered_deci_cent' } } });
    const venue = venueFor(server);
    // YES asks 0.054 ×2 and 0.055 ×1; buying 3 up to 0.055 takes both.
    const report = await venue.placeOrder(order({ quantity: 3_000_000 as QtyMicros, limitPrice: 55_000 as PriceMicros }));
    expect(report.filledNotional).toBe(2 * 54_000 + 55_000);
    expect(report.feePaid).toBe(server.fills.reduce((sum, fill) => sum + Number(fill.fee), 0));
    expect(server.balanceMicros).toBe(1_000_000_000n - BigInt(report.filledNotional + report.feePaid));
  });
});

describe('kalshi transport', () => {
  it('gives a clear credentials error on 401 without retrying', async () => {
    const server = await start();
    const venue = venueFor(server, { pem: otherPem });
    const error = await venue.getBalance().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VenueRejectedError);
    expect((error as Error).message).toMatch(/credentials rejected \(HTTP 401: authentication_error: invalid signature\).*KALSHI_API_KEY_ID/);
    await expect(venue.placeOrder(order())).rejects.toBeInstanceOf(VenueRejectedError);
    expect(server.server.requests).toHaveLength(2);
    expect(server.orders.size).toBe(0);
  });

  it('backs off on 429, honouring Retry-After, then succeeds', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'GET', path: '/trade-api/v2/markets/', times: 2, fault: { kind: 'status', status: 429, retryAfter: '0' } });
    expect((await venue.getBook(TICKER, 'yes')).asks).toHaveLength(2);
    expect(server.server.count('GET', '/trade-api/v2/markets/')).toBe(3);
    server.server.inject({ method: 'GET', path: '/trade-api/v2/portfolio/balance', fault: { kind: 'status', status: 429, retryAfter: '1' } });
    const startedMs = Date.now();
    await venue.getBalance();
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(950);
  });

  it('gives up on a 429 answered with the "Rate Limits" page\'s body, as unavailable', async () => {
    const server = await start();
    const venue = venueFor(server, { retriesMax: 0 });
    server.server.inject({ method: 'GET', path: '/trade-api/v2/portfolio/balance', fault: { kind: 'status', status: 429 } });
    const error = await venue.getBalance().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VenueUnavailableError);
    expect((error as Error).message).toMatch(/rate limited \(HTTP 429\)/);
  });

  it('retries reads on 5xx and gives up after the named maximum', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'GET', path: '/trade-api/v2/portfolio/balance', times: 2, fault: { kind: 'status', status: 503 } });
    await venue.getBalance();
    expect(server.server.count('GET', '/trade-api/v2/portfolio/balance')).toBe(3);
    server.server.inject({ method: 'GET', path: '/trade-api/v2/portfolio/balance', times: 10, fault: { kind: 'status', status: 500 } });
    await expect(venue.getBalance()).rejects.toBeInstanceOf(VenueUnavailableError);
    expect(server.server.count('GET', '/trade-api/v2/portfolio/balance')).toBe(3 + 4); // first attempt + retriesMax 3
  });

  it('times out a stalled request', async () => {
    const server = await start();
    const venue = venueFor(server, { config: { requestTimeoutMs: 100 }, retriesMax: 0 });
    server.server.inject({ method: 'GET', path: '/trade-api/v2/portfolio/balance', fault: { kind: 'delay', delayMs: 500 } });
    await expect(venue.getBalance()).rejects.toThrow(/no answer within 100ms/);
  });

  it('names the missing credentials and sends nothing', async () => {
    const server = await start();
    const venue = createKalshiVenue(liveConfig('kalshi', server.baseUrl), { env: {} });
    const error = await venue.getBalance().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VenueCredentialsError);
    expect((error as Error).message).toMatch(/KALSHI_API_KEY_ID/);
    expect(server.server.requests).toHaveLength(0);
  });
});

describe('kalshi request signing (golden: the adapter\'s signature, verified by openssl)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'arbbot-kalshi-sig-'));
    writeFileSync(join(dir, 'public.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  /** `openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -verify`: true when it verifies. */
  function opensslVerifies(message: string, signatureBase64: string): boolean {
    writeFileSync(join(dir, 'message.txt'), message);
    writeFileSync(join(dir, 'signature.bin'), Buffer.from(signatureBase64, 'base64'));
    const result = spawnSync('openssl', ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest', '-verify', join(dir, 'public.pem'), '-signature', join(dir, 'signature.bin'), join(dir, 'message.txt')], { encoding: 'utf8' });
    if (result.error) throw result.error;
    return result.status === 0 && result.stdout.includes('Verified OK');
  }

  it('writes the message as Kalshi states it: milliseconds timestamp + METHOD + path, without the query', () => {
    expect(kalshiSigningMessage(1_703_123_456_789, 'get', '/trade-api/v2/portfolio/orders')).toBe('1703123456789GET/trade-api/v2/portfolio/orders');
  });

  it('signs a real request so that openssl verifies it over timestamp + METHOD + path (and not over the query)', async () => {
    const server = await start();
    await venueFor(server).getOrderByClientId('cid-golden', TICKER);
    const sent = server.server.requests.find((request) => request.pathname === LIST_ORDERS_PATH)!;
    expect(sent.query.get('ticker')).toBe(TICKER); // the URL had a query string
    const timestamp = sent.headers['kalshi-access-timestamp'] as string;
    const signature = sent.headers['kalshi-access-signature'] as string;
    expect(sent.headers['kalshi-access-key']).toBe('key-1');
    expect(opensslVerifies(`${timestamp}GET${LIST_ORDERS_PATH}`, signature)).toBe(true);
    // Controls: the same signature does not verify over a message with the query, another method, or no prefix.
    expect(opensslVerifies(`${timestamp}GET${LIST_ORDERS_PATH}?ticker=${TICKER}&limit=100`, signature)).toBe(false);
    expect(opensslVerifies(`${timestamp}POST${LIST_ORDERS_PATH}`, signature)).toBe(false);
    expect(opensslVerifies(`${timestamp}GET/portfolio/orders`, signature)).toBe(false);
  });

  it('uses a digest-length PSS salt: a maximum-salt signature of the same message fails openssl\'s check', () => {
    const message = kalshiSigningMessage(1_703_123_456_789, 'POST', ORDERS_PATH);
    const headers = kalshiAuthHeaders({ apiKeyId: 'key-1', privateKey: keys.privateKey }, 1_703_123_456_789, { method: 'POST', pathname: ORDERS_PATH, bodyText: '{}' });
    expect(opensslVerifies(message, headers['KALSHI-ACCESS-SIGNATURE']!)).toBe(true);
    const maxSalt = sign('sha256', Buffer.from(message), { key: keys.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN }).toString('base64');
    expect(opensslVerifies(message, maxSalt)).toBe(false);
  });
});

describe('kalshi imitation signature check', () => {
  it('accepts a correct RSA-PSS signature and rejects a wrong one or a stale timestamp', async () => {
    const server = await start();
    const pathname = '/trade-api/v2/portfolio/balance';
    const credentials = { apiKeyId: 'key-1', privateKey: keys.privateKey };
    const good = kalshiAuthHeaders(credentials, Date.now(), { method: 'GET', pathname, bodyText: '' });
    expect((await fetch(`${server.server.url}${pathname}`, { headers: good })).status).toBe(200);

    const tampered = { ...good, 'KALSHI-ACCESS-SIGNATURE': kalshiAuthHeaders(credentials, Date.now(), { method: 'GET', pathname: '/trade-api/v2/other', bodyText: '' })['KALSHI-ACCESS-SIGNATURE']! };
    const rejected = await fetch(`${server.server.url}${pathname}`, { headers: tampered });
    expect(rejected.status).toBe(401);
    expect(await rejected.json()).toEqual({ code: 'authentication_error', message: 'invalid signature' });

    const stale = kalshiAuthHeaders(credentials, Date.now() - 60_000, { method: 'GET', pathname, bodyText: '' });
    expect((await fetch(`${server.server.url}${pathname}`, { headers: stale })).status).toBe(401);
    expect((await fetch(`${server.server.url}${pathname}`)).status).toBe(401);
  });
});
