// The one HTTP path every live adapter uses: pacing (token buckets), timeouts, signing, retries with backoff, and the
// mapping of failures onto errors whose meaning for an order is unambiguous (see errors.ts).
import { VenueUnavailableError } from '../../domain/errors.js';
import { OrderOutcomeUnknownError, VenueRejectedError } from '../venue.js';
import { VenueResponseError } from './errors.js';
import { systemClock, TokenBucket, type Clock } from './rate-limiter.js';
import { redactToString } from './redact.js';

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
  readonly clock?: Clock;
}

type Attempt =
  | { readonly type: 'response'; readonly status: number; readonly body: unknown; readonly retryAfterMs: number | null }
  | { readonly type: 'network'; readonly reached: boolean; readonly detail: string };

/** Connection errors that prove the request never left this machine. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class VenueHttpClient {
  private readonly reads: TokenBucket;
  private readonly writes: TokenBucket;
  private readonly clock: Clock;

  constructor(private readonly options: VenueHttpOptions) {
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
        throw this.failure(request, maybeApplied, `HTTP ${status}: ${this.options.describeError(status, body)}`);
      }
      const message = `${this.options.venue}: ${request.method} ${request.path} refused (HTTP ${status}): ${this.options.describeError(status, body)}`;
      if (maybeApplied && request.clientOrderId !== undefined) throw new OrderOutcomeUnknownError(request.clientOrderId, message);
      throw new VenueRejectedError(this.options.venue, status, message);
    }
  }

  private async attemptOnce(request: VenueRequest, attempt: number): Promise<Attempt> {
    const url = this.url(request);
    const bodyText = request.body === undefined ? '' : JSON.stringify(request.body);
    const signed = this.options.sign && request.unsigned !== true ? await this.options.sign({ method: request.method, pathname: url.pathname, bodyText }) : {};
    const headers: Record<string, string> = { accept: 'application/json', ...signed };
    if (bodyText !== '') headers['content-type'] = 'application/json';
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.tuning.requestTimeoutMs);
    const startedMs = this.clock.nowMs();
    try {
      const response = await this.options.fetch(url, {
        method: request.method,
        headers,
        body: bodyText === '' ? undefined : bodyText,
        signal: controller.signal,
      });
      const text = await response.text(); // still under the timeout: a stalled body is a timeout too
      const parsed = parseBody(text);
      // An error page that is not JSON (a proxy's HTML) is kept as text, shortened, for the error message.
      const body = parsed === INVALID_JSON && !response.ok ? text.slice(0, ERROR_TEXT_MAX) : parsed;
      this.log(`${request.method} ${url.pathname} -> ${response.status} in ${this.clock.nowMs() - startedMs}ms (attempt ${attempt + 1})`);
      if (response.ok && body === INVALID_JSON) {
        return { type: 'network', reached: true, detail: `HTTP ${response.status} with a body that is not JSON` };
      }
      if (!response.ok) this.log(`  error body: ${redactToString(body)}`);
      return { type: 'response', status: response.status, body, retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), this.clock) };
    } catch (error) {
      const timedOut = controller.signal.aborted;
      const code = errorCode(error);
      const reached = !timedOut && code !== null && NOT_SENT_CODES.has(code) ? false : true;
      const detail = timedOut ? `no answer within ${this.options.tuning.requestTimeoutMs}ms` : `connection failed (${code ?? describe(error)})`;
      this.log(`${request.method} ${url.pathname} -> ${detail} (attempt ${attempt + 1})`);
      return { type: 'network', reached, detail };
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
    const message = `${this.options.venue}: ${request.method} ${request.path}: ${detail}`;
    if (request.clientOrderId !== undefined && maybeApplied) {
      return new OrderOutcomeUnknownError(request.clientOrderId, `${message}; the order may or may not exist: look it up by client order id`);
    }
    return new VenueUnavailableError(message);
  }

  private credentialsError(status: number, body: unknown, maybeApplied: boolean, request: VenueRequest): Error {
    const message =
      `${this.options.venue}: credentials rejected (HTTP ${status}: ${this.options.describeError(status, body)}). ` +
      `Check ${this.options.credentialsHint}; not retried.`;
    if (maybeApplied && request.clientOrderId !== undefined) return new OrderOutcomeUnknownError(request.clientOrderId, message);
    return new VenueRejectedError(this.options.venue, status, message);
  }

  private backoffMs(attempt: number): number {
    const { backoffBaseMs, backoffMaxMs } = this.options.tuning;
    return Math.min(backoffMaxMs, backoffBaseMs * 2 ** attempt);
  }

  private log(line: string): void {
    this.options.log?.(`[${this.options.venue}] ${line}`);
  }
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

function errorCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  const own = (error as { code?: unknown } | null)?.code;
  return typeof own === 'string' ? own : null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Asserts a 2xx body is a JSON object; anything else means the venue's API changed under us. */
export function expectObject(venue: string, body: unknown, what: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new VenueResponseError(venue, `${what}: expected a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`);
  }
  return body as Record<string, unknown>;
}
