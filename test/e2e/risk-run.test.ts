// `arbbot run --feed` under the daily-loss limit, through the real CLI: the close that takes the day's loss to the
// limit is followed by one event; the next arbitrage opportunity is skipped while the positions already open still
// close on their stops; when feed time crosses midnight UTC the limit lifts and the next opportunity trades.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { at, configuredDir, expectHealthy, expectInOrder, logLines, openCli, positions, quote, runFeed, seedConfig, type FeedLine } from '../fixtures/e2e.js';

const DAY_SECONDS = 86_400;

const CONFIG = seedConfig({
  venues: {
    paper: { type: 'paper', startingBalance: '1000' },
    ka: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { FED: { bid: '0.44', ask: '0.46' } } },
    po: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { fed: { bid: '0.45', ask: '0.47' } } },
  },
  pairs: { 'fed-dec': { a: { venue: 'ka', market: 'FED' }, b: { venue: 'po', market: 'fed' }, maxSize: '50', minEdgeBps: 50, confirmed: true } },
  costs: { feePct: '0', spreadPct: '0', slippagePct: '0' },
  risk: { maxDailyLossUsd: '30' },
  log: { file: 'events.jsonl' },
});

/** YES on ka at 0.42 and NO on po at 1 − 0.45 = 0.55: $0.03 a pair, an arbitrage. At 0.46 it costs $1.01: none. */
const crossed = (second: number): FeedLine => quote(second, { bid: '0.40', ask: '0.42' }, 'FED', 'ka');
const uncrossed = (second: number): FeedLine => quote(second, { bid: '0.44', ask: '0.46' }, 'FED', 'ka');
const poly = (second: number): FeedLine => quote(second, { bid: '0.45', ask: '0.47' }, 'fed', 'po');

describe('run --feed under risk.maxDailyLossUsd', () => {
  it('the README figure: $18 then $13 lost reach $30; arbitrage waits for the next UTC day, stops still close', () => {
    const dir = configuredDir(CONFIG);
    const sol = openCli(dir, ['paper', 'SOL-USD', '--side', 'long', '--size', '180', '--price', '100', '--sl', '10']);
    const eth = openCli(dir, ['paper', 'ETH-USD', '--side', 'long', '--size', '130', '--price', '100', '--sl', '10']);
    const btc = openCli(dir, ['paper', 'BTC-USD', '--side', 'long', '--size', '50', '--price', '100', '--sl', '10']);
    const feed: FeedLine[] = [
      quote(1, '100', 'SOL-USD'),
      quote(1, '100', 'ETH-USD'),
      quote(1, '100', 'BTC-USD'),
      poly(1),
      uncrossed(1),
      crossed(2), // the control: arbitrage trades under this config
      uncrossed(3),
      quote(10, '90', 'SOL-USD'), // stop: −$18
      quote(11, '90', 'ETH-USD'), // stop: −$13, the day has lost $31
      crossed(12), // skipped
      quote(13, '90', 'BTC-USD'), // the ladder still closes what is open: −$5
      uncrossed(14),
      // The next UTC day (every venue was quiet for a day: each resumes on its first quote).
      uncrossed(DAY_SECONDS + 1),
      poly(DAY_SECONDS + 2),
      crossed(DAY_SECONDS + 3),
    ];
    const { summary, stderr } = runFeed(dir, feed);
    const run = summary as typeof summary & { arbitrage: { found: number; executed: number }; skippedByRiskLimit: Record<string, number> };
    expect(run.arbitrage).toMatchObject({ found: 3, executed: 2 });
    expect(run.skippedByRiskLimit).toEqual({ 'risk.maxDailyLossUsd': 1 });

    const lines = logLines(stderr);
    expectInOrder(lines, [
      '⇄ Arb fed-dec',
      `Position ${sol} closed`,
      `Position ${eth} closed`,
      "⛔ Risk limit reached, risk.maxDailyLossUsd: today's realised loss across venues reached $31.00 (UTC 2026-01-01), the limit is $30.00: no new positions or arbitrage on any venue until the next UTC midnight; open positions are still managed",
      `Position ${btc} closed`,
      '▶ Risk limit risk.maxDailyLossUsd lifted: a new UTC day began (2026-01-02); new positions may open',
      '⇄ Arb fed-dec',
    ]);
    expect(lines.filter((line) => line.includes('Risk limit'))).toHaveLength(2);
    // The arbitrage between the two events is the one skipped: none was executed in between.
    const reached = lines.findIndex((line) => line.includes('Risk limit reached'));
    const lifted = lines.findIndex((line) => line.includes('Risk limit risk.maxDailyLossUsd lifted'));
    expect(lines.slice(reached, lifted).some((line) => line.startsWith('⇄ Arb'))).toBe(false);

    // The replay stamped the ledger with the feed's time: the closes belong to the feed's day, whenever it runs.
    const closedAt = new Map(positions(dir).map((p) => [p.id, p.closedAt]));
    expect([closedAt.get(sol), closedAt.get(eth), closedAt.get(btc)]).toEqual([at(10), at(11), at(13)]);

    // The JSON log carries both events, money as exact decimal strings.
    const log = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(log.filter((event) => event.kind === 'risk_limit')).toEqual([
      expect.objectContaining({ state: 'reached', limit: 'risk.maxDailyLossUsd', venue: null, value: '31.000000', limitValue: '30.000000', reason: null }),
      expect.objectContaining({ state: 'lifted', limit: 'risk.maxDailyLossUsd', reason: 'a new UTC day began (2026-01-02)' }),
    ]);
    expectHealthy(dir);
  });
});

describe('run --feed under risk.maxOpenPositions and risk.maxPositionUsd', () => {
  it('sizes each leg within the position limit, waits for room for both legs, and trades again once positions settle', () => {
    const dir = configuredDir({ ...CONFIG, risk: { maxOpenPositions: 2, maxPositionUsd: '20' } });
    const feed: FeedLine[] = [
      poly(1),
      crossed(2), // 36 pairs: 36 NO at 0.55 cost $19.80, 37 would cost $20.35
      uncrossed(3),
      crossed(4), // two positions open, the limit: skipped
      uncrossed(5),
      { ts: at(6), type: 'resolve', venue: 'ka', market: 'FED', outcome: 'yes' },
      { ts: at(6), type: 'resolve', venue: 'po', market: 'fed', outcome: 'yes' },
      crossed(7), // room again
    ];
    const { summary, stderr } = runFeed(dir, feed);
    const run = summary as typeof summary & { arbitrage: { found: number; executed: number }; skippedByRiskLimit: Record<string, number> };
    expect(run.arbitrage).toMatchObject({ found: 3, executed: 2 });
    expect(run.skippedByRiskLimit).toEqual({ 'risk.maxOpenPositions': 1 });
    const arbs = positions(dir).filter((p) => p.kind === 'arb_hedged');
    expect(arbs.map((p) => [p.venue, p.quantity, p.costBasis])).toEqual([
      ['ka', 36_000_000, 15_120_000],
      ['po', 36_000_000, 19_800_000],
      ['ka', 36_000_000, 15_120_000],
      ['po', 36_000_000, 19_800_000],
    ]);
    const lines = logLines(stderr);
    expectInOrder(lines, [
      '⇄ Arb fed-dec',
      '⛔ Risk limit reached, risk.maxOpenPositions: 2 positions open, the limit is 2 (this needs room for 2): no new positions or arbitrage on any venue until positions close',
      'Market po fed resolved YES',
      '▶ Risk limit risk.maxOpenPositions lifted: positions closed: there is room again; new positions may open',
      '⇄ Arb fed-dec',
    ]);
    expect(lines.filter((line) => line.includes('Risk limit'))).toHaveLength(2);
    expectHealthy(dir);
  });
});
