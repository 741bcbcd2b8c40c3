// The Kalshi adapter against the Kalshi imitation over real loopback HTTP.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyConflictError, VenueUnavailableError } from '../../src/domain/errors.js';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { VenueCredentialsError } from '../../src/venues/http/errors.js';
import { kalshiAuthHeaders } from '../../src/venues/kalshi/auth.js';
import { createKalshiVenue, kalshiTakerFee } from '../../src/venues/kalshi/index.js';
import { OrderOutcomeUnknownError, VenueRejectedError, type PlaceOrderRequest, type Venue } from '../../src/venues/venue.js';
import { FAST_TUNING, liveConfig, type LiveConfigOverrides } from './live-config.js';
import { KalshiImitation, type KalshiImitationOptions } from './kalshi-server.js';

const TICKER = 'KXFED-26DEC-T4.00';
const ORDERS_PATH = '/trade-api/v2/portfolio/events/orders';
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

function venueFor(server: KalshiImitation, options: { pem?: string; config?: LiveConfigOverrides; retriesMax?: number } = {}): Venue {
  return createKalshiVenue(liveConfig('kalshi', server.baseUrl, options.config), {
    env: { KALSHI_API_KEY_ID: 'key-1', KALSHI_PRIVATE_KEY: options.pem ?? keys.pem },
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

describe('kalshi books and balance', () => {
  it('reads the bids-only ascending book best-first, deriving YES asks from NO bids', async () => {
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

  it('reads the balance exactly', async () => {
    const venue = venueFor(await start({ balanceCents: 123_456 }));
    expect(await venue.getBalance()).toEqual({ total: 1_234_560_000, available: 1_234_560_000 });
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

  it('refuses a client order id reused for a different order', async () => {
    const server = await start();
    const venue = venueFor(server);
    const request = order({ quantity: 10_000_000 as QtyMicros });
    await venue.placeOrder(request);
    await expect(venue.placeOrder({ ...request, outcome: 'no', limitPrice: 600_000 as PriceMicros })).rejects.toBeInstanceOf(IdempotencyConflictError);
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

  it('retries placement after a dropped answer (Kalshi dedupes on client id) and resolves it without a second order', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'POST', path: ORDERS_PATH, fault: { kind: 'drop-after-accept' } });
    const report = await venue.placeOrder(order());
    expect(report.status).toBe('filled');
    expect(server.orders.size).toBe(1);
    expect(server.server.count('POST', ORDERS_PATH)).toBe(2);
  });

  it('rests a good-till-canceled order and cancels it', async () => {
    const venue = venueFor(await start());
    const placed = await venue.placeOrder(order({ limitPrice: 300_000 as PriceMicros, timeInForce: 'gtc', quantity: 5_000_000 as QtyMicros }));
    expect(placed).toMatchObject({ status: 'open', filledQuantity: 0, remainingQuantity: 5_000_000 });
    const canceled = await venue.cancelOrder(placed.venueOrderId!, TICKER);
    expect(canceled).toMatchObject({ status: 'canceled', remainingQuantity: 0, clientOrderId: placed.clientOrderId });
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

describe('kalshi fees', () => {
  it('computes ceil_to_cent(0.07 × C × P × (1 − P)) exactly, times the multiplier', () => {
    expect(kalshiTakerFee(100_000_000 as QtyMicros, 420_000 as PriceMicros, 1_000_000)).toBe(1_710_000);
    expect(kalshiTakerFee(1_000_000 as QtyMicros, 500_000 as PriceMicros, 1_000_000)).toBe(20_000); // 0.0175 → 0.02
    expect(kalshiTakerFee(100_000_000 as QtyMicros, 420_000 as PriceMicros, 500_000)).toBe(860_000); // 0.8526 → 0.86
    expect(kalshiTakerFee(0 as QtyMicros, 420_000 as PriceMicros, 1_000_000)).toBe(0);
  });

  it('uses the configured multiplier in takerFee', async () => {
    const venue = venueFor(await start(), { config: { fees: { multiplier: '0.5' } } });
    expect(venue.takerFee(TICKER, 100_000_000 as QtyMicros, 420_000 as PriceMicros)).toBe(860_000);
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
    expect(await rejected.json()).toEqual({ error: { code: 'authentication_error', message: 'invalid signature', details: '' } });

    const stale = kalshiAuthHeaders(credentials, Date.now() - 60_000, { method: 'GET', pathname, bodyText: '' });
    expect((await fetch(`${server.server.url}${pathname}`, { headers: stale })).status).toBe(401);
  });
});
