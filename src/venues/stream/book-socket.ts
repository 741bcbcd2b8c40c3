// A venue's book stream on one websocket, shared by every streaming venue: it connects (after the protocol's
// preparation), subscribes, hands frames to the protocol, tells the listener which books changed or broke, and asks
// for a new snapshot of a book that broke while the connection lives. A connection that goes silent for
// staleAfterMs (no message, ping or pong, although we ping it) is as good as dropped: it is terminated, every book
// breaks (the venue pauses), and it reconnects with capped, jittered backoff, which brings fresh snapshots.
import WebSocket from 'ws';
import type { BookStream, BookStreamListener } from '../venue.js';
import type { StreamProtocol } from './streamed-market.js';

export interface BookSocketOptions {
  readonly url: string;
  /** Handshake headers, built anew for each connection (Kalshi signs a timestamp into them). */
  readonly headers?: () => Record<string, string>;
  /** No frame for this long and the connection is dropped and reopened. */
  readonly staleAfterMs?: number;
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** A book that is still broken this long after its new snapshot was asked for is asked for again. */
  readonly resnapshotRetryMs?: number;
  /** In [0, 1): spreads reconnects so many clients dropped at once do not return at once. */
  readonly random?: () => number;
  readonly now?: () => number;
}

export const STREAM_STALE_AFTER_MS_DEFAULT = 15_000;
const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 30_000;
const RESNAPSHOT_RETRY_MS = 5_000;
/** Doublings before the cap is reached anyway; bounds the exponent. */
const RECONNECT_DOUBLINGS_MAX = 16;
/** The largest frame accepted: a book of a few thousand levels is far below it; more is refused, not buffered. */
const FRAME_BYTES_MAX = 8 * 1024 * 1024;
/** Heartbeats per staleness window: a live connection answers a ping well inside it. */
const HEARTBEATS_PER_STALE_WINDOW = 3;

/**
 * The wait before reconnect attempt `attempt` (0 for the first): base × 2^attempt, capped, then jittered into its upper
 * half, so the wait still grows while clients spread out.
 */
export function reconnectDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, RECONNECT_DOUBLINGS_MAX));
  return Math.round(capped / 2 + (capped / 2) * random());
}

const NO_LISTENER: BookStreamListener = { changed: () => undefined, broken: () => undefined };

export class BookSocketStream implements BookStream {
  /** Connections opened so far, the first included. */
  connections = 0;
  private markets: readonly string[] = [];
  private listener: BookStreamListener = NO_LISTENER;
  private socket: WebSocket | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastFrameMs = 0;
  private attempt = 0;
  private prepared = false;
  private closed = false;
  /** Markets broken now, with when their new snapshot was last asked for (null: not yet). */
  private readonly broken = new Map<string, number | null>();

  constructor(
    readonly protocol: StreamProtocol,
    private readonly options: BookSocketOptions,
  ) {}

  start(markets: readonly string[], listener: BookStreamListener): void {
    if (this.closed || this.markets.length > 0) return;
    this.markets = [...markets];
    this.listener = listener;
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.reconnectTimer = null;
    this.heartbeat = null;
    const socket = this.socket;
    this.socket = null;
    if (socket === null || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }

  private nowMs(): number {
    return (this.options.now ?? Date.now)();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    if (!this.prepared) {
      try {
        await this.protocol.prepare?.(this.markets);
        this.prepared = true;
      } catch (error) {
        return this.down(`stream not started: ${(error as Error).message}`);
      }
      if (this.closed) return;
    }
    let headers: Record<string, string>;
    try {
      headers = this.options.headers?.() ?? {};
    } catch (error) {
      // Credentials that cannot sign: tried again later (the file may be fixed meanwhile).
      return this.down(`stream not started: ${(error as Error).message}`);
    }
    this.connections += 1;
    // Redirects are not followed (ws's default, kept explicit): signed headers go to the configured host only.
    // A handshake that never completes counts as silence too.
    const socket = new WebSocket(this.options.url, { headers, maxPayload: FRAME_BYTES_MAX, followRedirects: false, handshakeTimeout: this.staleAfterMs() });
    this.socket = socket;
    this.lastFrameMs = this.nowMs();
    let failure = '';
    socket.on('open', () => this.opened(socket));
    socket.on('message', (data) => this.receive(socket, String(data)));
    socket.on('ping', () => this.heard(socket));
    socket.on('pong', () => this.heard(socket));
    // 'error' is always followed by 'close', where the reconnect is decided; its message says why (a refused
    // handshake: "Unexpected server response: 401").
    socket.on('error', (error) => (failure = `: ${error.message}`));
    socket.on('close', () => this.dropped(socket, `stream connection closed${failure}`));
    this.heartbeat ??= setInterval(() => this.beat(), Math.max(1, Math.floor(this.staleAfterMs() / HEARTBEATS_PER_STALE_WINDOW)));
  }

  private staleAfterMs(): number {
    return this.options.staleAfterMs ?? STREAM_STALE_AFTER_MS_DEFAULT;
  }

  private opened(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.heard(socket);
    for (const text of this.protocol.subscriptions(this.markets)) socket.send(text);
    // The subscriptions ask for every snapshot; one that has not come by resnapshotRetryMs is asked for again.
    const nowMs = this.nowMs();
    for (const market of this.broken.keys()) this.broken.set(market, nowMs);
  }

  private heard(socket: WebSocket): void {
    if (this.socket === socket) this.lastFrameMs = this.nowMs();
  }

  private receive(socket: WebSocket, text: string): void {
    if (this.socket !== socket) return;
    const receivedMs = this.nowMs();
    this.lastFrameMs = receivedMs;
    for (const market of this.protocol.receive(text, receivedMs)) this.touched(market, receivedMs);
  }

  /** Tells the listener what a frame did to the market's book; a newly broken book is asked for again. */
  private touched(market: string, receivedMs: number): void {
    const book = this.protocol.books.get(market);
    if (book === undefined) return;
    if (book.state === 'live') {
      this.broken.delete(market);
      // A snapshot proves the subscription works: the next drop starts its backoff from the beginning.
      this.attempt = 0;
      this.listener.changed(market, receivedMs);
      return;
    }
    if (book.state !== 'broken' || this.broken.has(market)) return;
    this.broken.set(market, null);
    this.listener.broken(market, book.brokenReason ?? 'broken');
    this.askSnapshot(market);
  }

  private askSnapshot(market: string): void {
    const socket = this.socket;
    if (socket === null || socket.readyState !== WebSocket.OPEN) return; // the reconnect resubscribes
    this.broken.set(market, this.nowMs());
    const send = (text: string): void => {
      if (this.socket === socket && socket.readyState === WebSocket.OPEN) socket.send(text);
    };
    Promise.resolve()
      .then(() => this.protocol.resnapshot(market, send))
      .then(
        () => {
          // A snapshot read over REST after the connection dropped is followed by no stream: not whole.
          if (this.socket !== socket) this.protocol.books.get(market)?.markBroken('stream connection closed during the new snapshot');
          else this.touched(market, this.nowMs());
        },
        () => undefined, // still broken: asked again after resnapshotRetryMs
      );
  }

  /** Pings, drops a silent connection, and asks again for snapshots that did not come. */
  private beat(): void {
    const socket = this.socket;
    if (socket === null || socket.readyState !== WebSocket.OPEN) return;
    const nowMs = this.nowMs();
    if (nowMs - this.lastFrameMs > this.staleAfterMs()) {
      this.dropped(socket, `stream silent for more than ${this.staleAfterMs()} ms`);
      socket.terminate();
      return;
    }
    socket.ping();
    if (this.protocol.keepAliveText !== undefined) socket.send(this.protocol.keepAliveText);
    const retryMs = this.options.resnapshotRetryMs ?? RESNAPSHOT_RETRY_MS;
    for (const [market, askedMs] of this.broken) if (askedMs === null || nowMs - askedMs >= retryMs) this.askSnapshot(market);
  }

  private dropped(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.down(reason);
  }

  /**
   * No connection (dropped, or it could not be made): every book breaks, each told once however many attempts follow,
   * and the next attempt is scheduled.
   */
  private down(reason: string): void {
    for (const market of this.markets) {
      this.protocol.books.get(market)?.markBroken(reason);
      if (!this.broken.has(market)) this.listener.broken(market, reason);
      // The reconnect's subscriptions bring the new snapshots: nothing to ask for until then.
      this.broken.set(market, Number.POSITIVE_INFINITY);
    }
    this.retryLater();
  }

  private retryLater(): void {
    if (this.closed) return;
    // No attempt limit: the books stay broken (the venue paused) while it is down, and the wait is capped.
    const delayMs = reconnectDelayMs(this.attempt, this.options.reconnectBaseMs ?? RECONNECT_BASE_MS, this.options.reconnectMaxMs ?? RECONNECT_MAX_MS, this.options.random ?? Math.random);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delayMs);
  }
}
