// The one HTTP path every live adapter uses: pacing (token buckets), timeouts, signing, retries with backoff, and the
// mapping of failures onto errors whose meaning for an order is unambiguous (see errors.ts). The transport rules
// (transport.ts) are applied here: the endpoint checked when the client is made, redirects refused rather than
// followed with credentials, replies read up to a limit, and failures before any byte left reported as "not sent".
// Every message built from a venue's words is scrubbed of registered secrets before it leaves.
import { VenueUnavailableError } from '../../domain/errors.js';
import { scrub } from '../../security/secrets.js';
import { OrderOutcomeUnknownError, VenueRejectedError } from '../venue.js';
import { VenueResponseError } from '../errors.js';
import { systemClock, TokenBucket, type Clock } from './rate-limiter.js';
import { redactToString } from './redact.js';
import { checkEndpoint, classifyFetchFailure, readCappedBody, warnOnStderr, redirectMayHaveApplied, redirectTarget, REPLY_BYTES_MAX_DEFAULT } from './transport.js';

export interface HttpTuning {
  readonly requestTimeoutMs: number;
  /** Further attempts after the first, for failures that are safe to retry. */
  readonly retriesMax: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** A 429 asking us to wait longer than this fails at once rather than stalling the bot. */
  readonly retryAfterMaxMs: number;
}

export const DEFAULT_TUNING: HttpTuning = {
  requestTimeoutMs: 10_000,
  retriesMax: 3,
  backoffBaseMs: 250,
  backoffMaxMs: 4_000,
  retryAfterMaxMs: 30_000,
};

export type RequestKind = 'read' | 'write';
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface VenueRequest {
  readonly method: HttpMethod;
  /** Path below the base URL, without query string. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Serialised once with JSON.stringify; the exact text sent is what gets signed. */
  readonly body?: unknown;
  readonly kind: RequestKind;
  /** Safe to send again after a failure whose outcome is unknown (reads; placement the venue dedupes by client id). */
  readonly idempotent: boolean;
  /** Set on order placement: an unknown outcome becomes OrderOutcomeUnknownError for this id. */
  readonly clientOrderId?: string;
  /** Statuses that are answers rather than failures (404 "no such order", 409 "duplicate client id"). */
  readonly acceptStatuses?: readonly number[];
  /** Public market data: sent unsigned, so it works without credentials. */
  readonly unsigned?: boolean;
}

export interface VenueResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface SignableRequest {
  readonly method: HttpMethod;
  /** The URL's path, including any base path such as /trade-api/v2, without the query string. */
  readonly pathname: string;
  /** Exactly the body text sent ('' when there is none). */
  readonly bodyText: string;
}

/** Returns the auth headers for one attempt (called again on every retry so timestamps stay fresh). */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>> | Record<string, string>;

export interface VenueHttpOptions {
  readonly venue: string;
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly tuning: HttpTuning;
  readonly readsPerSecond: number;
  readonly writesPerSecond: number;
  readonly sign?: RequestSigner;
  /** The venue's error envelope rendered as one line. */
  readonly describeError: (status: number, body: unknown) => string;
  /** Where the credentials come from, for the 401/403 message. */
  readonly credentialsHint: string;
  readonly log?: (line: string) => void;
  /** Where a warning goes (plain http to a loopback address); stderr unless given. */
  readonly warn?: (line: string) => void;
  readonly clock?: Clock;
  /** The setting baseUrl came from, named when it is refused ("venues.kalshi.baseUrl", "SX_RPC_URL"). */
  readonly baseUrlSource?: string;
  /** The most of a reply read (default REPLY_BYTES_MAX_DEFAULT); a longer reply is cut off and fails. */
  readonly replyBytesMax?: number;
  /** The setting that raises replyBytesMax, named when a reply exceeds it. */
  readonly replyBytesMaxSource?: string;
}

type Attempt =
  | { readonly type: 'response'; readonly status: number; readonly body: unknown; readonly retryAfterMs: number | null }
  | { readonly type: 'network'; readonly reached: boolean; readonly detail: string }
  /** Refused here before any byte was sent (an invalid header, a URL off the venue's origin): never retried. */
  | { readonly type: 'not_sent'; readonly detail: string }
  /** The venue answered with a redirect: never followed, since the request carries credentials. */
  | { readonly type: 'redirect'; readonly status: number; readonly target: string }
  /** A 2xx reply longer than replyBytesMax: cut off unread. */
  | { readonly type: 'oversize'; readonly status: number };

/** Endpoints already warned about, so a process says it once per venue, not once per client. */
const warned = new Set<string>();

export class VenueHttpClient {
  private readonly reads: TokenBucket;
  private readonly writes: TokenBucket;
  private readonly clock: Clock;
  private readonly origin: string;
  private readonly replyBytesMax: number;

  /** Throws InputError, naming the setting, for an endpoint the transport rules refuse (see transport.ts). */
  constructor(private readonly options: VenueHttpOptions) {
    const source = options.baseUrlSource ?? `${options.venue} baseUrl`;
    const warning = checkEndpoint(options.venue, source, options.baseUrl);
    if (warning !== null && !warned.has(`${source} ${options.baseUrl}`)) {
      warned.add(`${source} ${options.baseUrl}`);
      (options.warn ?? warnOnStderr)(warning);
    }
    this.origin = new URL(options.baseUrl).origin;
    this.replyBytesMax = options.replyBytesMax ?? REPLY_BYTES_MAX_DEFAULT;
    this.clock = options.clock ?? systemClock;
    this.reads = new TokenBucket(options.readsPerSecond, undefined, this.clock);
    this.writes = new TokenBucket(options.writesPerSecond, undefined, this.clock);
  }

  get venue(): string {
    return this.options.venue;
  }

  async request(request: VenueRequest): Promise<VenueResponse> {
    const { retriesMax } = this.options.tuning;
    // Once an attempt may have reached the venue, a later refusal no longer proves the order was not placed.
    let maybeApplied = false;
    for (let attempt = 0; ; attempt += 1) {
      await (request.kind === 'read' ? this.reads : this.writes).take();
      const result = await this.attemptOnce(request, attempt);
      const retriesLeft = attempt < retriesMax;
      if (result.type === 'network') {
        maybeApplied ||= result.reached;
        const retry = retriesLeft && (!result.reached || request.idempotent);
        if (retry) {
          await this.clock.sleep(this.backoffMs(attempt));
          continue;
        }
        throw this.failure(request, maybeApplied, `${result.detail} (after ${attempt + 1} attempt(s))`);
      }
      if (result.type === 'not_sent') throw this.notSent(request, maybeApplied, result.detail);
      if (result.type === 'redirect') throw this.redirected(request, maybeApplied || redirectMayHaveApplied(result.status), result);
      if (result.type === 'oversize') throw this.oversize(request, result.status);
      const { status, body } = result;
      if ((status >= 200 && status < 300) || request.acceptStatuses?.includes(status)) return { status, body };
      if (status === 401 || status === 403) throw this.credentialsError(status, body, maybeApplied, request);
      if (status === 429) {
        const waitMs = Math.max(result.retryAfterMs ?? 0, this.backoffMs(attempt));
        if (retriesLeft && waitMs <= this.options.tuning.retryAfterMaxMs) {
          await this.clock.sleep(waitMs);
          continue;
        }
        throw this.failure(request, maybeApplied, `rate limited (HTTP 429) after ${attempt + 1} attempt(s)`);
      }
      if (status >= 500) {
        maybeApplied = true; // the server may have acted before failing
        if (retriesLeft && request.idempotent) {
          await this.clock.sleep(this.backoffMs(attempt));
          continue;
        }
        throw this.failure(request, maybeApplied, `HTTP ${status}: ${this.describeError(status, body)}`);
      }
      const message = `${this.options.venue}: ${request.method} ${request.path} refused (HTTP ${status}): ${this.describeError(status, body)}`;
      if (maybeApplied && request.clientOrderId !== undefined) throw new OrderOutcomeUnknownError(request.clientOrderId, message);
      throw new VenueRejectedError(this.options.venue, status, message);
    }
  }

  private async attemptOnce(request: VenueRequest, attempt: number): Promise<Attempt> {
    const url = this.url(request);
    // Paths are built from encoded ids; should one ever carry the request elsewhere, it is refused, not sent.
    if (url.origin !== this.origin) return { type: 'not_sent', detail: `the request's URL left the venue's origin ${this.origin}` };
    const bodyText = request.body === undefined ? '' : JSON.stringify(request.body);
    const signed = this.options.sign && request.unsigned !== true ? await this.options.sign({ method: request.method, pathname: url.pathname, bodyText }) : {};
    const headers: Record<string, string> = { accept: 'application/json', ...signed };
    if (bodyText !== '') headers['content-type'] = 'application/json';
    const invalid = invalidHeader(headers);
    if (invalid !== null) return { type: 'not_sent', detail: `header ${invalid} has a value no HTTP request can carry (a control character, or a character beyond Latin-1)` };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.tuning.requestTimeoutMs);
    const startedMs = this.clock.nowMs();
    try {
      const response = await this.options.fetch(url, {
        method: request.method,
        headers,
        body: bodyText === '' ? undefined : bodyText,
        signal: controller.signal,
        // Followed, a redirect would carry the credentials and a signed order to whatever host it names.
        redirect: 'manual',
      });
      this.log(`${request.method} ${url.pathname} -> ${response.status} in ${this.clock.nowMs() - startedMs}ms (attempt ${attempt + 1})`);
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        return { type: 'redirect', status: response.status, target: redirectTarget(response.headers.get('location'), url) };
      }
      // Still under the timeout: a stalled body is a timeout too; and never more than replyBytesMax of it.
      const { text, truncated } = await readCappedBody(response, this.replyBytesMax);
      if (truncated && response.ok) return { type: 'oversize', status: response.status };
      const parsed = truncated ? INVALID_JSON : parseBody(text);
      // An error page that is not JSON (a proxy's HTML) is kept as text, shortened, for the error message.
      const body = parsed === INVALID_JSON && !response.ok ? text.slice(0, ERROR_TEXT_MAX) : parsed;
      if (response.ok && body === INVALID_JSON) {
        return { type: 'network', reached: true, detail: `HTTP ${response.status} with a body that is not JSON` };
      }
      if (!response.ok) this.log(`  error body: ${scrub(redactToString(body))}`);
      return { type: 'response', status: response.status, body, retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), this.clock) };
    } catch (error) {
      if (controller.signal.aborted) {
        this.log(`${request.method} ${url.pathname} -> no answer within ${this.options.tuning.requestTimeoutMs}ms (attempt ${attempt + 1})`);
        return { type: 'network', reached: true, detail: `no answer within ${this.options.tuning.requestTimeoutMs}ms` };
      }
      const failure = classifyFetchFailure(error);
      this.log(`${request.method} ${url.pathname} -> ${failure.kind === 'refused_locally' ? 'not sent' : 'connection failed'}: ${failure.detail} (attempt ${attempt + 1})`);
      if (failure.kind === 'refused_locally') return { type: 'not_sent', detail: failure.detail };
      return { type: 'network', reached: failure.kind === 'maybe_sent', detail: `connection failed (${failure.detail})` };
    } finally {
      clearTimeout(timer);
    }
  }

  private url(request: VenueRequest): URL {
    const url = new URL(this.options.baseUrl.replace(/\/+$/, '') + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    return url;
  }

  /** The error for a request that failed for good: unknown for placement that may have landed, unavailable otherwise. */
  private failure(request: VenueRequest, maybeApplied: boolean, detail: string): Error {
    const message = scrub(`${this.options.venue}: ${request.method} ${request.path}: ${detail}`);
    if (request.clientOrderId !== undefined && maybeApplied) {
      return new OrderOutcomeUnknownError(request.clientOrderId, `${message}; the order may or may not exist: look it up by client order id`);
    }
    return new VenueUnavailableError(message);
  }

  /** Refused before any byte left: a refusal, not an outage, unless an earlier attempt may have landed. */
  private notSent(request: VenueRequest, maybeApplied: boolean, detail: string): Error {
    const message = scrub(`${this.options.venue}: ${request.method} ${request.path} not sent: ${detail}`);
    if (request.clientOrderId !== undefined && maybeApplied) return new OrderOutcomeUnknownError(request.clientOrderId, `${message}; an earlier attempt may have reached the venue`);
    return new VenueRejectedError(this.options.venue, null, message);
  }

  /**
   * A redirect names another address for the request; following it would hand that address the credentials (and an
   * order signed for this venue). Refused, naming where it pointed. An order answered so was not taken (see
   * redirectMayHaveApplied), unless it was 303 or an earlier attempt may have landed.
   */
  private redirected(request: VenueRequest, maybeApplied: boolean, redirect: { readonly status: number; readonly target: string }): Error {
    const message = scrub(
      `${this.options.venue}: ${request.method} ${request.path} answered with a redirect (HTTP ${redirect.status}) to ${redirect.target}: ` +
        `not followed; requests and credentials go to ${this.origin} only`,
    );
    if (request.clientOrderId !== undefined && maybeApplied) return new OrderOutcomeUnknownError(request.clientOrderId, `${message}; the order may or may not exist: look it up by client order id`);
    return new VenueRejectedError(this.options.venue, redirect.status, message);
  }

  /** A 2xx reply beyond replyBytesMax: unread. An order it answers may exist. */
  private oversize(request: VenueRequest, status: number): Error {
    const source = this.options.replyBytesMaxSource ?? 'replyBytesMax';
    const message = `${this.options.venue}: ${request.method} ${request.path}: reply (HTTP ${status}) larger than ${this.replyBytesMax} bytes (${source}): cut off unread`;
    if (request.clientOrderId !== undefined) return new OrderOutcomeUnknownError(request.clientOrderId, `${message}; the order may or may not exist: look it up by client order id`);
    return new VenueResponseError(this.options.venue, message.slice(this.options.venue.length + 2));
  }

  private credentialsError(status: number, body: unknown, maybeApplied: boolean, request: VenueRequest): Error {
    const message =
      `${this.options.venue}: credentials rejected (HTTP ${status}: ${this.describeError(status, body)}). ` +
      `Check ${this.options.credentialsHint}; not retried.`;
    if (maybeApplied && request.clientOrderId !== undefined) return new OrderOutcomeUnknownError(request.clientOrderId, message);
    return new VenueRejectedError(this.options.venue, status, message);
  }

  /** The venue's own words, which may echo what we sent (headers included): scrubbed of every registered secret. */
  private describeError(status: number, body: unknown): string {
    return scrub(this.options.describeError(status, body));
  }

  private backoffMs(attempt: number): number {
    const { backoffBaseMs, backoffMaxMs } = this.options.tuning;
    return Math.min(backoffMaxMs, backoffBaseMs * 2 ** attempt);
  }

  private log(line: string): void {
    this.options.log?.(`[${this.options.venue}] ${line}`);
  }
}

/** The name of the first header fetch would refuse (a value with a control character, or beyond Latin-1), or null. */
function invalidHeader(headers: Readonly<Record<string, string>>): string | null {
  for (const [name, value] of Object.entries(headers)) {
    try {
      new Headers([[name, value]]);
    } catch {
      return name;
    }
  }
  return null;
}

const INVALID_JSON: unique symbol = Symbol('invalid JSON');
/** Characters of a non-JSON error body kept for the message. */
const ERROR_TEXT_MAX = 200;

function parseBody(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(header: string | null, clock: Clock = systemClock): number | null {
  if (header === null || header.trim() === '') return null;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const dateMs = Date.parse(text);
  return Number.isNaN(dateMs) ? null : Math.max(0, dateMs - clock.nowMs());
}

/** Asserts a 2xx body is a JSON object; anything else means the venue's API changed under us. */
export function expectObject(venue: string, body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new VenueResponseError(venue, `${what}: expected a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`);
  }
  return body as Record<string, unknown>;
}
