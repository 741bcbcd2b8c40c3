// The Polymarket (CLOB V2) adapter against the Polymarket imitation over real loopback HTTP.
import { randomBytes } from 'node:crypto';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { orderHash, polyL2Headers, saltFor, signOrder, type PolymarketCredentials } from '../../src/venues/polymarket/auth.js';
import { orderAmounts, orderDomain, ZERO_BYTES32, type UnsignedOrder } from '../../src/venues/polymarket/exchange.js';
import { createPolymarketVenue, polymarketTakerFee } from '../../src/venues/polymarket/index.js';
import { buildPostOrderBody } from '../../src/venues/polymarket/models.js';
import { OrderOutcomeUnknownError, VenueRejectedError, type PlaceOrderRequest, type Venue } from '../../src/venues/venue.js';
import { FAST_TUNING, liveConfig, type LiveConfigOverrides } from '../fixtures/venues/live-config.js';
import type { NewOrderV2 } from '../fixtures/venues/polymarket-official-types.js';
import { PolymarketImitation, type PolymarketImitationOptions } from '../fixtures/venues/polymarket-server.js';

const CONDITION = `0x${'ab'.repeat(32)}`;
const YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
// Protocol V2 position ids: a binary module id in the top byte, an event root above bit 104, bits 40–103 zero.
const POSITION_YES = ((1n << 248n) | (0x1234567890abcdefn << 112n)).toString();
const POSITION_NO = ((1n << 248n) | (0x1234567890abcdefn << 112n) | 1n).toString();
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
    // docs/venues.md: 100 × 0.03 × 0.55 × 0.45 = $0.7425
    expect(report).toMatchObject({ status: 'filled', filledQuantity: 100_000_000, filledNotional: 55_000_000, feePaid: 742_500, remainingQuantity: 0 });
    expect(report.venueOrderId).toMatch(/^0x[0-9a-f]{64}$/);
    const posted = JSON.parse(server.server.requests.find((request) => request.method === 'POST')!.bodyText) as NewOrderV2;
    // The keys clob-client-v2's orderToJsonV2 posts, in its order; postOnly and deferExec false.
    expect(Object.keys(posted)).toEqual(['deferExec', 'postOnly', 'order', 'owner', 'orderType']);
    expect(Object.keys(posted.order)).toEqual(['salt', 'maker', 'signer', 'tokenId', 'makerAmount', 'takerAmount', 'side', 'signatureType', 'timestamp', 'expiration', 'metadata', 'builder', 'signature']);
    expect(posted).toMatchObject({ deferExec: false, postOnly: false, orderType: 'FOK', owner: ENV.POLY_API_KEY });
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
    const domain = orderDomain('ctf', false);
    const forged = await post(await signOrder(privateKeyToAccount(generatePrivateKey()), unsigned, domain));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ error: 'invalid signature' });
    // Signed for the neg-risk exchange, the order does not verify for this (ordinary) market either.
    const otherExchange = await post(await signOrder(ACCOUNT, unsigned, orderDomain('ctf', true)));
    expect(await otherExchange.json()).toEqual({ error: 'invalid signature' });
    const genuine = await post(await signOrder(ACCOUNT, unsigned, domain));
    expect(genuine.status).toBe(200);
    expect(((await genuine.json()) as { orderID: string }).orderID).toBe(orderHash(unsigned, domain));
  });
});

describe('polymarket markets as the CLOB publishes them', () => {
  it('loads an ordinary market, whose /clob-markets omits nr (false), and signs for the CTF Exchange', async () => {
    const server = await start();
    const venue = venueFor(server);
    const market = await fetch(`${server.server.url}/clob-markets/${CONDITION}`).then((response) => response.json() as Promise<Record<string, unknown>>);
    expect(market).not.toHaveProperty('nr');
    expect((await venue.placeOrder(order({ quantity: 10_000_000 as QtyMicros }))).status).toBe('filled');
  });

  it('signs a neg-risk market’s orders for the neg-risk exchange (the imitation verifies against it)', async () => {
    const server = await start({ markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.01, negRisk: true, feeRate: 0.03, feeExponent: 1 } } });
    const report = await venueFor(server).placeOrder(order({ quantity: 10_000_000 as QtyMicros }));
    expect(report.status).toBe('filled');
    const description = await venueFor(server).describeMarket!(CONDITION);
    expect(description.notes).toContain('neg-risk');
  });

  it('signs a Protocol V2 market (position ids) for ExchangeV3, domain version "3"', async () => {
    const server = await start({
      markets: { [CONDITION]: { yesToken: POSITION_YES, noToken: POSITION_NO, tickSize: 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1 } },
      books: { [POSITION_YES]: { bids: [], asks: [['0.48', '50']] }, [POSITION_NO]: { bids: [], asks: [['0.55', '100']] } },
    });
    const venue = venueFor(server);
    expect(await venue.placeOrder(order({ quantity: 10_000_000 as QtyMicros }))).toMatchObject({ status: 'filled', filledQuantity: 10_000_000 });
    expect((await venue.describeMarket!(CONDITION)).notes).toContain('Protocol V2 position ids: orders signed for ExchangeV3 (domain version 3)');
  });

  it('reads the minimum order size (mos) and refuses a smaller order before sending; the CLOB refuses it too', async () => {
    const server = await start({ markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1, minOrderSize: 15 } } });
    const venue = venueFor(server);
    await expect(venue.placeOrder(order({ quantity: 10_000_000 as QtyMicros }))).rejects.toThrow(/not sent: quantity is below the market's minimum order size of 15/);
    expect(server.server.count('POST', '/order')).toBe(0);
    expect((await venue.placeOrder(order({ quantity: 15_000_000 as QtyMicros }))).status).toBe('filled');
    const refused = await postSigned(server, 'buy', 10_000_000n, 550_000n, 'FOK');
    expect(refused).toEqual({ status: 400, body: { error: 'Size (10) lower than the minimum: 15' } });
  });

  it('describes a market in the venue’s words: question, end date, tick, minimum, protocol and order version', async () => {
    const server = await start({
      markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.001, negRisk: false, feeRate: 0.03, feeExponent: 1, minOrderSize: 5, question: 'Fed above 4.00% in December?', endDateIso: '2026-12-10T19:00:00Z' } },
    });
    expect(await venueFor(server, { env: {} }).describeMarket!(CONDITION)).toEqual({
      market: CONDITION,
      title: 'Fed above 4.00% in December?',
      closeTime: '2026-12-10T19:00:00Z',
      tickSize: 1_000,
      minSize: 5_000_000,
      notes: ['CTF tokens: orders signed for the CTF Exchange V2 (domain version 2); the CLOB expects order version 2'],
    });
  });

  it('follows a tick change from the book: a price on the new tick is sent once a book has shown it', async () => {
    const server = await start();
    const venue = venueFor(server);
    const gtc = (cid: string) => order({ clientOrderId: cid, outcome: 'yes', limitPrice: 401_000 as PriceMicros, quantity: 10_000_000 as QtyMicros, timeInForce: 'gtc' });
    await venue.getBook(CONDITION, 'yes');
    server.setRules(CONDITION, { tickSize: 0.001 });
    await expect(venue.placeOrder(gtc('before'))).rejects.toThrow(/not on the market's tick \(0\.01\)/);
    await venue.getBook(CONDITION, 'yes');
    expect(await venue.placeOrder(gtc('after'))).toMatchObject({ status: 'open', remainingQuantity: 10_000_000 });
  });
});

describe('polymarket market-order amounts (FOK/FAK: cash to 2 decimals, shares to 4)', () => {
  const fineTick = () => start({ markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.001, negRisk: false, feeRate: 0.03, feeExponent: 1 } }, books: { [YES_TOKEN]: { bids: [], asks: [['0.531', '100']] }, [NO_TOKEN]: { bids: [], asks: [] } } });

  it('refuses before sending a FOK buy whose cash amount has 3 decimals, naming the sizes that are accepted', async () => {
    const server = await fineTick();
    const venue = venueFor(server);
    // 7 × 0.531 = 3.717: the CLOB would refuse it.
    await expect(venue.placeOrder(order({ outcome: 'yes', quantity: 7_000_000 as QtyMicros, limitPrice: 531_000 as PriceMicros }))).rejects.toThrow(
      /not sent: its maker amount 3\.717000 has more than 2 decimals, which the CLOB refuses in a FOK order \(at this price, quantities in steps of 10 are\)/,
    );
    expect(server.server.count('POST', '/order')).toBe(0);
    // 10 × 0.531 = 5.31: accepted and filled.
    expect(await venue.placeOrder(order({ outcome: 'yes', quantity: 10_000_000 as QtyMicros, limitPrice: 531_000 as PriceMicros }))).toMatchObject({ status: 'filled', filledNotional: 5_310_000 });
  });

  it('the imitation refuses what the CLOB refuses: a signed FOK buy of 3.717 dollars, and a GTC buy at 5 decimals of cash', async () => {
    const server = await fineTick();
    expect(await postSigned(server, 'buy', 7_000_000n, 531_000n, 'FOK')).toEqual({
      status: 400,
      body: { error: 'invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals' },
    });
    // As a limit order the same amounts are fine: cash to the tick's 3 decimals + 2.
    expect((await postSigned(server, 'buy', 7_000_000n, 531_000n, 'GTC')).status).toBe(200);
  });

  it('tells the scanner the sizes it accepts once the market is read: the minimum and the step at each price', async () => {
    const server = await fineTick();
    const venue = venueFor(server);
    expect(venue.buySizeRule!(CONDITION)).toBeNull();
    await venue.getBook(CONDITION, 'yes');
    const rule = venue.buySizeRule!(CONDITION)!;
    expect(rule.minimum).toBe(5_000_000);
    expect([rule.step(531_000 as PriceMicros), rule.step(530_000 as PriceMicros), rule.step(531_300 as PriceMicros), rule.step(500_000 as PriceMicros)]).toEqual([10_000_000, 1_000_000, 100_000_000, 20_000]);
  });
});

describe('polymarket exchange versions (GET /version, order_version_mismatch)', () => {
  it('refuses before signing when the CLOB expects another order version for CTF token markets', async () => {
    const server = await start({ orderVersion: 3 });
    const venue = venueFor(server);
    await expect(venue.placeOrder(order())).rejects.toThrow(/not sent: the CLOB expects order version 3 \(GET \/version\) for CTF token markets; this adapter signs version 2 orders only/);
    expect(server.server.count('POST', '/order')).toBe(0);
    expect(server.server.count('GET', '/version')).toBe(1);
  });

  it('a version change between orders: the order is refused as a mismatch, not re-sent, and the next one is refused before sending', async () => {
    const server = await start();
    const venue = venueFor(server);
    expect((await venue.placeOrder(order({ quantity: 10_000_000 as QtyMicros }))).status).toBe('filled');
    server.orderVersion = 3;
    const refused = await venue.placeOrder(order({ quantity: 10_000_000 as QtyMicros })).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(VenueRejectedError);
    expect((refused as Error).message).toMatch(/refused \(.*order_version_mismatch\): it was signed for exchange domain version 2; the CLOB now expects order version 3\. Not re-sent\./);
    expect(server.server.count('POST', '/order')).toBe(2);
    await expect(venue.placeOrder(order({ quantity: 10_000_000 as QtyMicros }))).rejects.toThrow(/not sent: the CLOB expects order version 3/);
    expect(server.server.count('POST', '/order')).toBe(2);
    expect(server.orders.size).toBe(1);
  });
});

describe('polymarket without credentials', () => {
  it('reads books and describes markets, which are public; balances and orders need credentials and say so', async () => {
    const server = await start();
    const venue = venueFor(server, { env: {} });
    expect((await venue.getBook(CONDITION, 'no')).asks[0]).toEqual({ price: 550_000, size: 100_000_000 });
    expect((await venue.describeMarket!(CONDITION)).tickSize).toBe(10_000);
    const missing = /polymarket: missing credentials: POLY_API_KEY, POLY_API_SECRET, POLY_PASSPHRASE, POLY_PRIVATE_KEY/;
    expect(() => venue.assertCanTrade!()).toThrow(missing);
    await expect(venue.getBalance()).rejects.toThrow(missing);
    const refused = await venue.placeOrder(order()).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(VenueRejectedError); // certainly not placed
    expect((refused as Error).message).toMatch(missing);
    expect(server.server.requests.every((request) => request.headers.poly_api_key === undefined)).toBe(true);
    expect(server.server.count('POST', '/order')).toBe(0);
  });

  it('control: with credentials the same venue trades', async () => {
    const venue = venueFor(await start());
    expect(() => venue.assertCanTrade!()).not.toThrow();
  });
});

/** A signed order posted straight to the imitation, to show what the CLOB itself refuses. */
async function postSigned(server: PolymarketImitation, side: 'buy' | 'sell', quantity: bigint, limitPrice: bigint, orderType: 'FOK' | 'FAK' | 'GTC') {
  const credentials: PolymarketCredentials = { apiKey: ENV.POLY_API_KEY, apiSecret: SECRET, passphrase: ENV.POLY_PASSPHRASE, account: ACCOUNT, makerAddress: ACCOUNT.address, signatureType: 0 };
  const unsigned: UnsignedOrder = {
    salt: saltFor(`direct-${Math.random()}`),
    maker: ACCOUNT.address,
    signer: ACCOUNT.address,
    tokenId: BigInt(YES_TOKEN),
    ...orderAmounts(side, Number(quantity) as QtyMicros, Number(limitPrice) as PriceMicros),
    side: side === 'buy' ? 0 : 1,
    signatureType: 0,
    timestamp: BigInt(Date.now()),
    metadata: ZERO_BYTES32,
    builder: ZERO_BYTES32,
  };
  const bodyText = JSON.stringify(buildPostOrderBody(unsigned, await signOrder(ACCOUNT, unsigned, orderDomain('ctf', false)), ENV.POLY_API_KEY, orderType));
  const headers = { ...polyL2Headers(credentials, Date.now(), { method: 'POST', pathname: '/order', bodyText }), 'content-type': 'application/json' };
  const response = await fetch(`${server.server.url}/order`, { method: 'POST', headers, body: bodyText });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('polymarket taker delay (itode): marketable orders held before matching', () => {
  const delayed = (takerDelayMs: number) =>
    start({ markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1, takerDelayMs } } });

  it('waits for a delayed FOK to be matched, then reports its fills', async () => {
    const server = await delayed(300);
    const venue = venueFor(server);
    expect(await venue.placeOrder(order())).toMatchObject({ status: 'filled', filledQuantity: 100_000_000, feePaid: 742_500 });
    expect(server.server.count('GET', '/data/order/')).toBeGreaterThan(1); // not visible at first
    expect((await venue.describeMarket!(CONDITION)).notes).toContain('taker delay: marketable orders are held before matching');
  });

  it('a delayed FOK killed when the delay ends is reported cancelled, nothing filled', async () => {
    const server = await delayed(300);
    const report = await venueFor(server).placeOrder(order({ outcome: 'yes', quantity: 200_000_000 as QtyMicros, limitPrice: 500_000 as PriceMicros }));
    expect(report).toMatchObject({ status: 'canceled', filledQuantity: 0 });
  });

  it('held longer than the adapter reads: unknown, and a lookup meanwhile is unknown too (never "not placed"), then filled', async () => {
    const server = await delayed(Number.POSITIVE_INFINITY);
    const venue = venueFor(server);
    const request = order();
    await expect(venue.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    await expect(venue.getOrderByClientId(request.clientOrderId, CONDITION)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    server.releaseHeld();
    expect(await venue.getOrderByClientId(request.clientOrderId, CONDITION)).toMatchObject({ status: 'filled', filledQuantity: 100_000_000 });
    expect(server.server.count('POST', '/order')).toBe(1);
  });

  it('control: without a taker delay the order is matched on the first read', async () => {
    const server = await start();
    expect((await venueFor(server).placeOrder(order())).status).toBe('filled');
    expect(server.server.count('GET', '/data/order/')).toBe(1);
  });
});
