// Streamed books end to end: the real CLI (`arbbot run`, a child process) against the Kalshi and Polymarket REST
// imitations and their websocket imitations (in this process). The engine trades a crossing it first sees on the
// stream, from the streamed books (no REST book read); every stream fault — a lost delta (a gap), a duplicate, one out
// of order, an abrupt close, a connection gone silent, a Polymarket change missed — pauses the venue, brings a new
// snapshot (Kalshi: resubscribing; Polymarket: GET /book) and resumes it after a reconcile; nothing trades on a
// broken book.
//
// The books: Kalshi YES bids 0.38 ×50, 0.40 ×20 and NO bid 0.55 ×30 (YES ask 0.45); Polymarket NO ask 0.53 ×100,
// YES ask 0.48 ×50. 0.45 + 0.53 = 0.98 does not pay after fees; a NO bid at 0.58 ×100 on Kalshi (YES ask 0.42) makes
// 0.42 + 0.53 = 0.95 cross for 100 contracts — the same trade as test/live/e2e.test.ts, hedged.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../fixtures/exposition.js';
import { cliAsync, writeConfig } from '../fixtures/helpers.js';
import { exitOf, spawnCli, type RunningCli } from '../fixtures/process.js';
import { KalshiImitation, type KalshiBookSpec } from '../fixtures/venues/kalshi-server.js';
import { KalshiStreamImitation } from '../fixtures/venues/kalshi-stream-server.js';
import { PolymarketImitation, type PolymarketBookSpec } from '../fixtures/venues/polymarket-server.js';
import { PolymarketStreamImitation } from '../fixtures/venues/polymarket-stream-server.js';

const TICKER = 'KXFED-26DEC-T4.00';
const CONDITION = `0x${'ab'.repeat(32)}`;
const YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const KALSHI_BOOK: KalshiBookSpec = { yes: [['0.3800', '50.00'], ['0.4000', '20.00']], no: [['0.5500', '30.00']] };
const POLY_BOOKS: Record<string, PolymarketBookSpec> = {
  [YES_TOKEN]: { bids: [['0.45', '200'], ['0.44', '100']], asks: [['0.48', '50'], ['0.5', '100']] },
  [NO_TOKEN]: { bids: [['0.5', '100']], asks: [['0.53', '100'], ['0.57', '50']] },
};
const POLY_PRIVATE_KEY = generatePrivateKey();
const POLY_SECRET = randomBytes(32).toString('base64');
const KALSHI_ORDERBOOK = `/trade-api/v2/markets/${TICKER}/orderbook`;
/** A silent stream is dropped after this long (the run's config): short, so the test's wait is short. */
const STREAM_STALE_AFTER_MS = 1_000;

let kalshiKeys: { publicKey: KeyObject; pem: string };

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  kalshiKeys = { publicKey: pair.publicKey, pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
});

type Teardown = (fn: () => Promise<void> | void) => void;

interface Fixture {
  readonly dir: string;
  readonly kalshi: KalshiImitation;
  readonly kalshiStream: KalshiStreamImitation;
  readonly poly: PolymarketImitation;
  /** Null when Polymarket's books are polled. */
  readonly polyStream: PolymarketStreamImitation | null;
  readonly args: readonly string[];
}

async function fixture(teardown: Teardown, options: { readonly polyStreamed: boolean }): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'arbbot-stream-'));
  teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kalshi = await KalshiImitation.start({ apiKeyId: 'key-1', publicKey: kalshiKeys.publicKey, books: { [TICKER]: KALSHI_BOOK }, balanceCents: 100_000 });
  teardown(() => kalshi.close());
  const kalshiStream = await KalshiStreamImitation.start(kalshi);
  teardown(() => kalshiStream.close());
  const account = privateKeyToAccount(POLY_PRIVATE_KEY);
  const poly = await PolymarketImitation.start({
    apiKey: 'poly-key',
    secret: POLY_SECRET,
    passphrase: 'poly-pass',
    address: account.address,
    markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1, question: 'Fed above 4.00%?', endDateIso: '2026-12-10T19:00:00Z' } },
    books: POLY_BOOKS,
    balanceMicros: 1_000_000_000n,
  });
  teardown(() => poly.close());
  const polyStream = options.polyStreamed ? await PolymarketStreamImitation.start({ conditionId: CONDITION, books: POLY_BOOKS }) : null;
  if (polyStream !== null) teardown(() => polyStream.close());
  const kalshiCredentials = join(dir, 'kalshi.json');
  writeFileSync(kalshiCredentials, JSON.stringify({ apiKeyId: 'key-1', privateKey: kalshiKeys.pem }), { mode: 0o600 });
  const polyCredentials = join(dir, 'polymarket.json');
  writeFileSync(polyCredentials, JSON.stringify({ apiKey: 'poly-key', apiSecret: POLY_SECRET, passphrase: 'poly-pass', privateKey: POLY_PRIVATE_KEY }), { mode: 0o600 });
  const live = { startingBalance: '1000', requestTimeoutMs: 3_000, rateLimit: { readsPerSecond: 500, writesPerSecond: 500 }, streamStaleAfterMs: STREAM_STALE_AFTER_MS };
  const config = writeConfig(dir, {
    synchronous: 'NORMAL',
    venues: {
      kalshi: { type: 'kalshi', baseUrl: kalshi.baseUrl, wsUrl: kalshiStream.url, credentialsFile: kalshiCredentials, ...live },
      poly: { type: 'polymarket', baseUrl: poly.server.url, ...(polyStream ? { wsUrl: polyStream.url } : {}), credentialsFile: polyCredentials, ...live },
    },
    pairs: { 'fed-dec': { a: { venue: 'kalshi', market: TICKER }, b: { venue: 'poly', market: CONDITION }, minEdgeBps: 50, maxSize: '200', confirmed: true } },
    arbitrage: { orderTimeoutMs: 3_000 },
  });
  return { dir, kalshi, kalshiStream, poly, polyStream, args: ['--config', config, '--db', join(dir, 'arbbot.db')] };
}

/** Resolves once `predicate` holds; fails the test when it never does within the bound. */
async function until(predicate: () => boolean, what: string, run: RunningCli): Promise<void> {
  for (let waitedMs = 0; waitedMs < 30_000; waitedMs += 20) {
    if (predicate()) return;
    await sleep(20);
  }
  throw new Error(`never: ${what}\n${run.stderr().slice(-3000)}`);
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
const pausedOn = (run: RunningCli, venue: string) => count(run.stderr(), new RegExp(`Trading paused on ${venue}: venue disconnected`));
const backOn = (run: RunningCli, venue: string) => count(run.stderr(), new RegExp(`▶ ${venue} back: reconciled`));

async function stopped(f: Fixture, run: RunningCli): Promise<void> {
  run.child.kill('SIGTERM');
  expect((await exitOf(run)).code).toBe(0);
  const check = await cliAsync(f.dir, ['--json', ...f.args, 'wallet-check']);
  expect(JSON.parse(check.stdout).status, check.stdout).toBe('HEALTHY');
  const reconcile = JSON.parse((await cliAsync(f.dir, ['--json', ...f.args, 'reconcile'])).stdout) as { consistent: boolean; unresolved: unknown[] };
  expect(reconcile).toMatchObject({ consistent: true, unresolved: [] });
}

describe('streamed books', () => {
  it('trades a crossing first seen on both streams, from the streamed books, without reading a book over REST', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { polyStreamed: true });
    const run = spawnCli(f.dir, [...f.args, 'run']);
    onTestFinished(() => void run.child.kill('SIGKILL'));
    await until(() => f.kalshiStream.subscriptions.length === 1 && f.polyStream!.received.some((message) => typeof message === 'object'), 'both streams subscribed', run);
    // The Kalshi handshake was signed: the imitation refuses one that is not (see below).
    expect(f.kalshiStream.refused).toBe(0);
    await sleep(1_500);
    expect(f.kalshi.orders.size).toBe(0);

    f.kalshi.setLevel(TICKER, 'no', '0.5800', '100.00');
    await until(() => f.kalshi.orders.size === 1 && f.poly.orders.size === 1, 'both legs sent', run);
    await run.waitForStderr((stderr) => /hedged/.test(stderr), 'the pair hedged');
    // The fill took Kalshi's NO bid, and the stream said so: the crossing is gone and is not traded again.
    await sleep(1_500);
    expect(f.kalshi.orders.size).toBe(1);
    expect(f.kalshi.server.count('GET', KALSHI_ORDERBOOK)).toBe(0);
    expect(f.poly.server.count('GET', '/book')).toBe(0);
    expect(pausedOn(run, 'kalshi') + pausedOn(run, 'poly')).toBe(0);
    await stopped(f, run);
  });

  it('pauses Kalshi on each stream fault, resubscribes for a new snapshot, and trades only once the book is whole again', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { polyStreamed: false });
    const run = spawnCli(f.dir, [...f.args, 'run', '--metrics-port', '0']);
    onTestFinished(() => void run.child.kill('SIGKILL'));
    await until(() => f.kalshiStream.subscriptions.length === 1, 'Kalshi subscribed', run);
    await run.waitForStderr((stderr) => /Started|engine/i.test(stderr), 'the engine started');

    // The crossing's delta is lost: the engine cannot know of it, and trades nothing.
    f.kalshiStream.inject('drop');
    f.kalshi.setLevel(TICKER, 'no', '0.5800', '100.00');
    await sleep(2_000);
    expect(f.kalshi.orders.size).toBe(0);
    // The next delta shows the gap: Kalshi is paused, resubscribed, and the new snapshot has the crossing: traded.
    f.kalshi.setLevel(TICKER, 'yes', '0.3900', '10.00');
    await until(() => pausedOn(run, 'kalshi') === 1, 'Kalshi paused on the gap', run);
    expect(run.stderr()).toMatch(/KXFED-26DEC-T4\.00 stream book: gap: seq 3 after 1/);
    await until(() => f.kalshiStream.commands.some((command) => command.cmd === 'unsubscribe'), 'the broken subscription given up', run);
    await until(() => backOn(run, 'kalshi') === 1, 'Kalshi back after the new snapshot', run);
    await until(() => f.kalshi.orders.size === 1 && f.poly.orders.size === 1, 'the crossing traded from the new snapshot', run);

    // A duplicate delta, then one out of order, then an abrupt close, then silence: each a pause and a way back.
    const faults: Array<[string, () => void]> = [
      ['duplicate', () => (f.kalshiStream.inject('duplicate'), f.kalshi.setLevel(TICKER, 'yes', '0.3700', '5.00'))],
      ['out of order', () => (f.kalshiStream.inject('reorder'), f.kalshi.setLevel(TICKER, 'yes', '0.3600', '5.00'), f.kalshi.setLevel(TICKER, 'yes', '0.3500', '5.00'))],
      ['abrupt close', () => f.kalshiStream.closeAbruptly()],
      ['silence', () => f.kalshiStream.silence()],
    ];
    for (const [index, [name, fault]] of faults.entries()) {
      const connections = f.kalshiStream.commands.filter((command) => command.cmd === 'subscribe').length;
      fault();
      await until(() => pausedOn(run, 'kalshi') === index + 2, `Kalshi paused on the ${name}`, run);
      await until(() => backOn(run, 'kalshi') === index + 2, `Kalshi back after the ${name}`, run);
      expect(f.kalshiStream.commands.filter((command) => command.cmd === 'subscribe').length).toBeGreaterThan(connections);
    }
    expect(run.stderr()).toMatch(/stream book: duplicate seq/);
    expect(run.stderr()).toMatch(/stream book: stream connection closed/);
    expect(run.stderr()).toMatch(/stream book: stream silent for more than 1000 ms/);
    // Nothing more was traded: the one crossing was taken.
    expect(f.kalshi.orders.size).toBe(1);
    // Each pause is counted for whoever watches the metrics, by venue and reason.
    const metricsUrl = /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)\n/.exec(run.stderr())?.[1] ?? '';
    const scraped = parseExposition(await (await fetch(metricsUrl)).text());
    expect(sampleValue(scraped, 'arbbot_venue_pauses_total', { venue: 'kalshi', reason: 'disconnect' })).toBe(pausedOn(run, 'kalshi'));
    expect(pausedOn(run, 'kalshi')).toBe(faults.length + 1);
    expect(sampleValue(scraped, 'arbbot_venue_pauses_total', { venue: 'poly' })).toBeUndefined();
    await stopped(f, run);
  });

  it('pauses Polymarket when a missed change shows in the next one, reads both books over REST, and resumes', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { polyStreamed: true });
    const polyStream = f.polyStream!;
    const run = spawnCli(f.dir, [...f.args, 'run']);
    onTestFinished(() => void run.child.kill('SIGKILL'));
    await until(() => polyStream.received.some((message) => typeof message === 'object'), 'Polymarket subscribed', run);
    await sleep(1_000);
    // A new best bid is lost; the next change (below the top) says the best is 0.46, which the book never saw.
    polyStream.dropNext();
    polyStream.setLevel(YES_TOKEN, 'bid', '0.46', '10');
    polyStream.setLevel(YES_TOKEN, 'bid', '0.42', '10');
    await until(() => pausedOn(run, 'poly') === 1, 'Polymarket paused', run);
    expect(run.stderr()).toMatch(/stream book: missed change of yes before \d+: top is 450000 micros\/480000 micros, the venue says 460000 micros\/480000 micros/);
    await until(() => backOn(run, 'poly') === 1, 'Polymarket back after its REST books', run);
    expect(f.poly.server.count('GET', '/book')).toBeGreaterThanOrEqual(2);
    expect(f.kalshi.orders.size + f.poly.orders.size).toBe(0);
    await stopped(f, run);
  });

  it('pairs list shows each pair\'s best edge now, read over REST outside the engine', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { polyStreamed: true });
    type Listed = { pairs: { name: string; bestEdge: Record<string, unknown> }[] };
    const before = JSON.parse((await cliAsync(f.dir, ['--json', ...f.args, 'pairs', 'list'])).stdout) as Listed;
    // 0.45 + 0.53 after fees loses: the best there is, shown as what it is, and not actionable.
    expect(before.pairs).toMatchObject([{ name: 'fed-dec', bestEdge: { netEdge: '-0.027365', netEdgeBps: -55, actionable: false } }]);
    f.kalshi.setLevel(TICKER, 'no', '0.5800', '100.00');
    const after = JSON.parse((await cliAsync(f.dir, ['--json', ...f.args, 'pairs', 'list'])).stdout) as Listed;
    expect(after.pairs[0]!.bestEdge).toEqual({ netEdge: '2.542700', netEdgeBps: 260, contracts: '100.000000', actionable: true });
    const table = await cliAsync(f.dir, [...f.args, 'pairs', 'list']);
    expect(table.stdout).toMatch(/fed-dec .* \$2\.54 \(260 bps\) × 100/);
    // Books read over REST, not from a stream: only the engine streams.
    expect(f.kalshiStream.subscriptions).toHaveLength(0);
    expect(f.kalshi.server.count('GET', KALSHI_ORDERBOOK)).toBeGreaterThanOrEqual(2);
    // A venue that cannot answer is said in its row; the command still lists every pair.
    await f.poly.close();
    const down = JSON.parse((await cliAsync(f.dir, ['--json', ...f.args, 'pairs', 'list'])).stdout) as Listed;
    expect(down.pairs[0]!.bestEdge).toMatchObject({ error: expect.stringMatching(/poly/) });
  });

  it('streams nothing on a replay: the quotes come from the file, and the pair\'s books are read over REST', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { polyStreamed: true });
    f.kalshi.setLevel(TICKER, 'no', '0.5800', '100.00');
    const feed = join(f.dir, 'feed.jsonl');
    writeFileSync(feed, `${JSON.stringify({ ts: new Date().toISOString(), venue: 'kalshi', market: TICKER, bid: '0.40', ask: '0.45' })}\n`);
    const result = await cliAsync(f.dir, ['--json', ...f.args, 'run', '--feed', feed]);
    expect(result.code, result.stderr).toBe(0);
    // The crossing is in the REST books only: traded means they were read, not unstarted streams' empty books.
    expect(JSON.parse(result.stdout)).toMatchObject({ stoppedBy: 'feed_ended', quotesAccepted: 1, arbitrage: { executed: 1 } });
    expect(f.kalshi.server.count('GET', KALSHI_ORDERBOOK)).toBeGreaterThanOrEqual(1);
    expect(f.kalshiStream.commands).toEqual([]);
    expect(f.polyStream!.received).toEqual([]);
  });

  it('refuses a Kalshi stream handshake that is not signed with the configured key', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { polyStreamed: false });
    const otherPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(join(f.dir, 'kalshi.json'), JSON.stringify({ apiKeyId: 'key-1', privateKey: otherPem }), { mode: 0o600 });
    const run = spawnCli(f.dir, [...f.args, 'run']);
    onTestFinished(() => void run.child.kill('SIGKILL'));
    await until(() => f.kalshiStream.refused >= 1, 'the handshake refused', run);
    await run.waitForStderr((stderr) => /Trading paused on kalshi: venue disconnected \(.*stream connection closed: Unexpected server response: 401\)/.test(stderr), 'the refusal said');
    expect(f.kalshiStream.subscriptions).toHaveLength(0);
    run.child.kill('SIGTERM');
    await exitOf(run);
    expect(f.kalshi.orders.size).toBe(0);
  });
});
