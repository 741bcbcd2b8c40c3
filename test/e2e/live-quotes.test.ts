// Paper prices are live across processes: while `arbbot run` trades, `open`, `close` and `arb` without a price run in
// other processes and fill at (or list) the engine's latest quote — written to the paper state file on a short wall
// clock — with each quote's age shown; a quote older than priceGuard.staleAfterMs is refused with exit 2 and nothing
// written, except a quote from the config's markets, which does not age.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, dump } from '../fixtures/helpers.js';
import { configuredDir, dbPath, expectHealthy, m, position, runFeed, seedConfig, type FeedLine } from '../fixtures/e2e.js';
import { exitOf, spawnCli } from '../fixtures/process.js';

/** A general paper venue and two paper prediction venues with a confirmed pair, each with a configured quote. */
const CONFIG = seedConfig({
  venues: {
    paper: { type: 'paper', startingBalance: '100', markets: { 'SOL-USD': { bid: '99.9', ask: '100.1' } } },
    kalshi: { type: 'paper', predictionMarket: true, startingBalance: '500', markets: { FED: { bid: '0.30', ask: '0.34' } } },
    poly: { type: 'paper', predictionMarket: true, startingBalance: '500', markets: { fed: { bid: '0.31', ask: '0.35' } } },
  },
  pairs: { 'fed-dec': { a: { venue: 'kalshi', market: 'FED' }, b: { venue: 'poly', market: 'fed' }, maxSize: '50', minEdgeBps: 50, confirmed: true } },
});

/** staleAfterMs of ten minutes: see each test for why. */
const TEN_MINUTES = { maxJumpPct: '50', staleAfterMs: 600_000 };

/** How long a test waits for the engine to write a quote it was sent: generous, never asserted on. */
const FLUSH_WAIT_MS_MAX = 45_000;

function line(tsMs: number, venue: string, market: string, bid: string, ask: string): FeedLine {
  return { ts: new Date(tsMs).toISOString(), venue, market, bid, ask };
}

/** Kalshi and Polymarket quoted so that neither direction pays: the engine trades nothing on them. */
function pairLines(tsMs: number): FeedLine[] {
  return [line(tsMs, 'kalshi', 'FED', '0.40', '0.44'), line(tsMs, 'poly', 'fed', '0.41', '0.45')];
}

/** The feed time of a market's book in the paper state file, read as another process would read it (null: no row). */
function bookTime(dir: string, venue: string, market: string): number | null {
  const paper = new Database(join(dir, 'arbbot.paper.db'), { readonly: true, fileMustExist: true });
  try {
    const row = paper.prepare('SELECT updated_at_ms AS t FROM paper_books WHERE venue = ? AND market = ?').get(venue, market) as { t: number } | undefined;
    return row?.t ?? null;
  } finally {
    paper.close();
  }
}

/** Waits until the engine has written the quote of `tsMs` for every market named: a bounded wait, never a timing. */
async function untilWritten(dir: string, tsMs: number, markets: readonly (readonly [string, string])[]): Promise<void> {
  for (let waited = 0; waited < FLUSH_WAIT_MS_MAX; waited += 20) {
    if (markets.every(([venue, market]) => bookTime(dir, venue, market) === tsMs)) return;
    await sleep(20);
  }
  throw new Error(`the engine never wrote its quotes of ${new Date(tsMs).toISOString()} to the paper state file`);
}

interface QuoteJson {
  price?: string;
  quotedAt: string | null;
  quoteAgeMs: number | null;
  configured: boolean;
}

describe('paper quotes across processes', () => {
  it('open, close and arb beside a running engine use its latest quote, not the one the paper file held at start', async () => {
    // A slow machine must not make these quotes stale before the commands read them: the refusal is the next test's.
    const dir = configuredDir({ ...CONFIG, priceGuard: TEN_MINUTES });
    const run = spawnCli(dir, ['--json', '--verbose', 'run', '--feed', '-']);
    await run.waitForStderr((text) => text.includes('Start-up reconcile'), 'the engine to start');

    // Control: until the engine is sent a quote, another process sees the configured one — what a reader of the file
    // as it stood at start would fill at, and what each check below must not see.
    const before = cliJson<{ opportunities: { a: { averagePrice: string; quote: QuoteJson } }[] }>(dir, ['arb']);
    expect(before.json.opportunities[0]?.a).toMatchObject({ averagePrice: '0.340000', quote: { configured: true, quotedAt: null, quoteAgeMs: null } });

    const first = Date.now();
    run.write([line(first, 'paper', 'SOL-USD', '104.9', '105.1'), ...pairLines(first)]);
    await untilWritten(dir, first, [['paper', 'SOL-USD'], ['kalshi', 'FED'], ['poly', 'fed']]);

    const long = cliJson<{ position: { id: number; entryPrice: string }; quote: QuoteJson }>(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '10']);
    expect(long.code, long.stderr).toBe(0);
    expect(long.json.position.entryPrice).toBe('105.100000');
    expect(long.json.quote).toMatchObject({ price: '105.100000', quotedAt: new Date(first).toISOString(), configured: false });
    expect(long.json.quote.quoteAgeMs).toBeGreaterThanOrEqual(0);
    const short = cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'short', '--size', '10']);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toMatch(/^✓ Position opened successfully: ID \d+ \(short SOL-USD @ \$104\.9000, quote \d+(\.\d| min \d+) s old\)$/m);
    const shortId = Number(/ID (\d+)/.exec(short.stdout)?.[1]);

    const listed = cliJson<{ opportunities: { direction: string; a: { averagePrice: string; quote: QuoteJson }; b: { averagePrice: string; quote: QuoteJson } }[] }>(dir, ['arb']);
    const yesOnKalshi = listed.json.opportunities.find((o) => o.direction === 'yes_a_no_b');
    expect(yesOnKalshi?.a).toMatchObject({ averagePrice: '0.440000', quote: { quotedAt: new Date(first).toISOString(), configured: false } });
    expect(yesOnKalshi?.b).toMatchObject({ averagePrice: '0.590000', quote: { quotedAt: new Date(first).toISOString(), configured: false } });
    const dryRun = cli(dir, ['arb', '--execute', 'fed-dec', '--dry-run']);
    expect(dryRun.stdout).toMatch(/No opportunity on fed-dec: best net edge -\$/);

    // The market moves; the closes fill at the newer book: a long sells at its bid, a short buys back at its ask.
    const second = Math.max(Date.now(), first + 1);
    run.write([line(second, 'paper', 'SOL-USD', '106.9', '107.1')]);
    await untilWritten(dir, second, [['paper', 'SOL-USD']]);
    const closedLong = cliJson<{ status: string; position: { exitPrice: string }; quote: QuoteJson }>(dir, ['close', String(long.json.position.id)]);
    expect(closedLong.code, closedLong.stderr).toBe(0);
    expect(closedLong.json).toMatchObject({ status: 'closed', position: { exitPrice: '106.900000' }, quote: { price: '106.900000', quotedAt: new Date(second).toISOString() } });
    const closedShort = cli(dir, ['close', String(shortId)]);
    expect(closedShort.code, closedShort.stderr).toBe(0);
    expect(closedShort.stdout).toMatch(/^Exit at \$107\.1000 \(the ask, quote \d+(\.\d| min \d+) s old\)$/m);
    expect(position(dir, shortId)).toMatchObject({ status: 'closed', exitPrice: m('107.1') });

    run.child.stdin.end();
    expect(await exitOf(run)).toEqual({ code: 0, signal: null });
    expectHealthy(dir);
  });

  it('refuses a quote older than staleAfterMs with exit 2, writing nothing; a fresh one, or a configured one, is used', () => {
    // Ten minutes: a fresh quote stays fresh on the slowest machine, and one two hours old is stale on any.
    const dir = configuredDir({ ...CONFIG, priceGuard: TEN_MINUTES });
    // A configured quote has no feed time, yet never counts as old.
    const configured = cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '10']);
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).toMatch(/^✓ Position opened successfully: ID 1 \(long SOL-USD @ \$100\.1000, configured quote\)$/m);

    // Two hours old on the wall clock (feed time is the quotes' own): past staleAfterMs.
    const old = Date.now() - 2 * 3_600_000;
    runFeed(dir, [line(old, 'paper', 'SOL-USD', '104.9', '105.1'), ...pairLines(old)]);
    const before = dump(dbPath(dir));
    const refusals: [string[], RegExp][] = [
      [['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '10'], /^arbbot: the quote for paper SOL-USD is 2 h \d+ min old \(priceGuard\.staleAfterMs 10 min 0 s\); pass --price$/],
      [['close', '1'], /^arbbot: the quote for paper SOL-USD is 2 h \d+ min old \(priceGuard\.staleAfterMs 10 min 0 s\); pass --price$/],
      [['arb', '--execute', 'fed-dec'], /^arbbot: the quote for kalshi FED is 2 h \d+ min old \(priceGuard\.staleAfterMs 10 min 0 s\); is arbbot run going\? \(or pass --feed FILE\)$/],
    ];
    for (const [args, message] of refusals) {
      const result = cli(dir, args);
      expect({ args, code: result.code, stdout: result.stdout, lines: result.stderr.trim().split('\n').length }).toEqual({ args, code: 2, stdout: '', lines: 1 });
      expect(result.stderr.trim()).toMatch(message);
      expect(dump(dbPath(dir)), args.join(' ')).toBe(before);
    }
    // Listing only reads: it shows the age and refuses nothing.
    const listed = cli(dir, ['arb']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/quote 2 h \d+ min old \/ quote 2 h \d+ min old/);

    // Control: the same commands on a fresh quote go through, so the refusals above were the quote's age.
    runFeed(dir, [line(Date.now(), 'paper', 'SOL-USD', '104.9', '105.1')]);
    const fresh = cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '10']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toMatch(/\(long SOL-USD @ \$105\.1000, quote \d+(\.\d| min \d+) s old\)/);
    const closed = cli(dir, ['close', '1']);
    expect(closed.code, closed.stderr).toBe(0);
    expect(position(dir, 1)).toMatchObject({ status: 'closed', exitPrice: m('104.9') });
    expectHealthy(dir);
  });
});
