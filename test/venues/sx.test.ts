// The SX Bet adapter against the SX imitation over real loopback HTTP.
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { fillSaltFor, signFill, type FillToSign } from '../../src/venues/sx/auth.js';
import { createSxVenue } from '../../src/venues/sx/index.js';
import { OrderOutcomeUnknownError, VenueRejectedError, type PlaceOrderRequest, type Venue } from '../../src/venues/venue.js';
import { FAST_TUNING, liveConfig, type LiveConfigOverrides } from './live-config.js';
import { SX_FILL_HASHER, SX_USDC, SxImitation, type SxImitationOptions } from './sx-server.js';

const MARKET = `0x${'cd'.repeat(32)}`;
const THIN_MARKET = `0x${'ef'.repeat(32)}`;
const PRIVATE_KEY = generatePrivateKey();
const ACCOUNT = privateKeyToAccount(PRIVATE_KEY);
const E18 = 10n ** 18n;

// Makers on outcome two at 0.58 (58 USDC) and 0.55 (16.5 USDC) offer YES at 0.42 ×100 and 0.45 ×30; a maker on
// outcome one at 0.40 (8 USDC) offers NO at 0.60 ×20. The thin market's maker sits at 1/3.
const ORDERS: SxImitationOptions['orders'] = [
  { orderHash: '0xa1', marketHash: MARKET, totalBetSize: 58_000_000n, percentageOdds: 58n * E18, isMakerBettingOutcomeOne: false },
  { orderHash: '0xa2', marketHash: MARKET, totalBetSize: 16_500_000n, percentageOdds: 55n * E18, isMakerBettingOutcomeOne: false },
  { orderHash: '0xa3', marketHash: MARKET, totalBetSize: 8_000_000n, percentageOdds: 40n * E18, isMakerBettingOutcomeOne: true },
  { orderHash: '0xa4', marketHash: THIN_MARKET, totalBetSize: 10_000_000n, percentageOdds: 33_333_333_333_333_333_333n, isMakerBettingOutcomeOne: false },
];

const servers: SxImitation[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<SxImitationOptions> = {}): Promise<SxImitation> {
  const server = await SxImitation.start({ apiKey: 'sx-key', taker: ACCOUNT.address, orders: ORDERS, balanceMicros: 500_000_000n, ...options });
  servers.push(server);
  return server;
}

function venueFor(server: SxImitation, options: { apiKey?: string; config?: LiveConfigOverrides } = {}): Venue {
  const env = { SX_API_KEY: options.apiKey ?? 'sx-key', SX_PRIVATE_KEY: PRIVATE_KEY, SX_RPC_URL: server.rpcUrl };
  return createSxVenue(liveConfig('sx', server.server.url, options.config), { env, tuning: FAST_TUNING });
}

function order(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    clientOrderId: `cid-${Math.random().toString(36).slice(2)}`,
    market: MARKET,
    outcome: 'yes',
    side: 'buy',
    quantity: 100_000_000 as QtyMicros,
    limitPrice: 420_000 as PriceMicros,
    timeInForce: 'fok',
    ...overrides,
  };
}

describe('sx books and balance', () => {
  it('turns maker orders into both outcomes’ books in contracts', async () => {
    const venue = venueFor(await start());
    const yes = await venue.getBook(MARKET, 'yes');
    expect(yes.asks).toEqual([
      { price: 420_000, size: 100_000_000 },
      { price: 450_000, size: 30_000_000 },
    ]);
    expect(yes.bids).toEqual([{ price: 400_000, size: 20_000_000 }]);
    const no = await venue.getBook(MARKET, 'no');
    expect(no.asks).toEqual([{ price: 600_000, size: 20_000_000 }]);
    expect(no.bids).toEqual([
      { price: 580_000, size: 100_000_000 },
      { price: 550_000, size: 30_000_000 },
    ]);
  });

  it('rounds converted odds against us: the ask up, the size down', async () => {
    const venue = venueFor(await start());
    const book = await venue.getBook(THIN_MARKET, 'yes');
    // 1 − 0.33333333333333333333 = 0.66666666666666666667 → 0.666667; 10 USDC / 0.3333… = 30.0000000000000000003 → 30
    expect(book.asks).toEqual([{ price: 666_667, size: 30_000_000 }]);
  });

  it('reads the USDC balance with balanceOf over JSON-RPC', async () => {
    const venue = venueFor(await start({ balanceMicros: 123_456_789n }));
    expect(await venue.getBalance()).toEqual({ total: 123_456_789, available: 123_456_789 });
  });
});

describe('sx fills', () => {
  it('fills a FOK order with a signed fill staking exactly the contracts asked for', async () => {
    const server = await start();
    const venue = venueFor(server, { config: { fees: { takerRate: '0.01' } } });
    const report = await venue.placeOrder(order());
    expect(report).toMatchObject({ status: 'filled', filledQuantity: 100_000_000, filledNotional: 42_000_000, feePaid: 420_000, remainingQuantity: 0 });
    expect(report.fills[0]!.price).toBe(420_000);
    expect(venue.takerFee(MARKET, 100_000_000 as QtyMicros, 420_000 as PriceMicros)).toBe(420_000);
    expect(server.balanceMicros).toBe(500_000_000n - 42_000_000n);
  });

  it('kills a FOK order the book cannot fill without sending it', async () => {
    const server = await start();
    const venue = venueFor(server);
    const report = await venue.placeOrder(order({ quantity: 200_000_000 as QtyMicros, limitPrice: 450_000 as PriceMicros }));
    expect(report).toMatchObject({ status: 'canceled', filledQuantity: 0, fills: [] });
    expect(report.rejectReason).toMatch(/not enough depth/);
    expect(server.server.count('POST', '/orders/fill/v2')).toBe(0);
  });

  it('partially fills an IOC order across maker orders, within the limit odds', async () => {
    const server = await start();
    const venue = venueFor(server);
    const report = await venue.placeOrder(order({ quantity: 150_000_000 as QtyMicros, limitPrice: 450_000 as PriceMicros, timeInForce: 'ioc' }));
    expect(report).toMatchObject({ status: 'partially_filled', filledQuantity: 130_000_000, filledNotional: 55_500_000, remainingQuantity: 0 });
    const sent = JSON.parse(server.server.requests.find((request) => request.method === 'POST')!.bodyText) as Record<string, unknown>;
    expect(sent).toMatchObject({ stakeWei: '55500000', desiredOdds: '45000000000000000000', oddsSlippage: 0, isTakerBettingOutcomeOne: true, baseToken: SX_USDC });
  });

  it('places a duplicate client order id once and reports the first fill', async () => {
    const server = await start();
    const venue = venueFor(server);
    const request = order();
    const first = await venue.placeOrder(request);
    const second = await venue.placeOrder(request);
    expect(second).toMatchObject({ status: first.status, venueOrderId: first.venueOrderId, filledQuantity: first.filledQuantity, filledNotional: first.filledNotional });
    expect(server.server.count('POST', '/orders/fill/v2')).toBe(1);
  });

  it('reports an unknown outcome when the connection drops after the fill, then finds it among our trades', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'POST', path: '/orders/fill/v2', fault: { kind: 'drop-after-accept' } });
    const request = order();
    await expect(venue.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    const found = await venue.getOrderByClientId(request.clientOrderId, MARKET);
    expect(found).toMatchObject({ status: 'filled', filledQuantity: 100_000_000, filledNotional: 42_000_000 });
    expect(server.server.count('POST', '/orders/fill/v2')).toBe(1);
  });

  it('treats a 5xx on the fill as unknown and the lookup then finds nothing', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'POST', path: '/orders/fill/v2', fault: { kind: 'status', status: 500 } });
    const request = order();
    await expect(venue.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    expect(await venue.getOrderByClientId(request.clientOrderId, MARKET)).toBeNull();
  });

  it('pages through trades with nextKey', async () => {
    const server = await start({ tradesPageSize: 1 });
    const venue = venueFor(server);
    const request = order({ quantity: 130_000_000 as QtyMicros, limitPrice: 450_000 as PriceMicros, timeInForce: 'ioc' });
    await venue.placeOrder(request);
    const found = await venue.getOrderByClientId(request.clientOrderId, MARKET);
    expect(found?.fills.map((fill) => [fill.quantity, fill.price])).toEqual([
      [100_000_000, 420_000],
      [30_000_000, 450_000],
    ]);
    expect(server.server.count('GET', '/trades')).toBe(2);
  });

  it('refuses what SX cannot do: selling, resting orders, cancelling', async () => {
    const server = await start();
    const venue = venueFor(server);
    await expect(venue.placeOrder(order({ side: 'sell' }))).rejects.toThrow(/no selling/);
    await expect(venue.placeOrder(order({ timeInForce: 'gtc' }))).rejects.toThrow(/not supported/);
    await expect(venue.cancelOrder('0xabc', MARKET)).rejects.toBeInstanceOf(VenueRejectedError);
    expect(server.server.requests).toHaveLength(0);
  });
});

describe('sx transport', () => {
  it('gives a clear credentials error on 401 without retrying', async () => {
    const server = await start();
    const venue = venueFor(server, { apiKey: 'wrong-key' });
    const error = await venue.getBook(MARKET, 'yes').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VenueRejectedError);
    expect((error as Error).message).toMatch(/credentials rejected \(HTTP 401: Unauthorized: invalid API key\).*SX_API_KEY/);
    expect(server.server.requests).toHaveLength(1);
  });

  it('backs off on 429 then succeeds', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'GET', path: '/orders', times: 3, fault: { kind: 'status', status: 429 } });
    expect((await venue.getBook(MARKET, 'yes')).asks).toHaveLength(2);
    expect(server.server.count('GET', '/orders')).toBe(4);
  });
});

describe('sx imitation signature check', () => {
  it('rejects a fill signed by another key and accepts the taker’s own', async () => {
    const server = await start();
    const metadata = { domainVersion: '6.0', fillHasher: SX_FILL_HASHER as `0x${string}`, usdc: SX_USDC as `0x${string}` };
    const fill: FillToSign = {
      marketHash: MARKET,
      baseToken: SX_USDC,
      stakeWei: 4_200_000n,
      desiredOdds: 42n * E18,
      oddsSlippage: 0n,
      isTakerBettingOutcomeOne: true,
      fillSalt: fillSaltFor('manual'),
    };
    const post = async (takerSig: `0x${string}`) =>
      fetch(`${server.server.url}/orders/fill/v2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Api-Key': 'sx-key' },
        body: JSON.stringify({ market: MARKET, baseToken: SX_USDC, isTakerBettingOutcomeOne: true, stakeWei: '4200000', desiredOdds: (42n * E18).toString(), oddsSlippage: 0, taker: ACCOUNT.address, takerSig, fillSalt: fill.fillSalt.toString() }),
      });
    const forged = await post(await signFill(privateKeyToAccount(generatePrivateKey()), metadata, fill));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ status: 'failure', message: 'Invalid signature: TAKER_SIGNATURE_MISMATCH' });
    const genuine = await post(await signFill(ACCOUNT, metadata, fill));
    expect(genuine.status).toBe(200);
    expect(((await genuine.json()) as { data: { totalFilled: string } }).data.totalFilled).toBe('4200000');
  });
});
