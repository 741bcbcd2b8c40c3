// The transport rules of the venue HTTP client, over real loopback HTTP: endpoints (https, or plain http to this
// machine only), redirects never followed with credentials, replies read up to a limit, failures before any byte
// left reported as "not sent", and venue text scrubbed of every registered secret. Each with its control.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError, VenueUnavailableError } from '../../src/domain/errors.js';
import { forgetSecretsForTests, registerSecret } from '../../src/security/secrets.js';
import { VenueResponseError } from '../../src/venues/errors.js';
import { checkEndpoint, isLoopbackHost } from '../../src/venues/http/transport.js';
import { VenueHttpClient, type VenueHttpOptions, type VenueRequest } from '../../src/venues/http/venue-http-client.js';
import { OrderOutcomeUnknownError, VenueRejectedError } from '../../src/venues/venue.js';
import { ImitationServer, type Handler } from '../fixtures/venues/imitation.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  forgetSecretsForTests();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const API_KEY = 'api-key-7f3c9e2b1d';

/** A loopback server answering with `handler`, recording every request it gets. */
async function server(handler: Handler = () => ({ status: 200, body: { ok: true } })): Promise<ImitationServer> {
  const instance = await ImitationServer.start(handler, (_status, message) => ({ error: message }));
  cleanups.push(() => instance.close());
  return instance;
}

/** A raw node:http server, for replies the imitation scaffolding does not make (streams, redirects, huge bodies). */
async function rawServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const instance = createServer(handle);
  await new Promise<void>((resolve) => instance.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    instance.closeAllConnections();
    return new Promise<void>((resolve) => instance.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(instance.address() as AddressInfo).port}`, server: instance };
}

function client(baseUrl: string, overrides: Partial<VenueHttpOptions> = {}): VenueHttpClient {
  return new VenueHttpClient({
    venue: 'test',
    baseUrl,
    fetch: globalThis.fetch.bind(globalThis),
    tuning: { requestTimeoutMs: 5_000, retriesMax: 2, backoffBaseMs: 1, backoffMaxMs: 5, retryAfterMaxMs: 1_000 },
    readsPerSecond: 1_000,
    writesPerSecond: 1_000,
    describeError: (_status, body) => (typeof body === 'string' ? body : JSON.stringify(body)),
    credentialsHint: 'TEST_KEY',
    sign: () => ({ 'x-api-key': API_KEY }),
    warn: () => undefined,
    ...overrides,
  });
}

const READ: VenueRequest = { method: 'GET', path: '/balance', kind: 'read', idempotent: true };
const ORDER: VenueRequest = { method: 'POST', path: '/order', body: { size: '10' }, kind: 'write', idempotent: false, clientOrderId: 'cid-1' };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('endpoints', () => {
  it('allow https anywhere, and plain http only to a loopback address, with a warning', () => {
    expect(checkEndpoint('kalshi', 'venues.kalshi.baseUrl', 'https://external-api.kalshi.com/trade-api/v2')).toBeNull();
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:3000/x', 'http://[::1]:80', 'http://127.1.2.3']) {
      expect(checkEndpoint('kalshi', 'venues.kalshi.baseUrl', url)).toMatch(/^kalshi: venues\.kalshi\.baseUrl is plain http to .*: requests and credentials go unencrypted; use it only for a local test server$/);
    }
    expect(['localhost', '127.0.0.1', '[::1]', '127.255.255.254'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', '128.0.0.1', 'localhost.example.com', '127.0.0.1.example.com', '[::2]', '0.0.0.0'].some(isLoopbackHost)).toBe(false);
  });

  it('refuse plain http to any other host, other schemes, and credentials in the URL, naming the setting', () => {
    const refused = (url: string) => () => checkEndpoint('kalshi', 'venues.kalshi.baseUrl', url);
    expect(refused('http://api.example.com/v2')).toThrow(
      new InputError('kalshi: venues.kalshi.baseUrl: http:// is allowed only to a loopback address (localhost, 127.0.0.0/8, ::1); use https:// for api.example.com'),
    );
    expect(refused('http://10.0.0.5:8080')).toThrow(/http:\/\/ is allowed only to a loopback address/);
    expect(refused('file:///etc/passwd')).toThrow(new InputError('kalshi: venues.kalshi.baseUrl: file:// is not allowed: live venues are reached over https:// only'));
    expect(refused('ftp://example.com/')).toThrow(/ftp:\/\/ is not allowed/);
    expect(refused('https://user:pw@example.com/')).toThrow(/carries a user name or password in the URL/);
    expect(refused('not a url')).toThrow('kalshi: venues.kalshi.baseUrl: not a URL');
    // The same rules for a websocket URL.
    expect(checkEndpoint('poly', 'venues.poly.wsUrl', 'wss://ws.example.com', 'wss:')).toBeNull();
    expect(() => checkEndpoint('poly', 'venues.poly.wsUrl', 'ws://ws.example.com', 'wss:')).toThrow(/ws:\/\/ is allowed only to a loopback address/);
  });

  it('are checked when the client is made: a refused one sends nothing, a loopback one warns once', async () => {
    expect(() => client('http://api.example.com', { baseUrlSource: 'venues.test.baseUrl' })).toThrow(/venues\.test\.baseUrl: http:\/\/ is allowed only/);
    const instance = await server();
    const warnings: string[] = [];
    client(instance.url, { baseUrlSource: 'venues.once.baseUrl', warn: (line) => warnings.push(line) });
    client(instance.url, { baseUrlSource: 'venues.once.baseUrl', warn: (line) => warnings.push(line) });
    expect(warnings).toEqual([expect.stringMatching(/^test: venues\.once\.baseUrl is plain http to 127\.0\.0\.1:\d+/)]);
  });
});

describe('redirects', () => {
  it('are never followed: the other host receives nothing, and the error names the venue and the other origin', async () => {
    const other = await server();
    const venue = await server(() => ({ status: 307, body: {}, headers: { location: `${other.url}/balance` } }));
    const error = await rejection(client(venue.url).request(READ));
    expect(error).toBeInstanceOf(VenueRejectedError);
    expect(error.message).toBe(`test: GET /balance answered with a redirect (HTTP 307) to ${other.url}: not followed; requests and credentials go to ${venue.url} only`);
    expect(other.requests).toEqual([]);
    expect(venue.requests).toHaveLength(1); // not retried either

    // Control: fetch left to its default follows the redirect and hands the other host the credentials.
    await fetch(`${venue.url}/balance`, { headers: { 'x-api-key': API_KEY } });
    expect(other.requests.map((request) => request.headers['x-api-key'])).toEqual([API_KEY]);
  });

  it('answering an order: 301, 302, 307, 308 mean it was not taken; 303 (processed, see elsewhere) leaves it unknown', async () => {
    const other = await server();
    for (const status of [301, 302, 307, 308]) {
      const venue = await server(() => ({ status, body: {}, headers: { location: `${other.url}/order` } }));
      const error = await rejection(client(venue.url).request(ORDER));
      expect(error, String(status)).toBeInstanceOf(VenueRejectedError);
      expect(error.message).toContain(`redirect (HTTP ${status}) to ${other.url}`);
    }
    const seeOther = await server(() => ({ status: 303, body: {}, headers: { location: `${other.url}/result` } }));
    expect(await rejection(client(seeOther.url).request(ORDER))).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(other.requests).toEqual([]);
  });
});

describe('reply size', () => {
  it('cuts an endless body off at replyBytesMax, names the setting, and releases the connection', async () => {
    let sentBytes = 0;
    const endless = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let open = true;
      res.on('close', () => (open = false));
      const pump = (): void => {
        while (open) {
          sentBytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.write('[');
      pump();
    });
    const error = await rejection(client(endless.url, { replyBytesMax: 1024 * 1024, replyBytesMaxSource: 'venues.test.replyBytesMax' }).request(READ));
    expect(error).toBeInstanceOf(VenueResponseError);
    expect(error.message).toBe('test: unexpected response: GET /balance: reply (HTTP 200) larger than 1048576 bytes (venues.test.replyBytesMax): cut off unread');
    // The server stopped being read soon after the limit (its socket buffers aside), rather than until a timeout.
    expect(sentBytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a reply that declares more than the limit without reading it; a body within the limit is read', async () => {
    const big = JSON.stringify({ items: 'x'.repeat(600 * 1024) });
    const venue = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) });
      res.end(big);
    });
    expect(await rejection(client(venue.url, { replyBytesMax: 512 * 1024 }).request(READ))).toBeInstanceOf(VenueResponseError);
    // Control: the same reply under a limit it fits in.
    const response = await client(venue.url, { replyBytesMax: 1024 * 1024 }).request(READ);
    expect((response.body as { items: string }).items).toHaveLength(600 * 1024);
  });

  it('an order answered 2xx beyond the limit may exist: unknown, never "not placed"', async () => {
    const venue = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"pad":"${'y'.repeat(200 * 1024)}"}`);
    });
    expect(await rejection(client(venue.url, { replyBytesMax: 64 * 1024 }).request(ORDER))).toBeInstanceOf(OrderOutcomeUnknownError);
  });

  it('an error reply beyond the limit is still the venue’s refusal, described from what was read', async () => {
    const venue = await rawServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end(`<html>${'bad request '.repeat(50_000)}</html>`);
    });
    const error = await rejection(client(venue.url, { replyBytesMax: 16 * 1024 }).request(ORDER));
    expect(error).toBeInstanceOf(VenueRejectedError);
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('failures before any byte left', () => {
  it('an invalid header value (a credential with a line break) is "not sent": refused, never unknown, never quoted', async () => {
    const instance = await server();
    const secret = 'line-one\nline-two-secret';
    const error = await rejection(client(instance.url, { sign: () => ({ 'x-api-key': secret }) }).request(ORDER));
    expect(error).toBeInstanceOf(VenueRejectedError);
    expect(error.message).toBe('test: POST /order not sent: header x-api-key has a value no HTTP request can carry (a control character, or a character beyond Latin-1)');
    expect(instance.requests).toEqual([]);
    // Control: fetch's own error for it quotes the whole value.
    const raw = await rejection(fetch(`${instance.url}/order`, { headers: { 'x-api-key': secret } }));
    expect(raw.message).toContain('line-two-secret');
  });

  it('a port fetch refuses, and a connection refused, are "not placed" (not unknown); a dropped connection is unknown', async () => {
    expect(await rejection(client('http://127.0.0.1:1').request(ORDER))).toBeInstanceOf(VenueRejectedError);
    const closed = await server();
    const url = closed.url;
    await closed.close();
    cleanups.pop();
    const refused = await rejection(client(url).request(ORDER));
    expect(refused).toBeInstanceOf(VenueUnavailableError);
    expect(refused.message).toMatch(/connection failed \(ECONNREFUSED\)/);
    // Control: a connection dropped after the request was written may have placed it.
    const dropping = await server();
    dropping.inject({ method: 'POST', path: '/order', fault: { kind: 'drop' } });
    expect(await rejection(client(dropping.url).request(ORDER))).toBeInstanceOf(OrderOutcomeUnknownError);
  });
});

describe('venue text', () => {
  it('is scrubbed of every registered secret before it becomes an error message', async () => {
    // A venue error page that echoes the request's headers, as some do.
    const echoing = await server((request) => ({ status: 400, body: { error: `bad request, headers: ${JSON.stringify(request.headers)}` } }));
    const unregistered = await rejection(client(echoing.url).request(ORDER));
    // Control: with the key unregistered, the venue's echo carries it into the message.
    expect(unregistered.message).toContain(API_KEY);
    registerSecret(API_KEY);
    const registered = await rejection(client(echoing.url).request(ORDER));
    expect(registered.message).not.toContain(API_KEY);
    expect(registered.message).toContain('[redacted]');
  });
});
