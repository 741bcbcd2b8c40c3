// The stream client against a websocket server on loopback: it subscribes, keeps the book from a snapshot and deltas,
// answers null after a gap, and after an abrupt close reconnects, resubscribes and is whole again.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { reconnectDelayMs } from '../../src/venues/stream/book-socket.js';
import { KalshiStreamClient, type KalshiStreamOptions } from '../fixtures/venues/kalshi-stream-client.js';

const TICKER = 'KXRAIN-26DEC31-T2';

const MARKET_ID = '9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1';

function snapshot(sid: number, seq: number, yesDollars: string[][]): string {
  return JSON.stringify({ type: 'orderbook_snapshot', sid, seq, msg: { market_ticker: TICKER, market_id: MARKET_ID, yes_dollars_fp: yesDollars, no_dollars_fp: [['0.5500', '3.00']] } });
}

/** A delta of whole contracts (`change` an integer), as the spec's `delta_fp` text: "5.00", "-4.00". */
function delta(sid: number, seq: number, priceDollars: string, change: number): string {
  return JSON.stringify({ type: 'orderbook_delta', sid, seq, msg: { market_ticker: TICKER, market_id: MARKET_ID, price_dollars: priceDollars, delta_fp: `${change}.00`, side: 'yes' } });
}

interface Loopback {
  readonly server: WebSocketServer;
  readonly url: string;
  readonly commands: unknown[];
  readonly sockets: WebSocket[];
}

async function loopback(): Promise<Loopback> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const commands: unknown[] = [];
  const sockets: WebSocket[] = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => commands.push(JSON.parse(String(data))));
  });
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, commands, sockets };
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** A loopback server and a client of TICKER started against it, both closed after the test. */
async function started(options: Omit<KalshiStreamOptions, 'url' | 'tickers'>): Promise<{ imitation: Loopback; client: KalshiStreamClient }> {
  const imitation = await loopback();
  cleanup.push(() => new Promise((resolve) => imitation.server.close(() => resolve())));
  const client = new KalshiStreamClient({ url: imitation.url, tickers: [TICKER], ...options });
  cleanup.push(() => client.close());
  client.start();
  return { imitation, client };
}

describe('kalshi stream client', () => {
  it('subscribes, follows deltas, breaks on a gap, and after an abrupt close reconnects whole', async () => {
    const { imitation, client } = await started({ reconnectBaseMs: 10, reconnectMaxMs: 40, random: () => 0.5, now: () => 1_000 });

    await vi.waitFor(() => expect(imitation.commands).toHaveLength(1));
    expect(imitation.commands[0]).toEqual({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [TICKER], use_yes_price: false } });
    const first = imitation.sockets[0]!;
    first.send(snapshot(3, 1, [['0.4200', '10.00']]));
    first.send(delta(3, 2, '0.4300', 5));
    first.send(delta(3, 3, '0.4200', -4));
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')?.bids).toEqual([{ price: 430_000, size: 5_000_000 }, { price: 420_000, size: 6_000_000 }]));
    expect(client.book(TICKER, 'yes')?.asks).toEqual([{ price: 450_000, size: 3_000_000 }]);

    first.send(delta(3, 5, '0.4300', 1));
    await vi.waitFor(() => expect(client.books.get(TICKER)?.brokenReason).toMatch(/gap: seq 5 after 3/));
    expect(client.book(TICKER, 'yes')).toBeNull();
    // The broken book is asked for again on the live connection: its subscription is given up and made anew.
    await vi.waitFor(() => expect(imitation.commands).toHaveLength(3));
    expect(imitation.commands[1]).toEqual({ id: 2, cmd: 'unsubscribe', params: { sids: [3] } });
    expect(imitation.commands[2]).toMatchObject({ id: 3, cmd: 'subscribe', params: { market_tickers: [TICKER] } });
    // A late delta of the given-up subscription is dropped, not read as a fault of the new one.
    first.send(delta(3, 6, '0.4300', 1));
    first.send(snapshot(4, 1, [['0.4100', '2.00']]));
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')?.bids).toEqual([{ price: 410_000, size: 2_000_000 }]));
    first.send(delta(3, 7, '0.4300', 1));
    first.send(delta(4, 2, '0.4100', 1));
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')?.bids).toEqual([{ price: 410_000, size: 3_000_000 }]));
    expect(client.books.get(TICKER)?.state).toBe('live');

    // A drop breaks a live book at once, before the reconnect brings its snapshot.
    first.terminate();
    await vi.waitFor(() => expect(client.books.get(TICKER)?.brokenReason).toBe('stream connection closed'));
    expect(client.book(TICKER, 'yes')).toBeNull();
    await vi.waitFor(() => expect(imitation.commands).toHaveLength(4));
    expect(client.connections).toBe(2);
    expect(imitation.commands[3]).toMatchObject({ id: 4, cmd: 'subscribe', params: { market_tickers: [TICKER] } });
    imitation.sockets[1]!.send(snapshot(5, 1, [['0.4000', '1.00']]));
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')?.bids).toEqual([{ price: 400_000, size: 1_000_000 }]));
  });

  it('breaks every book on a frame it cannot read', async () => {
    const { imitation, client } = await started({ reconnectBaseMs: 10, reconnectMaxMs: 40 });
    await vi.waitFor(() => expect(imitation.sockets).toHaveLength(1));
    imitation.sockets[0]!.send(snapshot(3, 1, [['0.4200', '10.00']]));
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')).not.toBeNull());
    imitation.sockets[0]!.send('{"type":"orderbook_delta","sid":3,"seq":2,"msg":{"market_ticker":');
    await vi.waitFor(() => expect(client.books.get(TICKER)?.brokenReason).toMatch(/unreadable/));
    expect(client.book(TICKER, 'yes')).toBeNull();
  });

  it('breaks the book of a market whose subscription is refused, and asks again later', async () => {
    const { imitation, client } = await started({ resnapshotRetryMs: 20, staleAfterMs: 60 });
    await vi.waitFor(() => expect(imitation.commands).toHaveLength(1));
    imitation.sockets[0]!.send(JSON.stringify({ type: 'error', id: 1, msg: { code: 11, msg: 'Invalid parameter', market_ticker: TICKER } }));
    await vi.waitFor(() => expect(client.books.get(TICKER)?.brokenReason).toBe('subscription refused: Invalid parameter (code 11)'));
    // Asked again (a subscribe of the same market) once the retry is due, not in a loop.
    await vi.waitFor(() => expect(imitation.commands.length).toBeGreaterThanOrEqual(3));
    expect(imitation.commands.slice(1).every((command) => (command as { params: { market_tickers?: string[] } }).params.market_tickers?.[0] === TICKER)).toBe(true);
    // An error answering no command of ours breaks nothing (control: the book is whole after its snapshot).
    imitation.sockets[0]!.send(snapshot(9, 1, [['0.4200', '1.00']]));
    await vi.waitFor(() => expect(client.books.get(TICKER)?.state).toBe('live'));
    imitation.sockets[0]!.send(JSON.stringify({ type: 'error', id: 999, msg: { code: 1, msg: 'other' } }));
    imitation.sockets[0]!.send(JSON.stringify({ type: 'error', sid: 8, seq: 4, msg: { code: 25, msg: 'Subscription buffer overflow' } }));
    imitation.sockets[0]!.send(JSON.stringify({ type: 'orderbook_delta', sid: 9, seq: 2, msg: { market_ticker: TICKER, market_id: MARKET_ID, price_dollars: '0.4200', delta_fp: '1.00', side: 'yes' } }));
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')?.bids).toEqual([{ price: 420_000, size: 2_000_000 }]));
  });

  it('breaks the book whose subscription a terminal error ends (by sid), and subscribes it again', async () => {
    const { imitation, client } = await started({ reconnectBaseMs: 10, reconnectMaxMs: 40 });
    await vi.waitFor(() => expect(imitation.commands).toHaveLength(1));
    imitation.sockets[0]!.send(snapshot(4, 1, [['0.4200', '10.00']]));
    await vi.waitFor(() => expect(client.books.get(TICKER)?.state).toBe('live'));
    // Codes 10 and 25 are terminal: the subscription sends nothing more, so the book must not stay live on it.
    imitation.sockets[0]!.send(JSON.stringify({ type: 'error', sid: 4, seq: 2, msg: { code: 25, msg: 'Subscription buffer overflow' } }));
    await vi.waitFor(() => expect(client.books.get(TICKER)?.brokenReason).toBe('subscription 4 failed: Subscription buffer overflow (code 25)'));
    await vi.waitFor(() => expect(imitation.commands).toHaveLength(3));
    expect(imitation.commands.slice(1)).toMatchObject([{ cmd: 'unsubscribe', params: { sids: [4] } }, { cmd: 'subscribe', params: { market_tickers: [TICKER] } }]);
    // The given-up sid's answer (code 7, it is gone already) and its late errors break nothing of the new subscription.
    imitation.sockets[0]!.send(JSON.stringify({ type: 'error', id: 2, msg: { code: 7, msg: 'Unknown subscription ID' } }));
    imitation.sockets[0]!.send(snapshot(5, 1, [['0.4100', '2.00']]));
    imitation.sockets[0]!.send(JSON.stringify({ type: 'error', sid: 4, seq: 3, msg: { code: 10, msg: 'Channel error' } }));
    imitation.sockets[0]!.send(delta(5, 2, '0.4100', 1));
    await vi.waitFor(() => expect(client.book(TICKER, 'yes')?.bids).toEqual([{ price: 410_000, size: 3_000_000 }]));
    expect(client.books.get(TICKER)?.state).toBe('live');
  });

  it('waits longer after each failed attempt, up to the cap, jittered into the upper half', () => {
    expect([0, 1, 2, 3, 10, 100].map((attempt) => reconnectDelayMs(attempt, 500, 30_000, () => 0))).toEqual([250, 500, 1_000, 2_000, 15_000, 15_000]);
    expect([0, 1, 2, 3, 10, 100].map((attempt) => reconnectDelayMs(attempt, 500, 30_000, () => 0.999_999))).toEqual([500, 1_000, 2_000, 4_000, 30_000, 30_000]);
  });
});
