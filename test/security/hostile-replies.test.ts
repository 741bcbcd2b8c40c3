// Hostile replies at each adapter: the imitations answer as the venues would, and a hostile proxy in front of them
// rewrites one field into something that cannot be true. Each adapter refuses it as a VenueProtocolError naming the
// venue and the field, so nothing of it reaches the ledger; each case has its control (the same order, unaltered,
// reports normally).
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { VenueProtocolError } from '../../src/venues/errors.js';
import { createKalshiVenue } from '../../src/venues/kalshi/index.js';
import { createPolymarketVenue } from '../../src/venues/polymarket/index.js';
import { createSxVenue } from '../../src/venues/sx/index.js';
import type { PlaceOrderRequest, Venue } from '../../src/venues/venue.js';
import { KalshiImitation } from '../fixtures/venues/kalshi-server.js';
import { FAST_TUNING, liveConfig } from '../fixtures/venues/live-config.js';
import { PolymarketImitation } from '../fixtures/venues/polymarket-server.js';
import { SxImitation } from '../fixtures/venues/sx-server.js';
import { HostileProxy, type HostileAction } from '../fixtures/hostile-proxy.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function order(market: string, overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    clientOrderId: `cid-${randomBytes(6).toString('hex')}`,
    market,
    outcome: 'yes',
    side: 'buy',
    quantity: 100_000_000 as QtyMicros,
    limitPrice: 420_000 as PriceMicros,
    timeInForce: 'fok',
    ...overrides,
  };
}

async function proxyFor(upstream: string): Promise<HostileProxy> {
  const proxy = await HostileProxy.start(upstream);
  cleanups.push(() => proxy.close());
  return proxy;
}

async function impossible(promise: Promise<unknown>): Promise<VenueProtocolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VenueProtocolError) return error;
    throw error;
  }
  throw new Error('expected a VenueProtocolError');
}

// ---- Kalshi: YES asks 0.42 ×100 (NO bids 0.58 ×100) ----

const TICKER = 'KXFED-26DEC-T4.00';
let kalshiKeys: { publicKey: KeyObject; pem: string };
beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  kalshiKeys = { publicKey: pair.publicKey, pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
});

async function kalshi(path: string, action: HostileAction | null): Promise<{ venue: Venue; proxy: HostileProxy }> {
  const server = await KalshiImitation.start({
    apiKeyId: 'key-1',
    publicKey: kalshiKeys.publicKey,
    books: { [TICKER]: { yes: [['0.3800', '50.00']], no: [['0.5800', '100.00']] } },
    balanceCents: 100_000,
  });
  cleanups.push(() => server.close());
  const proxy = await proxyFor(server.baseUrl);
  if (action) proxy.on({ method: path.startsWith('POST ') ? 'POST' : 'GET', path: `/trade-api/v2${path.replace(/^\w+ /, '')}`, action });
  const venue = createKalshiVenue(liveConfig('kalshi', proxy.urlFor(server.baseUrl)), {
    env: { KALSHI_API_KEY_ID: 'key-1', KALSHI_PRIVATE_KEY: kalshiKeys.pem },
    tuning: FAST_TUNING,
    warn: () => undefined,
  });
  return { venue, proxy };
}

const editFills = (edit: (fills: Record<string, unknown>[]) => void): HostileAction => ({
  kind: 'rewrite',
  edit: (body: { fills: Record<string, unknown>[] }) => {
    edit(body.fills);
    return body;
  },
});

describe('kalshi: an impossible report is refused, naming the field', () => {
  it('control: the order as the venue reports it', async () => {
    const { venue } = await kalshi('GET /portfolio/fills', null);
    expect(await venue.placeOrder(order(TICKER))).toMatchObject({ status: 'filled', filledQuantity: 100_000_000 });
  });

  it('an overfill: more filled than ordered', async () => {
    const { venue } = await kalshi('POST /portfolio/events/orders', { kind: 'rewrite', edit: (body) => ({ ...body, fill_count: '1000.00' }) });
    const error = await impossible(venue.placeOrder(order(TICKER)));
    expect(error.message).toMatch(/^kalshi: impossible report: fill_count_fp: /);
  });

  it('an overfill the fills agree with: fills of 1000 for an order of 100', async () => {
    const { venue, proxy } = await kalshi('POST /portfolio/events/orders', { kind: 'rewrite', edit: (body) => ({ ...body, fill_count: '1000.00' }) });
    proxy.on({ method: 'GET', path: '/trade-api/v2/portfolio/fills', action: editFills((fills) => (fills[0]!.count_fp = '1000.00')) });
    const error = await impossible(venue.placeOrder(order(TICKER)));
    expect(error).toMatchObject({ venue: 'kalshi', field: 'fill_count_fp' });
    expect(error.message).toContain('1000.000000 filled of 100.000000 ordered');
  });

  it('a phantom fill: a fill of an order we never placed, answered for ours', async () => {
    const { venue } = await kalshi('GET /portfolio/fills', editFills((fills) => fills.push({ ...fills[0]!, fill_id: 'phantom', order_id: 'never-placed' })));
    const error = await impossible(venue.placeOrder(order(TICKER)));
    expect(error).toMatchObject({ venue: 'kalshi', field: 'fills[1].order_id' });
  });

  it('a fill beyond the limit: bought at 0.45 on a 0.42 limit', async () => {
    const { venue } = await kalshi('GET /portfolio/fills', editFills((fills) => (fills[0]!.yes_price_dollars = '0.4500')));
    const error = await impossible(venue.placeOrder(order(TICKER)));
    expect(error).toMatchObject({ venue: 'kalshi', field: 'fills[0].yes_price_dollars' });
    expect(error.message).toContain('0.450000 is worse than the limit 0.420000 for a buy');
  });

  it('a negative fee', async () => {
    const { venue } = await kalshi('GET /portfolio/fills', editFills((fills) => (fills[0]!.fee_cost = '-1.5000')));
    const error = await impossible(venue.placeOrder(order(TICKER)));
    expect(error).toMatchObject({ venue: 'kalshi', field: 'fills.fills[0].fee_cost' });
  });
});

// ---- Polymarket: NO asks 0.53 ×100 ----

const CONDITION = `0x${'ab'.repeat(32)}`;
const YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const POLY_KEY = generatePrivateKey();
const POLY_SECRET = randomBytes(32).toString('base64');

async function polymarket(path: string, action: HostileAction | null): Promise<Venue> {
  const server = await PolymarketImitation.start({
    apiKey: 'poly-key',
    secret: POLY_SECRET,
    passphrase: 'poly-pass',
    address: privateKeyToAccount(POLY_KEY).address,
    markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1 } },
    books: { [YES_TOKEN]: { bids: [['0.45', '200']], asks: [['0.48', '50']] }, [NO_TOKEN]: { bids: [['0.5', '100']], asks: [['0.53', '100']] } },
    balanceMicros: 1_000_000_000n,
  });
  cleanups.push(() => server.close());
  const proxy = await proxyFor(server.server.url);
  if (action) proxy.on({ method: 'GET', path, action });
  return createPolymarketVenue(liveConfig('polymarket', proxy.url), {
    env: { POLY_API_KEY: 'poly-key', POLY_API_SECRET: POLY_SECRET, POLY_PASSPHRASE: 'poly-pass', POLY_PRIVATE_KEY: POLY_KEY },
    tuning: FAST_TUNING,
    warn: () => undefined,
  });
}

const polyOrder = () => order(CONDITION, { outcome: 'no', limitPrice: 530_000 as PriceMicros });
const editTrades = (edit: (trades: Record<string, unknown>[]) => void): HostileAction => ({
  kind: 'rewrite',
  edit: (body: { data: Record<string, unknown>[] }) => {
    edit(body.data);
    return body;
  },
});

describe('polymarket: an impossible report is refused, naming the field', () => {
  it('control: the order as the venue reports it', async () => {
    const venue = await polymarket('/data/trades', null);
    expect(await venue.placeOrder(polyOrder())).toMatchObject({ status: 'filled', filledQuantity: 100_000_000 });
  });

  it('a trade at a price of 1 or more', async () => {
    const venue = await polymarket('/data/trades', editTrades((trades) => (trades[0]!.price = '1.5')));
    const error = await impossible(venue.placeOrder(polyOrder()));
    expect(error).toMatchObject({ venue: 'polymarket', field: 'trades.data[0].price' });
    expect(error.message).toContain('1.50 is outside (0, 1]');
  });

  it('a negative fee rate', async () => {
    const venue = await polymarket('/data/trades', editTrades((trades) => (trades[0]!.fee_rate_bps = '-500')));
    const error = await impossible(venue.placeOrder(polyOrder()));
    expect(error).toMatchObject({ venue: 'polymarket', field: 'trades.data[0].fee_rate_bps' });
    expect(error.message).toContain('a negative fee rate of -500 bps');
  });

  it('a fill beyond the limit: bought at 0.60 on a 0.53 limit', async () => {
    const venue = await polymarket('/data/trades', editTrades((trades) => (trades[0]!.price = '0.6')));
    const error = await impossible(venue.placeOrder(polyOrder()));
    expect(error).toMatchObject({ venue: 'polymarket', field: 'trades[0].price' });
  });

  it('an overfill: more matched than the order’s size', async () => {
    const venue = await polymarket('/data/order/', { kind: 'rewrite', edit: (body) => ({ ...body, size_matched: '1000' }) });
    const error = await impossible(venue.placeOrder(polyOrder()));
    expect(error).toMatchObject({ venue: 'polymarket', field: 'order.size_matched' });
  });

  it('a phantom: another order’s record answered for ours', async () => {
    const venue = await polymarket('/data/order/', { kind: 'rewrite', edit: (body) => ({ ...body, id: `0x${'99'.repeat(32)}` }) });
    const error = await impossible(venue.placeOrder(polyOrder()));
    expect(error).toMatchObject({ venue: 'polymarket', field: 'order.id' });
  });
});

// ---- SX: a maker on outcome two at 0.58 offers YES at 0.42 ×100 ----

const SX_MARKET = `0x${'cd'.repeat(32)}`;
const SX_KEY = generatePrivateKey();

async function sx(action: HostileAction | null): Promise<Venue> {
  const server = await SxImitation.start({
    taker: privateKeyToAccount(SX_KEY).address,
    orders: [{ orderHash: '0xa1', marketHash: SX_MARKET, totalBetSize: 58_000_000n, percentageOdds: 58n * 10n ** 18n, isMakerBettingOutcomeOne: false }],
    balanceMicros: 500_000_000n,
    markets: [],
  });
  cleanups.push(() => server.close());
  const proxy = await proxyFor(server.server.url);
  if (action) proxy.on({ method: 'POST', path: '/orders/fill/v2', action });
  return createSxVenue(liveConfig('sx', proxy.url), { env: { SX_PRIVATE_KEY: SX_KEY, SX_RPC_URL: server.rpcUrl }, tuning: FAST_TUNING, warn: () => undefined });
}

const editFill = (edit: (data: Record<string, unknown>) => void): HostileAction => ({
  kind: 'rewrite',
  edit: (body: { data: Record<string, unknown> }) => {
    edit(body.data);
    return body;
  },
});

describe('sx: an impossible report is refused, naming the field', () => {
  it('control: the fill as the venue reports it', async () => {
    const venue = await sx(null);
    expect(await venue.placeOrder(order(SX_MARKET))).toMatchObject({ status: 'filled', filledQuantity: 100_000_000 });
  });

  it('more staked than the stake we signed (an overfill)', async () => {
    const venue = await sx(editFill((data) => (data.totalFilled = '420000000')));
    const error = await impossible(venue.placeOrder(order(SX_MARKET)));
    expect(error).toMatchObject({ venue: 'sx', field: 'totalFilled' });
  });

  it('average odds beyond the limit (a fill worse than desiredOdds)', async () => {
    const venue = await sx(editFill((data) => (data.averageOdds = '45000000000000000000')));
    const error = await impossible(venue.placeOrder(order(SX_MARKET)));
    expect(error).toMatchObject({ venue: 'sx', field: 'averageOdds' });
    expect(error.message).toContain('is worse than the limit 42000000000000000000');
  });
});
