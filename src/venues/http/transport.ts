// The transport rules every venue request obeys, in one place: which endpoints may be used at all (https, or plain
// http to this machine alone), how much of a reply is read (a bounded stream, never the whole of whatever arrives),
// and which failures prove that nothing left this machine (so an order that never left is never "outcome unknown").
// Redirects are never followed: the client asks fetch for them as answers (redirect: 'manual') and refuses them.
import { InputError } from '../../domain/errors.js';
import { judgeEndpoint } from '../../security/endpoints.js';

/** The most of a reply read by default: far above any page a venue sends, far below what would hurt the process. */
export const REPLY_BYTES_MAX_DEFAULT = 4 * 1024 * 1024;

export { isLoopbackHost } from '../../security/endpoints.js';

/**
 * Checks an endpoint before anything is sent to it (see security/endpoints.ts): refused with InputError naming the
 * setting (`source`); plain http (ws) to a loopback address allowed with a warning, which is returned; null when all
 * is well.
 */
export function checkEndpoint(venue: string, source: string, text: string, secure: 'https:' | 'wss:' = 'https:'): string | null {
  const verdict = judgeEndpoint(text, secure);
  if (!verdict.ok) throw new InputError(`${venue}: ${source}: ${verdict.refusal}`);
  if (!verdict.plain) return null;
  return `${venue}: ${source} is plain ${secure === 'https:' ? 'http' : 'ws'} to ${verdict.host}: requests and credentials go unencrypted; use it only for a local test server`;
}

/** Where a warning goes when no sink is given: stderr, as the CLI writes its own. */
export function warnOnStderr(line: string): void {
  process.stderr.write(`arbbot: warning: ${line}\n`);
}

/** A reply's text as read, and whether it was cut off at the limit (the rest never read). */
export interface CappedBody {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * Reads a reply's body as a stream, at most `bytesMax` bytes: a reply that declares more, or sends more, is cut off
 * there and its connection released, so an endless or enormous body costs `bytesMax` of memory and no more.
 */
export async function readCappedBody(response: Response, bytesMax: number): Promise<CappedBody> {
  const body = response.body;
  if (body === null) return { text: '', truncated: false };
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > bytesMax) {
    await body.cancel().catch(() => undefined);
    return { text: '', truncated: true };
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes + value.byteLength > bytesMax) {
      chunks.push(value.subarray(0, bytesMax - bytes));
      await reader.cancel().catch(() => undefined);
      return { text: decode(chunks), truncated: true };
    }
    chunks.push(value);
    bytes += value.byteLength;
  }
  return { text: decode(chunks), truncated: false };
}

function decode(chunks: readonly Uint8Array[]): string {
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The origin a redirect points to, as text for a message ("nowhere" when it names none). */
export function redirectTarget(location: string | null, from: URL): string {
  if (location === null || location.trim() === '') return 'nowhere (no Location)';
  try {
    return new URL(location, from).origin;
  } catch {
    return 'an invalid Location';
  }
}

/**
 * 303 See Other answers a request that was processed (POST, then read the result elsewhere); every other redirect
 * says the request was not handled at this address. So an order answered 303 may exist; one answered 301, 302, 307
 * or 308 was not taken.
 */
export function redirectMayHaveApplied(status: number): boolean {
  return status === 303;
}

/** Connection errors that prove the request never left this machine: no connection was made. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  // A TLS handshake that failed on the certificate: nothing of the request was written.
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** What a failed fetch proves about its request. */
export type FetchFailure =
  /** fetch refused it before opening any connection: not sent, and sending it again would be refused the same way. */
  | { readonly kind: 'refused_locally'; readonly detail: string }
  /** No connection was made (refused, no such host, certificate rejected): not sent; the venue may be back later. */
  | { readonly kind: 'not_connected'; readonly detail: string }
  /** Anything else (a dropped connection, a reset): the request may have reached the venue. */
  | { readonly kind: 'maybe_sent'; readonly detail: string };

/**
 * Classifies a fetch that threw. fetch raises a TypeError with no cause for what it refuses before any connection
 * (an invalid header value, a URL it will not request), and its network failures carry their cause: only a
 * connection that was never made proves that nothing was sent. Details never quote fetch's own message, which can
 * quote a header's value.
 */
export function classifyFetchFailure(error: unknown): FetchFailure {
  if (error instanceof TypeError && (error as { cause?: unknown }).cause === undefined) {
    return { kind: 'refused_locally', detail: 'refused by fetch before any connection was made' };
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  // The fetch standard's port blocklist: refused before connecting.
  if (cause instanceof Error && cause.message === 'bad port') return { kind: 'refused_locally', detail: 'a port fetch refuses to use' };
  const code = codeOf(cause) ?? codeOf(error);
  if (code !== null && NOT_CONNECTED_CODES.has(code)) return { kind: 'not_connected', detail: code };
  return { kind: 'maybe_sent', detail: code ?? (cause instanceof Error ? cause.message : 'the connection failed') };
}

export function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}
