// The Polymarket (CLOB V2) adapter against the Polymarket imitation over real loopback HTTP.
import { randomBytes } from 'node:crypto';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { orderHash, polyL2Headers, saltFor, signOrder, type PolymarketCredentials } from '../../src/venues/polymarket/auth.js';
import { createPolymarketVenue, polymarketTakerFee } from '../../src/venues/polymarket/index.js';
import { buildPostOrderBody, orderAmounts, ZERO_BYTES32, type UnsignedOrder } from '../../src/venues/polymarket/models.js';
import { OrderOutcomeUnknownError, VenueRejectedError, type PlaceOrderRequest, type Venue } from '../../src/venues/venue.js';
import { FAST_TUNING, liveConfig, type LiveConfigOverrides } from './live-config.js';
import { PolymarketImitation, type PolymarketImitationOptions } from './polymarket-server.js';

const CONDITION = `0x${'ab'.repeat(32)}`;
const YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const PRIVATE_KEY = generatePrivateKey();
const ACCOUNT = privateKeyToAccount(PRIVATE_KEY);
const SECRET = randomBytes(32).toString('base64');
const ENV = { POLY_API_KEY: 'api-key-1', POLY_API_SECRET: SECRET, POLY_PASSPHRASE: 'pass-1', POLY_PRIVATE_KEY: PRIVATE_KEY };

const servers: PolymarketImitation[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<PolymarketImitationOptions> = {}): Promise<PolymarketImitation> {
  const server = await PolymarketImitation.start({
    apiKey: ENV.POLY_API_KEY,
    secret: SECRET,
    passphrase: ENV.POLY_PASSPHRASE,
    address: ACCOUNT.address,
    markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1 } },
    books: {
      [YES_TOKEN]: { bids: [['0.45', '200'], ['0.44', '100']], asks: [['0.48', '50'], ['0.5', '100']] },
      [NO_TOKEN]: { bids: [['0.5', '100']], asks: [['0.55', '100'], ['0.57', '50']] },
    },
    balanceMicros: 1_000_000_000n,
    ...options,
  });
  servers.push(server);
  return server;
}

function venueFor(server: PolymarketImitation, options: { env?: Record<string, string>; config?: LiveConfigOverrides } = {}): Venue {
  return createPolymarketVenue(liveConfig('polymarket', server.server.url, options.config), { env: options.env ?? ENV, tuning: FAST_TUNING });
}

function order(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    clientOrderId: `cid-${Math.random().toString(36).slice(2)}`,
    market: CONDITION,
    outcome: 'no',
    side: 'buy',
    quantity: 100_000_000 as QtyMicros,
    limitPrice: 550_000 as PriceMicros,
    timeInForce: 'fok',
    ...overrides,
  };
}

describe('polymarket books and balance', () => {
  it('takes best bid = max and best ask = min whatever order the CLOB sends', async () => {
    const venue = venueFor(await start());
    const book = await venue.getBook(CONDITION, 'yes');
    expect(book.bids).toEqual([
      { price: 450_000, size: 200_000_000 },
      { price: 440_000, size: 100_000_000 },
    ]);
    expect(book.asks).toEqual([
      { price: 480_000, size: 50_000_000 },
      { price: 500_000, size: 100_000_000 },
    ]);
    expect((await venue.getBook(CONDITION, 'no')).asks[0]).toEqual({ price: 550_000, size: 100_000_000 });
  });

  it('reads the collateral balance in micro-units', async () => {
    const venue = venueFor(await start({ balanceMicros: 1_234_567_891n }));
    expect(await venue.getBalance()).toEqual({ total: 1_234_567_891, available: 1_234_567_891 });
  });
});

describe('polymarket orders', () => {
  it('fills a FOK order with an EIP-712 V2 signature, fees as the venue charges them', async () => {
    const server = await start();
    const venue = venueFor(server);
    const report = await venue.placeOrder(order());
    // venues.md: 100 × 0.03 × 0.55 × 0.45 = $0.7425
    expect(report).toMatchObject({ status: 'filled', filledQuantity: 100_000_000, filledNotional: 55_000_000, feePaid: 742_500, remainingQuantity: 0 });
    expect(report.venueOrderId).toMatch(/^0x[0-9a-f]{64}$/);
    const posted = JSON.parse(server.server.requests.find((request) => request.method === 'POST')!.bodyText) as { order: Record<string, unknown>; orderType: string };
    expect(posted.orderType).toBe('FOK');
    expect(posted.order).toMatchObject({ side: 'BUY', makerAmount: '55000000', takerAmount: '100000000', tokenId: NO_TOKEN, expiration: '0' });
    expect(server.balanceMicros).toBe(1_000_000_000n - 55_000_000n - 742_500n);
  });

  it('reports a killed FOK order as cancelled with nothing filled', async () => {
    const server = await start();
    const venue = venueFor(server);
    const request = order({ outcome: 'yes', quantity: 200_000_000 as QtyMicros, limitPrice: 500_000 as PriceMicros });
    const report = await venue.placeOrder(request);
    expect(report).toMatchObject({ status: 'canceled', venueOrderId: null, filledQuantity: 0, fills: [] });
    expect(report.rejectReason).toMatch(/fully filled or killed/);
    expect(server.orders.size).toBe(0);
    expect(await venue.getOrderByClientId(request.clientOrderId, CONDITION)).toEqual(report);
  });

  it('partially fills a FAK (IOC) order across levels', async () => {
    const venue = venueFor(await start());
    const report = await venue.placeOrder(order({ outcome: 'yes', quantity: 200_000_000 as QtyMicros, limitPrice: 500_000 as PriceMicros, timeInForce: 'ioc' }));
    expect(report.status).toBe('partially_filled');
    expect(report.filledQuantity).toBe(150_000_000);
    expect(report.filledNotional).toBe(24_000_000 + 50_000_000);
    expect(report.feePaid).toBe(374_400 + 750_000); // 50 × 0.03 × 0.48 × 0.52 + 100 × 0.03 × 0.25
    expect(report.remainingQuantity).toBe(0);
  });

  it('places a duplicate client order id once', async () => {
    const server = await start();
    const venue = venueFor(server);
    const request = order({ quantity: 10_000_000 as QtyMicros });
    const first = await venue.placeOrder(request);
    const second = await venue.placeOrder(request);
    expect(second).toEqual(first);
    expect(server.server.count('POST', '/order')).toBe(1);
    expect(server.orders.size).toBe(1);
  });

  it('reports an unknown outcome when the connection drops after acceptance, then finds the order by client id', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'POST', path: '/order', fault: { kind: 'drop-after-accept' } });
    const request = order();
    await expect(venue.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    expect(server.server.count('POST', '/order')).toBe(1); // never retried: Polymarket has no client-id dedupe
    const found = await venue.getOrderByClientId(request.clientOrderId, CONDITION);
    expect(found).toMatchObject({ clientOrderId: request.clientOrderId, status: 'filled', filledQuantity: 100_000_000, feePaid: 742_500 });
  });

  it('treats a 5xx on placement as unknown, and the lookup then shows it never arrived', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'POST', path: '/order', fault: { kind: 'status', status: 502 } });
    const request = order();
    await expect(venue.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    expect(await venue.getOrderByClientId(request.clientOrderId, CONDITION)).toBeNull();
    expect(server.server.count('POST', '/order')).toBe(1);
  });

  it('rests a GTC order and cancels it', async () => {
    const venue = venueFor(await start());
    const placed = await venue.placeOrder(order({ outcome: 'yes', limitPrice: 400_000 as PriceMicros, quantity: 10_000_000 as QtyMicros, timeInForce: 'gtc' }));
    expect(placed).toMatchObject({ status: 'open', remainingQuantity: 10_000_000 });
    const canceled = await venue.cancelOrder(placed.venueOrderId!, CONDITION);
    expect(canceled).toMatchObject({ status: 'canceled', clientOrderId: placed.clientOrderId, remainingQuantity: 0 });
  });

  it('refuses a price off the market tick before sending', async () => {
    const server = await start();
    const venue = venueFor(server);
    await expect(venue.placeOrder(order({ limitPrice: 555_000 as PriceMicros }))).rejects.toThrow(/tick/);
    expect(server.server.count('POST', '/order')).toBe(0);
  });

  it('pages through trades with next_cursor until "LTE="', async () => {
    const server = await start({ tradesPageSize: 1 });
    const venue = venueFor(server);
    const report = await venue.placeOrder(order({ outcome: 'yes', quantity: 150_000_000 as QtyMicros, limitPrice: 500_000 as PriceMicros }));
    expect(report.fills).toHaveLength(2);
    expect(server.server.count('GET', '/data/trades')).toBe(2);
  });
});

describe('polymarket fees', () => {
  it('computes C × r × (p(1 − p))^e in integers, rounding up', () => {
    expect(polymarketTakerFee(100_000_000 as QtyMicros, 550_000 as PriceMicros, { ratePpm: 30_000, exponent: 1 })).toBe(742_500);
    expect(polymarketTakerFee(1_000_000 as QtyMicros, 500_000 as PriceMicros, { ratePpm: 30_000, exponent: 2 })).toBe(1_875); // 0.03 × 0.0625
    expect(polymarketTakerFee(1_000_000 as QtyMicros, 330_000 as PriceMicros, { ratePpm: 10_000, exponent: 1 })).toBe(2_211); // 0.0022110 exactly
    expect(polymarketTakerFee(1 as QtyMicros, 330_000 as PriceMicros, { ratePpm: 10_000, exponent: 1 })).toBe(1); // rounds up
  });

  it('takes r and e from the config, else from the market, else a conservative default', async () => {
    const server = await start();
    const configured = venueFor(server, { config: { fees: { takerRate: '0.02', exponent: 1 } } });
    expect(configured.takerFee(CONDITION, 100_000_000 as QtyMicros, 550_000 as PriceMicros)).toBe(495_000);
    const fromMarket = venueFor(server);
    expect(fromMarket.takerFee(CONDITION, 100_000_000 as QtyMicros, 550_000 as PriceMicros)).toBe(1_732_500); // unknown yet: 0.07
    await fromMarket.getBook(CONDITION, 'yes');
    expect(fromMarket.takerFee(CONDITION, 100_000_000 as QtyMicros, 550_000 as PriceMicros)).toBe(742_500);
  });
});

describe('polymarket transport', () => {
  it('gives a clear credentials error on 401 without retrying', async () => {
    const server = await start();
    const venue = venueFor(server, { env: { ...ENV, POLY_API_SECRET: randomBytes(32).toString('base64') } });
    const error = await venue.getBalance().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VenueRejectedError);
    expect((error as Error).message).toMatch(/credentials rejected \(HTTP 401: Unauthorized\/Invalid api key\).*POLY_API_SECRET/);
    expect(server.server.requests).toHaveLength(1);
  });

  it('backs off on 429 then succeeds', async () => {
    const server = await start();
    const venue = venueFor(server);
    await venue.getBook(CONDITION, 'yes'); // loads the market
    server.server.inject({ method: 'GET', path: '/book', times: 2, fault: { kind: 'status', status: 429, retryAfter: '0' } });
    expect((await venue.getBook(CONDITION, 'yes')).bids).toHaveLength(2);
    expect(server.server.count('GET', '/book')).toBe(1 + 3);
  });
});

describe('polymarket imitation signature checks', () => {
  function credentials(): PolymarketCredentials {
    return { apiKey: ENV.POLY_API_KEY, apiSecret: SECRET, passphrase: ENV.POLY_PASSPHRASE, account: ACCOUNT, makerAddress: ACCOUNT.address, signatureType: 0 };
  }

  it('accepts a correct L2 HMAC and rejects a wrong one or a stale timestamp', async () => {
    const server = await start();
    const url = `${server.server.url}/balance-allowance?asset_type=COLLATERAL&signature_type=0`;
    const request = { method: 'GET' as const, pathname: '/balance-allowance', bodyText: '' };
    expect((await fetch(url, { headers: polyL2Headers(credentials(), Date.now(), request) })).status).toBe(200);
    const wrong = await fetch(url, { headers: polyL2Headers({ ...credentials(), apiSecret: randomBytes(32).toString('base64') }, Date.now(), request) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'Unauthorized/Invalid api key' });
    expect((await fetch(url, { headers: polyL2Headers(credentials(), Date.now() - 120_000, request) })).status).toBe(401);
  });

  it('rejects an order whose EIP-712 signature is not the signer’s', async () => {
    const server = await start();
    const unsigned: UnsignedOrder = {
      salt: saltFor('forged'),
      maker: ACCOUNT.address,
      signer: ACCOUNT.address,
      tokenId: BigInt(YES_TOKEN),
      ...orderAmounts('buy', 10_000_000 as QtyMicros, 500_000 as PriceMicros),
      side: 0,
      signatureType: 0,
      timestamp: BigInt(Date.now()),
      metadata: ZERO_BYTES32,
      builder: ZERO_BYTES32,
    };
    const post = async (signature: `0x${string}`) => {
      const bodyText = JSON.stringify(buildPostOrderBody(unsigned, signature, ENV.POLY_API_KEY, 'GTC'));
      const headers = { ...polyL2Headers(credentials(), Date.now(), { method: 'POST', pathname: '/order', bodyText }), 'content-type': 'application/json' };
      return fetch(`${server.server.url}/order`, { method: 'POST', headers, body: bodyText });
    };
    const forged = await post(await signOrder(privateKeyToAccount(generatePrivateKey()), unsigned, false));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ error: 'invalid signature' });
    const genuine = await post(await signOrder(ACCOUNT, unsigned, false));
    expect(genuine.status).toBe(200);
    expect(((await genuine.json()) as { orderID: string }).orderID).toBe(orderHash(unsigned, false));
  });
});
