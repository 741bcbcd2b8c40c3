// End to end over real loopback HTTP: the real CLI (bin/arbbot.js → dist/, in a child process) against the Kalshi and
// Polymarket imitation servers (in this process), with a credentials file per venue, exactly as a person would run it
// against the venues: `venues check`, `arb`, `arb --execute`, `wallet-check`, `reconcile`, `positions` and `run`.
// The CLI runs asynchronously (spawn), so the in-process servers keep answering while it works.
//
// The books cross: Kalshi YES ask 0.42 (a NO bid at 0.58) and Polymarket NO ask 0.53 for the same event, 100 contracts
// deep; the next levels (Kalshi YES 0.45, Polymarket NO 0.57) do not cross, and the other direction (Kalshi NO 0.60 +
// Polymarket YES 0.48) does not either. So the best trade is exactly 100 contracts:
//   gross 100 × (1 − 0.42 − 0.53) = $5.00
//   Kalshi fee      ceil_to_cent(0.07 × 100 × 0.42 × 0.58 = 1.7052) = $1.71
//   Polymarket fee  100 × 0.03 × 0.53 × 0.47 = $0.7473 (r = 0.03, e = 1, read from the market)
//   net $2.5427 on $97.4573 used → 260 bps
// Each figure is also computed by the imitations' own fee code (BigInt, independent of src/). An SX imitation joins for
// one Kalshi–SX pair (its books public, its fills signed with the wallet key). The tests run concurrently, each with its
// own servers, directory and ledger.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { BIN, writeConfig, type CliResult } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { MICRO, scaledToDecimal } from '../fixtures/venues/imitation.js';
import { KalshiImitation, kalshiFee, type KalshiBookSpec, type KalshiMarketSpec } from '../fixtures/venues/kalshi-server.js';
import { PolymarketImitation, takerFee as polymarketFee, type PolymarketBookSpec } from '../fixtures/venues/polymarket-server.js';
import { SxImitation, type SxMarketSpec } from '../fixtures/venues/sx-server.js';
import { dbOf } from '../fixtures/helpers.js';

const TICKER = 'KXFED-26DEC-T4.00';
const KALSHI_TITLE = 'Will the upper bound of the federal funds rate be above 4.00% after the December meeting?';
const KALSHI_CLOSE = '2026-12-10T18:55:00Z';
const CONDITION = `0x${'ab'.repeat(32)}`;
const YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const PAIR = 'fed-dec';
const KALSHI_ORDERS = '/trade-api/v2/portfolio/events/orders';
const FOK_KILLED = "order couldn't be fully filled. FOK orders are fully filled or killed.";

// Kalshi (bids only, ascending): YES bids 0.38 ×50, 0.40 ×20; NO bids 0.55 ×30, 0.58 ×100 → YES asks 0.42 ×100, 0.45 ×30.
const KALSHI_BOOK: KalshiBookSpec = {
  yes: [['0.3800', '50.00'], ['0.4000', '20.00']],
  no: [['0.5500', '30.00'], ['0.5800', '100.00']],
};
// Polymarket: NO asks 0.53 ×100, 0.57 ×50; YES asks 0.48 ×50, 0.5 ×100.
const POLY_BOOKS: Record<string, PolymarketBookSpec> = {
  [YES_TOKEN]: { bids: [['0.45', '200'], ['0.44', '100']], asks: [['0.48', '50'], ['0.5', '100']] },
  [NO_TOKEN]: { bids: [['0.5', '100']], asks: [['0.53', '100'], ['0.57', '50']] },
};

// A second Kalshi market for the SX pair: YES bids 0.55 ×100 → NO ask 0.45 ×100; NO bids 0.30 ×100 → YES ask 0.70.
const TICKER_SX = 'KXCPI-26DEC-T3.0';
/** What GET /markets/{ticker} says of the two Kalshi markets. */
const KALSHI_MARKETS: Record<string, Required<Pick<KalshiMarketSpec, 'title' | 'closeTime'>>> = {
  [TICKER]: { title: KALSHI_TITLE, closeTime: KALSHI_CLOSE },
  [TICKER_SX]: { title: 'Will CPI inflation be above 3.0% in December?', closeTime: '2027-01-13T13:25:00Z' },
};
const KALSHI_SX_BOOK: KalshiBookSpec = { yes: [['0.5500', '100.00']], no: [['0.3000', '100.00']] };
// SX: one maker on outcome two at 0.58 (58 USDC) offers YES at 0.42 ×100; nobody offers NO.
const SX_MARKET = `0x${'cd'.repeat(32)}`;
const SX_PRIVATE_KEY = generatePrivateKey();
const SX_ACCOUNT = privateKeyToAccount(SX_PRIVATE_KEY);
const SX_CPI_MARKET: SxMarketSpec = {
  marketHash: SX_MARKET,
  outcomeOneName: 'Yes',
  outcomeTwoName: 'No',
  outcomeVoidName: 'NO_GAME',
  teamOneName: 'CPI above 3.0% in December',
  teamTwoName: 'CPI at most 3.0% in December',
  type: 274,
  gameTime: 1797897600,
  sportLabel: 'Economics',
  leagueLabel: 'US CPI',
  liveEnabled: false,
};

const STARTING_USD = '1000';
const STARTING_MICROS = 1_000_000_000n;
const CONTRACTS = 100n * MICRO;
const KALSHI_FEE = kalshiFee(CONTRACTS, 420_000n); // the imitation's own figure: 1_710_000
const POLY_FEE = polymarketFee(CONTRACTS, 530_000n, 30_000n, 1); // 747_300
const KALSHI_COST = 42_000_000n;
const POLY_COST = 53_000_000n;

const POLY_QUESTION = 'Fed above 4.00% after the December meeting?';
const POLY_END = '2026-12-10T19:00:00Z';
const POLY_PRIVATE_KEY = generatePrivateKey();
const POLY_ACCOUNT = privateKeyToAccount(POLY_PRIVATE_KEY);
const POLY_SECRET = randomBytes(32).toString('base64');

let kalshiKeys: { publicKey: KeyObject; pem: string };
let otherPem: string;

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  kalshiKeys = { publicKey: pair.publicKey, pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  otherPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
});

/** Registers a teardown with the running test (its own `onTestFinished`: the tests run concurrently). */
type Teardown = (fn: () => Promise<void> | void) => void;

/** Micro-units as the CLI prints them ("956.290000"). */
const usd = (micros: bigint) => scaledToDecimal(micros, 6, 6);

interface Fixture {
  readonly dir: string;
  readonly db: string;
  readonly config: string;
  readonly kalshi: KalshiImitation;
  readonly poly: PolymarketImitation;
  readonly sx: SxImitation | null;
  /** Runs the CLI against this fixture's config and ledger. */
  cli(args: readonly string[]): Promise<CliResult & { ms: number }>;
  /** Runs the CLI with --json and parses stdout. */
  json<T = Record<string, unknown>>(args: readonly string[]): Promise<{ code: number; json: T; stderr: string; ms: number }>;
}

interface FixtureOptions {
  readonly kalshiPem?: string;
  /** No Kalshi credentials at all: no credentials file, and none in the CLI's environment. */
  readonly withoutKalshiCredentials?: boolean;
  readonly polySecret?: string;
  readonly arbitrage?: Record<string, unknown>;
  readonly venueOverrides?: { readonly kalshi?: Record<string, unknown>; readonly poly?: Record<string, unknown> };
  /** Adds an SX imitation, the `sx` venue and the pair sx-cpi (YES on SX, NO on Kalshi's second market). */
  readonly withSx?: boolean;
  /** With withSx: the SX credentials file names the RPC URL but no wallet key. */
  readonly sxWithoutKey?: boolean;
  readonly kalshiBook?: KalshiBookSpec;
  readonly polyBooks?: Record<string, PolymarketBookSpec>;
  /** The Polymarket market's tick (default 0.01). */
  readonly polyTick?: number;
  /** False: the Polymarket venue is configured with no credentials at all (its books are public). */
  readonly polyCredentials?: boolean;
  /** The pair's maxSize in USD (default 200). */
  readonly maxSize?: string;
}

async function fixture(teardown: Teardown, options: FixtureOptions = {}): Promise<Fixture> {
  // Not helpers.tempDir(): its afterEach removes every test's directory, including those of tests still running.
  const dir = mkdtempSync(join(tmpdir(), 'arbbot-live-'));
  teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kalshi = await KalshiImitation.start({
    apiKeyId: 'key-1',
    publicKey: kalshiKeys.publicKey,
    books: { [TICKER]: options.kalshiBook ?? KALSHI_BOOK, [TICKER_SX]: KALSHI_SX_BOOK },
    markets: KALSHI_MARKETS,
    balanceCents: 100_000,
  });
  teardown(() => kalshi.close());
  const poly = await PolymarketImitation.start({
    apiKey: 'poly-key',
    secret: POLY_SECRET,
    passphrase: 'poly-pass',
    address: POLY_ACCOUNT.address,
    markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: options.polyTick ?? 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1, question: POLY_QUESTION, endDateIso: POLY_END } },
    books: options.polyBooks ?? POLY_BOOKS,
    balanceMicros: STARTING_MICROS,
  });
  teardown(() => poly.close());
  const kalshiCredentials = join(dir, 'kalshi.json');
  writeFileSync(kalshiCredentials, JSON.stringify({ apiKeyId: 'key-1', privateKey: options.kalshiPem ?? kalshiKeys.pem }), { mode: 0o600 });
  const polyCredentials = join(dir, 'polymarket.json');
  writeFileSync(
    polyCredentials,
    JSON.stringify({ apiKey: 'poly-key', apiSecret: options.polySecret ?? POLY_SECRET, passphrase: 'poly-pass', privateKey: POLY_PRIVATE_KEY }),
    { mode: 0o600 },
  );
  let sx: SxImitation | null = null;
  const sxVenue: Record<string, unknown> = {};
  const sxPair: Record<string, unknown> = {};
  if (options.withSx) {
    sx = await SxImitation.start({
      taker: SX_ACCOUNT.address,
      orders: [{ orderHash: '0xa1', marketHash: SX_MARKET, totalBetSize: 58_000_000n, percentageOdds: 58n * 10n ** 18n, isMakerBettingOutcomeOne: false }],
      balanceMicros: STARTING_MICROS,
      markets: [SX_CPI_MARKET],
    });
    const started = sx;
    teardown(() => started.close());
    const sxCredentials = join(dir, 'sx.json');
    const key = options.sxWithoutKey ? {} : { privateKey: SX_PRIVATE_KEY };
    writeFileSync(sxCredentials, JSON.stringify({ ...key, rpcUrl: sx.rpcUrl }), { mode: 0o600 });
    sxVenue.sx = { type: 'sx', baseUrl: sx.server.url, credentialsFile: sxCredentials, startingBalance: STARTING_USD, requestTimeoutMs: 3_000 };
    sxPair['sx-cpi'] = { a: { venue: 'sx', market: SX_MARKET }, b: { venue: 'kalshi', market: TICKER_SX }, minEdgeBps: 50, maxSize: '200', confirmed: true };
  }
  const rateLimit = { readsPerSecond: 500, writesPerSecond: 500 };
  const config = writeConfig(dir, {
    synchronous: 'NORMAL',
    venues: {
      kalshi: { type: 'kalshi', baseUrl: kalshi.baseUrl, ...(options.withoutKalshiCredentials ? {} : { credentialsFile: kalshiCredentials }), startingBalance: STARTING_USD, requestTimeoutMs: 3_000, rateLimit, ...options.venueOverrides?.kalshi },
      // No fee override: the rate and exponent are read from the market (/clob-markets), as in production.
      poly: {
        type: 'polymarket',
        baseUrl: poly.server.url,
        ...(options.polyCredentials === false ? {} : { credentialsFile: polyCredentials }),
        startingBalance: STARTING_USD,
        requestTimeoutMs: 3_000,
        rateLimit,
        ...options.venueOverrides?.poly,
      },
      ...sxVenue,
    },
    pairs: {
      [PAIR]: { a: { venue: 'kalshi', market: TICKER }, b: { venue: 'poly', market: CONDITION }, minEdgeBps: 50, maxSize: options.maxSize ?? '200', confirmed: true },
      ...sxPair,
    },
    arbitrage: { orderTimeoutMs: 3_000, ...options.arbitrage },
  });
  const db = join(dir, 'arbbot.db');
  const cli = (args: readonly string[]) => runCli(dir, ['--config', config, '--db', db, ...args]);
  const json = async <T,>(args: readonly string[]) => {
    const result = await cli(['--json', ...args]);
    try {
      return { code: result.code, json: JSON.parse(result.stdout) as T, stderr: result.stderr, ms: result.ms };
    } catch {
      throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
    }
  };
  return { dir, db, config, kalshi, poly, sx, cli, json };
}

/** CLI processes running at once (the tests run concurrently; each process is mostly start-up CPU). */
const CLI_PROCESSES_MAX = 3;
let cliRunning = 0;
const cliWaiting: (() => void)[] = [];

/** The real CLI in a child process, asynchronously; killed (by its own pid) if it outlives `timeoutMs`. */
async function runCli(dir: string, args: readonly string[], timeoutMs = 30_000): Promise<CliResult & { ms: number }> {
  if (cliRunning >= CLI_PROCESSES_MAX) await new Promise<void>((resolve) => cliWaiting.push(resolve));
  cliRunning += 1;
  try {
    const startedMs = Date.now();
    const result = await spawnCli(dir, args, timeoutMs);
    return { ...result, ms: Date.now() - startedMs };
  } finally {
    cliRunning -= 1;
    cliWaiting.shift()?.();
  }
}

/**
 * The warning every run against the loopback imitations earns (plain http; test/security checks it is given): left
 * out of the stderr these tests compare.
 */
const LOOPBACK_WARNING = /^arbbot: warning: .* is plain http to 127\.0\.0\.1:\d+: requests and credentials go unencrypted; use it only for a local test server\n/gm;

function spawnCli(dir: string, args: readonly string[], timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    // Credentials come from each fixture's files only, never from the environment the tests run in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KALSHI_')));
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...env, NO_COLOR: '1', ARBBOT_DB: '' } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr: stderr.replace(LOOPBACK_WARNING, '') });
    });
  });
}

function withLedger<T>(path: string, read: (ledger: Ledger) => T): T {
  const ledger = Ledger.open(path, { readonly: true });
  try {
    return read(ledger);
  } finally {
    ledger.close();
  }
}

interface LegJson {
  leg: string;
  venue: string;
  outcome: string;
  clientOrderId: string;
  state: string;
  filledQuantity: string;
  filledNotional: string;
  fee: string;
  error: string | null;
}
interface ExecuteJson {
  executed: boolean;
  result: { status: string; outcome: string; tradeId: number; legs: LegJson[]; positions: { venue: string; market: string; kind: string; costBasis: string }[] };
  unhedged: { positionId: number; outcome: string }[];
}
interface PairCheckJson {
  pair: string;
  legs: { leg: string; venue: string; market: string; error: string | null; description: { title: string | null; closeTime: string | null; tickSize: string | null; minSize: string | null; notes: string[] } | null }[];
}

interface VenuesCheckJson {
  venues: { venue: string; type: string; ok: boolean; venueBalance: string; ledgerTotal: string }[];
  pairs: PairCheckJson[];
}

/**
 * Every Kalshi leg of every pair is described as Kalshi's GET /markets/{ticker} says (here, the imitation), no leg's
 * description failed, and the check exits 0.
 */
function expectKalshiLegDescribed(json: VenuesCheckJson, code: number): void {
  const legs = json.pairs.flatMap((pair) => pair.legs);
  const kalshiLegs = legs.filter((leg) => leg.venue === 'kalshi');
  expect(kalshiLegs.length).toBeGreaterThan(0);
  for (const leg of kalshiLegs) {
    expect(leg).toMatchObject({
      error: null,
      description: { market: leg.market, ...KALSHI_MARKETS[leg.market], tickSize: '0.010000', minSize: null, notes: ['status active'] },
    });
  }
  expect(legs.filter((leg) => leg.error !== null)).toEqual([]);
  expect(code).toBe(0);
}

interface ReconcileJson {
  consistent: boolean;
  actions: { kind: string; detail: string }[];
  unresolved: { detail: string }[];
  venueBalances: { venue: string; venueCash: string; expectedCash: string; agrees: boolean }[];
}

async function expectHealthy(f: Fixture): Promise<void> {
  const check = await f.json<{ status: string }>(['wallet-check']);
  expect(check.json.status, JSON.stringify(check.json)).toBe('HEALTHY');
  expect(check.code).toBe(0);
  withLedger(f.db, (ledger) => assertInvariants(ledger));
}

async function expectReconciled(f: Fixture, venues: Record<string, bigint>): Promise<ReconcileJson> {
  const { code, json } = await f.json<ReconcileJson>(['reconcile']);
  expect(json.unresolved).toEqual([]);
  expect(json.consistent).toBe(true);
  expect(code).toBe(0);
  // The venue's cash equals the ledger's total less the cost basis of the contracts it holds, to the micro-unit.
  expect(json.venueBalances).toEqual(
    Object.entries(venues).map(([venue, cash]) => ({ venue, venueCash: usd(cash), expectedCash: usd(cash), agrees: true })),
  );
  return json;
}

function legEvents(db: string, clientOrderId: string): string[] {
  return withLedger(db, (ledger) =>
    (
      dbOf(ledger)
        .prepare('SELECT e.to_state FROM arb_leg_events e JOIN arb_legs l ON l.id = e.leg_id WHERE l.client_order_id = ? ORDER BY e.id')
        .all(clientOrderId) as { to_state: string }[]
    ).map((row) => row.to_state),
  );
}

/** Removes what is left of an injected fault (the venue recovers). */
function clearFaults(server: { takeFault(method: string, pathname: string, kinds: readonly ('status' | 'drop' | 'delay' | 'drop-after-accept')[]): unknown }, method: string, pathname: string): void {
  while (server.takeFault(method, pathname, ['status', 'drop', 'delay', 'drop-after-accept']) !== null) {
    // consumed
  }
}

describe.concurrent('arbbot against the Kalshi, Polymarket and SX imitations over loopback HTTP', () => {
  it('venues check: shows both balances, next to the ledger, and exits 0', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished);
    // venues check reads the ledger's totals and never creates a ledger: one is made first.
    expect((await f.cli(['init'])).code).toBe(0);
    const { code, json } = await f.json<VenuesCheckJson>(['venues', 'check']);
    expect(json.venues).toEqual([
      { venue: 'kalshi', type: 'kalshi', ok: true, error: null, exitCode: 0, venueBalance: '1000.000000', ledgerTotal: '1000.000000' },
      { venue: 'poly', type: 'polymarket', ok: true, error: null, exitCode: 0, venueBalance: '1000.000000', ledgerTotal: '1000.000000' },
    ]);
    expectKalshiLegDescribed(json, code);
    const table = await f.cli(['venues', 'check']);
    expect(table.code).toBe(code);
    expect(table.stdout).toMatch(/kalshi.*ok.*\$1,?000\.00/);
    expect(table.stdout).toMatch(/poly.*ok.*\$1,?000\.00/);
    expect(table.stdout).toContain(`  a kalshi ${TICKER}: “${KALSHI_TITLE}”, closes ${KALSHI_CLOSE}, tick $0.01, minimum not given, status active`);
  });

  it('venues check: reports a rejected signature as a credentials error (exit 2), one request per venue, no retry storm', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { kalshiPem: otherPem, polySecret: randomBytes(32).toString('base64') });
    const { code, json, stderr } = await f.json<{ venues: { venue: string; ok: boolean; error: string; exitCode: number }[] }>(['venues', 'check']);
    const [kalshi, poly] = json.venues;
    expect(kalshi).toMatchObject({ venue: 'kalshi', ok: false, exitCode: 2 });
    expect(kalshi!.error).toMatch(/kalshi: credentials rejected \(HTTP 401: authentication_error: invalid signature\)\. Check KALSHI_API_KEY_ID/);
    expect(poly).toMatchObject({ venue: 'poly', ok: false, exitCode: 2 });
    expect(poly!.error).toMatch(/poly: credentials rejected \(HTTP 401: Unauthorized\/Invalid api key\)\. Check POLY_API_KEY/);
    // venues-command.ts documents "2 credentials, 3 unreachable".
    expect(code).toBe(2);
    // Never a secret in the output.
    expect(`${JSON.stringify(json)}${stderr}`).not.toContain('PRIVATE KEY');
    expect(f.kalshi.server.requests).toHaveLength(1);
    expect(f.poly.server.requests).toHaveLength(1);

    // Trading with the rejected credentials fails at the first signed call, places nothing and does not retry. The
    // Kalshi book reads are signed because credentials are configured (unsigned only when none are).
    const executed = await f.cli(['arb', '--execute', PAIR]);
    expect(executed.stderr).toMatch(/^arbbot: kalshi: credentials rejected \(HTTP 401: authentication_error: invalid signature\)/);
    expect(executed.stderr).not.toMatch(/\n\s+at /); // a clear message, not a stack trace
    expect(executed.code).toBe(2);
    expect(f.kalshi.orders.size).toBe(0);
    expect(f.poly.orders.size).toBe(0);
    // Every signed call was sent exactly once and refused: the check's balance read, then reconcile's balance read and
    // the two book reads of `arb --execute` (YES and NO books). No retry, no order.
    expect(f.kalshi.server.requests.map((r) => `${r.method} ${r.pathname}`)).toEqual([
      'GET /trade-api/v2/portfolio/balance',
      'GET /trade-api/v2/portfolio/balance',
      `GET /trade-api/v2/markets/${TICKER}/orderbook`,
      `GET /trade-api/v2/markets/${TICKER}/orderbook`,
    ]);
    expect(f.kalshi.server.requests.every((r) => r.headers['kalshi-access-signature'] !== undefined)).toBe(true);
    expect(f.poly.server.count('GET', '/balance-allowance')).toBe(2);
    expect(f.poly.server.count('POST', '/order')).toBe(0);
    await expectHealthy(f);
  });

  it('arb: lists a Kalshi pair with no Kalshi credentials configured (public books, unsigned); balances name what is missing', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { withoutKalshiCredentials: true });
    const listed = await f.json<{ opportunities: Record<string, unknown>[] }>(['arb']);
    expect(listed.code).toBe(0);
    expect(listed.json.opportunities[0]).toMatchObject({ pair: PAIR, direction: 'yes_a_no_b', netEdgeBps: 260, a: { venue: 'kalshi', fee: usd(KALSHI_FEE) } });
    expect(f.kalshi.server.requests.length).toBeGreaterThan(0);
    expect(f.kalshi.server.requests.filter((r) => r.headers['kalshi-access-key'] !== undefined)).toEqual([]);

    const check = await f.json<VenuesCheckJson & { venues: { error: string; exitCode: number }[] }>(['venues', 'check', 'kalshi']);
    expect(check.json.venues).toEqual([expect.objectContaining({ venue: 'kalshi', ok: false, exitCode: 2, error: 'kalshi: missing credentials: KALSHI_API_KEY_ID' })]);
    expect(check.code).toBe(2);

    await expectHealthy(f);
  });

  it('arb: lists the opportunity with each venue’s exact fee, executes both FOK legs hedged, and the books match the venues', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished);
    const listed = await f.json<{ opportunities: Record<string, unknown>[] }>(['arb']);
    expect(listed.code).toBe(0);
    expect(KALSHI_FEE).toBe(1_710_000n);
    expect(POLY_FEE).toBe(747_300n);
    const [best, other, ...rest] = listed.json.opportunities;
    expect(best).toEqual({
      pair: PAIR,
      direction: 'yes_a_no_b',
      contracts: '100.000000',
      // quote: null — a live venue's book is fetched by the command itself, so it has no paper quote's age.
      a: { venue: 'kalshi', market: TICKER, outcome: 'yes', contracts: '100.000000', averagePrice: '0.420000', limitPrice: '0.420000', cost: '42.000000', fee: usd(KALSHI_FEE), quote: null },
      b: { venue: 'poly', market: CONDITION, outcome: 'no', contracts: '100.000000', averagePrice: '0.530000', limitPrice: '0.530000', cost: '53.000000', fee: usd(POLY_FEE), quote: null },
      payout: '100.000000',
      grossEdge: '5.000000',
      fees: usd(KALSHI_FEE + POLY_FEE),
      netEdge: usd(5_000_000n - KALSHI_FEE - POLY_FEE),
      netEdgeBps: 260,
      actionable: true,
      confirmed: true,
    });
    // The other direction (Kalshi NO 0.60 + Polymarket YES 0.48) is listed too, at a loss, and not actionable: at its
    // smallest size, Polymarket's minimum order size (the market's mos, 5 contracts).
    expect(other).toMatchObject({ direction: 'no_a_yes_b', contracts: '5.000000', grossEdge: '-0.400000', actionable: false });
    expect(rest).toEqual([]);
    // Listing places nothing.
    expect(f.kalshi.orders.size + f.poly.orders.size).toBe(0);

    const { code, json } = await f.json<ExecuteJson>(['arb', '--execute', PAIR]);
    expect(json.executed).toBe(true);
    expect(json.result).toMatchObject({ status: 'settled', outcome: 'hedged' });
    expect(code).toBe(0);
    const [legA, legB] = json.result.legs;
    expect(legA).toMatchObject({ leg: 'a', venue: 'kalshi', outcome: 'yes', state: 'settled', filledQuantity: '100.000000', filledNotional: '42.000000', fee: usd(KALSHI_FEE) });
    expect(legB).toMatchObject({ leg: 'b', venue: 'poly', outcome: 'no', state: 'settled', filledQuantity: '100.000000', filledNotional: '53.000000', fee: usd(POLY_FEE) });
    expect(json.result.positions.map((p) => [p.venue, p.market, p.kind, p.costBasis])).toEqual([
      ['kalshi', TICKER, 'arb_hedged', '42.000000'],
      ['poly', `${CONDITION}:no`, 'arb_hedged', '53.000000'],
    ]);
    expect(json.unhedged).toEqual([]);

    // What the venues did: one fill-or-kill order each, under the ledger's client order id (Kalshi), fees charged.
    expect([...f.kalshi.orders.values()].map((o) => [o.clientOrderId, o.bookSide, o.timeInForce, o.status])).toEqual([[legA!.clientOrderId, 'bid', 'fill_or_kill', 'executed']]);
    expect([...f.poly.orders.values()].map((o) => [o.orderType, o.status, o.sizeMatched])).toEqual([['FOK', 'MATCHED', CONTRACTS]]);
    expect(f.kalshi.balanceMicros).toBe(STARTING_MICROS - KALSHI_COST - KALSHI_FEE);
    expect(f.poly.balanceMicros).toBe(STARTING_MICROS - POLY_COST - POLY_FEE);

    await expectHealthy(f);
    await expectReconciled(f, { kalshi: STARTING_MICROS - KALSHI_COST - KALSHI_FEE, poly: STARTING_MICROS - POLY_COST - POLY_FEE });
    // The books no longer cross, and a second execute places nothing.
    const again = await f.json<{ executed: boolean }>(['arb', '--execute', PAIR]);
    expect(again.json.executed).toBe(false);
    expect(again.code).toBe(1);
    expect(f.kalshi.orders.size + f.poly.orders.size).toBe(2);
  });

  it('arb: lists from Polymarket’s public books with no Polymarket credentials; --execute refuses in one line (exit 2), sending and writing nothing', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { polyCredentials: false });
    const listed = await f.json<{ opportunities: Record<string, unknown>[] }>(['arb']);
    expect(listed.code).toBe(0);
    expect(listed.json.opportunities[0]).toMatchObject({ pair: PAIR, direction: 'yes_a_no_b', contracts: '100.000000', netEdgeBps: 260, actionable: true });
    // Public market data only: no Polymarket request carried an API key.
    expect(f.poly.server.requests.every((request) => request.headers.poly_api_key === undefined)).toBe(true);

    const executed = await f.cli(['arb', '--execute', PAIR]);
    expect(executed.stderr).toBe('arbbot: poly: missing credentials: POLY_API_KEY, POLY_API_SECRET, POLY_PASSPHRASE, POLY_PRIVATE_KEY\n');
    expect(executed.code).toBe(2);
    expect(f.kalshi.orders.size + f.poly.orders.size).toBe(0);
    expect(f.kalshi.server.count('POST', KALSHI_ORDERS) + f.poly.server.count('POST', '/order')).toBe(0);
    withLedger(f.db, (ledger) => expect(dbOf(ledger).prepare('SELECT count(*) AS n FROM arb_trades').get()).toEqual({ n: 0 }));
    await expectHealthy(f);
  });

  it('arb: on a 0.001-tick Polymarket market sizes what the CLOB accepts: 90 contracts at 0.531 ($47.79), not 97 ($51.507)', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, {
      polyTick: 0.001,
      kalshiBook: { yes: [['0.3800', '50.00']], no: [['0.5800', '97.00']] },
      polyBooks: { [YES_TOKEN]: { bids: [], asks: [['0.48', '50']] }, [NO_TOKEN]: { bids: [], asks: [['0.531', '200']] } },
    });
    const contracts = 90n * MICRO;
    const kalshiFee90 = kalshiFee(contracts, 420_000n);
    const polyFee90 = polymarketFee(contracts, 531_000n, 30_000n, 1);
    const { code, json } = await f.json<ExecuteJson & { opportunity: Record<string, unknown> }>(['arb', '--execute', PAIR]);
    expect(json.opportunity).toMatchObject({ contracts: '90.000000', b: { venue: 'poly', limitPrice: '0.531000', cost: '47.790000', fee: usd(polyFee90) } });
    expect(json.result).toMatchObject({ status: 'settled', outcome: 'hedged' });
    expect(code).toBe(0);
    expect(json.result.legs.map((leg) => [leg.venue, leg.filledQuantity, leg.filledNotional])).toEqual([
      ['kalshi', '90.000000', '37.800000'],
      ['poly', '90.000000', '47.790000'],
    ]);
    const posted = JSON.parse(f.poly.server.requests.find((request) => request.method === 'POST')!.bodyText) as { order: { makerAmount: string; takerAmount: string } };
    expect(posted.order).toMatchObject({ makerAmount: '47790000', takerAmount: '90000000' });
    expect(f.poly.server.count('POST', '/order')).toBe(1);
    await expectHealthy(f);
    await expectReconciled(f, { kalshi: STARTING_MICROS - 37_800_000n - kalshiFee90, poly: STARTING_MICROS - 47_790_000n - polyFee90 });
  });

  it('venues check: describes the Polymarket leg in the CLOB’s words (question, end date, tick, minimum, protocol)', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished);
    const { json } = await f.json<{ pairs: { pair: string; legs: { venue: string; description: Record<string, unknown> | null; error: string | null }[] }[] }>(['venues', 'check']);
    expect(json.pairs[0]!.legs.find((leg) => leg.venue === 'poly')).toMatchObject({
      error: null,
      description: {
        market: CONDITION,
        title: POLY_QUESTION,
        closeTime: POLY_END,
        tickSize: '0.010000',
        minSize: '5.000000',
        notes: ['CTF tokens: orders signed for the CTF Exchange V2 (domain version 2); the CLOB expects order version 2'],
      },
    });
  });

  it('arb: books a leg the other venue killed as an unhedged leg: hedge tried, unwind impossible, held; positions shows it', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished);
    // Polymarket kills the FOK (as it answers when the book moved away): the leg and then the hedge attempt.
    f.poly.server.inject({ method: 'POST', path: '/order', times: 2, fault: { kind: 'status', status: 400, message: FOK_KILLED } });
    const { code, json } = await f.json<ExecuteJson>(['arb', '--execute', PAIR]);
    expect(json.result).toMatchObject({ status: 'settled', outcome: 'unhedged' });
    expect(code).toBe(0);
    const [legA, legB] = json.result.legs;
    expect(legA).toMatchObject({ venue: 'kalshi', filledQuantity: '100.000000', fee: usd(KALSHI_FEE) });
    expect(legB).toMatchObject({ venue: 'poly', filledQuantity: '0.000000', fee: '0.000000' });
    expect(legB!.error).toMatch(/fully filled or killed/);
    // The policy ran against the venues: a hedge on Polymarket (killed too), no unwind (Kalshi's YES bids hold only 70).
    expect(json.unhedged).toEqual([{ positionId: expect.any(Number) as number, outcome: 'held' }]);
    expect(f.poly.server.count('POST', '/order')).toBe(2);
    expect(f.poly.orders.size).toBe(0);
    expect(f.kalshi.orders.size).toBe(1);

    const positions = await f.json<{ positions: { id: number; venue: string; market: string; kind: string; status: string; quantity: string; costBasis: string }[] }>(['positions']);
    expect(positions.json.positions).toEqual([
      expect.objectContaining({ id: json.unhedged[0]!.positionId, venue: 'kalshi', market: TICKER, kind: 'arb_unhedged', status: 'open', quantity: '100.000000', costBasis: '42.000000' }),
    ]);
    withLedger(f.db, (ledger) => {
      const records = dbOf(ledger).prepare('SELECT state, quantity FROM unhedged_legs').all();
      expect(records).toEqual([{ state: 'open', quantity: 100_000_000 }]);
    });
    await expectHealthy(f);
    // Both venues' cash matches the ledger to the micro-unit (Polymarket: untouched).
    await expectReconciled(f, { kalshi: STARTING_MICROS - KALSHI_COST - KALSHI_FEE, poly: STARTING_MICROS });
    expect(f.poly.balanceMicros).toBe(STARTING_MICROS);
  });

  it('arb: settles exactly once when both venues drop the connection after accepting the order', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished);
    f.kalshi.server.inject({ method: 'POST', path: KALSHI_ORDERS, fault: { kind: 'drop-after-accept' } });
    f.poly.server.inject({ method: 'POST', path: '/order', fault: { kind: 'drop-after-accept' } });
    const { code, json } = await f.json<ExecuteJson>(['arb', '--execute', PAIR]);
    expect(json.result).toMatchObject({ status: 'settled', outcome: 'hedged' });
    expect(code).toBe(0);
    const [legA, legB] = json.result.legs;
    expect(legA).toMatchObject({ filledQuantity: '100.000000', fee: usd(KALSHI_FEE) });
    expect(legB).toMatchObject({ filledQuantity: '100.000000', fee: usd(POLY_FEE) });

    // Kalshi dedupes on client_order_id: the HTTP layer sent the order again, was answered 409, and read the first one.
    expect(f.kalshi.server.count('POST', KALSHI_ORDERS)).toBe(2);
    expect(f.kalshi.orders.size).toBe(1);
    // Polymarket has no client order ids: the order is never re-sent; the executor asked by client order id (the
    // adapter's in-memory map to the order hash) and settled from the venue's answer.
    expect(f.poly.server.count('POST', '/order')).toBe(1);
    expect(f.poly.orders.size).toBe(1);
    expect(f.poly.server.count('GET', '/data/order/')).toBeGreaterThanOrEqual(1);
    expect(legEvents(f.db, legB!.clientOrderId)).toEqual(['reserved', 'submitted', 'unknown', 'filled', 'settled']);
    expect(legEvents(f.db, legA!.clientOrderId)).toEqual(['reserved', 'submitted', 'filled', 'settled']);

    await expectHealthy(f);
    await expectReconciled(f, { kalshi: STARTING_MICROS - KALSHI_COST - KALSHI_FEE, poly: STARTING_MICROS - POLY_COST - POLY_FEE });
  });

  it('arb: waits out an order answered after the executor’s timeout, then asks and settles it once', async ({ onTestFinished }) => {
    // Polymarket holds the order 2 s before accepting it; the executor stops waiting after 1.5 s, gives the venue
    // another 1.5 s to finish, and asks by client order id.
    const f = await fixture(onTestFinished, { arbitrage: { orderTimeoutMs: 1_500 } });
    f.poly.server.inject({ method: 'POST', path: '/order', fault: { kind: 'delay', delayMs: 2_000 } });
    const { code, json } = await f.json<ExecuteJson>(['arb', '--execute', PAIR]);
    expect(json.result).toMatchObject({ status: 'settled', outcome: 'hedged' });
    expect(code).toBe(0);
    expect(f.poly.server.count('POST', '/order')).toBe(1);
    expect(f.poly.orders.size).toBe(1);
    expect(legEvents(f.db, json.result.legs[1]!.clientOrderId)).toEqual(['reserved', 'submitted', 'unknown', 'filled', 'settled']);
    await expectHealthy(f);
    await expectReconciled(f, { kalshi: STARTING_MICROS - KALSHI_COST - KALSHI_FEE, poly: STARTING_MICROS - POLY_COST - POLY_FEE });
  });

  it('arb: waits out an order whose HTTP request timed out before the venue accepted it, then asks and settles it once', async ({ onTestFinished }) => {
    // The adapter's HTTP client gives up after 0.5 s (requestTimeoutMs) while Polymarket accepts the order only at
    // 1.2 s. The executor must give the venue time before asking: asking at once found nothing, booked the leg as
    // "never placed" and released its reservation while the venue filled it a moment later (fixed in orders.ts).
    const f = await fixture(onTestFinished, { arbitrage: { orderTimeoutMs: 3_000, unhedged: { action: 'hold' } }, venueOverrides: { poly: { requestTimeoutMs: 500 } } });
    f.poly.server.inject({ method: 'POST', path: '/order', fault: { kind: 'delay', delayMs: 1_200 } });
    const { code, json } = await f.json<ExecuteJson>(['arb', '--execute', PAIR]);
    expect(f.poly.server.count('POST', '/order')).toBe(1);
    expect(f.poly.orders.size).toBe(1);
    expect(json.result, JSON.stringify(json.result)).toMatchObject({ status: 'settled', outcome: 'hedged' });
    expect(code).toBe(0);
    expect(legEvents(f.db, json.result.legs[1]!.clientOrderId)).toEqual(['reserved', 'submitted', 'unknown', 'filled', 'settled']);
    await expectHealthy(f);
    await expectReconciled(f, { kalshi: STARTING_MICROS - KALSHI_COST - KALSHI_FEE, poly: STARTING_MICROS - POLY_COST - POLY_FEE });
  });

  it('unknown outcome: documents the limit: a Polymarket order whose answer was lost cannot be looked up after a restart', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { arbitrage: { orderTimeoutMs: 1_000 } });
    // Polymarket accepts the order but the answer is lost, and its order endpoint fails while the executor asks.
    f.poly.server.inject({ method: 'POST', path: '/order', fault: { kind: 'drop-after-accept' } });
    f.poly.server.inject({ method: 'GET', path: '/data/order/', times: 1_000, fault: { kind: 'status', status: 500 } });
    const executed = await f.json<ExecuteJson>(['arb', '--execute', PAIR]);
    expect(executed.json.result).toMatchObject({ status: 'pending' });
    expect(executed.code).toBe(1);
    expect(f.poly.orders.size).toBe(1); // the venue has it
    await expectHealthy(f); // both reservations stay locked, consistently

    // The venue recovers, but a new process cannot ask Polymarket by client order id (it keeps none, and the order
    // hash was only in the first process's memory): reconcile reports it for a person to resolve, and places nothing.
    clearFaults(f.poly.server, 'GET', '/data/order/x');
    const reconciled = await f.json<ReconcileJson>(['reconcile']);
    expect(reconciled.json.consistent).toBe(false);
    // While the trade is open the venues' cash cannot agree with the ledger (the reservations still count as cash).
    expect(reconciled.json.unresolved.map((u) => u.detail)).toEqual([
      expect.stringMatching(/^arb #1: leg B on poly \(arbbot-[0-9a-f-]+\) outcome unknown/),
      `venue holds ${usd(STARTING_MICROS - KALSHI_COST - KALSHI_FEE)}, ledger expects ${usd(STARTING_MICROS)}`,
      `venue holds ${usd(STARTING_MICROS - POLY_COST - POLY_FEE)}, ledger expects ${usd(STARTING_MICROS)}`,
    ]);
    expect(reconciled.code).toBe(1);
    expect(f.poly.server.count('POST', '/order')).toBe(1);
    // Kalshi's answer was kept when the trade went pending: only the Polymarket leg is open.
    withLedger(f.db, (ledger) => {
      const legs = dbOf(ledger).prepare('SELECT leg, state, filled_quantity FROM arb_legs ORDER BY leg').all();
      expect(legs).toEqual([
        { leg: 'a', state: 'filled', filled_quantity: 100_000_000 },
        { leg: 'b', state: 'unknown', filled_quantity: 0 },
      ]);
    });
    await expectHealthy(f);
  });

  it('run: a trade pending on Kalshi holds the pair’s in-flight slot, and reconcile settles it after a restart', async ({ onTestFinished }) => {
    // Deep books that keep crossing; maxSize $30 → 30 contracts per trade.
    const f = await fixture(onTestFinished, {
      arbitrage: { orderTimeoutMs: 1_000 },
      maxSize: '30',
      kalshiBook: { yes: KALSHI_BOOK.yes, no: [['0.5500', '30.00'], ['0.5800', '500.00']] },
      polyBooks: { ...POLY_BOOKS, [NO_TOKEN]: { bids: [['0.5', '100']], asks: [['0.53', '500']] } },
    });
    // Kalshi accepts the order, the answer is lost, and its order lookups fail for the whole run.
    f.kalshi.server.inject({ method: 'POST', path: KALSHI_ORDERS, fault: { kind: 'drop-after-accept' } });
    f.kalshi.server.inject({ method: 'GET', path: '/trade-api/v2/portfolio/orders', times: 1_000, fault: { kind: 'status', status: 500 } });
    const { code, json } = await f.json<{ stoppedBy: string; quotesAccepted: number; arbitrage: { found: number; executed: number; failed: number } }>(['run', '--duration', '6']);
    expect(code).toBe(0);
    expect(json.stoppedBy).toBe('duration');
    // The books kept crossing and kept being polled, but the pair had a trade in flight: nothing more was sent.
    expect(json.quotesAccepted).toBeGreaterThanOrEqual(4);
    expect(json.arbitrage).toMatchObject({ found: 1, executed: 0, failed: 0 });
    expect(f.kalshi.orders.size).toBe(1);
    expect(f.poly.orders.size).toBe(1);
    await expectHealthy(f);

    // Kalshi answers again: a new process asks Kalshi by client order id and settles the trade. Polymarket's answer
    // (filled) was recorded when the trade went pending: a new process could not have asked Polymarket for it.
    clearFaults(f.kalshi.server, 'GET', '/trade-api/v2/portfolio/orders');
    const kalshiFee30 = kalshiFee(30n * MICRO, 420_000n);
    const polyFee30 = polymarketFee(30n * MICRO, 530_000n, 30_000n, 1);
    const reconciled = await expectReconciled(f, { kalshi: STARTING_MICROS - 12_600_000n - kalshiFee30, poly: STARTING_MICROS - 15_900_000n - polyFee30 });
    expect(reconciled.actions.map((a) => a.detail)).toContain('arb #1: settled from the venues\' reports (hedged)');
    expect(f.kalshi.orders.size).toBe(1);
    expect(f.poly.orders.size).toBe(1);
    await expectHealthy(f);
  });

  it('Kalshi–SX: checks all three venues, then executes YES on SX against NO on Kalshi, hedged, matching both venues', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { withSx: true });
    const sx = f.sx!;
    const check = await f.json<VenuesCheckJson>(['venues', 'check']);
    expect(check.json.venues.map((v) => [v.venue, v.ok, v.venueBalance])).toEqual([
      ['kalshi', true, '1000.000000'],
      ['poly', true, '1000.000000'],
      ['sx', true, '1000.000000'],
    ]);
    const sxLeg = check.json.pairs.find((pair) => pair.pair === 'sx-cpi')?.legs.find((leg) => leg.venue === 'sx');
    expect(sxLeg).toMatchObject({
      leg: 'a',
      market: SX_MARKET,
      error: null,
      description: { title: 'CPI above 3.0% in December vs CPI at most 3.0% in December', closeTime: null, tickSize: null, minSize: null },
    });
    expect(sxLeg?.description?.notes).toEqual(expect.arrayContaining(['YES is outcome one “Yes”, NO outcome two “No”', 'Outright Winner (type 274)', 'status ACTIVE', 'minimum stake 5.00 USDC']));
    expectKalshiLegDescribed(check.json, check.code);

    // SX YES at 0.42 (fee rate 0 on single bets) + Kalshi NO at 0.45: gross $13.00, Kalshi fee
    // ceil_to_cent(0.07 × 100 × 0.45 × 0.55 = 1.7325) = $1.74 (Kalshi prices NO as an ask on YES at 0.55).
    const kalshiFeeNo = kalshiFee(CONTRACTS, 550_000n);
    expect(kalshiFeeNo).toBe(1_740_000n);
    const { code, json } = await f.json<ExecuteJson & { opportunity: Record<string, unknown> }>(['arb', '--execute', 'sx-cpi']);
    expect(json.opportunity).toMatchObject({
      direction: 'yes_a_no_b',
      contracts: '100.000000',
      a: { venue: 'sx', outcome: 'yes', averagePrice: '0.420000', cost: '42.000000', fee: '0.000000' },
      b: { venue: 'kalshi', outcome: 'no', averagePrice: '0.450000', cost: '45.000000', fee: usd(kalshiFeeNo) },
      grossEdge: '13.000000',
      netEdge: usd(13_000_000n - kalshiFeeNo),
    });
    expect(json.result).toMatchObject({ status: 'settled', outcome: 'hedged' });
    expect(code).toBe(0);
    expect(json.result.legs.map((leg) => [leg.venue, leg.filledQuantity, leg.filledNotional, leg.fee])).toEqual([
      ['sx', '100.000000', '42.000000', '0.000000'],
      ['kalshi', '100.000000', '45.000000', usd(kalshiFeeNo)],
    ]);
    expect(sx.server.count('POST', '/orders/fill/v2')).toBe(1);
    expect([...f.kalshi.orders.values()].map((o) => [o.ticker, o.bookSide, o.timeInForce, o.status])).toEqual([[TICKER_SX, 'ask', 'fill_or_kill', 'executed']]);
    expect(sx.balanceMicros).toBe(STARTING_MICROS - 42_000_000n);
    expect(f.kalshi.balanceMicros).toBe(STARTING_MICROS - 45_000_000n - kalshiFeeNo);

    await expectHealthy(f);
    await expectReconciled(f, { kalshi: STARTING_MICROS - 45_000_000n - kalshiFeeNo, poly: STARTING_MICROS, sx: STARTING_MICROS - 42_000_000n });
  });

  it('Kalshi–SX without the SX wallet key: arb lists the pair from public books; arb --execute refuses it before recording anything', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished, { withSx: true, sxWithoutKey: true });
    const sx = f.sx!;
    const listed = await f.json<{ opportunities: { pair: string; direction: string; netEdge: string }[] }>(['arb']);
    expect(listed.code).toBe(0);
    expect(listed.json.opportunities.filter((o) => o.pair === 'sx-cpi').map((o) => o.direction)).toEqual(['yes_a_no_b']);
    expect(sx.server.count('GET', '/orders')).toBeGreaterThan(0);

    const executed = await f.cli(['arb', '--execute', 'sx-cpi']);
    expect(executed.code).toBe(2);
    expect(executed.stderr.trim().split('\n')).toEqual([expect.stringContaining(`sx: missing credentials: "privateKey" in ${join(f.dir, 'sx.json')}`)]);
    expect(sx.server.count('POST', '/orders/fill/v2')).toBe(0);
    expect(f.kalshi.orders.size).toBe(0);
    expect(withLedger(f.db, (ledger) => dbOf(ledger).prepare('SELECT COUNT(*) AS n FROM arb_trades').get() as { n: number }).n).toBe(0);
    // Control: with the key, the same pair executes.
    const keyed = await fixture(onTestFinished, { withSx: true });
    expect((await keyed.cli(['arb', '--execute', 'sx-cpi'])).code).toBe(0);
    expect(keyed.sx!.server.count('POST', '/orders/fill/v2')).toBe(1);
  });

  it('run: polls the books, trades the crossing pair once, stops cleanly after --duration with a summary', async ({ onTestFinished }) => {
    const f = await fixture(onTestFinished);
    const { code, json, ms } = await f.json<{ stoppedBy: string; events: number; quotesAccepted: number; arbitrage: { found: number; executed: number; failed: number; outcomes: Record<string, number> } }>(['run', '--duration', '3']);
    expect(ms).toBeLessThan(15_000);
    expect(code).toBe(0);
    expect(json.stoppedBy).toBe('duration');
    expect(json.quotesAccepted).toBeGreaterThanOrEqual(2);
    expect(json.arbitrage).toMatchObject({ found: 1, executed: 1, failed: 0, outcomes: { hedged: 1 } });
    expect(f.kalshi.orders.size).toBe(1);
    expect(f.poly.orders.size).toBe(1);
    // Polled, not hammered: about one book read per market per second (plus start-up and the trade's reads).
    expect(f.kalshi.server.count('GET', `/trade-api/v2/markets/${TICKER}/orderbook`)).toBeLessThan(20);
    await expectHealthy(f);
    await expectReconciled(f, { kalshi: STARTING_MICROS - KALSHI_COST - KALSHI_FEE, poly: STARTING_MICROS - POLY_COST - POLY_FEE });
  });
});
