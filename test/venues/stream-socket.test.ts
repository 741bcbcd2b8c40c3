// The shared book socket (BookSocketStream) with Kalshi's protocol against a websocket server on loopback: a silent
// connection is dropped, every book breaks once and the stream comes back subscribed; an unanswered resnapshot is
// asked again; a failed preparation or handshake header is said on every book and retried; the listener hears of a
// book only while it is whole; close ends it all. Each is checked with a control that would notice it broken.
// Waits are counted in heartbeats the server hears, never in elapsed time.
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { KalshiBookProtocol } from '../../src/venues/kalshi/stream-client.js';
import { BookSocketStream, type BookSocketOptions } from '../../src/venues/stream/book-socket.js';
import type { BookStreamListener } from '../../src/venues/venue.js';

const RAIN = 'KXRAIN-26DEC31-T2';
const SNOW = 'KXSNOW-26DEC31-T1';
const WAIT = { timeout: 5_000, interval: 5 };
/** Small values so a test sees several staleness windows and retries in well under a second. */
const FAST: Omit<BookSocketOptions, 'url'> = { staleAfterMs: 150, reconnectBaseMs: 10, reconnectMaxMs: 40, resnapshotRetryMs: 100, random: () => 0.5 };

interface Command {
  readonly id: number;
  readonly cmd: string;
  readonly params: { readonly sids?: number[]; readonly market_tickers?: string[] };
}

/** One connection as the server saw it: its handshake headers, the commands it sent, the pings it sent. */
interface Connection {
  readonly socket: WebSocket;
  readonly headers: IncomingHttpHeaders;
  readonly commands: Command[];
  pings: number;
}

interface Loopback {
  readonly url: string;
  readonly connections: Connection[];
  close(): Promise<void>;
}

async function loopback(): Promise<Loopback> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const connections: Connection[] = [];
  server.on('connection', (socket, request) => {
    const connection: Connection = { socket, headers: request.headers, commands: [], pings: 0 };
    connections.push(connection);
    socket.on('message', (data) => connection.commands.push(JSON.parse(String(data)) as Command));
    socket.on('ping', () => (connection.pings += 1));
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    // A paused socket would never read its peer's close: every one is ended here so the server can close.
    close: async () => {
      for (const socket of server.clients) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until the connection has answered `beats` more heartbeats: time passes, counted in the client's own pings. */
async function heartbeats(connection: Connection, beats: number): Promise<void> {
  const until = connection.pings + beats;
  await vi.waitFor(() => expect(connection.pings).toBeGreaterThanOrEqual(until), WAIT);
}

interface Heard {
  readonly changed: string[];
  readonly broken: Array<{ market: string; reason: string }>;
  readonly listener: BookStreamListener;
}

function recorder(): Heard {
  const changed: string[] = [];
  const broken: Array<{ market: string; reason: string }> = [];
  return { changed, broken, listener: { changed: (market) => changed.push(market), broken: (market, reason) => broken.push({ market, reason }) } };
}

function snapshot(ticker: string, sid: number, yesDollars: string[][] = [['0.4200', '10.00']]): string {
  return JSON.stringify({ type: 'orderbook_snapshot', sid, seq: 1, msg: { market_ticker: ticker, yes_dollars_fp: yesDollars, no_dollars_fp: [['0.5500', '3.00']] } });
}

function delta(ticker: string, sid: number, seq: number, change = 1): string {
  return JSON.stringify({ type: 'orderbook_delta', sid, seq, msg: { market_ticker: ticker, price_dollars: '0.4200', delta_fp: `${change}.00`, side: 'yes' } });
}

const subscribed = (connection: Connection | undefined) => (connection?.commands ?? []).filter((command) => command.cmd === 'subscribe').flatMap((command) => command.params.market_tickers ?? []);

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function started(markets: readonly string[], options: Omit<BookSocketOptions, 'url'> = FAST, protocol = new KalshiBookProtocol()) {
  const server = await loopback();
  cleanup.push(() => server.close());
  const stream = new BookSocketStream(protocol, { url: server.url, ...options });
  cleanup.push(() => stream.close());
  const heard = recorder();
  stream.start(markets, heard.listener);
  return { server, stream, heard, protocol };
}

/** Started, subscribed on the first connection, and every market's snapshot heard. */
async function live(markets: readonly string[], options: Omit<BookSocketOptions, 'url'> = FAST) {
  const setup = await started(markets, options);
  await vi.waitFor(() => expect(subscribed(setup.server.connections[0])).toEqual(markets), WAIT);
  markets.forEach((market, index) => setup.server.connections[0]!.socket.send(snapshot(market, 3 + index)));
  await vi.waitFor(() => expect(setup.heard.changed).toHaveLength(markets.length), WAIT);
  return setup;
}

describe('book socket: staleness', () => {
  it('drops a silent connection, breaks every book once, reconnects and resubscribes', async () => {
    const { server, stream, heard, protocol } = await live([RAIN, SNOW]);
    server.connections[0]!.socket.pause(); // the server stops reading: pings go unanswered

    await vi.waitFor(() => expect(heard.broken).toHaveLength(2), WAIT);
    expect(heard.broken.map((entry) => entry.market).sort()).toEqual([RAIN, SNOW].sort());
    for (const entry of heard.broken) expect(entry.reason).toMatch(/stream silent for more than 150 ms/);
    expect(protocol.books.get(RAIN)?.brokenReason).toMatch(/stream silent for more than/);

    await vi.waitFor(() => expect(subscribed(server.connections[1])).toEqual([RAIN, SNOW]), WAIT);
    expect(stream.connections).toBe(2);
    server.connections[1]!.socket.send(snapshot(RAIN, 7));
    server.connections[1]!.socket.send(snapshot(SNOW, 8));
    await vi.waitFor(() => expect(heard.changed).toHaveLength(4), WAIT);
    expect(protocol.books.get(RAIN)?.state).toBe('live');
    // Once per market: the terminated socket's own close is not a second break.
    expect(heard.broken).toHaveLength(2);
  });

  it('does not tell a book broken twice when the connection drops while it is already broken', async () => {
    const { server, heard } = await live([RAIN, SNOW]);
    server.connections[0]!.socket.send(delta(SNOW, 4, 3)); // a gap on SNOW
    await vi.waitFor(() => expect(server.connections[0]!.commands).toHaveLength(4), WAIT);
    server.connections[0]!.socket.pause();
    await vi.waitFor(() => expect(subscribed(server.connections[1])).toEqual([RAIN, SNOW]), WAIT);
    expect(heard.broken).toEqual([
      { market: SNOW, reason: 'gap: seq 3 after 1' },
      { market: RAIN, reason: 'stream silent for more than 150 ms' },
    ]);
  });

  it('control: a connection that answers its pings stays up through several staleness windows', async () => {
    const { server, stream, heard } = await live([RAIN]);
    await heartbeats(server.connections[0]!, 12); // four windows of three heartbeats
    expect(stream.connections).toBe(1);
    expect(server.connections).toHaveLength(1);
    expect(heard.broken).toEqual([]);
  });
});

describe('book socket: resnapshot', () => {
  it('asks again for a snapshot that does not come after resnapshotRetryMs', async () => {
    const { server, heard } = await live([RAIN]);
    const connection = server.connections[0]!;
    connection.socket.send(delta(RAIN, 3, 3)); // seq 3 after 1: a gap
    await vi.waitFor(() => expect(connection.commands).toHaveLength(3), WAIT);
    expect(heard.broken).toEqual([{ market: RAIN, reason: 'gap: seq 3 after 1' }]);
    expect(connection.commands.slice(1).map((command) => command.cmd)).toEqual(['unsubscribe', 'subscribe']);

    await vi.waitFor(() => expect(connection.commands).toHaveLength(5), WAIT);
    expect(connection.commands.slice(3).map((command) => command.cmd)).toEqual(['unsubscribe', 'subscribe']);
    expect(connection.commands[3]!.params.sids).toEqual([3]);
    expect(connection.commands[4]!.params.market_tickers).toEqual([RAIN]);
    // The break was told once, however often its snapshot is asked for.
    expect(heard.broken).toHaveLength(1);

    connection.socket.send(snapshot(RAIN, 5));
    await vi.waitFor(() => expect(heard.changed).toHaveLength(2), WAIT);
  });

  it('control: a snapshot that does come is not asked for again', async () => {
    const { server, heard } = await live([RAIN]);
    const connection = server.connections[0]!;
    connection.socket.send(delta(RAIN, 3, 3));
    await vi.waitFor(() => expect(connection.commands).toHaveLength(3), WAIT);
    connection.socket.send(snapshot(RAIN, 4));
    await vi.waitFor(() => expect(heard.changed).toHaveLength(2), WAIT);
    await heartbeats(connection, 9); // three staleness windows, well past resnapshotRetryMs
    expect(connection.commands).toHaveLength(3);
    expect(heard.broken).toHaveLength(1);
  });
});

/** Kalshi's protocol with a preparation that fails its first `failures` times (as reading Polymarket's token ids may). */
class FailingPreparation extends KalshiBookProtocol {
  prepareCalls = 0;

  constructor(private readonly failures: number) {
    super();
  }

  async prepare(): Promise<void> {
    this.prepareCalls += 1;
    if (this.prepareCalls <= this.failures) throw new Error('token ids unavailable');
  }
}

describe('book socket: before the connection', () => {
  it('says a failed preparation on every book, then prepares again and connects', async () => {
    const protocol = new FailingPreparation(1);
    const { server, stream, heard } = await started([RAIN, SNOW], FAST, protocol);
    await vi.waitFor(() => expect(heard.broken).toHaveLength(2), WAIT);
    expect(heard.broken).toEqual([
      { market: RAIN, reason: 'stream not started: token ids unavailable' },
      { market: SNOW, reason: 'stream not started: token ids unavailable' },
    ]);
    await vi.waitFor(() => expect(subscribed(server.connections[0])).toEqual([RAIN, SNOW]), WAIT);
    expect(protocol.prepareCalls).toBe(2);
    expect(stream.connections).toBe(1);
    server.connections[0]!.socket.send(snapshot(RAIN, 3));
    await vi.waitFor(() => expect(heard.changed).toEqual([RAIN]), WAIT);
  });

  it('control: a preparation that succeeds breaks nothing and is not repeated on a reconnect', async () => {
    const protocol = new FailingPreparation(0);
    const { server, stream, heard } = await started([RAIN], FAST, protocol);
    await vi.waitFor(() => expect(subscribed(server.connections[0])).toEqual([RAIN]), WAIT);
    expect(heard.broken).toEqual([]);
    server.connections[0]!.socket.terminate();
    await vi.waitFor(() => expect(subscribed(server.connections[1])).toEqual([RAIN]), WAIT);
    expect(stream.connections).toBe(2);
    expect(protocol.prepareCalls).toBe(1);
    expect(heard.broken).toEqual([{ market: RAIN, reason: 'stream connection closed' }]);
  });

  it('attempts no connection while the headers cannot be built, says why on every book, and tries again', async () => {
    let headerCalls = 0;
    const connectionsWhenBroken: number[] = [];
    const headers = (): Record<string, string> => {
      headerCalls += 1;
      if (headerCalls === 1) throw new Error('private key unreadable');
      return { 'x-signature': `signed-${headerCalls}` };
    };
    const server = await loopback();
    cleanup.push(() => server.close());
    const stream = new BookSocketStream(new KalshiBookProtocol(), { url: server.url, headers, ...FAST });
    cleanup.push(() => stream.close());
    const heard = recorder();
    stream.start([RAIN, SNOW], {
      changed: heard.listener.changed,
      broken: (market, reason) => {
        connectionsWhenBroken.push(stream.connections);
        heard.listener.broken(market, reason);
      },
    });

    await vi.waitFor(() => expect(heard.broken).toHaveLength(2), WAIT);
    expect(heard.broken.map((entry) => entry.reason)).toEqual(['stream not started: private key unreadable', 'stream not started: private key unreadable']);
    expect(connectionsWhenBroken).toEqual([0, 0]);
    await vi.waitFor(() => expect(subscribed(server.connections[0])).toEqual([RAIN, SNOW]), WAIT);
    expect(server.connections).toHaveLength(1);
    expect(server.connections[0]!.headers['x-signature']).toBe('signed-2');
    expect(stream.connections).toBe(1);
  });

  it('control: headers are built anew for each connection', async () => {
    let headerCalls = 0;
    const server = await loopback();
    cleanup.push(() => server.close());
    const stream = new BookSocketStream(new KalshiBookProtocol(), { url: server.url, headers: () => ({ 'x-signature': `signed-${++headerCalls}` }), ...FAST });
    cleanup.push(() => stream.close());
    const heard = recorder();
    stream.start([RAIN], heard.listener);
    await vi.waitFor(() => expect(server.connections).toHaveLength(1), WAIT);
    server.connections[0]!.socket.terminate();
    await vi.waitFor(() => expect(server.connections).toHaveLength(2), WAIT);
    expect(server.connections.map((connection) => connection.headers['x-signature'])).toEqual(['signed-1', 'signed-2']);
    expect(heard.broken.map((entry) => entry.reason)).toEqual(['stream connection closed']);
  });
});

describe('book socket: what the listener hears', () => {
  it('hears a change for a snapshot and each in-order delta, and none while the book is broken', async () => {
    const { server, heard, protocol } = await live([RAIN]);
    const connection = server.connections[0]!;
    connection.socket.send(delta(RAIN, 3, 2));
    connection.socket.send(delta(RAIN, 3, 3));
    await vi.waitFor(() => expect(heard.changed).toEqual([RAIN, RAIN, RAIN]), WAIT);

    connection.socket.send(delta(RAIN, 3, 5)); // a gap
    // Deltas before the new snapshot: of the given-up subscription (dropped by the protocol) and of another
    // subscription (applied to the broken book, which stays broken).
    connection.socket.send(delta(RAIN, 3, 6));
    connection.socket.send(delta(RAIN, 9, 2));
    connection.socket.send(delta(RAIN, 9, 3));
    await vi.waitFor(() => expect(connection.commands).toHaveLength(3), WAIT);
    connection.socket.send(snapshot(RAIN, 4, [['0.4000', '1.00']]));
    // Frames arrive in order: when the snapshot's change is heard, every delta before it has been read.
    await vi.waitFor(() => expect(heard.changed).toHaveLength(4), WAIT);
    expect(heard.broken).toEqual([{ market: RAIN, reason: 'gap: seq 5 after 3' }]);
    expect(protocol.books.get(RAIN)?.book('yes')?.bids).toEqual([{ price: 400_000, size: 1_000_000 }]);

    // And the new subscription's deltas are heard again.
    connection.socket.send(delta(RAIN, 4, 2));
    await vi.waitFor(() => expect(heard.changed).toHaveLength(5), WAIT);
  });

  it('hears nothing of messages that are not of a subscribed book', async () => {
    const { server, heard } = await live([RAIN]);
    const connection = server.connections[0]!;
    connection.socket.send(JSON.stringify({ type: 'subscribed', id: 1, msg: { channel: 'orderbook_delta', sid: 3 } }));
    connection.socket.send(snapshot('KXOTHER-26DEC31', 11));
    connection.socket.send(delta(RAIN, 3, 2));
    await vi.waitFor(() => expect(heard.changed).toHaveLength(2), WAIT);
    expect(heard.changed).toEqual([RAIN, RAIN]);
    expect(heard.broken).toEqual([]);
  });
});

/**
 * Kalshi's wire with a resnapshot fetched elsewhere, as Polymarket's REST one is: it resolves when the test releases
 * it, and applies the snapshot it was given to the book.
 */
class HeldResnapshot extends KalshiBookProtocol {
  asked = 0;
  private release: (() => void) | null = null;

  override resnapshot(market: string): Promise<void> {
    this.asked += 1;
    return new Promise<void>((resolve) => (this.release = resolve)).then(() => void this.receive(snapshot(market, 40, [['0.3000', '1.00']]), 0));
  }

  answer(): void {
    this.release?.();
  }
}

/** Lets the promise callbacks queued so far run. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('book socket: a resnapshot fetched beside the socket', () => {
  it('control: a snapshot fetched while the connection lives makes the book whole again', async () => {
    const protocol = new HeldResnapshot();
    const { server, heard } = await started([RAIN], FAST, protocol);
    await vi.waitFor(() => expect(subscribed(server.connections[0])).toEqual([RAIN]), WAIT);
    server.connections[0]!.socket.send(snapshot(RAIN, 3));
    server.connections[0]!.socket.send(delta(RAIN, 3, 3));
    await vi.waitFor(() => expect(protocol.asked).toBe(1), WAIT);
    protocol.answer();
    await vi.waitFor(() => expect(heard.changed).toEqual([RAIN, RAIN]), WAIT);
    expect(protocol.books.get(RAIN)?.state).toBe('live');
  });

  // A REST resnapshot (Polymarket's) that lands after a drop would make the book live while no stream follows it:
  // the answer is checked against the connection it was asked on.
  it('does not tell a book whole from a snapshot fetched after its connection dropped', async () => {
    const protocol = new HeldResnapshot();
    const { server, stream, heard } = await started([RAIN], FAST, protocol);
    await vi.waitFor(() => expect(subscribed(server.connections[0])).toEqual([RAIN]), WAIT);
    server.connections[0]!.socket.send(snapshot(RAIN, 3));
    server.connections[0]!.socket.send(delta(RAIN, 3, 3)); // a gap: the resnapshot is asked for, and held
    await vi.waitFor(() => expect(protocol.asked).toBe(1), WAIT);
    await server.close(); // the connection drops and every reconnect is refused: the stream is down
    await vi.waitFor(() => expect(stream.connections).toBeGreaterThanOrEqual(2), WAIT);

    protocol.answer();
    await settled();
    await settled();
    expect(heard.changed).toEqual([RAIN]);
    expect(protocol.books.get(RAIN)?.state).not.toBe('live');
  });
});

describe('book socket: close', () => {
  it('stops reconnecting once closed, even with a reconnect already waiting', async () => {
    const server = await loopback();
    cleanup.push(() => server.close());
    // The closed stream waits longer before reconnecting than the control does, so it is closed while it waits.
    const closed = new BookSocketStream(new KalshiBookProtocol(), { url: server.url, ...FAST, reconnectBaseMs: 300, random: () => 0, headers: () => ({ 'x-client': 'closed' }) });
    const control = new BookSocketStream(new KalshiBookProtocol(), { url: server.url, ...FAST, headers: () => ({ 'x-client': 'control' }) });
    cleanup.push(() => closed.close(), () => control.close());
    const closedHeard = recorder();
    const controlHeard = recorder();
    closed.start([RAIN], closedHeard.listener);
    control.start([RAIN], controlHeard.listener);
    const of = (client: string) => server.connections.filter((connection) => connection.headers['x-client'] === client);
    await vi.waitFor(() => expect([of('closed').length, of('control').length]).toEqual([1, 1]), WAIT);

    for (const connection of server.connections) connection.socket.terminate();
    await vi.waitFor(() => expect(closedHeard.broken).toEqual([{ market: RAIN, reason: 'stream connection closed' }]), WAIT);
    await closed.close();

    // The control's reconnect shows the drop is one that reconnects; then past the closed stream's wait.
    await vi.waitFor(() => expect(of('control')).toHaveLength(2), WAIT);
    await heartbeats(of('control')[1]!, 9);
    expect(of('closed')).toHaveLength(1);
    expect(closed.connections).toBe(1);
    expect(control.connections).toBe(2);
  });

  it('closes a live connection and does not come back when the server drops it afterwards', async () => {
    const { server, stream } = await live([RAIN]);
    const controlStream = new BookSocketStream(new KalshiBookProtocol(), { url: server.url, ...FAST, headers: () => ({ 'x-client': 'control' }) });
    cleanup.push(() => controlStream.close());
    controlStream.start([RAIN], recorder().listener);
    await vi.waitFor(() => expect(server.connections).toHaveLength(2), WAIT);
    await stream.close();
    for (const connection of server.connections) connection.socket.terminate();
    await vi.waitFor(() => expect(server.connections).toHaveLength(3), WAIT);
    await heartbeats(server.connections[2]!, 9);
    expect(server.connections.map((connection) => connection.headers['x-client'] ?? 'closed')).toEqual(['closed', 'control', 'control']);
    expect(stream.connections).toBe(1);
  });
});

describe('book socket: a handshake that never completes', () => {
  // The heartbeat only watches an open socket, and ws has no handshake timeout by default: the stream bounds the
  // handshake by staleAfterMs, or a server that accepts and never answers would hold it forever.
  it('gives up a handshake unanswered past staleAfterMs and connects again', async () => {
    const accepted: Socket[] = [];
    const tcp: Server = createServer((socket) => accepted.push(socket)); // accepts, never answers the upgrade
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(async () => {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    });
    const stream = new BookSocketStream(new KalshiBookProtocol(), { url: `ws://127.0.0.1:${(tcp.address() as AddressInfo).port}`, ...FAST });
    cleanup.push(() => stream.close());
    stream.start([RAIN], recorder().listener);
    await vi.waitFor(() => expect(accepted).toHaveLength(1), WAIT);
    await vi.waitFor(() => expect(accepted).toHaveLength(2), { timeout: 2_000, interval: 10 });
  });
});
