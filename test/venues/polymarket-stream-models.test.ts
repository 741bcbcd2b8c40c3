// The market channel's wire shapes: what is read, what is ignored, and that a malformed book event fails by name.
import { describe, expect, it } from 'vitest';
import { VenueResponseError } from '../../src/venues/errors.js';
import { parsePolymarketStreamMessage, polymarketMarketSubscription } from '../../src/venues/polymarket/stream-models.js';

const YES = '65818619657568813474341868652308942079804919287380422192892211131408793125422';
const NO = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const MARKET = '0xbd31dc8a20211944f6b70f31557f1001557b59905b7738480ca09bd4532f84af';

const book = {
  event_type: 'book',
  asset_id: YES,
  market: MARKET,
  bids: [{ price: '.48', size: '30' }, { price: '0.49', size: '20.5' }],
  asks: [{ price: '.52', size: '25' }],
  timestamp: '123456789000',
  hash: '0x0',
};

const change = { asset_id: NO, price: '0.5', size: '200', side: 'BUY', hash: '56621a121a47ed9333273e21c83b660cff37ae50', best_bid: '0.5', best_ask: '1' };
const priceChange = { event_type: 'price_change', market: MARKET, timestamp: '1757908892351', price_changes: [change] };

describe('polymarket stream messages', () => {
  it('reads the reply to a subscription (an array of books) and single events alike', () => {
    const events = parsePolymarketStreamMessage([book, { ...book, asset_id: NO }]);
    expect(events.map((event) => event.kind === 'book' && event.assetId)).toEqual([YES, NO]);
    expect(events[0]).toEqual({
      kind: 'book',
      assetId: YES,
      conditionId: MARKET,
      bids: [{ price: 480_000, size: 30_000_000 }, { price: 490_000, size: 20_500_000 }],
      asks: [{ price: 520_000, size: 25_000_000 }],
      timestampMs: 123_456_789_000,
      hash: '0x0',
    });
    expect(parsePolymarketStreamMessage(book)).toHaveLength(1);
    expect(parsePolymarketStreamMessage([])).toEqual([]);
  });

  it('reads a price change exactly, an empty side’s best as null, and the side in either case', () => {
    const [event] = parsePolymarketStreamMessage({ ...priceChange, price_changes: [change, { ...change, side: 'sell', size: '0', best_bid: '0', best_ask: '.51' }, { ...change, best_bid: '', best_ask: '' }] });
    expect(event).toEqual({
      kind: 'price_change',
      conditionId: MARKET,
      timestampMs: 1_757_908_892_351,
      changes: [
        { assetId: NO, side: 'bid', price: 500_000, size: 200_000_000, hash: change.hash, bestBid: 500_000, bestAsk: null },
        { assetId: NO, side: 'ask', price: 500_000, size: 0, hash: change.hash, bestBid: null, bestAsk: 510_000 },
        { assetId: NO, side: 'bid', price: 500_000, size: 200_000_000, hash: change.hash, bestBid: null, bestAsk: null },
      ],
    });
    const [unhashed] = parsePolymarketStreamMessage({ ...priceChange, price_changes: [{ ...change, hash: undefined, best_bid: undefined }] });
    expect(unhashed?.kind === 'price_change' && unhashed.changes[0]).toMatchObject({ hash: null, bestBid: null });
  });

  it('reads the older docs’ buys/sells when bids/asks are absent', () => {
    const [event] = parsePolymarketStreamMessage({ ...book, bids: undefined, asks: undefined, buys: book.bids, sells: book.asks });
    expect(event?.kind === 'book' && event.bids.length + event.asks.length).toBe(3);
  });

  it('reads a tick size change for its new tick, exactly, and refuses one outside (0, 1) by name', () => {
    const tick = { event_type: 'tick_size_change', asset_id: YES, market: MARKET, old_tick_size: '0.01', new_tick_size: '0.001', timestamp: '1' };
    expect(parsePolymarketStreamMessage(tick)).toEqual([{ kind: 'tick_size', assetId: YES, conditionId: MARKET, tickSize: 1_000 }]);
    expect(() => parsePolymarketStreamMessage({ ...tick, new_tick_size: '1' })).toThrow(/new_tick_size/);
  });

  it('yields nothing for other event types and the keep-alive text', () => {
    expect(parsePolymarketStreamMessage('PONG')).toEqual([]);
    expect(parsePolymarketStreamMessage({ event_type: 'last_trade_price', asset_id: YES, market: MARKET, price: '0.5', side: 'BUY', size: '10', timestamp: '1' })).toEqual([]);
    expect(parsePolymarketStreamMessage({ event_type: 'last_trade_price', asset_id: YES, market: MARKET, price: '0.456', side: 'BUY', size: '219.2', timestamp: '1' })).toEqual([]);
    expect(parsePolymarketStreamMessage([{ event_type: 'best_bid_ask', asset_id: YES }, book])).toHaveLength(1);
    expect(parsePolymarketStreamMessage({ message: 'subscribed' })).toEqual([]);
  });

  it('names the field of a book or price change it cannot read', () => {
    const bad: ReadonlyArray<readonly [unknown, RegExp]> = [
      [{ ...book, asset_id: undefined }, /asset_id/],
      [{ ...book, market: 7 }, /market/],
      [{ ...book, bids: undefined }, /bids/],
      [{ ...book, bids: 'none' }, /bids/],
      [{ ...book, asks: [{ price: '1.2', size: '1' }] }, /asks\[0\]\.price/],
      [{ ...book, asks: [{ price: '0.5', size: '0' }] }, /asks\[0\]: size/],
      [{ ...book, timestamp: undefined }, /timestamp/],
      [{ ...book, timestamp: '1.5e12' }, /timestamp/],
      [[book, { ...book, hash: 7 }], /stream message\[1\]: hash/],
      [{ ...priceChange, price_changes: undefined }, /price_changes/],
      [{ ...priceChange, price_changes: [{ ...change, side: 'HOLD' }] }, /price_changes\[0\]: side/],
      [{ ...priceChange, price_changes: [{ ...change, size: '-1' }] }, /size/],
      [{ ...priceChange, price_changes: [{ ...change, price: '1' }] }, /price/],
      [{ ...priceChange, price_changes: [{ ...change, price: 0.5 + 1e-9 }] }, /price/],
      [{ ...priceChange, price_changes: [{ ...change, best_bid: '1' }] }, /best_bid/],
      [{ ...priceChange, price_changes: [{ ...change, asset_id: undefined }] }, /asset_id/],
      ['PING?', /expected an object/],
      [42, /expected an object/],
    ];
    for (const [raw, field] of bad) {
      expect(() => parsePolymarketStreamMessage(raw)).toThrow(VenueResponseError);
      expect(() => parsePolymarketStreamMessage(raw)).toThrow(field);
    }
  });

  it('builds the channel’s subscription message', () => {
    expect(JSON.parse(polymarketMarketSubscription([YES, NO]))).toEqual({ assets_ids: [YES, NO], type: 'market' });
    expect(() => polymarketMarketSubscription([])).toThrow();
  });
});
