// A hostile man in the middle for the venue imitations: a real loopback HTTP server that forwards every request to an
// imitation unchanged and answers with the imitation's reply — except where a rule says to misbehave, as a compromised
// proxy, a broken venue release or an attacker on the network would: rewrite a reply's JSON (an overfill, a phantom
// fill, a fill beyond the limit, a negative fee, escape sequences), redirect to another host, echo the request's
// headers into an error, or stream a body that never ends. The imitations themselves stay answerable to the venues'
// official material; the hostility is all here, in plain sight of each test.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type HostileAction =
  /** Forward, then replace the JSON reply by what `edit` returns (it may change the object in place and return it). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a reply is edited as the JSON it is, field by field
  | { readonly kind: 'rewrite'; readonly edit: (body: any, request: ProxiedRequest) => unknown }
  /** Answer with a redirect to `location` without forwarding. */
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string }
  /** Answer `status` with an error body that quotes every header of the request (as some error pages do). */
  | { readonly kind: 'echo-headers'; readonly status: number; readonly envelope: (text: string) => unknown }
  /** Answer 200 with a body that never ends (until the client goes away). */
  | { readonly kind: 'endless' }
  /** Answer `status` with exactly this body text. */
  | { readonly kind: 'reply'; readonly status: number; readonly text: string };

export interface HostileRule {
  readonly method: string;
  /** Matches a request whose path (without the query) starts with this. */
  readonly path: string;
  readonly action: HostileAction;
  /** How many matching requests it applies to (default: all). */
  times?: number;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly pathname: string;
  readonly headers: IncomingHttpHeaders;
  readonly bodyText: string;
}

/** What the proxy did to one request: the reply it sent when a rule applied (for tests to show the attack was real). */
export interface Tampered {
  readonly rule: HostileRule;
  readonly request: ProxiedRequest;
  readonly sentText: string;
}

export class HostileProxy {
  readonly rules: HostileRule[] = [];
  readonly tampered: Tampered[] = [];
  /** Bytes sent by endless replies, in all. */
  endlessBytes = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly upstream: URL,
  ) {}

  /** A proxy on 127.0.0.1 for `upstream` (scheme, host and port; paths are forwarded as requested). */
  static async start(upstream: string): Promise<HostileProxy> {
    let instance: HostileProxy | null = null;
    const server = createServer((req, res) => {
      // A rule that does not fit the reply it meets answers 502, rather than taking the test process down.
      instance!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `hostile proxy: ${String(error)}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new HostileProxy(server, `http://127.0.0.1:${port}`, new URL(upstream));
    return instance;
  }

  /** The proxy's URL with the path of `upstreamUrl` (an imitation's base URL may carry a path, e.g. /trade-api/v2). */
  urlFor(upstreamUrl: string): string {
    return `${this.url}${new URL(upstreamUrl).pathname.replace(/\/$/, '')}`;
  }

  on(rule: HostileRule): void {
    this.rules.push(rule);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bodyText = await readText(req);
    const url = new URL(req.url ?? '/', 'http://proxy');
    const request: ProxiedRequest = { method: req.method ?? 'GET', pathname: url.pathname, headers: req.headers, bodyText };
    const rule = this.rules.find((candidate) => (candidate.times ?? 1) > 0 && candidate.method === request.method && request.pathname.startsWith(candidate.path));
    if (rule && rule.times !== undefined) rule.times -= 1;
    const action = rule?.action;
    if (action?.kind === 'redirect') return this.send(res, rule!, request, action.status, '', { location: action.location });
    if (action?.kind === 'reply') return this.send(res, rule!, request, action.status, action.text);
    if (action?.kind === 'echo-headers') {
      const echoed = Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`).join('; ');
      return this.send(res, rule!, request, action.status, JSON.stringify(action.envelope(`request rejected; headers received: ${echoed}`)));
    }
    if (action?.kind === 'endless') return this.endless(res, rule!, request);
    const upstream = await this.forward(req.method ?? 'GET', `${url.pathname}${url.search}`, req.headers, bodyText);
    if (action?.kind === 'rewrite') {
      const edited = JSON.stringify(action.edit(JSON.parse(upstream.text), request));
      return this.send(res, rule!, request, upstream.status, edited);
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(upstream.text);
  }

  private send(res: ServerResponse, rule: HostileRule, request: ProxiedRequest, status: number, text: string, headers: Record<string, string> = {}): void {
    this.tampered.push({ rule, request, sentText: text });
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  }

  /** A JSON array that never closes, written as fast as the client reads it. */
  private endless(res: ServerResponse, rule: HostileRule, request: ProxiedRequest): void {
    this.tampered.push({ rule, request, sentText: '[endless]' });
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.from(`${'{"price":"0.5","size":"1"},'.repeat(2048)}`);
    let open = true;
    res.on('close', () => (open = false));
    const write = (): void => {
      while (open) {
        this.endlessBytes += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', write);
          return;
        }
      }
    };
    res.write('{"bids":[');
    write();
  }

  private forward(method: string, path: string, headers: IncomingHttpHeaders, bodyText: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const { host: _host, 'content-length': _length, ...rest } = headers;
      const outgoing = httpRequest(
        { host: this.upstream.hostname, port: this.upstream.port, method, path, headers: { ...rest, 'content-length': Buffer.byteLength(bodyText) } },
        (reply) => {
          void readText(reply).then((text) => resolve({ status: reply.statusCode ?? 502, text }), reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(bodyText);
    });
  }
}

function readText(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
