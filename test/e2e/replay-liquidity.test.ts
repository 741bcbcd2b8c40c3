// A replay does not invent liquidity: `arbbot run --feed FILE` on two paper prediction venues and a confirmed pair.
// One crossing quote is arbitraged once — the fill takes its first level — however many quotes of the other market
// follow; only a new quote of the same market brings the liquidity back.
import { describe, expect, it } from 'vitest';
import { cli } from '../fixtures/helpers.js';
import { configuredDir, expectHealthy, pairedVenuesConfig, parseSummary, type FeedLine, writeFeed } from '../fixtures/e2e.js';

const T0_MS = Date.UTC(2026, 0, 1);

/**
 * Kalshi FED and Polymarket fed, one event, a 2% fee. The feed quotes Polymarket YES bid 0.43 (NO asks 0.57 / 0.58 /
 * 0.59) and then Kalshi YES ask 0.40 (YES asks 0.40 / 0.41 / 0.42), 500 contracts a level (a feed quote's depth):
 * 0.40 + 0.57 pays 1.06% after fees, 500 pairs; what is left after that (0.41 + 0.57) pays 0.04%, under minEdgeBps.
 */
const CONFIG = pairedVenuesConfig();

const REQUOTES = 12;

function line(offsetMs: number, venue: 'kalshi' | 'poly'): FeedLine {
  const quote = venue === 'kalshi' ? { market: 'FED', bid: '0.38', ask: '0.40' } : { market: 'fed', bid: '0.43', ask: '0.45' };
  return { ts: new Date(T0_MS + offsetMs).toISOString(), venue, ...quote };
}

interface ArbSummary {
  arbitrage: { found: number; executed: number; failed: number; outcomes: Record<string, number> };
}

function arbsOf(lines: readonly FeedLine[]): ArbSummary['arbitrage'] {
  const dir = configuredDir(CONFIG);
  const result = cli(dir, ['--json', 'run', '--feed', writeFeed(dir, lines)]);
  const summary = parseSummary(result) as unknown as ArbSummary;
  expectHealthy(dir);
  return summary.arbitrage;
}

describe('replay: one crossing quote, many quotes of the other market', () => {
  it('is arbitraged exactly once: the fill took its liquidity, and only a new quote of the same market gives it back', () => {
    // Polymarket's book is quoted anew every half second of feed time (well inside staleAfterMs), Kalshi's only once.
    const requotes = Array.from({ length: REQUOTES }, (_, index) => line(1_000 + (index + 1) * 500, 'poly'));
    const once = arbsOf([line(0, 'poly'), line(1_000, 'kalshi'), ...requotes]);
    expect(once).toMatchObject({ found: 1, executed: 1, failed: 0, outcomes: { hedged: 1 } });

    // Control: the same feed with Kalshi quoted anew before each of Polymarket's quotes trades again and again, so the
    // count above would see a crossing quote sold twice.
    const withKalshi = requotes.flatMap((requote, index) => [line(1_000 + (index + 1) * 500 - 1, 'kalshi'), requote]);
    const again = arbsOf([line(0, 'poly'), line(1_000, 'kalshi'), ...withKalshi]);
    expect(again.executed).toBeGreaterThan(1);
    expect(again.failed).toBe(0);
  });
});
