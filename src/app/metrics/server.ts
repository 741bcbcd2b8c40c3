// The metrics endpoint: GET /metrics on a loopback address, nothing else. A scrape is served between two of the
// engine's events (one thread): it reads a few counters and two small ledger queries, and writes nothing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OperationalError } from '../../domain/errors.js';
import { EXPOSITION_CONTENT_TYPE, exposition, type MetricFamily } from './exposition.js';

/** Loopback only: the figures are the operator's, and the endpoint has no authentication. */
export const METRICS_HOST = '127.0.0.1';
/** A scraper that keeps a connection open does not hold the run's end for longer than this. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** A request's headers must arrive within this (a stalled client holds no socket for long). */
const HEADERS_TIMEOUT_MS = 10_000;

export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

function handle(request: IncomingMessage, response: ServerResponse, families: () => readonly MetricFamily[]): void {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  let body: string;
  try {
    body = exposition(families());
  } catch (error) {
    // A figure that cannot be read now (the ledger busy) fails this scrape only; the engine goes on.
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics not read: ${(error as Error).message}\n`);
    return;
  }
  response.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Listens on 127.0.0.1:`port` (0: a free port, chosen by the system); rejects when the port cannot be had. */
export async function startMetricsServer(port: number, families: () => readonly MetricFamily[]): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => handle(request, response, families));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new OperationalError(`metrics: cannot listen on ${METRICS_HOST}:${port} (${error.code ?? error.message})`)));
    server.listen(port, METRICS_HOST, () => resolve());
  });
  // Only the run keeps the process alive: an idle scraper's connection must not.
  server.unref();
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://${METRICS_HOST}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
