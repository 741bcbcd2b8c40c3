// Scaffolding shared by the venue imitation servers: a real node:http server on 127.0.0.1 (port 0), a log of every
// request it received, and fault injection (status bursts, dropped connections, delays) by method and path.
// Deliberately independent of src/: its decimal helpers are its own, so a bug in the adapters' money code cannot be
// mirrored here and cancel out.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly message?: string }
  /** The connection is closed before the request is handled: nothing happened on the venue. */
  | { readonly kind: 'drop' }
  /** The request is handled only after this delay (for client timeouts). */
  | { readonly kind: 'delay'; readonly delayMs: number }
  /** The venue handles the request (e.g. accepts the order), then the connection drops before the answer. */
  | { readonly kind: 'drop-after-accept' };

export interface FaultRule {
  readonly method: string;
  /** Matches when the request's pathname starts with this. */
  readonly path: string;
  /** How many matching requests get the fault. */
  times: number;
  readonly fault: Fault;
}

export interface RecordedRequest {
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly bodyText: string;
}

export interface ImitationRequest extends RecordedRequest {
  json(): unknown;
}

export type Reply = { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> } | 'drop';

export type Handler = (request: ImitationRequest) => Promise<Reply> | Reply;

/** The venue's error envelope for a status and message (each venue has its own). */
export type Envelope = (status: number, message: string) => unknown;

export class ImitationServer {
  readonly requests: RecordedRequest[] = [];
  private readonly faults: FaultRule[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(handler: Handler, envelope: Envelope): Promise<ImitationServer> {
    let instance: ImitationServer | null = null;
    const server = createServer((req, res) => {
      void instance!.handle(req, res, handler, envelope);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new ImitationServer(server, `http://127.0.0.1:${port}`);
    return instance;
  }

  inject(rule: Omit<FaultRule, 'times'> & { times?: number }): void {
    this.faults.push({ ...rule, times: rule.times ?? 1 });
  }

  /** Consumes one matching fault of the given kinds, if any. */
  takeFault(method: string, pathname: string, kinds: readonly Fault['kind'][]): Fault | null {
    const rule = this.faults.find((candidate) => candidate.times > 0 && candidate.method === method && pathname.startsWith(candidate.path) && kinds.includes(candidate.fault.kind));
    if (!rule) return null;
    rule.times -= 1;
    return rule.fault;
  }

  count(method: string, pathPrefix: string): number {
    return this.requests.filter((request) => request.method === method && request.pathname.startsWith(pathPrefix)).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, handler: Handler, envelope: Envelope): Promise<void> {
    const bodyText = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: RecordedRequest = { method: req.method ?? 'GET', pathname: url.pathname, query: url.searchParams, headers: req.headers, bodyText };
    this.requests.push(recorded);
    const fault = this.takeFault(recorded.method, recorded.pathname, ['status', 'drop', 'delay']);
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.kind === 'status') {
      const headers = fault.retryAfter === undefined ? undefined : { 'retry-after': fault.retryAfter };
      return send(res, { status: fault.status, body: envelope(fault.status, fault.message ?? 'injected fault'), ...(headers ? { headers } : {}) });
    }
    let reply: Reply;
    try {
      reply = await handler({ ...recorded, json: () => (bodyText === '' ? null : JSON.parse(bodyText)) });
    } catch (error) {
      reply = { status: 500, body: envelope(500, `imitation error: ${error instanceof Error ? error.message : String(error)}`) };
    }
    if (reply === 'drop') return void req.socket.destroy();
    send(res, reply);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Exclude<Reply, 'drop'>): void {
  if (res.destroyed) return;
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(text);
}

// ---- decimal helpers of the imitation's own (integers at a given scale, via BigInt, never floats) ----

/** "0.4200" at 6 decimals → 420000n. Throws on anything that is not a plain non-negative decimal. */
export function decimalToScaled(text: string, decimals: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) throw new Error(`too many decimals: ${text}`);
  return BigInt(match[1]! + fraction.padEnd(decimals, '0'));
}

/** 420000n at 6 decimals shown with 4 → "0.4200" (must be exact). */
export function scaledToDecimal(value: bigint, decimals: number, shown: number): string {
  const negative = value < 0n;
  let magnitude = negative ? -value : value;
  const drop = decimals - shown;
  if (drop > 0) {
    const unit = 10n ** BigInt(drop);
    if (magnitude % unit !== 0n) throw new Error(`${value} not representable with ${shown} decimals`);
    magnitude /= unit;
  }
  const digits = magnitude.toString().padStart(shown + 1, '0');
  const text = shown === 0 ? digits : `${digits.slice(0, -shown)}.${digits.slice(-shown)}`;
  return negative ? `-${text}` : text;
}

export function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

export const MICRO = 1_000_000n;
