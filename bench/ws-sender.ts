// The websocket server of the websocket-latency benchmark (ws-latency.ts), in a process of its own so that the
// sender's event loop is not the receiver's. It imitates Kalshi's book stream on loopback: a client that subscribes
// gets one snapshot per market (subscription 1, seq 1), and a client that says "floor" is the floor's bare receiver.
// The parent tells it over IPC what to send to which; it stamps each timed frame with process.hrtime (the system's
// monotonic clock, which the parent reads too) just before handing it to the socket, and returns the stamps at the end.
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

/** What the parent asks of this process. */
export type SenderCommand =
  | { readonly cmd: 'send'; readonly target: 'stream' | 'floor'; readonly text: string; readonly stamp: string | null }
  | { readonly cmd: 'stamps' }
  | { readonly cmd: 'exit' };

/** What this process tells the parent. */
export type SenderReport =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'subscribed'; readonly tickers: readonly string[] }
  | { readonly type: 'floor_connected' }
  | { readonly type: 'stamps'; readonly stamps: Readonly<Record<string, string>> }
  | { readonly type: 'error'; readonly message: string };

/** The snapshot each subscribed market starts from: YES bid 0.40 and NO bid 0.45, so YES is asked at 0.55. */
export function snapshotFrame(ticker: string): string {
  return JSON.stringify({ type: 'orderbook_snapshot', sid: 1, seq: 1, msg: { market_ticker: ticker, yes_dollars_fp: [['0.4000', '100.00']], no_dollars_fp: [['0.4500', '100.00']] } });
}

function report(message: SenderReport): void {
  process.send?.(message);
}

function serve(): void {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  let stream: WebSocket | null = null;
  let floor: WebSocket | null = null;
  const stamps: Record<string, string> = {};
  server.on('listening', () => report({ type: 'listening', port: (server.address() as AddressInfo).port }));
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const text = String(data);
      if (text === 'floor') {
        floor = socket;
        report({ type: 'floor_connected' });
        return;
      }
      const command = JSON.parse(text) as { cmd?: string; params?: { market_tickers?: string[] } };
      if (command.cmd !== 'subscribe' || stream !== null) {
        // One subscription per market, once: anything else (a resubscribe after a broken book) spoils the run.
        report({ type: 'error', message: `unexpected stream command: ${text}` });
        return;
      }
      stream = socket;
      const tickers = command.params?.market_tickers ?? [];
      for (const ticker of tickers) socket.send(snapshotFrame(ticker));
      report({ type: 'subscribed', tickers });
    });
  });
  process.on('message', (command: SenderCommand) => {
    if (command.cmd === 'send') {
      const socket = command.target === 'stream' ? stream : floor;
      if (socket === null) return report({ type: 'error', message: `no ${command.target} client connected` });
      if (command.stamp !== null) stamps[command.stamp] = process.hrtime.bigint().toString();
      socket.send(command.text);
      return;
    }
    if (command.cmd === 'stamps') return report({ type: 'stamps', stamps });
    server.close();
    for (const client of server.clients) client.terminate();
    process.disconnect?.();
  });
}

serve();
