// The shared HTTP plumbing of the live adapters: pacing, Retry-After, pagination bounds, credentials, redaction, and
// what each transport failure means for an order.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VenueUnavailableError } from '../../src/domain/errors.js';
import { loadCredentials } from '../../src/venues/http/credentials.js';
import { VenueCredentialsError, VenueResponseError } from '../../src/venues/errors.js';
import { collectPages } from '../../src/venues/http/paginate.js';
import { TokenBucket, type Clock } from '../../src/venues/http/rate-limiter.js';
import { redact, REDACTED } from '../../src/venues/http/redact.js';
import { parseRetryAfterMs, VenueHttpClient, type VenueHttpOptions } from '../../src/venues/http/venue-http-client.js';
import { createKalshiVenue } from '../../src/venues/kalshi/index.js';
import { OrderOutcomeUnknownError } from '../../src/venues/venue.js';
import { ImitationServer } from '../fixtures/venues/imitation.js';
import { liveConfig } from '../fixtures/venues/live-config.js';

/** A clock that only moves when slept on, so pacing can be checked exactly. */
class FakeClock implements Clock {
  nowValueMs = 0;
  readonly sleeps: number[] = [];
  nowMs(): number {
    return this.nowValueMs;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.nowValueMs += ms;
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A bare loopback server answering 200 {ok:true}, with fault injection. */
async function server(): Promise<ImitationServer> {
  const instance = await ImitationServer.start(() => ({ status: 200, body: { ok: true } }), (_status, message) => ({ error: message }));
  cleanups.push(() => instance.close());
  return instance;
}

function client(baseUrl: string, overrides: Partial<VenueHttpOptions> = {}): VenueHttpClient {
  return new VenueHttpClient({
    venue: 'test',
    baseUrl,
    fetch: globalThis.fetch.bind(globalThis),
    tuning: { requestTimeoutMs: 1_000, retriesMax: 2, backoffBaseMs: 1, backoffMaxMs: 5, retryAfterMaxMs: 1_000 },
    readsPerSecond: 1_000,
    writesPerSecond: 1_000,
    describeError: (_status, body) => JSON.stringify(body),
    credentialsHint: 'TEST_KEY',
    ...overrides,
  });
}

describe('token bucket', () => {
  it('lets a burst of `capacity` through, then paces at the rate', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 3, clock);
    for (let index = 0; index < 3; index += 1) await bucket.take();
    expect(clock.sleeps).toEqual([]);
    await bucket.take();
    await bucket.take();
    expect(clock.sleeps).toEqual([100, 100]);
    expect(clock.nowMs()).toBe(200);
  });

  it('paces real requests to readsPerSecond', async () => {
    const instance = await server();
    const http = client(instance.url, { readsPerSecond: 20 });
    const startedMs = Date.now();
    for (let index = 0; index < 30; index += 1) await http.request({ method: 'GET', path: '/x', kind: 'read', idempotent: true });
    // 20 go at once (one second's burst), the next 10 at 20 per second.
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(450);
  });
});

describe('retry semantics', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const clock = new FakeClock();
    clock.nowValueMs = Date.parse('2026-05-01T00:00:00Z');
    expect(parseRetryAfterMs('2', clock)).toBe(2_000);
    expect(parseRetryAfterMs('Fri, 01 May 2026 00:00:03 GMT', clock)).toBe(3_000);
    expect(parseRetryAfterMs('soon', clock)).toBeNull();
    expect(parseRetryAfterMs(null, clock)).toBeNull();
  });

  it('fails at once when Retry-After asks for longer than the named maximum', async () => {
    const instance = await server();
    instance.inject({ method: 'GET', path: '/x', fault: { kind: 'status', status: 429, retryAfter: '3600' } });
    await expect(client(instance.url).request({ method: 'GET', path: '/x', kind: 'read', idempotent: true })).rejects.toBeInstanceOf(VenueUnavailableError);
    expect(instance.count('GET', '/x')).toBe(1);
  });

  it('reports placement that never left the machine as not placed, not unknown', async () => {
    const instance = await server();
    const url = instance.url;
    await instance.close();
    cleanups.pop();
    const request = client(url).request({ method: 'POST', path: '/order', body: {}, kind: 'write', idempotent: false, clientOrderId: 'c1' });
    await expect(request).rejects.toBeInstanceOf(VenueUnavailableError);
  });

  it('reports a dropped connection on placement as unknown and does not resend a non-idempotent request', async () => {
    const instance = await server();
    instance.inject({ method: 'POST', path: '/order', fault: { kind: 'drop' } });
    const request = client(instance.url).request({ method: 'POST', path: '/order', body: {}, kind: 'write', idempotent: false, clientOrderId: 'c1' });
    await expect(request).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    expect(instance.count('POST', '/order')).toBe(1);
  });

  it('treats a refusal after an unknown attempt as unknown: the first attempt may have landed', async () => {
    const instance = await server();
    instance.inject({ method: 'POST', path: '/order', fault: { kind: 'status', status: 503 } });
    instance.inject({ method: 'POST', path: '/order', fault: { kind: 'status', status: 400, message: 'insufficient balance' } });
    const request = client(instance.url).request({ method: 'POST', path: '/order', body: {}, kind: 'write', idempotent: true, clientOrderId: 'c1' });
    await expect(request).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    expect(instance.count('POST', '/order')).toBe(2);
  });
});

describe('pagination', () => {
  it('stops at the named page maximum instead of looping forever', async () => {
    let pages = 0;
    const endless = async (cursor: string | null) => {
      pages += 1;
      return { items: [pages], nextCursor: `c${Number(cursor?.slice(1) ?? 0) + 1}` };
    };
    await expect(collectPages('test', 'endless', endless, 5)).rejects.toBeInstanceOf(VenueResponseError);
    expect(pages).toBe(5);
    await expect(collectPages('test', 'stuck', async () => ({ items: [], nextCursor: 'same' }))).rejects.toThrow(/repeated/);
  });
});

describe('credentials', () => {
  const specs = [
    { field: 'apiKey', env: 'TEST_API_KEY', required: true },
    { field: 'extra', env: 'TEST_EXTRA', required: false },
  ];

  it('reads the environment, or the credentials file when one is configured', () => {
    expect(loadCredentials('v', specs, null, { TEST_API_KEY: ' k ' })).toEqual({ apiKey: 'k', extra: undefined });
    const dir = mkdtempSync(join(tmpdir(), 'arbbot-creds-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'creds.json');
    writeFileSync(file, JSON.stringify({ apiKey: 'from-file' }), { mode: 0o600 });
    expect(loadCredentials('v', specs, file, { TEST_API_KEY: 'from-env' }).apiKey).toBe('from-file');
  });

  it('names what is missing and never echoes a malformed file', () => {
    expect(() => loadCredentials('v', specs, null, {})).toThrow(/missing credentials: TEST_API_KEY/);
    const dir = mkdtempSync(join(tmpdir(), 'arbbot-creds-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'creds.json');
    writeFileSync(file, '{"apiKey": "s3cr3t-value"', { mode: 0o600 });
    const error = (() => {
      try {
        loadCredentials('v', specs, file, {});
      } catch (caught) {
        return caught as Error;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(VenueCredentialsError);
    expect(error!.message).not.toContain('s3cr3t');
  });
});

describe('redaction', () => {
  it('hides secret fields and key-shaped values but keeps identifiers', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----';
    const input = {
      'KALSHI-ACCESS-SIGNATURE': 'sig',
      POLY_API_KEY: 'k',
      POLY_PASSPHRASE: 'p',
      apiSecret: 's',
      takerSig: '0xabc',
      note: pem,
      wallet: `0x${'1'.repeat(64)}`,
      tokenId: '123',
      nested: [{ privateKey: 'x', price: '0.42' }],
    };
    expect(redact(input)).toEqual({
      'KALSHI-ACCESS-SIGNATURE': REDACTED,
      POLY_API_KEY: REDACTED,
      POLY_PASSPHRASE: REDACTED,
      apiSecret: REDACTED,
      takerSig: REDACTED,
      note: REDACTED,
      wallet: REDACTED,
      tokenId: '123',
      nested: [{ privateKey: REDACTED, price: '0.42' }],
    });
  });

  it('keeps secrets out of the verbose log of a live adapter', async () => {
    const instance = await server();
    instance.inject({ method: 'GET', path: '/trade-api/v2/portfolio/balance', fault: { kind: 'status', status: 500 } });
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const lines: string[] = [];
    const venue = createKalshiVenue(liveConfig('kalshi', `${instance.url}/trade-api/v2`), {
      env: { KALSHI_API_KEY_ID: 'key-id-123', KALSHI_PRIVATE_KEY: pem },
      log: (line) => lines.push(line),
      tuning: { backoffBaseMs: 1, retriesMax: 1 },
    });
    await venue.getBalance().catch(() => undefined);
    expect(lines.length).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(text).not.toContain('key-id-123');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(String(instance.requests[0]!.headers['kalshi-access-signature']));
  });
});
