// The SX Bet adapter against the SX imitation over real loopback HTTP.
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { VenueCredentialsError } from '../../src/venues/errors.js';
import { fillSaltFor, loadSxCredentials, signFill, SX_DEFAULT_RPC_URL, type FillToSign } from '../../src/venues/sx/auth.js';
import { createSxVenue } from '../../src/venues/sx/index.js';
import type { SxMetadata } from '../../src/venues/sx/models.js';
import { OrderOutcomeUnknownError, VenueRejectedError, type PlaceOrderRequest, type Venue } from '../../src/venues/venue.js';
import { FAST_TUNING, liveConfig, type LiveConfigOverrides } from '../fixtures/venues/live-config.js';
import { MAINNET } from '../fixtures/venues/sx-docs.js';
import { SX_FILL_HASHER, SX_USDC, SX_WSX, SxImitation, type SxImitationOptions, type SxMarketSpec } from '../fixtures/venues/sx-server.js';

const MARKET = `0x${'cd'.repeat(32)}`;
const THIN_MARKET = `0x${'ef'.repeat(32)}`;
const PRIVATE_KEY = generatePrivateKey();
const ACCOUNT = privateKeyToAccount(PRIVATE_KEY);
const E18 = 10n ** 18n;

// Makers on outcome two at 0.58 (58 USDC) and 0.55 (16.5 USDC) offer YES at 0.42 ×100 and 0.45 ×30; a maker on
// outcome one at 0.40 (8 USDC) offers NO at 0.60 ×20. The thin market's maker sits at 1/3. A WSX order (25 WSX, 18
// decimals) at 0.50 in the main market would read as 2.5×10^13 USDC if its token were ignored.
const ORDERS: SxImitationOptions['orders'] = [
  { orderHash: '0xa1', marketHash: MARKET, totalBetSize: 58_000_000n, percentageOdds: 58n * E18, isMakerBettingOutcomeOne: false },
  { orderHash: '0xa2', marketHash: MARKET, totalBetSize: 16_500_000n, percentageOdds: 55n * E18, isMakerBettingOutcomeOne: false },
  { orderHash: '0xa3', marketHash: MARKET, totalBetSize: 8_000_000n, percentageOdds: 40n * E18, isMakerBettingOutcomeOne: true },
  { orderHash: '0xa4', marketHash: THIN_MARKET, totalBetSize: 10_000_000n, percentageOdds: 33_333_333_333_333_333_333n, isMakerBettingOutcomeOne: false },
  { orderHash: '0xw1', marketHash: MARKET, totalBetSize: 25n * E18, percentageOdds: 50n * E18, isMakerBettingOutcomeOne: false, baseToken: SX_WSX },
];

// Markets → "Get active markets"' over/under example, under our market's hash.
const OVER_UNDER: SxMarketSpec = {
  marketHash: MARKET,
  outcomeOneName: 'Over 36.5',
  outcomeTwoName: 'Under 36.5',
  outcomeVoidName: 'NO_GAME_OR_EVEN',
  teamOneName: 'Nikoloz Basilashvili',
  teamTwoName: 'Carlos Alcaraz',
  type: 2,
  gameTime: 1622735700,
  line: 36.5,
  sportLabel: 'Tennis',
  leagueLabel: 'ATP French Open',
  liveEnabled: true,
};

const servers: SxImitation[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<SxImitationOptions> = {}): Promise<SxImitation> {
  const server = await SxImitation.start({ taker: ACCOUNT.address, orders: ORDERS, balanceMicros: 500_000_000n, markets: [OVER_UNDER], ...options });
  servers.push(server);
  return server;
}

function venueFor(server: SxImitation, options: { env?: NodeJS.ProcessEnv; config?: LiveConfigOverrides } = {}): Venue {
  const env = options.env ?? { SX_PRIVATE_KEY: PRIVATE_KEY, SX_RPC_URL: server.rpcUrl };
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

function sentFill(server: SxImitation): Record<string, unknown> {
  return JSON.parse(server.server.requests.find((request) => request.method === 'POST' && request.pathname === '/orders/fill/v2')!.bodyText) as Record<string, unknown>;
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

  it('asks for USDC orders only, so a WSX order adds no phantom depth; without the filter it would', async () => {
    const server = await start();
    const venue = venueFor(server);
    const yes = await venue.getBook(MARKET, 'yes');
    expect(yes.asks.map((level) => level.price)).not.toContain(500_000);
    const asked = server.server.requests.find((request) => request.pathname === '/orders')!;
    expect(asked.query.get('baseToken')).toBe(SX_USDC);
    // Control: the same market without the filter holds the WSX order, 25×10^18 "USDC" of it.
    const unfiltered = (await (await fetch(`${server.server.url}/orders?marketHashes=${MARKET}`)).json()) as { data: { baseToken: string; totalBetSize: string }[] };
    expect(unfiltered.data.filter((o) => o.baseToken === SX_WSX).map((o) => o.totalBetSize)).toEqual([(25n * E18).toString()]);
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

  it('reads books and markets with no credentials at all; balances and orders then fail clearly, before any request', async () => {
    const server = await start();
    const venue = venueFor(server, { env: {} });
    expect((await venue.getBook(MARKET, 'yes')).asks).toHaveLength(2);
    expect((await venue.describeMarket!(MARKET)).title).toBe('Nikoloz Basilashvili vs Carlos Alcaraz');
    const sentBefore = server.server.requests.length;
    await expect(venue.getBalance()).rejects.toThrow(new VenueCredentialsError('sx: missing credentials: SX_PRIVATE_KEY'));
    await expect(venue.placeOrder(order())).rejects.toBeInstanceOf(VenueCredentialsError);
    expect(() => venue.assertCanTrade!()).toThrow(/SX_PRIVATE_KEY/);
    expect(server.server.requests).toHaveLength(sentBefore);
    // Control: with the wallet key the same venue object's calls go through.
    const keyed = venueFor(server);
    expect(() => keyed.assertCanTrade!()).not.toThrow();
    expect((await keyed.getBalance()).total).toBe(500_000_000);
  });

  it('sends no API key: SX’s REST API takes none', async () => {
    const server = await start();
    const venue = venueFor(server, { env: { SX_PRIVATE_KEY: PRIVATE_KEY, SX_RPC_URL: server.rpcUrl, SX_API_KEY: 'unused' } });
    await venue.getBook(MARKET, 'yes');
    await venue.placeOrder(order());
    expect(server.server.requests.length).toBeGreaterThan(2);
    expect(server.server.requests.filter((request) => request.headers['x-api-key'] !== undefined)).toEqual([]);
  });

  it('defaults the RPC URL to the one References → Mainnet gives, and takes SX_RPC_URL over it', () => {
    expect(SX_DEFAULT_RPC_URL).toBe(MAINNET.rpcUrl);
    expect(loadSxCredentials('sx', null, { SX_PRIVATE_KEY: PRIVATE_KEY }).rpcUrl).toBe(MAINNET.rpcUrl);
    expect(loadSxCredentials('sx', null, { SX_PRIVATE_KEY: PRIVATE_KEY, SX_RPC_URL: 'http://127.0.0.1:8545' }).rpcUrl).toBe('http://127.0.0.1:8545');
  });
});

describe('sx markets', () => {
  it('describes a market as SX gives it: teams, outcomes, line, type, status, game time, minimum stake', async () => {
    const venue = venueFor(await start());
    expect(await venue.describeMarket!(MARKET)).toEqual({
      market: MARKET,
      title: 'Nikoloz Basilashvili vs Carlos Alcaraz',
      closeTime: null,
      tickSize: null,
      minSize: null,
      notes: [
        'YES is outcome one “Over 36.5”, NO outcome two “Under 36.5”',
        'line 36.5',
        'Under/Over (type 2)',
        'status ACTIVE',
        'Tennis, ATP French Open',
        'game time 2021-06-03T15:55:00.000Z',
        'in-play betting',
        'void outcome NO_GAME_OR_EVEN refunds stakes',
        'minimum stake 5.00 USDC',
        'no taker tick (maker odds ladder step 125)',
      ],
    });
  });

  it('refuses a market SX does not know, by name', async () => {
    const venue = venueFor(await start());
    await expect(venue.describeMarket!(THIN_MARKET)).rejects.toThrow(new VenueRejectedError('sx', null, `sx: SX Bet has no market ${THIN_MARKET}`));
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
    expect(sentFill(server)).toMatchObject({ market: MARKET, baseToken: SX_USDC, taker: ACCOUNT.address, message: 'N/A' });
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
    expect(sentFill(server)).toMatchObject({ stakeWei: '55500000', desiredOdds: '45000000000000000000', oddsSlippage: 0, isTakerBettingOutcomeOne: true, baseToken: SX_USDC });
  });

  it('reads ODDS_STALE (the book emptied before SX matched) as a leg that did not fill, not as an error', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.beforeNextFill(() => server.cancel('0xa1'));
    const report = await venue.placeOrder(order());
    expect(report).toMatchObject({ status: 'canceled', filledQuantity: 0, filledNotional: 0, fills: [] });
    expect(report.rejectReason).toMatch(/ODDS_STALE/);
    expect(await venue.getOrderByClientId(report.clientOrderId, MARKET)).toEqual(report);
    // Control: another refusal of the fill stays an error.
    server.server.inject({ method: 'POST', path: '/orders/fill/v2', fault: { kind: 'status', status: 400, message: 'INSUFFICIENT_SPACE' } });
    await expect(venue.placeOrder(order({ quantity: 30_000_000 as QtyMicros, limitPrice: 450_000 as PriceMicros }))).rejects.toThrow(VenueRejectedError);
    expect(server.server.count('POST', '/orders/fill/v2')).toBe(2);
  });

  it('reports at most the contracts asked for when better odds arrive before SX matches', async () => {
    const server = await start();
    const venue = venueFor(server);
    // A maker at 0.60 (offering YES at 0.40) posts during the betting delay: the fixed 42 USDC stake buys 105 contracts.
    server.beforeNextFill(() => server.post({ orderHash: '0xb1', marketHash: MARKET, totalBetSize: 100_000_000n, percentageOdds: 60n * E18, isMakerBettingOutcomeOne: false }));
    const report = await venue.placeOrder(order());
    expect(report).toMatchObject({ status: 'filled', filledQuantity: 100_000_000, filledNotional: 42_000_000 });
    expect(report.fills.reduce((sum, fill) => sum + fill.quantity, 0)).toBe(100_000_000);
    // Control: SX did give more than was asked for.
    const taker = server.trades.filter((trade) => !trade.maker);
    expect(taker.map((trade) => [trade.orderHash, trade.stake, trade.odds])).toEqual([['0xb1', 42_000_000n, 40n * E18]]);
  });

  it('refuses a stake under SX’s taker minimum before signing anything; at the minimum it is sent', async () => {
    const server = await start();
    const venue = venueFor(server);
    // 10 contracts at 0.42 stake 4.20 USDC, under the 5 USDC minimum of GET /metadata.
    await expect(venue.placeOrder(order({ quantity: 10_000_000 as QtyMicros }))).rejects.toThrow(/stake 4\.20 USDC is under SX's taker minimum of 5\.00 USDC/);
    expect(server.server.count('POST', '/orders/fill/v2')).toBe(0);
    const atMinimum = await venue.placeOrder(order({ quantity: 11_904_762 as QtyMicros })); // stakes 5.000001 USDC
    expect(atMinimum.status).toBe('filled');
    expect(server.server.count('POST', '/orders/fill/v2')).toBe(1);
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

  it('reads FILL_ALREADY_SUBMITTED (a restarted process re-sending the same fill salt) as an unknown outcome', async () => {
    const server = await start();
    const request = order({ quantity: 30_000_000 as QtyMicros });
    await venueFor(server).placeOrder(request);
    const restarted = venueFor(server);
    await expect(restarted.placeOrder(request)).rejects.toThrow(OrderOutcomeUnknownError);
    expect(server.server.count('POST', '/orders/fill/v2')).toBe(2);
    expect(server.balanceMicros).toBe(500_000_000n - 12_600_000n);
    // The earlier fill's trades cannot be told from others by time: the lookup says it cannot answer, never "no order".
    await expect(restarted.getOrderByClientId(request.clientOrderId, MARKET)).rejects.toThrow(/did not place/);
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
    const asked = server.server.requests.find((r) => r.pathname === '/trades')!;
    expect([asked.query.get('bettor'), asked.query.get('baseToken')]).toEqual([ACCOUNT.address, SX_USDC]);
  });

  it('treats a 5xx on the fill as unknown and the lookup then finds nothing', async () => {
    const server = await start();
    const venue = venueFor(server);
    server.server.inject({ method: 'POST', path: '/orders/fill/v2', fault: { kind: 'status', status: 500 } });
    const request = order();
    await expect(venue.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    expect(await venue.getOrderByClientId(request.clientOrderId, MARKET)).toBeNull();
  });

  it('pages through trades with nextKey; each trade entry is its fill hash and maker order, the maker’s own entries left out', async () => {
    const server = await start({ tradesPageSize: 1 });
    const venue = venueFor(server);
    server.server.inject({ method: 'POST', path: '/orders/fill/v2', fault: { kind: 'drop-after-accept' } });
    const request = order({ quantity: 130_000_000 as QtyMicros, limitPrice: 450_000 as PriceMicros, timeInForce: 'ioc' });
    await expect(venue.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    const found = await venue.getOrderByClientId(request.clientOrderId, MARKET);
    const [fillHash] = server.fills.keys();
    expect(found?.fills.map((fill) => [fill.fillId, fill.quantity, fill.price])).toEqual([
      [`${fillHash}:0xa1`, 100_000_000, 420_000],
      [`${fillHash}:0xa2`, 30_000_000, 450_000],
    ]);
    expect(server.server.count('GET', '/trades')).toBe(2);
    // Control: the fill made maker entries too, under the same fill hash and order hashes.
    expect(server.trades.filter((trade) => trade.maker).map((trade) => [trade.fillHash, trade.orderHash])).toEqual([
      [fillHash, '0xa1'],
      [fillHash, '0xa2'],
    ]);
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
    const venue = venueFor(server);
    server.server.inject({ method: 'GET', path: '/metadata', fault: { kind: 'status', status: 401, message: 'Unauthorized' } });
    const error = await venue.getBook(MARKET, 'yes').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VenueRejectedError);
    expect((error as Error).message).toMatch(/credentials rejected \(HTTP 401: Unauthorized\).*SX_PRIVATE_KEY/);
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

describe('sx imitation', () => {
  const metadata: SxMetadata = { domainVersion: '6.0', fillHasher: SX_FILL_HASHER, usdc: SX_USDC, takerMinimumUsdc: null, oddsLadderStepSize: null };
  const fill: FillToSign = {
    marketHash: MARKET,
    baseToken: SX_USDC,
    stakeWei: 42_000_000n,
    desiredOdds: 42n * E18,
    oddsSlippage: 0n,
    isTakerBettingOutcomeOne: true,
    fillSalt: fillSaltFor('manual'),
  };
  const post = (server: SxImitation, takerSig: `0x${string}`, taker: string = ACCOUNT.address) =>
    fetch(`${server.server.url}/orders/fill/v2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ market: MARKET, baseToken: SX_USDC, isTakerBettingOutcomeOne: true, stakeWei: '42000000', desiredOdds: (42n * E18).toString(), oddsSlippage: 0, taker, takerSig, fillSalt: fill.fillSalt.toString() }),
    });

  it('rejects a fill signed by another key and accepts the taker’s own', async () => {
    const server = await start();
    const forged = await post(server, await signFill(privateKeyToAccount(generatePrivateKey()), metadata, fill));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ status: 'failure', errorCode: 'TAKER_SIGNATURE_MISMATCH' });
    const genuine = await post(server, await signFill(ACCOUNT, metadata, fill));
    expect(genuine.status).toBe(200);
    expect(((await genuine.json()) as { data: { totalFilled: string } }).data.totalFilled).toBe('42000000');
  });

  it('finds no trades for a lowercase bettor, as the reference warns, and the checksummed one’s', async () => {
    const server = await start();
    await venueFor(server).placeOrder(order());
    const count = async (bettor: string) => ((await (await fetch(`${server.server.url}/trades?bettor=${bettor}`)).json()) as { data: { trades: unknown[] } }).data.trades.length;
    expect(await count(ACCOUNT.address.toLowerCase())).toBe(0);
    expect(await count(ACCOUNT.address)).toBe(1);
  });
});
