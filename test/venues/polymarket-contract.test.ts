// Contract tests: the documented example payloads (fixtures/venues/polymarket-fixtures.ts) fed straight into the adapter's parsers
// and body builder, with no imitation in between. A parser that needs a field the documentation leaves out, or
// misreads one it prints, fails here.
import { describe, expect, it } from 'vitest';
import type { Hex } from '../../src/venues/polymarket/exchange.js';
import { orderAmounts, ZERO_BYTES32 } from '../../src/venues/polymarket/exchange.js';
import {
  buildPostOrderBody,
  describePolymarketError,
  isVersionMismatch,
  parseBalance,
  parseBook,
  parseBookRules,
  parseCancelRefusal,
  parseMarket,
  parseMarketText,
  parseOrder,
  parsePostOrderResponse,
  parseTradesPage,
  parseVersion,
} from '../../src/venues/polymarket/models.js';
import { statusOfOrder } from '../../src/venues/polymarket/polymarket-venue.js';
import type { PriceMicros, QtyMicros } from '../../src/domain/money.js';
import {
  DOC_BOOK_NOT_FOUND,
  DOC_CANCEL_RESPONSE,
  DOC_CLOB_MARKET_INFO,
  DOC_NO_TOKEN,
  DOC_ORDER_FIXED_MATH,
  DOC_ORDER_NORMALIZED,
  DOC_POST_ORDER_REQUEST,
  DOC_POST_ORDER_RESPONSE,
  DOC_YES_TOKEN,
  TYPED_BALANCE,
  TYPED_BOOK,
  TYPED_MARKET,
  TYPED_TRADES,
  TYPED_VERSION,
} from '../fixtures/venues/polymarket-fixtures.js';

const CONDITION = '0xbd31dc8a20211944f6b70f31557f1001557b59905b7738480ca09bd4532f84af';

describe('GET /clob-markets/{condition_id}: the documented example', () => {
  it('refuses the example as printed: one outcome token is not a binary market the adapter can trade', () => {
    expect(() => parseMarket(DOC_CLOB_MARKET_INFO, CONDITION)).toThrow(/t: expected the two outcome tokens of a binary market, got 1/);
  });

  it('with the market’s second token, reads tick, minimum and fees; no `nr` means not neg-risk; no `c` takes the id asked for', () => {
    const body: Record<string, unknown> = { ...DOC_CLOB_MARKET_INFO, t: [...(DOC_CLOB_MARKET_INFO.t as unknown[]), { t: DOC_NO_TOKEN, o: 'No' }] };
    expect(parseMarket(body, CONDITION)).toEqual({
      conditionId: CONDITION,
      yesTokenId: DOC_YES_TOKEN,
      noTokenId: DOC_NO_TOKEN,
      protocol: 'ctf',
      tickSize: 10_000,
      negRisk: false,
      minOrderSize: 5_000_000,
      acceptingOrders: null,
      takerDelay: true, // itode
      feeRatePpm: 20_000,
      feeExponent: 2,
    });
    // The official clients read a missing `fd` as no fee, and `nr: true` as neg-risk.
    const { fd: _fd, ...noFees } = body;
    expect(parseMarket({ ...noFees, nr: true, ao: false }, CONDITION)).toMatchObject({ negRisk: true, acceptingOrders: false, feeRatePpm: 0, feeExponent: 0 });
  });
});

describe('POST /order: the documented request and response', () => {
  it('posts exactly the documented fields, order fields included', () => {
    const order = {
      salt: 1234567890n,
      maker: DOC_POST_ORDER_REQUEST.order.maker as Hex,
      signer: DOC_POST_ORDER_REQUEST.order.signer as Hex,
      tokenId: BigInt(DOC_YES_TOKEN),
      ...orderAmounts('buy', 200_000_000 as QtyMicros, 500_000 as PriceMicros),
      side: 0 as const,
      signatureType: 0,
      timestamp: 1735689600000n,
      metadata: ZERO_BYTES32,
      builder: ZERO_BYTES32,
    };
    const body = buildPostOrderBody(order, '0x1234abcd', DOC_POST_ORDER_REQUEST.owner, 'GTC');
    expect(Object.keys(body).sort()).toEqual(Object.keys(DOC_POST_ORDER_REQUEST).sort());
    expect(Object.keys(body.order).sort()).toEqual(Object.keys(DOC_POST_ORDER_REQUEST.order).sort());
    // The example's amounts are a buy of 200 shares for $100: the same ones this order signs.
    expect([body.order.makerAmount, body.order.takerAmount]).toEqual([DOC_POST_ORDER_REQUEST.order.makerAmount, DOC_POST_ORDER_REQUEST.order.takerAmount]);
    expect([typeof body.order.salt, body.deferExec, body.postOnly]).toEqual([typeof DOC_POST_ORDER_REQUEST.order.salt, false, false]);
  });

  it('reads the documented response', () => {
    expect(parsePostOrderResponse(DOC_POST_ORDER_RESPONSE)).toEqual({ success: true, orderId: DOC_POST_ORDER_RESPONSE.orderID, status: 'live', errorMessage: '' });
  });
});

describe('GET /data/order/{id}: both documented forms', () => {
  it('reads the current form: status LIVE, sizes in shares', () => {
    const order = parseOrder(DOC_ORDER_NORMALIZED);
    expect(order).toEqual({
      id: DOC_ORDER_NORMALIZED.id,
      status: 'live',
      market: DOC_ORDER_NORMALIZED.market,
      assetId: DOC_ORDER_NORMALIZED.asset_id,
      side: 'BUY',
      originalSize: 100_000_000,
      sizeMatched: 0,
      price: 500_000,
      createdAtSeconds: 1700000000,
    });
    expect(statusOfOrder(order!)).toBe('open');
  });

  it('reads the first form’s ORDER_STATUS_ prefix; its "fixed-math" size is read as shares (the reference now says so)', () => {
    expect(parseOrder(DOC_ORDER_FIXED_MATH)).toMatchObject({ status: 'live', originalSize: 100_000_000 * 1_000_000 });
  });

  it('maps every documented status: INVALID is a rejection, CANCELED_MARKET_RESOLVED a cancellation', () => {
    const statusOf = (status: string, matched = '0') => statusOfOrder(parseOrder({ ...DOC_ORDER_NORMALIZED, status, size_matched: matched })!);
    expect(['LIVE', 'INVALID', 'CANCELED_MARKET_RESOLVED', 'CANCELED', 'MATCHED'].map((status) => statusOf(status))).toEqual(['open', 'rejected', 'canceled', 'canceled', 'partially_filled']);
    expect(statusOf('MATCHED', '100')).toBe('filled');
    expect(statusOf('CANCELED_MARKET_RESOLVED', '40')).toBe('partially_filled');
    expect(() => parseOrder({ ...DOC_ORDER_NORMALIZED, status: 'SOMETHING_NEW' })).toThrow(/status: unknown value "something_new"/);
  });
});

describe('the other endpoints, typed by the official client', () => {
  it('GET /book: best bid = max, best ask = min, and the tick and minimum it reports', () => {
    const book = parseBook(TYPED_BOOK, 'polymarket', CONDITION, 'yes', 1);
    expect(book.bids[0]).toEqual({ price: 490_000, size: 20_000_000 });
    expect(book.asks.map((level) => level.price)).toEqual([510_000, 520_000]);
    expect(book.asks[0]!.size).toBe(10_500_000);
    expect(parseBookRules(TYPED_BOOK)).toEqual({ tickSize: 10_000, minOrderSize: 5_000_000 });
  });

  it('GET /balance-allowance: the balance in micro-units (allowances, plural, ignored)', () => {
    expect(parseBalance(TYPED_BALANCE)).toBe(1_234_567_890);
  });

  it('GET /data/trades: a fraction of a basis point of fee is kept; "LTE=" ends the pages', () => {
    const page = parseTradesPage(TYPED_TRADES);
    expect(page.items).toEqual([{ id: TYPED_TRADES.data[0]!.id, takerOrderId: TYPED_TRADES.data[0]!.taker_order_id, size: 10_000_000, price: 570_000, feeRatePpm: 1_250 }]);
    expect(page.nextCursor).toBeNull();
  });

  it('DELETE /order: the documented answer means cancelled; not_canceled gives the reason', () => {
    expect(parseCancelRefusal(DOC_CANCEL_RESPONSE, '0xb816482a...')).toBeNull();
    expect(parseCancelRefusal({ canceled: [], not_canceled: { '0xb816482a...': 'order not found' } }, '0xb816482a...')).toBe('order not found');
  });

  it('GET /version: the version, 2 when it does not say (as the official clients default)', () => {
    expect(parseVersion(TYPED_VERSION)).toBe(2);
    expect(parseVersion({ version: 3 })).toBe(3);
    expect(parseVersion({})).toBe(2);
  });

  it('GET /markets/{condition_id}: question, end date and state', () => {
    expect(parseMarketText(TYPED_MARKET)).toEqual({ question: TYPED_MARKET.question, endDateIso: TYPED_MARKET.end_date_iso, active: true, closed: true, acceptingOrders: false });
  });

  it('errors: the documented envelope, and the official clients’ version-mismatch marker', () => {
    expect(describePolymarketError(404, DOC_BOOK_NOT_FOUND)).toBe('No orderbook exists for the requested token id');
    expect(isVersionMismatch(describePolymarketError(400, { error: 'order_version_mismatch' }))).toBe(true);
    expect(isVersionMismatch('invalid signature')).toBe(false);
  });
});
