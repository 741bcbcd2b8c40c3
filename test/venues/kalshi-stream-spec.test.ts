// Kalshi's book stream held to Kalshi's AsyncAPI spec: the spec's own example payloads (kalshi-ws-docs.ts, copied as
// published) go straight into the parser and the book, and the stream client runs against the imitation, whose every
// message is typed by the transcribed spec and whose errors carry the spec's codes.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kalshiAuthHeaders } from '../../src/venues/kalshi/auth.js';
import { KalshiBookProtocol } from '../../src/venues/kalshi/stream-client.js';
import { KalshiStreamClient } from '../fixtures/venues/kalshi-stream-client.js';
import { StreamBook } from '../../src/venues/kalshi/stream-book.js';
import { parseStreamMessage } from '../../src/venues/kalshi/stream-models.js';
import { KalshiImitation } from '../fixtures/venues/kalshi-server.js';
import { KALSHI_STREAM_PATH, KalshiStreamImitation } from '../fixtures/venues/kalshi-stream-server.js';
import {
  DOCS_ERRORS,
  DOCS_ORDERBOOK_DELTA,
  DOCS_ORDERBOOK_SNAPSHOT,
  DOCS_SUBSCRIBE_COMMANDS,
  DOCS_SUBSCRIBED,
  DOCS_UNSUBSCRIBE_COMMAND,
  DOCS_UNSUBSCRIBED,
} from '../fixtures/venues/kalshi-ws-docs.js';

const DOCS_TICKER = DOCS_ORDERBOOK_SNAPSHOT.msg.market_ticker;

describe('kalshi stream: the AsyncAPI spec’s example payloads', () => {
  it('reads the documented snapshot: both sides, best first, prices and counts exact', () => {
    const snapshot = parseStreamMessage(DOCS_ORDERBOOK_SNAPSHOT);
    expect(snapshot).toEqual({
      kind: 'snapshot',
      sid: 2,
      seq: 2,
      ticker: 'FED-23DEC-T3.00',
      yesBids: [
        { price: 220_000, size: 333_000_000 },
        { price: 80_000, size: 300_000_000 },
      ],
      noBids: [
        { price: 560_000, size: 146_000_000 },
        { price: 540_000, size: 20_000_000 },
      ],
    });
    // As a book: the YES side's asks come from the NO bids (1 − 0.56 = 0.44 the best).
    const book = new StreamBook(DOCS_TICKER);
    expect(book.apply(snapshot!, 1_000)).toBe('live');
    expect(book.book('yes')).toMatchObject({ bids: [{ price: 220_000 }, { price: 80_000 }], asks: [{ price: 440_000, size: 146_000_000 }, { price: 460_000, size: 20_000_000 }] });
    expect(book.book('no')).toMatchObject({ bids: [{ price: 560_000 }, { price: 540_000 }], asks: [{ price: 780_000, size: 333_000_000 }, { price: 920_000, size: 300_000_000 }] });
  });

  it('reads the documented delta: a signed fixed-point change of a YES level in dollars', () => {
    expect(parseStreamMessage(DOCS_ORDERBOOK_DELTA)).toEqual({ kind: 'delta', sid: 2, seq: 3, ticker: 'FED-23DEC-T3.00', side: 'yes', price: 960_000, sizeDeltaMicros: -54_000_000 });
  });

  it('follows the snapshot with the delta at the next seq of the same sid, and refuses what it does to the book', () => {
    // The two examples are separate illustrations: the delta takes 54 from a YES level at 0.96 the snapshot does not
    // hold. The book reads it as the very next message (no gap, no other subscription) and breaks on the level alone.
    const book = new StreamBook(DOCS_TICKER);
    book.apply(parseStreamMessage(DOCS_ORDERBOOK_SNAPSHOT)!, 1_000);
    expect(book.apply(parseStreamMessage(DOCS_ORDERBOOK_DELTA)!, 1_001)).toBe('broken');
    expect(book.brokenReason).toBe('delta seq 3 takes yes bid at 960000 micros below zero (-54000000)');
    // Control: the same delta made positive applies, and the level appears.
    const fresh = new StreamBook(DOCS_TICKER);
    fresh.apply(parseStreamMessage(DOCS_ORDERBOOK_SNAPSHOT)!, 1_000);
    const adding = { ...DOCS_ORDERBOOK_DELTA, msg: { ...DOCS_ORDERBOOK_DELTA.msg, delta_fp: '54.00' } };
    expect(fresh.apply(parseStreamMessage(adding)!, 1_001)).toBe('live');
    expect(fresh.book('yes')?.bids[0]).toEqual({ price: 960_000, size: 54_000_000 });
  });

  it('leaves the documented acknowledgements and errors to the client (not book messages)', () => {
    for (const reply of [DOCS_SUBSCRIBED, DOCS_UNSUBSCRIBED, ...DOCS_ERRORS]) expect(parseStreamMessage(reply)).toBeNull();
  });

  it('sends its commands in the documented shapes', () => {
    const protocol = new KalshiBookProtocol();
    const [subscribe] = protocol.subscriptions([DOCS_TICKER]);
    // The documented "subscribeMultipleChannels" form (market_tickers), with use_yes_price, a documented parameter.
    expect(Object.keys(DOCS_SUBSCRIBE_COMMANDS[1]!.params)).toEqual(['channels', 'market_tickers']);
    expect(JSON.parse(subscribe!)).toEqual({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [DOCS_TICKER], use_yes_price: false } });
    protocol.receive(JSON.stringify(DOCS_ORDERBOOK_SNAPSHOT), 1_000);
    const sent: string[] = [];
    protocol.resnapshot(DOCS_TICKER, (text) => sent.push(text));
    expect(Object.keys(DOCS_UNSUBSCRIBE_COMMAND.params)).toEqual(['sids']);
    expect(sent.map((text) => JSON.parse(text) as unknown)).toEqual([
      { id: 2, cmd: 'unsubscribe', params: { sids: [2] } },
      { id: 3, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [DOCS_TICKER], use_yes_price: false } },
    ]);
  });
});

describe('kalshi stream client against the imitation', () => {
  const TICKER = 'KXFED-26DEC-T4.00';
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup = [];
  });

  async function running(tickers: readonly string[]) {
    const rest = await KalshiImitation.start({ apiKeyId: 'key-1', publicKey: keys.publicKey, books: { [TICKER]: { yes: [['0.4200', '10.00']], no: [] } }, balanceCents: 100_000 });
    cleanup.push(() => rest.close());
    const stream = await KalshiStreamImitation.start(rest);
    cleanup.push(() => stream.close());
    const headers = () => kalshiAuthHeaders({ apiKeyId: 'key-1', privateKey: keys.privateKey }, Date.now(), { method: 'GET', pathname: KALSHI_STREAM_PATH, bodyText: '' });
    const client = new KalshiStreamClient({ url: stream.url, headers, tickers, reconnectBaseMs: 10, reconnectMaxMs: 40, resnapshotRetryMs: 50 });
    cleanup.push(() => client.close());
    client.start();
    return { rest, stream, client };
  }

  it('keeps the book from the spec’s shapes (an empty side left out), and resubscribes after a terminal error', async () => {
    const { rest, stream, client } = await running([TICKER]);
    await vi.waitFor(() => expect(client.books.get(TICKER)?.state).toBe('live'));
    expect(stream.refused).toBe(0);
    expect(client.book(TICKER, 'yes')).toMatchObject({ bids: [{ price: 420_000, size: 10_000_000 }], asks: [] });
    rest.setLevel(TICKER, 'no', '0.5500', '3.00');
    rest.setLevel(TICKER, 'yes', '0.4200', '7.50');
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')).toMatchObject({ bids: [{ price: 420_000, size: 7_500_000 }], asks: [{ price: 450_000, size: 3_000_000 }] }));

    // The break and the new snapshot follow within milliseconds on loopback: seen here by the commands it caused (the
    // client tests check the reason) and by the book living on a new sid.
    stream.endSubscriptions(TICKER, 25);
    await vi.waitFor(() => expect(client.books.get(TICKER)?.subscription).toBe(2));
    expect(client.books.get(TICKER)?.state).toBe('live');
    expect(stream.commands.map((command) => command.cmd)).toEqual(['subscribe', 'unsubscribe', 'subscribe']);
    expect(stream.commands[1]).toMatchObject({ params: { sids: [1] } });
    rest.setLevel(TICKER, 'yes', '0.4300', '1.00');
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')?.bids).toEqual([{ price: 430_000, size: 1_000_000 }, { price: 420_000, size: 7_500_000 }]));
    // The unsubscribe of the ended sid was answered with code 7, which broke nothing; no retired code was sent.
    expect(stream.errors.map((error) => error.msg.code)).toEqual([25, 7]);
  });

  it('breaks the book of a market the venue refuses, naming the spec’s code', async () => {
    const { stream, client } = await running([TICKER, 'KXNOPE-26DEC']);
    await vi.waitFor(() => expect(client.books.get('KXNOPE-26DEC')?.brokenReason).toBe('subscription refused: Invalid parameter: market KXNOPE-26DEC not found (code 11)'));
    await vi.waitFor(() => expect(client.books.get(TICKER)?.state).toBe('live'));
    expect(stream.errors[0]).toMatchObject({ type: 'error', id: 2, msg: { code: 11, market_ticker: 'KXNOPE-26DEC' } });
  });
});
