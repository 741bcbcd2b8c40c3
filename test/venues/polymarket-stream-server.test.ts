// The market channel imitation itself, against the adapter's parser and streamed book: a real ws client subscribes,
// receives the array of books, follows changes to the imitation's true book, and each injected fault breaks the book.
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { parseBook } from '../../src/venues/polymarket/models.js';
import { PolymarketStreamBook } from '../../src/venues/polymarket/stream-book.js';
import { parsePolymarketStreamMessage, polymarketMarketSubscription } from '../../src/venues/polymarket/stream-models.js';
import type { Outcome } from '../../src/venues/venue.js';
import { PolymarketStreamImitation } from '../fixtures/venues/polymarket-stream-server.js';

const CONDITION = '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1';
const TOKENS: Readonly<Record<Outcome, string>> = { yes: '71321045679252212594626385532706912750332728571942532289631379312455583992563', no: '52114319501245915516055106046884209969926127482827954674443846427813813222426' };

interface Client {
  readonly socket: WebSocket;
  readonly book: PolymarketStreamBook;
  /** Every frame received, as text. */
  readonly frames: string[];
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function imitation(): Promise<PolymarketStreamImitation> {
  const server = await PolymarketStreamImitation.start({
    conditionId: CONDITION,
    books: {
      [TOKENS.yes]: { bids: [['0.48', '30'], ['0.49', '20']], asks: [['0.52', '25'], ['0.53', '60']] },
      [TOKENS.no]: { bids: [['0.47', '10']], asks: [['0.51', '15.5']] },
    },
  });
  cleanup.push(() => server.close());
  return server;
}

/** A client that feeds every frame through the parser into a streamed book, as the stream client will. */
async function client(server: PolymarketStreamImitation): Promise<Client> {
  const socket = new WebSocket(server.url);
  const book = new PolymarketStreamBook('polymarket', CONDITION, TOKENS);
  const frames: string[] = [];
  socket.on('message', (data) => {
    const text = String(data);
    frames.push(text);
    const events = parsePolymarketStreamMessage(text === 'PONG' ? text : JSON.parse(text));
    for (const event of events) {
      if (event.kind === 'book') book.applyBook(event, Date.now());
      else if (event.kind === 'price_change') book.applyChanges(event, Date.now());
    }
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('open', () => resolve()));
  cleanup.push(async () => socket.terminate());
  socket.send(polymarketMarketSubscription([TOKENS.yes, TOKENS.no]));
  await vi.waitFor(() => expect(book.state).toBe('live'));
  return { socket, book, frames };
}

/** The streamed book's levels equal the imitation's true book, read through the adapter's REST parser. */
function expectTrueBook(server: PolymarketStreamImitation, book: PolymarketStreamBook): void {
  for (const outcome of ['yes', 'no'] as const) {
    const rest = parseBook(server.restBook(TOKENS[outcome]), 'polymarket', CONDITION, outcome, 0);
    expect(book.book(outcome)).toMatchObject({ bids: rest.bids, asks: rest.asks });
  }
}

describe('polymarket market channel imitation', () => {
  it('answers a subscription with an array of books, PING with PONG, and follows changes to its true book', async () => {
    const server = await imitation();
    const { socket, book, frames } = await client(server);
    expect(server.received[0]).toEqual({ assets_ids: [TOKENS.yes, TOKENS.no], type: 'market' });
    expect(Array.isArray(JSON.parse(frames[0]!))).toBe(true);
    expectTrueBook(server, book);
    socket.send('PING');
    await vi.waitFor(() => expect(frames).toContain('PONG'));
    expect(server.received).toContain('PING');

    server.setLevel(TOKENS.yes, 'bid', '0.50', '12.5');
    server.setLevel(TOKENS.yes, 'ask', '0.52', '0');
    server.setLevel(TOKENS.no, 'ask', '0.51', '0');
    server.setLevel(TOKENS.no, 'bid', '0.30', '7');
    await vi.waitFor(() => expect(book.book('no')?.bids[1]?.price).toBe(300_000));
    expect(book.state).toBe('live');
    expectTrueBook(server, book);
    expect(book.book('yes')?.bids[0]).toEqual({ price: 500_000, size: 12_500_000 });
    expect(book.book('no')?.asks).toEqual([]);
  });

  it('a dropped change breaks the book once the next change reports a top it does not have', async () => {
    const server = await imitation();
    const { book } = await client(server);
    server.dropNext();
    server.setLevel(TOKENS.yes, 'bid', '0.50', '5');
    server.setLevel(TOKENS.yes, 'ask', '0.60', '5');
    await vi.waitFor(() => expect(book.state).toBe('broken'));
    expect(book.brokenReason).toMatch(/missed change of yes/);
    expect(book.book('yes')).toBeNull();
  });

  it('a repeated change breaks the book as a duplicate, a late one as out of order', async () => {
    const server = await imitation();
    const first = await client(server);
    server.setLevel(TOKENS.no, 'bid', '0.46', '3');
    server.duplicateLast();
    await vi.waitFor(() => expect(first.book.brokenReason).toMatch(/duplicate change of no/));

    const second = await client(server);
    server.setLevel(TOKENS.no, 'bid', '0.44', '3');
    server.sendOutOfOrder();
    await vi.waitFor(() => expect(second.book.brokenReason).toMatch(/out-of-order change of no/));
  });

  it('an abrupt close ends the connection; a new subscription brings whole books again', async () => {
    const server = await imitation();
    const { socket, book } = await client(server);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    server.closeAbruptly();
    await closed;
    book.markBroken('connection closed');
    server.setLevel(TOKENS.yes, 'bid', '0.40', '1');
    const again = await client(server);
    expectTrueBook(server, again.book);
  });
});
