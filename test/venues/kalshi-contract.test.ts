// Contract tests: Kalshi's own published material fed straight into the adapter's parsers and request builder —
// the documented example responses of the Kalshi API reference and guides, one live public response of Kalshi's API,
// and fixtures typed with the models of Kalshi's OpenAPI-generated SDK (npm kalshi-typescript 3.30.0). The expected
// type errors below are the typecheck's own controls: each must stay an error, or `npm run typecheck` fails.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CancelOrderV2Response,
  CreateOrderV2Request,
  CreateOrderV2Response,
  ErrorResponse,
  Fill,
  GetBalanceResponse,
  GetFillsResponse,
  GetMarketOrderbookResponse,
  GetOrderResponse,
  Order,
} from 'kalshi-typescript';
import { describe, expect, it } from 'vitest';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { VenueResponseError } from '../../src/venues/errors.js';
import {
  buildCreateOrderBody,
  describeKalshiError,
  parseBalance,
  parseCancelOrderResponse,
  parseCreateOrderResponse,
  parseFillsPage,
  parseMarketDescription,
  parseOrderbook,
  parseOrderEnvelope,
  parseOrdersPage,
} from '../../src/venues/kalshi/models.js';
import type { PlaceOrderRequest } from '../../src/venues/venue.js';

/** Kalshi docs, "Orderbook Responses": the example response, verbatim. */
const ORDERBOOK_EXAMPLE: GetMarketOrderbookResponse = {
  orderbook_fp: {
    yes_dollars: [
      ['0.0100', '200.00'],
      ['0.1500', '100.00'],
      ['0.2000', '50.00'],
      ['0.2500', '20.00'],
      ['0.3000', '11.00'],
      ['0.3100', '10.00'],
      ['0.3200', '10.00'],
      ['0.3300', '11.00'],
      ['0.3400', '9.00'],
      ['0.3500', '11.00'],
      ['0.4100', '10.00'],
      ['0.4200', '13.00'],
    ],
    no_dollars: [
      ['0.0100', '100.00'],
      ['0.1600', '3.00'],
      ['0.2500', '50.00'],
      ['0.2800', '19.00'],
      ['0.3600', '5.00'],
      ['0.3700', '50.00'],
      ['0.3800', '300.00'],
      ['0.4400', '29.00'],
      ['0.4500', '20.00'],
      ['0.5600', '17.00'],
    ],
  },
};

/** Kalshi API reference, "Create Order (V2)": the example response, verbatim. */
const CREATE_ORDER_V2_EXAMPLE: CreateOrderV2Response = {
  order_id: '<string>',
  fill_count: '10.00',
  remaining_count: '10.00',
  ts_ms: 123,
  client_order_id: '<string>',
  average_fill_price: '0.5600',
  average_fee_paid: '0.5600',
};

/** Kalshi API reference, "Cancel Order (V2)": the example response, verbatim. */
const CANCEL_ORDER_V2_EXAMPLE: CancelOrderV2Response = {
  order_id: '3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d',
  client_order_id: '8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1',
  reduced_by: '10.00',
  ts_ms: 1715793660456,
};

/**
 * Kalshi API reference, "Get Order": the example response, verbatim. It leaves out every enum-typed field the Order
 * model requires (book_side, outcome_side, type, status), so it is not itself a valid Order: untyped here.
 */
const GET_ORDER_EXAMPLE = {
  order: {
    order_id: '<string>',
    user_id: '<string>',
    client_order_id: '<string>',
    ticker: '<string>',
    yes_price_dollars: '0.5600',
    no_price_dollars: '0.5600',
    fill_count_fp: '10.00',
    remaining_count_fp: '10.00',
    initial_count_fp: '10.00',
    taker_fill_cost_dollars: '0.5600',
    maker_fill_cost_dollars: '0.5600',
    taker_fees_dollars: '0.5600',
    maker_fees_dollars: '0.5600',
    expiration_time: '2023-11-07T05:31:56Z',
    created_time: '2023-11-07T05:31:56Z',
    last_update_time: '2023-11-07T05:31:56Z',
    order_group_id: '<string>',
    cancel_order_on_pause: true,
    subaccount_number: 123,
    exchange_index: 0,
  },
};

/**
 * The same example completed with the enum fields as the Order model defines them, and the deprecated yes/no `side`
 * and `action` that earlier versions of the example carried: a valid Order.
 */
const GET_ORDER_COMPLETED: GetOrderResponse = {
  order: { ...GET_ORDER_EXAMPLE.order, side: 'yes', action: 'buy', outcome_side: 'yes', book_side: 'bid', type: 'limit', status: 'resting' },
};

/** Kalshi API reference, "Get Balance": the example response, verbatim. */
const GET_BALANCE_EXAMPLE: GetBalanceResponse = {
  balance: 123,
  balance_dollars: '0.5600',
  portfolio_value: 123,
  updated_ts: 123,
  balance_breakdown: [{ exchange_index: 0, balance: '0.5600' }],
};

/** A response of Kalshi's public GET /trade-api/v2/markets/KXSPACEXSTARSHIP-12-26MAY19, verbatim. */
const LIVE_MARKET_RESPONSE = JSON.parse(
  '{"market":{"can_close_early":true,"close_time":"2026-05-20T03:59:00Z","created_time":"2026-05-13T01:51:41.778164Z","early_close_condition":"If this event occurs, the market will close the following 10am ET.","event_ticker":"KXSPACEXSTARSHIP-12","expected_expiration_time":"2026-06-01T14:00:00Z","expiration_time":"2026-05-26T14:00:00Z","expiration_value":"","fractional_trading_enabled":true,"last_price_dollars":"0.6000","latest_expiration_time":"2026-05-26T14:00:00Z","liquidity_dollars":"0.0000","market_type":"binary","no_ask_dollars":"0.4000","no_bid_dollars":"0.3300","no_sub_title":"Before May 20","notional_value_dollars":"1.0000","occurrence_datetime":"2026-05-19T14:00:00Z","open_interest_fp":"3877.56","open_time":"2026-05-13T02:30:00Z","previous_price_dollars":"0.0000","previous_yes_ask_dollars":"0.0000","previous_yes_bid_dollars":"0.0000","price_level_structure":"linear_cent","price_ranges":[{"end":"1.0000","start":"0.0000","step":"0.0100"}],"response_price_units":"usd_cent","result":"","rules_primary":"If SpaceX launches Starship flight test number 12 before May 20, 2026, then the market resolves to Yes.","rules_secondary":"If source agency data from FAA is delayed due to a data delay, then the market will expire following data updating in accordance with Kalshi Rule 6.3b.","settlement_timer_seconds":3600,"status":"active","subtitle":"By May 19, 2026","ticker":"KXSPACEXSTARSHIP-12-26MAY19","title":"Will SpaceX launch another Starship by May 19, 2026?","updated_time":"2026-05-13T02:30:00.984498Z","volume_24h_fp":"4918.41","volume_fp":"4918.41","yes_ask_dollars":"0.6700","yes_ask_size_fp":"25.00","yes_bid_dollars":"0.6000","yes_bid_size_fp":"10.67","yes_sub_title":"Before May 20"}}',
) as unknown;

/** A fill as the Fill model defines it, with the API reference's sample values; an ask, i.e. NO bought at 0.44. */
const FILL: Fill = {
  fill_id: 'f-1',
  exchange_index: 0,
  trade_id: 'f-1',
  order_id: 'o-1',
  ticker: 'KXFED-26DEC-T4.00',
  market_ticker: 'KXFED-26DEC-T4.00',
  outcome_side: 'no',
  book_side: 'ask',
  count_fp: '10.00',
  yes_price_dollars: '0.5600',
  no_price_dollars: '0.4400',
  is_taker: true,
  created_time: '2023-11-07T05:31:56Z',
  fee_cost: '0.1725',
  ts: 1699335116,
};

const REQUEST: PlaceOrderRequest = {
  clientOrderId: 'arbbot-0192f7c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
  market: 'KXFED-26DEC-T4.00',
  outcome: 'no',
  side: 'buy',
  quantity: 10_000_000 as QtyMicros,
  limitPrice: 440_000 as PriceMicros,
  timeInForce: 'fok',
};

describe('kalshi parsers on the documented examples', () => {
  it('"Orderbook Responses": reads the example best-first; YES asks are 1 − NO bids', () => {
    const yes = parseOrderbook(ORDERBOOK_EXAMPLE, 'KXHIGHNY-24JAN01-T60', 'yes', 0);
    expect(yes.bids.slice(0, 2)).toEqual([
      { price: 420_000, size: 13_000_000 },
      { price: 410_000, size: 10_000_000 },
    ]);
    expect(yes.asks.slice(0, 2)).toEqual([
      { price: 440_000, size: 17_000_000 },
      { price: 550_000, size: 20_000_000 },
    ]);
    expect(yes.bids).toHaveLength(12);
    const no = parseOrderbook(ORDERBOOK_EXAMPLE, 'KXHIGHNY-24JAN01-T60', 'no', 0);
    expect(no.bids[0]).toEqual({ price: 560_000, size: 17_000_000 });
    expect(no.asks[0]).toEqual({ price: 580_000, size: 13_000_000 });
  });

  it('reads the same book sent best to worst (the SDK\'s getMarketOrderbook wording), and refuses two levels at one price', () => {
    const reversed: GetMarketOrderbookResponse = {
      orderbook_fp: { yes_dollars: [...ORDERBOOK_EXAMPLE.orderbook_fp.yes_dollars].reverse(), no_dollars: [...ORDERBOOK_EXAMPLE.orderbook_fp.no_dollars].reverse() },
    };
    expect(parseOrderbook(reversed, 'T', 'yes', 0)).toEqual(parseOrderbook(ORDERBOOK_EXAMPLE, 'T', 'yes', 0));
    const doubled: GetMarketOrderbookResponse = { orderbook_fp: { yes_dollars: [['0.4200', '1.00'], ['0.4200', '2.00']], no_dollars: [] } };
    expect(() => parseOrderbook(doubled, 'T', 'yes', 0)).toThrow(VenueResponseError);
  });

  it('"Create Order (V2)": reads order_id and the fixed-point counts', () => {
    expect(parseCreateOrderResponse(CREATE_ORDER_V2_EXAMPLE)).toEqual({ orderId: '<string>', fillCount: 10_000_000, remainingCount: 10_000_000 });
  });

  it('"Cancel Order (V2)": reads {order_id, reduced_by}; the former {order} envelope is refused', () => {
    expect(parseCancelOrderResponse(CANCEL_ORDER_V2_EXAMPLE)).toEqual({ orderId: '3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d', reducedBy: 10_000_000 });
    expect(() => parseCancelOrderResponse({ order: GET_ORDER_COMPLETED.order, reduced_by_fp: '10.00' })).toThrow(/order_id/);
  });

  it('"Get Order": the published example lacks book_side, which the Order model requires; completed, it is read', () => {
    expect(() => parseOrderEnvelope(GET_ORDER_EXAMPLE)).toThrow(/book_side/);
    expect(parseOrderEnvelope(GET_ORDER_COMPLETED)).toEqual({
      orderId: '<string>',
      clientOrderId: '<string>',
      ticker: '<string>',
      bookSide: 'bid',
      outcomeSide: 'yes',
      status: 'resting',
      initialCount: 10_000_000,
      fillCount: 10_000_000,
      remainingCount: 10_000_000,
      yesPrice: 560_000,
    });
  });

  it('reads the direction from book_side, never from the deprecated yes/no side', () => {
    const ask = { ...GET_ORDER_COMPLETED.order, side: 'yes', book_side: 'ask', outcome_side: 'no' } satisfies Order;
    expect(parseOrderEnvelope({ order: ask })).toMatchObject({ bookSide: 'ask', outcomeSide: 'no' });
    const { side: _deprecated, action: _alsoDeprecated, ...withoutDeprecated } = GET_ORDER_COMPLETED.order;
    expect(parseOrderEnvelope({ order: withoutDeprecated })).toMatchObject({ bookSide: 'bid' });
    expect(() => parseOrderEnvelope({ order: { ...GET_ORDER_COMPLETED.order, book_side: 'yes' } })).toThrow(/book_side: expected bid or ask/);
    expect(() => parseOrderEnvelope({ order: { ...GET_ORDER_COMPLETED.order, status: 'pending' } })).toThrow(/status/);
  });

  it('"Get Orders" and "Get Fills": pages of model-typed records, an empty cursor ending them', () => {
    const orders = { orders: [GET_ORDER_COMPLETED.order], cursor: '' } satisfies { orders: Order[]; cursor: string };
    expect(parseOrdersPage(orders)).toMatchObject({ items: [{ orderId: '<string>' }], nextCursor: null });
    const fills: GetFillsResponse = { fills: [FILL], cursor: 'next-page' };
    expect(parseFillsPage(fills)).toEqual({ items: [{ fillId: 'f-1', orderId: 'o-1', count: 10_000_000, yesPrice: 560_000, fee: 172_500 }], nextCursor: 'next-page' });
  });

  it('"Get Balance": reads balance_dollars exactly', () => {
    expect(parseBalance(GET_BALANCE_EXAMPLE)).toEqual({ total: 560_000, available: 560_000 });
  });

  it('describes a market from a live GET /markets/{ticker} response', () => {
    expect(parseMarketDescription(LIVE_MARKET_RESPONSE, 'KXSPACEXSTARSHIP-12-26MAY19')).toEqual({
      market: 'KXSPACEXSTARSHIP-12-26MAY19',
      title: 'Will SpaceX launch another Starship by May 19, 2026?',
      closeTime: '2026-05-20T03:59:00Z',
      tickSize: 10_000,
      minSize: 10_000,
      notes: ['status active'],
    });
  });

  it('reads each published error shape: the TypeScript SDK\'s flat ErrorResponse, the Python SDK\'s nested one, the 429 body', () => {
    const flat: ErrorResponse = { code: 'invalid_parameters', message: 'count must be positive', details: 'count' };
    expect(describeKalshiError(400, flat)).toBe('invalid_parameters: count must be positive');
    expect(describeKalshiError(400, { error: { code: 'invalid_parameters', message: 'count must be positive' } })).toBe('invalid_parameters: count must be positive');
    expect(describeKalshiError(429, { error: 'too many requests' })).toBe('too many requests');
    expect(describeKalshiError(502, '<html>bad gateway</html>')).toBe('<html>bad gateway</html>');
  });
});

describe('kalshi request bodies against the SDK\'s CreateOrderV2Request', () => {
  it('builds a body the model accepts, with the required self_trade_prevention_type', () => {
    // The assignment is the check: a body missing a required field, or with a wrong enum value, fails the typecheck.
    const body: CreateOrderV2Request = buildCreateOrderBody(REQUEST);
    expect(body).toEqual({
      ticker: 'KXFED-26DEC-T4.00',
      client_order_id: 'arbbot-0192f7c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
      side: 'ask',
      count: '10.00',
      price: '0.5600',
      time_in_force: 'fill_or_kill',
      self_trade_prevention_type: 'taker_at_cross',
    });
    // The Create Order (V2) reference limits client_order_id to what FIX's ClOrdID allows: 64 characters of this set.
    expect(body.client_order_id).toMatch(/^[-\w:+=/]{1,64}$/);
  });

  it('the SDK types refuse what the imitation must never send (typecheck controls)', () => {
    const { self_trade_prevention_type: _required, ...withoutStp } = buildCreateOrderBody(REQUEST);
    // @ts-expect-error self_trade_prevention_type is required by CreateOrderV2Request
    const missing: CreateOrderV2Request = withoutStp;
    // @ts-expect-error book_side is required by Order
    const orderWithoutBookSide: Order = { ...GET_ORDER_EXAMPLE.order, outcome_side: 'yes', type: 'limit', status: 'resting' };
    // @ts-expect-error book_side is bid or ask, never yes/no
    const orderWithYesBookSide: Order = { ...GET_ORDER_COMPLETED.order, book_side: 'yes' };
    // @ts-expect-error CancelOrderV2Response has no `order` field
    const cancelWithOrder: CancelOrderV2Response = { order_id: 'o', reduced_by: '1.00', ts_ms: 1, order: GET_ORDER_COMPLETED.order };
    expect([missing, orderWithoutBookSide, orderWithYesBookSide, cancelWithOrder]).toHaveLength(4);
  });
});

describe('kalshi-typescript stays a test-only dependency', () => {
  function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
    });
  }
  const importers = (dir: string) => sourceFiles(dir).filter((path) => /from 'kalshi-typescript'/.test(readFileSync(path, 'utf8')));

  it('is imported by tests and by nothing under src/', () => {
    expect(importers('src')).toEqual([]);
    expect(importers('test')).toEqual(expect.arrayContaining([join('test', 'fixtures', 'venues', 'kalshi-server.ts'), join('test', 'venues', 'kalshi-contract.test.ts')]));
  });

  it('is pinned to exactly 3.30.0 as a devDependency', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.devDependencies['kalshi-typescript']).toBe('3.30.0');
    expect(pkg.dependencies['kalshi-typescript']).toBeUndefined();
  });
});
