/* eslint-disable no-control-regex -- control characters are exactly what these tests look for */
// The real CLI against venues that misbehave as a compromised proxy, a broken venue release or an attacker on the
// network would (hostile-proxy.ts in front of the imitations): a redirect to a second host, an error that echoes the
// request's headers, a body that never ends, escape sequences, an overfill, a phantom fill, a fill beyond the limit, a
// negative fee. For each: no secret in stdout, stderr, the log file or any database file (every form of every
// secret, scanned); the process's peak memory under 300 MB; the engine keeps running; nothing invented is booked; and
// the message names the venue and the field (or, for a redirect, the other origin). A trade an impossible report
// concerns needs attention (positions, the run summary, JSON) with its other leg booked, wallet-check stays HEALTHY,
// and it is settled once the venue answers sanely (reconcile) or a person records what happened (resolve-trade).
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PAIR, PEAK_RSS_BYTES_MAX, secureFixture, TICKER, type SecureFixture } from '../fixtures/security.js';

interface LegJson {
  leg: string;
  venue: string;
  state: string;
  filledQuantity: string;
  error: string | null;
}
interface ExecuteJson {
  executed: boolean;
  result: { status: string; outcome?: string; reason?: string; legs?: LegJson[] };
}
interface VenuesCheckJson {
  venues: { venue: string; ok: boolean; error: string | null; exitCode: number }[];
}
interface RunJson {
  stoppedBy: string;
  quotesAccepted: number;
  arbitrage: { found: number; executed: number; failed: number; needsAttention: number };
  tradesNeedingAttention: AttentionJson[];
}
interface AttentionJson {
  tradeId: number;
  status: string;
  claim: string;
  heldLegs: { venue: string; reserved: string }[];
}
interface ReconcileJson {
  unresolved: { kind: string; detail: string }[];
  venueBalances: { venue: string; agrees: boolean }[];
}

/** What a hostile venue puts in a title or an error: clear screen, window title, and a forged green line. */
const ESCAPES = '\u001b[2J\u001b[H\u001b]0;pwned\u0007\r\n\u001b[32m✓ arb #1 settled: hedged — All good, fully hedged\u001b[0m';

/** The engine starts (its reconcile meets the hostile venue too) and runs until told to stop. */
async function expectEngineRuns(f: SecureFixture): Promise<void> {
  const run = await f.json<RunJson>(['run', '--duration', '2']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.json.stoppedBy).toBe('duration');
}

/** The checks every scenario ends with. */
async function expectContained(f: SecureFixture): Promise<void> {
  const check = await f.json<{ status: string }>(['wallet-check']);
  expect(check.json.status, JSON.stringify(check.json)).toBe('HEALTHY');
  expect(f.leaks(), 'secret forms found in output or files').toEqual([]);
  for (const run of f.runs) expect(run.peakRssBytes, run.stderr).toBeLessThan(PEAK_RSS_BYTES_MAX);
  expect(f.runs.every((run) => Number.isFinite(run.peakRssBytes))).toBe(true);
}

/** stderr without the warning every run against the loopback imitations earns (plain http). */
function withoutWarnings(stderr: string): string {
  return stderr.replace(/^arbbot: warning: .* is plain http to 127\.0\.0\.1:\d+: .*\n/gm, '');
}

function ledgerRows<T>(f: SecureFixture, sql: string): T[] {
  const db = new Database(f.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

function logText(f: SecureFixture): string {
  return existsSync(f.logFile) ? readFileSync(f.logFile, 'utf8') : '';
}

describe.concurrent('a hostile venue, through the real CLI', () => {
  it('redirects to a second host: never followed, the other host receives nothing, the error names the venue and the origin', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished);
    f.kalshiProxy.on({ method: 'GET', path: '/trade-api/v2/portfolio/balance', action: { kind: 'redirect', status: 302, location: `${f.elsewhere.url}/trade-api/v2/portfolio/balance` } });
    f.polyProxy.on({ method: 'POST', path: '/order', action: { kind: 'redirect', status: 307, location: `${f.elsewhere.url}/order` } });
    const check = await f.json<VenuesCheckJson>(['venues', 'check']);
    expect(check.json.venues[0]).toMatchObject({ venue: 'kalshi', ok: false, exitCode: 2 });
    expect(check.json.venues[0]!.error).toBe(
      `kalshi: GET /portfolio/balance answered with a redirect (HTTP 302) to ${f.elsewhere.url}: not followed; requests and credentials go to ${f.kalshiProxy.url} only`,
    );
    expect(check.code).toBe(2);

    // The order answered with a redirect was not taken: the Polymarket leg is refused, never "outcome unknown".
    const executed = await f.json<ExecuteJson>(['arb', '--execute', PAIR]);
    expect(executed.json.result).toMatchObject({ status: 'settled', outcome: 'unhedged' });
    const legB = executed.json.result.legs!.find((leg) => leg.leg === 'b')!;
    expect(legB).toMatchObject({ venue: 'poly', filledQuantity: '0.000000' });
    expect(legB.error).toContain(`poly: POST /order answered with a redirect (HTTP 307) to ${f.elsewhere.url}: not followed`);
    expect(f.elsewhere.requests).toEqual([]);
    expect(f.poly.orders.size).toBe(0);
    // Nothing invented: the one position is Kalshi's real fill.
    expect(ledgerRows<{ venue: string }>(f, 'SELECT venue FROM positions').map((p) => p.venue)).toEqual(['kalshi']);
    await expectEngineRuns(f);
    expect(f.elsewhere.requests).toEqual([]);
    await expectContained(f);
  });

  it('echoes the request’s headers into its errors: every secret is scrubbed from output, the log and the ledger', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished);
    const envelope = (text: string) => ({ error: text });
    f.kalshiProxy.on({ method: 'GET', path: '/trade-api/v2/portfolio/balance', action: { kind: 'echo-headers', status: 400, envelope } });
    f.polyProxy.on({ method: 'POST', path: '/order', action: { kind: 'echo-headers', status: 400, envelope } });
    const check = await f.cli(['--verbose', '--json', 'venues', 'check']);
    expect(check.code).toBe(2);
    expect(check.stdout).toContain('[redacted]');
    const executed = await f.cli(['--verbose', 'arb', '--execute', PAIR]);
    expect(executed.stdout).toMatch(/leg B poly: not filled: poly: POST \/order refused \(HTTP 400\): request rejected; headers received: .*poly_api_key: \[redacted\]/);
    const errors = ledgerRows<{ error: string | null }>(f, "SELECT error FROM arb_legs WHERE venue = 'poly'").map((row) => row.error ?? '');
    expect(errors.some((error) => error.includes('[redacted]'))).toBe(true);
    // Control: the venue's replies really carried the API key and the passphrase.
    const sent = f.polyProxy.tampered.map((t) => t.sentText.toLowerCase()).join('\n');
    expect(f.secretForms.filter((form) => sent.includes(form)).length).toBeGreaterThanOrEqual(2);
    await expectEngineRuns(f);
    await expectContained(f);
    // Control: the scan finds a secret that did get out, in any case, in any file.
    writeFileSync(join(f.dir, 'leaked.txt'), `key id ${f.secretForms[0]!.toUpperCase()}`); // the first form: the Kalshi key id
    expect(f.leaks()).toHaveLength(1);
  });

  it('streams a body that never ends: cut off at replyBytesMax, memory bounded, and the engine keeps running', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished);
    f.kalshiProxy.on({ method: 'GET', path: `/trade-api/v2/markets/${TICKER}/orderbook`, action: { kind: 'endless' } });
    const listed = await f.cli(['arb']);
    expect(listed.stderr).toMatch(/^arbbot: kalshi: unexpected response: GET \/markets\/KXFED-26DEC-T4\.00\/orderbook: reply \(HTTP 200\) larger than 4194304 bytes \(venues\.kalshi\.replyBytesMax\): cut off unread$/m);
    expect(listed.code).toBe(3);
    const run = await f.json<RunJson>(['run', '--duration', '3']);
    expect(run.code).toBe(0);
    expect(run.json.stoppedBy).toBe('duration');
    expect(run.json.quotesAccepted).toBeGreaterThanOrEqual(1); // Polymarket's books, still read
    expect(f.kalshiProxy.endlessBytes).toBeGreaterThan(4 * 1024 * 1024);
    await expectContained(f);
  });

  it('control: the peak-memory measurement sees a reply read whole (the limit raised to 256 MB)', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished, { venueOverrides: { kalshi: { replyBytesMax: 256 * 1024 * 1024, requestTimeoutMs: 60_000 } } });
    f.kalshiProxy.on({ method: 'GET', path: `/trade-api/v2/markets/${TICKER}/orderbook`, action: { kind: 'endless' } });
    const listed = await f.cli(['arb']);
    expect(listed.stderr).toContain('larger than 268435456 bytes');
    expect(listed.peakRssBytes).toBeGreaterThan(PEAK_RSS_BYTES_MAX);
  });

  it('sends escape sequences: shown, never obeyed, in tables, result lines and the log', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished);
    f.kalshiProxy.on({ method: 'GET', path: `/trade-api/v2/markets/${TICKER}`, action: { kind: 'rewrite', edit: (body) => (body.market && (body.market.title = `Fed${ESCAPES}`), body) } });
    f.polyProxy.on({ method: 'POST', path: '/order', action: { kind: 'reply', status: 400, text: JSON.stringify({ error: `order refused${ESCAPES}` }) } });
    const check = await f.cli(['venues', 'check']);
    const executed = await f.cli(['arb', '--execute', PAIR]);
    for (const run of [check, executed]) {
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/[\u001b\u0007\r\u009b]/);
      expect(run.stdout).toContain('\\x1b]0;pwned\\x07\\r\\n\\x1b[32m✓ arb #1 settled: hedged');
    }
    // The forged line stays inside the venue's text; the real outcome is on a line of its own.
    const lines = executed.stdout.split('\n');
    expect(lines.filter((line) => line.trimStart().startsWith('✓ arb #1 settled'))).toEqual([]);
    expect(lines.some((line) => line.trimStart().startsWith('⚠ arb #1 settled: unhedged'))).toBe(true);
    expect(logText(f)).not.toMatch(/[\u001b\u0007\u009b]/);
    // Control: the replies really carried the escape characters.
    expect(f.kalshiProxy.tampered[0]!.sentText).toContain('\\u001b]0;pwned');
    await expectEngineRuns(f);
    await expectContained(f);
  });

  for (const scenario of HOSTILE_REPORTS()) {
    it(`reports ${scenario.name}: nothing of it booked, the trade held (its other leg booked), the engine goes on; the message names the venue and the field; then settled`, async ({ onTestFinished }) => {
      const f = await secureFixture(onTestFinished);
      scenario.arrange(f);

      const run = await f.json<RunJson>(['run', '--duration', '4']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.stoppedBy).toBe('duration');
      expect(run.json.arbitrage).toMatchObject({ found: 1, executed: 0, failed: 0, needsAttention: 1 });
      expect(run.json.tradesNeedingAttention).toEqual([expect.objectContaining({ tradeId: 1, status: 'needs attention', claim: expect.stringMatching(scenario.claim) })]);
      expect(logText(f)).toMatch(scenario.claim);
      expect(f.kalshi.orders.size).toBe(1); // each order placed once, never again
      expect(f.poly.orders.size).toBe(1);

      // The hostile leg: unknown, nothing filled, the claim kept, its money held. The other leg, which its venue
      // reported believably, is booked: its contracts one unhedged position (its hedge is not known).
      const legs = ledgerRows<{ venue: string; state: string; filled_quantity: number; error: string | null }>(f, 'SELECT venue, state, filled_quantity, error FROM arb_legs ORDER BY id');
      expect(legs.find((leg) => leg.venue === scenario.ledgerVenue)).toMatchObject({ state: 'unknown', filled_quantity: 0, error: expect.stringMatching(scenario.claim) });
      const goodVenue = scenario.ledgerVenue === 'kalshi' ? 'poly' : 'kalshi';
      expect(legs.find((leg) => leg.venue === goodVenue)).toMatchObject({ state: 'settled', filled_quantity: 100_000_000 });
      expect(ledgerRows(f, 'SELECT venue, kind, quantity FROM positions')).toEqual([{ venue: goodVenue, kind: 'arb_unhedged', quantity: 100_000_000 }]);
      expect(ledgerRows(f, "SELECT venue FROM reservations WHERE state = 'pending'")).toEqual([{ venue: scenario.ledgerVenue }]);

      // A restart: start-up reconcile meets the same claim, says so, and the engine runs on.
      const again = await f.json<RunJson>(['run', '--duration', '2']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.json.stoppedBy).toBe('duration');
      expect(again.json.tradesNeedingAttention).toEqual([expect.objectContaining({ tradeId: 1, claim: expect.stringMatching(scenario.claim) })]);
      const reconciled = await f.json<ReconcileJson>(['reconcile']);
      expect(reconciled.json.unresolved.map((u) => u.detail)).toEqual(expect.arrayContaining([expect.stringMatching(scenario.claim)]));
      expect(reconciled.code).toBe(1);
      // The booked leg's venue holds what the ledger expects of it; only the held leg's venue cannot agree yet.
      expect(reconciled.json.venueBalances.find((check) => check.venue === goodVenue)).toMatchObject({ agrees: true });
      await expectNeedsAttention(f, scenario);
      await expectContained(f);

      // The way out: the venue corrects itself, or a person records what the venue's own records say (Polymarket
      // keeps no client order ids, so its order cannot be looked up by another process: a person's part).
      if (scenario.ledgerVenue === 'kalshi') await correctedByTheVenue(f);
      else await resolveByHand(f);
      expect(ledgerRows(f, 'SELECT state, outcome, attention FROM arb_trades WHERE id = 1')).toEqual([{ state: 'settled', outcome: 'hedged', attention: null }]);
      expect(ledgerRows(f, 'SELECT venue, kind FROM positions ORDER BY venue')).toEqual([{ venue: 'kalshi', kind: 'arb_hedged' }, { venue: 'poly', kind: 'arb_hedged' }]);
      expect(ledgerRows(f, "SELECT id FROM reservations WHERE state = 'pending'")).toEqual([]);
      const settled = await f.json<ReconcileJson>(['reconcile']);
      expect(settled.json.venueBalances.map((check) => [check.venue, check.agrees])).toEqual([['kalshi', true], ['poly', true]]);
      expect((await f.json<{ tradesNeedingAttention: unknown[] }>(['positions'])).json.tradesNeedingAttention).toEqual([]);
      await expectContained(f);
    });
  }
});

/** `positions` lists the held trade, its claim and its held leg, in JSON and on the terminal. */
async function expectNeedsAttention(f: SecureFixture, scenario: HostileReport): Promise<void> {
  const listed = await f.json<{ positions: { venue: string; kind: string }[]; tradesNeedingAttention: AttentionJson[] }>(['positions']);
  expect(listed.json.tradesNeedingAttention).toEqual([
    expect.objectContaining({ tradeId: 1, status: 'needs attention', claim: expect.stringMatching(scenario.claim), heldLegs: [expect.objectContaining({ venue: scenario.ledgerVenue })] }),
  ]);
  expect(listed.json.positions.map((p) => p.kind)).toEqual(['arb_unhedged']);
  const text = await f.cli(['positions']);
  expect(text.stdout).toMatch(new RegExp(`^⚠ arb #1 \\(${PAIR}\\) needs attention: leg [AB] on ${scenario.ledgerVenue} \\(arbbot-[^)]+\\): `, 'm'));
  expect(text.stdout).toMatch(scenario.claim);
  expect(text.stdout).toContain('arbbot resolve-trade 1 --filled N');
}

/**
 * What the Polymarket order's page and the wallet's history at the venue show (the imitation's own records): the
 * contracts filled, their average price, and the fee (what the balance fell by beyond their cost).
 */
function polyOrderPage(f: SecureFixture): { filled: string; price: string; fee: string } {
  const size = f.poly.trades.reduce((sum, trade) => sum + trade.size, 0n);
  const cost = f.poly.trades.reduce((sum, trade) => sum + (trade.size * trade.price) / 1_000_000n, 0n);
  const decimal = (micros: bigint) => (Number(micros) / 1_000_000).toFixed(6); // test figures only, never money code
  expect((cost * 1_000_000n) % size).toBe(0n);
  return { filled: decimal(size), price: decimal((cost * 1_000_000n) / size), fee: decimal(1_000_000_000n - f.poly.balanceMicros - cost) };
}

/** resolve-trade refuses what cannot have happened (exit 2, one line, nothing written), then takes the venue's figures. */
async function resolveByHand(f: SecureFixture): Promise<void> {
  const books = () => ledgerRows(f, 'SELECT (SELECT json_group_array(json_array(state, attention)) FROM arb_trades) AS t, (SELECT json_group_array(json_array(state, filled_quantity)) FROM arb_legs) AS l, (SELECT json_group_array(state) FROM reservations) AS r, (SELECT count(*) FROM wallet_transactions) AS w');
  const before = books();
  const page = polyOrderPage(f);
  const refused: [string[], string][] = [
    [['--filled', '101'], 'arbbot: --filled 101.000000 is more than leg B ordered (100.000000)'],
    [['--filled', page.filled, '--price', '0.6'], "arbbot: --price 0.600000 is above leg B's limit 0.530000: a buy fills at its limit or better"],
    [['--filled', page.filled, '--price', page.price, '--fee', '500'], 'arbbot: leg B holds'],
    [['--rejected', '--fee', '1'], 'arbbot: --rejected goes alone'],
    [['--filled', 'lots'], 'arbbot: --filled: "lots" is not a plain decimal number'],
    [['--leg', 'a', '--rejected'], 'arbbot: leg A of arb #1 is not waiting for a verdict (settled); waiting: B on poly'],
  ];
  for (const [args, message] of refused) {
    const run = await f.cli(['resolve-trade', '1', ...args]);
    expect(run.stderr.slice(0, message.length)).toBe(message);
    expect(run.stderr.split('\n')).toHaveLength(2); // one line
    expect(run.code).toBe(2);
  }
  expect((await f.cli(['resolve-trade', '9', '--rejected'])).stderr).toMatch(/^arbbot: no arb trade 9\n$/);
  expect(books()).toEqual(before);
  const resolved = await f.json<{ status: string; outcome: string; resolvedClaim: string }>(['resolve-trade', '1', '--filled', page.filled, '--price', page.price, '--fee', page.fee]);
  expect(resolved.code, resolved.stderr).toBe(0);
  expect(resolved.json).toMatchObject({ status: 'settled', outcome: 'hedged', resolvedClaim: expect.stringContaining('impossible report') });
  // Resolved once: a second attempt finds nothing to resolve and changes nothing.
  expect((await f.cli(['resolve-trade', '1', '--rejected'])).code).toBe(2);
}

/** The venue answers sanely again: reconcile settles the trade from its report. */
async function correctedByTheVenue(f: SecureFixture): Promise<void> {
  f.kalshiProxy.rules.length = 0;
  const reconciled = await f.json<ReconcileJson & { actions: { detail: string }[] }>(['reconcile']);
  expect(reconciled.json.actions.map((a) => a.detail)).toContain("arb #1: settled from the venues' reports (hedged) (it needed attention: the venue now answers sanely)");
  expect(reconciled.code, JSON.stringify(reconciled.json)).toBe(0);
}

interface HostileReport {
  readonly name: string;
  /** The venue of the hostile leg, as the config names it. */
  readonly ledgerVenue: 'kalshi' | 'poly';
  /** The message: the venue and the field. */
  readonly claim: RegExp;
  arrange(f: SecureFixture): void;
}

/** The impossible reports, each as every later answer about the order keeps making it (a venue that does not correct itself). */
function HOSTILE_REPORTS(): HostileReport[] {
  const kalshiFills = (edit: (fills: Record<string, unknown>[]) => void) => ({
    kind: 'rewrite' as const,
    edit: (body: { fills: Record<string, unknown>[] }) => (edit(body.fills), body),
  });
  const polyTrades = (edit: (trades: Record<string, unknown>[]) => void) => ({
    kind: 'rewrite' as const,
    edit: (body: { data: Record<string, unknown>[] }) => (edit(body.data), body),
  });
  return [
    {
      name: 'an overfill (1000 filled of 100 ordered)',
      ledgerVenue: 'kalshi',
      claim: /kalshi: impossible report: (orders\.orders\[0\]\.)?fill_count_fp: 1000(\.0+)? filled of 100(\.0+)? ordered/,
      arrange(f) {
        f.kalshiProxy.on({ method: 'POST', path: '/trade-api/v2/portfolio/events/orders', action: { kind: 'rewrite', edit: (body) => ({ ...body, fill_count: '1000.00' }) } });
        f.kalshiProxy.on({ method: 'GET', path: '/trade-api/v2/portfolio/fills', action: kalshiFills((fills) => fills.forEach((fill) => (fill.count_fp = '1000.00'))) });
        f.kalshiProxy.on({
          method: 'GET',
          path: '/trade-api/v2/portfolio/orders',
          action: { kind: 'rewrite', edit: (body: { orders?: Record<string, unknown>[] }) => ((body.orders ?? []).forEach((order) => (order.fill_count_fp = '1000.00')), body) },
        });
      },
    },
    {
      name: 'a phantom fill (a fill of an order never placed, answered for ours)',
      ledgerVenue: 'kalshi',
      claim: /kalshi: impossible report: fills\[1\]\.order_id: a fill of order never-placed answered for order /,
      arrange(f) {
        f.kalshiProxy.on({ method: 'GET', path: '/trade-api/v2/portfolio/fills', action: kalshiFills((fills) => fills.push({ ...fills[0]!, fill_id: 'phantom', order_id: 'never-placed', count_fp: '900.00' })) });
      },
    },
    {
      name: 'a fill beyond the limit (0.60 on a 0.53 limit)',
      ledgerVenue: 'poly',
      claim: /poly: impossible report: trades\[0\]\.price: 0\.600000 is worse than the limit 0\.530000 for a buy/,
      arrange(f) {
        f.polyProxy.on({ method: 'GET', path: '/data/trades', action: polyTrades((trades) => trades.forEach((trade) => (trade.price = '0.6'))) });
      },
    },
    {
      name: 'a negative fee',
      ledgerVenue: 'poly',
      claim: /polymarket: impossible report: trades\.data\[0\]\.fee_rate_bps: a negative fee rate of -500 bps/,
      arrange(f) {
        f.polyProxy.on({ method: 'GET', path: '/data/trades', action: polyTrades((trades) => trades.forEach((trade) => (trade.fee_rate_bps = '-500'))) });
      },
    },
  ];
}

describe.concurrent('refused or warned exactly as the README says', () => {
  it('a config with http:// to a host other than this machine: refused at load, one line, exit 2, nothing written', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished);
    const config = join(f.dir, 'plain.json');
    writeFileSync(config, JSON.stringify({ venues: { kalshi: { type: 'kalshi', baseUrl: 'http://api.example.com/trade-api/v2' } } }));
    const run = await f.raw(['--config', config, 'venues', 'check']);
    expect(run.stderr).toBe(`arbbot: config ${config}: venues.kalshi.baseUrl: http:// is allowed only to a loopback address (localhost, 127.0.0.0/8, ::1); use https:// for api.example.com\n`);
    expect(run.code).toBe(2);
    expect(existsSync(f.db)).toBe(false);
    // Control: plain http to this machine is allowed, with a warning.
    const local = await f.cli(['venues', 'check']);
    expect(local.stderr).toMatch(/^arbbot: warning: kalshi: venues\.kalshi\.baseUrl is plain http to 127\.0\.0\.1:\d+: requests and credentials go unencrypted; use it only for a local test server$/m);
    expect(local.code).toBe(0);
  });

  it('a credential with a line break: refused at load naming the variable (never the value), exit 2, no order', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished);
    const credentials = JSON.parse(readFileSync(join(f.dir, 'kalshi.json'), 'utf8')) as Record<string, string>;
    writeFileSync(join(f.dir, 'kalshi.json'), JSON.stringify({ ...credentials, apiKeyId: `${credentials.apiKeyId}\nX-Injected: yes` }), { mode: 0o600 });
    const check = await f.json<VenuesCheckJson>(['venues', 'check', 'kalshi']);
    expect(check.json.venues[0]).toMatchObject({
      ok: false,
      exitCode: 2,
      error: `kalshi: "apiKeyId" in ${join(f.dir, 'kalshi.json')} contains a control character (such as a line break): a credential is one line of text`,
    });
    const executed = await f.cli(['arb', '--execute', PAIR]);
    expect(withoutWarnings(executed.stderr)).toMatch(/^arbbot: kalshi: "apiKeyId" in .* contains a control character \(such as a line break\): a credential is one line of text\n$/);
    expect(executed.code).toBe(2);
    expect(f.kalshi.orders.size + f.poly.orders.size).toBe(0);
    expect(ledgerRows(f, 'SELECT id FROM arb_trades')).toEqual([]);
    // From the environment, the variable is named.
    const config = join(f.dir, 'env.json');
    writeFileSync(config, JSON.stringify({ venues: { kalshi: { type: 'kalshi', baseUrl: f.kalshiProxy.urlFor(f.kalshi.baseUrl) } } }));
    const fromEnv = await f.raw(['--config', config, '--db', join(f.dir, 'env.db'), '--json', 'venues', 'check'], { env: { KALSHI_API_KEY_ID: 'abc\ndef', KALSHI_PRIVATE_KEY: 'x' } });
    expect(fromEnv.stdout).toContain('kalshi: KALSHI_API_KEY_ID contains a control character (such as a line break): a credential is one line of text');
    expect(fromEnv.code).toBe(2);
    await expectContained(f);
  });

  it('a credentials file readable by group or others: refused with the fix named (chmod 600)', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished);
    const file = join(f.dir, 'kalshi.json');
    chmodSync(file, 0o644);
    const check = await f.json<VenuesCheckJson>(['venues', 'check', 'kalshi']);
    expect(check.json.venues[0]).toMatchObject({ ok: false, exitCode: 2, error: `kalshi: credentials file ${file} is accessible by group or others (mode 0644); run: chmod 600 ${file}` });
    expect(check.code).toBe(2);
    chmodSync(file, 0o600);
    expect((await f.json<VenuesCheckJson>(['venues', 'check', 'kalshi'])).json.venues[0]).toMatchObject({ ok: true });
  });

  it('the ledger (and its -wal and -shm), the paper books and the log are created readable by their owner only', async ({ onTestFinished }) => {
    const f = await secureFixture(onTestFinished);
    await f.cli(['run', '--duration', '1']);
    const paperConfig = join(f.dir, 'paper.json');
    writeFileSync(paperConfig, JSON.stringify({ log: { file: join(f.dir, 'paper.log') } }));
    const paperDb = join(f.dir, 'paper-ledger.db');
    expect((await f.raw(['--config', paperConfig, '--db', paperDb, 'run', '--max-ticks', '50', '--speed', 'max'])).code).toBe(0);
    // The last connection to close removes -wal and -shm; any process that opens the ledger again creates them, with
    // the ledger's own mode.
    const reopened = new Database(f.db);
    reopened.prepare('SELECT count(*) FROM wallets').get();
    const mode = (path: string) => statSync(path).mode & 0o777;
    try {
      for (const path of [f.db, `${f.db}-wal`, `${f.db}-shm`, f.logFile, paperDb, join(f.dir, 'paper-ledger.paper.db'), join(f.dir, 'paper.log')]) {
        expect(mode(path), path).toBe(0o600);
      }
    } finally {
      reopened.close();
    }
    // Control: a database SQLite creates by itself takes SQLite's default mode (0644, less the umask).
    const plain = join(f.dir, 'plain.db');
    new Database(plain).close();
    expect(mode(plain)).toBe(0o644 & ~process.umask());
  });
});
