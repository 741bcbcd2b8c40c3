// `arbbot run --metrics-port`: the real CLI fed through stdin, scraped over HTTP while it runs, its exposition read by
// a strict parser. What the endpoint counts must be what the run did — the summary's figures and the ledger's
// wallets — and a rejected quote moves its counter by exactly one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../fixtures/helpers.js';
import { configuredDir, quote, seedConfig, type FeedLine } from '../fixtures/e2e.js';
import { parseExposition, sampleValue, samplesBy, type ParsedExposition } from '../fixtures/exposition.js';
import { exitOf, spawnCli, type RunningCli } from '../fixtures/process.js';

const NO_COSTS = { feePct: '0', spreadPct: '0', slippagePct: '0' };
const WAIT_MS_MAX = 30_000;
const POLL_MS = 25;

/** Two prediction-market venues and a confirmed pair: YES on ka at 0.45 + NO on po at 0.50 pays $0.05 a pair. */
function arbConfig(): Record<string, unknown> {
  return seedConfig({
    venues: {
      paper: { type: 'paper', startingBalance: '100' },
      ka: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { FED: { bid: '0.48', ask: '0.52' } } },
      po: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { fed: { bid: '0.50', ask: '0.52' } } },
    },
    pairs: { 'fed-dec': { a: { venue: 'ka', market: 'FED' }, b: { venue: 'po', market: 'fed' }, maxSize: '50', minEdgeBps: 50, confirmed: true } },
    costs: NO_COSTS,
  });
}

async function startRun(dir: string, extra: readonly string[] = []): Promise<{ run: RunningCli; url: string }> {
  const run = spawnCli(dir, ['--json', '--verbose', 'run', '--feed', '-', '--metrics-port', '0', ...extra]);
  await run.waitForStderr((text) => /metrics: http:\/\/127\.0\.0\.1:\d+\/metrics\n/.test(text), 'the metrics endpoint to listen');
  const url = /metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)\n/.exec(run.stderr())?.[1] ?? '';
  return { run, url };
}

async function scrape(url: string): Promise<ParsedExposition> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

/** Scrapes until the engine has handled `events` feed events (a bounded wait: it fails the test when it runs out). */
async function scrapeAfter(url: string, events: number): Promise<ParsedExposition> {
  for (let waited = 0; waited < WAIT_MS_MAX; waited += POLL_MS) {
    const parsed = await scrape(url);
    if (sampleValue(parsed, 'arbbot_feed_events_total') === events) return parsed;
    await sleep(POLL_MS);
  }
  throw new Error(`the engine did not reach ${events} events`);
}

interface Summary {
  events: number;
  rejectedByReason: Record<string, number>;
  openPositions: number;
  arbitrage: { executed: number; failed: number; outcomes: Record<string, number> };
  wallets: { venue: string; total: string; available: string; locked: string }[];
}

const FEED: FeedLine[] = [
  quote(1, { bid: '0.48', ask: '0.52' }, 'FED', 'ka'),
  quote(1, { bid: '0.50', ask: '0.52' }, 'fed', 'po'),
  quote(2, { bid: '0.40', ask: '0.45' }, 'FED', 'ka'), // the arbitrage
  quote(3, { bid: '0.48', ask: '0.52' }, 'FED', 'ka'),
  quote(4, { bid: '0.60', ask: '0.50' }, 'FED', 'ka'), // crossed
  quote(5, '0', 'SOL-USD'), // non-positive
  quote(6, '100', 'SOL-USD', 'nowhere'), // unknown venue
  quote(7, '100', 'SOL-USD'),
  quote(8, '100', 'SOL-USD'),
  quote(9, '100', 'SOL-USD'),
];

describe('metrics endpoint', () => {
  it('counts what the run did: the summary\'s rejections and arbitrages, the ledger\'s wallets, and pauses', async () => {
    const dir = configuredDir(arbConfig());
    const { run, url } = await startRun(dir);
    const before = await scrapeAfter(url, 0);
    expect(before.types.get('arbbot_quotes_rejected_total')).toBe('counter');
    expect(before.types.get('arbbot_tick_to_order_seconds')).toBe('histogram');
    expect(samplesBy(before, 'arbbot_venue_paused', 'venue')).toEqual({ paper: 0, ka: 0, po: 0 });

    run.write(FEED);
    const during = await scrapeAfter(url, FEED.length);
    expect(samplesBy(during, 'arbbot_quotes_rejected_total', 'reason')).toEqual({ crossed: 1, non_positive: 1, unknown_venue: 1 });
    expect(sampleValue(during, 'arbbot_arbitrages_total', { status: 'settled' })).toBe(1);
    // One arbitrage sent, so one latency: counted once, in a bucket no higher than +Inf, and buckets cumulative.
    expect(sampleValue(during, 'arbbot_tick_to_order_seconds_count')).toBe(1);
    const buckets = during.samples.filter((sample) => sample.name === 'arbbot_tick_to_order_seconds_bucket').map((sample) => sample.value);
    expect(buckets.at(-1)).toBe(1);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(sampleValue(during, 'arbbot_tick_to_order_seconds_sum')).toBeGreaterThan(0);
    expect(sampleValue(during, 'arbbot_tick_to_order_seconds_sum')).toBeLessThan(5);

    // The control: one more rejected quote moves its reason's counter by exactly one, and nothing else.
    run.write([quote(10, { bid: '0.70', ask: '0.50' }, 'FED', 'ka')]);
    const after = await scrapeAfter(url, FEED.length + 1);
    expect(samplesBy(after, 'arbbot_quotes_rejected_total', 'reason')).toEqual({ crossed: 2, non_positive: 1, unknown_venue: 1 });

    run.write([{ ts: '2026-01-01T00:00:11Z', type: 'disconnect', venue: 'ka' }]);
    const paused = await scrapeAfter(url, FEED.length + 2);
    expect(samplesBy(paused, 'arbbot_venue_paused', 'venue')).toEqual({ paper: 0, ka: 1, po: 0 });
    // The wallets as another process reads the ledger at the same moment (the engine is idle, waiting on stdin):
    // the armed trade's reservation included, which the run releases when it stops.
    const balances = cliJson<{ wallets: { venue: string; total: string; available: string; locked: string }[] }>(dir, ['balances']);
    expect(balances.code, balances.stderr).toBe(0);
    expect(balances.json.wallets.map((wallet) => wallet.venue).sort()).toEqual(['ka', 'paper', 'po']);
    for (const wallet of balances.json.wallets) {
      expect(sampleValue(paused, 'arbbot_wallet_total_dollars', { venue: wallet.venue })).toBe(Number(wallet.total));
      expect(sampleValue(paused, 'arbbot_wallet_available_dollars', { venue: wallet.venue })).toBe(Number(wallet.available));
      expect(sampleValue(paused, 'arbbot_wallet_locked_dollars', { venue: wallet.venue })).toBe(Number(wallet.locked));
    }
    const ka = balances.json.wallets.find((wallet) => wallet.venue === 'ka');
    expect(Number(ka?.locked)).toBeGreaterThan(0);
    expect(sampleValue(paused, 'arbbot_wallet_utilisation_ratio', { venue: 'ka' })).toBeCloseTo(Number(ka?.locked) / Number(ka?.total), 12);

    run.child.stdin.end();
    const exit = await exitOf(run);
    expect(exit.code, run.stderr()).toBe(0);
    const summary = JSON.parse(run.stdout()) as Summary;
    expect(summary.events).toBe(FEED.length + 2);
    expect(samplesBy(paused, 'arbbot_quotes_rejected_total', 'reason')).toEqual(summary.rejectedByReason);
    expect(summary.arbitrage.executed).toBe(1);
    expect(sampleValue(paused, 'arbbot_arbitrages_total', { status: 'settled', outcome: Object.keys(summary.arbitrage.outcomes)[0] ?? '' })).toBe(1);
    expect(sampleValue(paused, 'arbbot_open_positions')).toBe(summary.openPositions);
    expect(summary.openPositions).toBe(2);
    // Totals do not move when the stop releases the armed reservation.
    for (const wallet of summary.wallets) expect(sampleValue(paused, 'arbbot_wallet_total_dollars', { venue: wallet.venue })).toBe(Number(wallet.total));
    // The endpoint closed with the run.
    await expect(fetch(url)).rejects.toThrow();
  });

  it('serves /metrics only, on the loopback address it printed', async () => {
    const dir = configuredDir(arbConfig());
    const { run, url } = await startRun(dir);
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const other = await fetch(url.replace(/\/metrics$/, '/'));
    expect(other.status).toBe(404);
    expect((await fetch(`${url}x`)).status).toBe(404);
    expect((await fetch(url, { method: 'POST', body: '' })).status).toBe(405);
    expect((await fetch(url)).status).toBe(200);
    run.child.stdin.end();
    expect((await exitOf(run)).code, run.stderr()).toBe(0);
  });

  it('a port already taken stops the run before it trades (exit 3); a bad port is bad input (exit 2)', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const dir = configuredDir(arbConfig());
      const taken = cli(dir, ['run', '--feed', '-', '--metrics-port', String(port)], { input: `${JSON.stringify(quote(1, '100', 'SOL-USD'))}\n` });
      expect(taken.code, taken.stderr).toBe(3);
      expect(taken.stderr).toContain(`arbbot: metrics: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
      expect(taken.stdout).not.toContain('Run summary');
      for (const bad of ['65536', '-1', 'x', '1.5']) {
        const result = cli(dir, ['run', '--feed', '-', '--metrics-port', bad]);
        expect(result.code, bad).toBe(2);
        expect(result.stderr).toContain('--metrics-port must be a port from 0 to 65535');
      }
    } finally {
      holder.close();
    }
  });
});
