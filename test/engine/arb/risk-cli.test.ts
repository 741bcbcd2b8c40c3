// `arbbot arb` under the risk limits, through the real CLI: `--execute` is refused (exit 2, one line naming the limit,
// every table unchanged) when the pair's two legs would break maxOpenPositions or a daily-loss limit holds either
// venue, and executes under the limit; each leg is sized within maxPositionUsd, listing and execution alike.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, dump, tempDir, writeConfig, type CliResult } from '../../fixtures/helpers.js';
import { arbConfigJson } from '../../fixtures/arb.js';

function setUp(risk: Record<string, unknown>, venueLimit?: { venue: string; usd: string }): { dir: string; db: string } {
  const config = arbConfigJson({ risk });
  if (venueLimit) {
    const venues = config.venues as Record<string, Record<string, unknown>>;
    venues[venueLimit.venue] = { ...venues[venueLimit.venue], maxDailyLossUsd: venueLimit.usd };
  }
  const dir = tempDir();
  writeConfig(dir, config);
  expect(cli(dir, ['init']).code).toBe(0); // creates the ledger and its wallets
  return { dir, db: join(dir, 'arbbot.db') };
}

function expectRefused(result: CliResult, ...parts: string[]): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  for (const part of parts) expect(lines[0]).toContain(part);
}

/** Runs `attempt` and checks it changed no row of any table. */
function unchanged(db: string, attempt: () => CliResult): CliResult {
  const before = dump(db);
  const result = attempt();
  expect(dump(db)).toBe(before);
  return result;
}

describe('arb --execute under risk.maxOpenPositions', () => {
  it('needs room for both legs: refused with one open of a limit of 2, executed with a limit of 3', () => {
    const tight = setUp({ maxOpenPositions: 2 });
    expect(cli(tight.dir, ['open', 'kalshi', 'OTHER', '--side', 'long', '--size', '1', '--price', '0.5']).code).toBe(0);
    for (const args of [['arb', '--execute', 'fed-dec'], ['arb', '--execute', 'fed-dec', '--dry-run']]) {
      const result = unchanged(tight.db, () => cli(tight.dir, args));
      expectRefused(result, 'arbbot: arb --execute fed-dec refused by risk.maxOpenPositions: 1 position open, the limit is 2 (this needs room for 2)');
    }
    const roomy = setUp({ maxOpenPositions: 3 });
    expect(cli(roomy.dir, ['open', 'kalshi', 'OTHER', '--side', 'long', '--size', '1', '--price', '0.5']).code).toBe(0);
    const executed = cliJson<{ executed: boolean; result: { outcome: string } }>(roomy.dir, ['arb', '--execute', 'fed-dec']);
    expect(executed.code, executed.stderr).toBe(0);
    expect(executed.json).toMatchObject({ executed: true, result: { outcome: 'hedged' } });
  });
});

describe('arb --execute under a daily-loss limit', () => {
  it('a loss on either leg\'s venue reaching its limit refuses the pair; just under, it executes', () => {
    const { dir, db } = setUp({}, { venue: 'poly', usd: '5' });
    // −$4.80 before costs on poly (20 at 0.50 out at 0.26); with the 2% fee each way and the spread, −$5.1092 net.
    expect(cli(dir, ['open', 'poly', 'OTHER', '--side', 'long', '--size', '10', '--price', '0.5']).code).toBe(0);
    expect(cli(dir, ['close', '1', '--price', '0.26']).code).toBe(0);
    const result = unchanged(db, () => cli(dir, ['arb', '--execute', 'fed-dec']));
    expectRefused(result, "refused by venues.poly.maxDailyLossUsd: today's realised loss on poly reached $5.11 (UTC ", 'the limit is $5.00');

    const under = setUp({}, { venue: 'poly', usd: '5' });
    // Out at 0.30 instead: −$4.326 net, under the limit.
    expect(cli(under.dir, ['open', 'poly', 'OTHER', '--side', 'long', '--size', '10', '--price', '0.5']).code).toBe(0);
    expect(cli(under.dir, ['close', '1', '--price', '0.3']).code).toBe(0);
    expect(cli(under.dir, ['arb', '--execute', 'fed-dec']).code).toBe(0);
  });
});

describe('arb under risk.maxPositionUsd', () => {
  it('sizes each leg within the limit: 54 pairs ($29.70 of NO at 0.55) instead of 100', () => {
    const capped = setUp({ maxPositionUsd: '30' });
    const listed = cliJson<{ opportunities: { contracts: string; a: { cost: string }; b: { cost: string } }[] }>(capped.dir, ['arb']);
    expect(listed.json.opportunities[0]).toMatchObject({ contracts: '54.000000', a: { cost: '22.680000' }, b: { cost: '29.700000' } });
    const executed = cliJson<{ result: { legs: { leg: string; filledNotional: string }[] } }>(capped.dir, ['arb', '--execute', 'fed-dec']);
    expect(executed.code, executed.stderr).toBe(0);
    expect(executed.json.result.legs.map((leg) => [leg.leg, leg.filledNotional])).toEqual([
      ['a', '22.680000'],
      ['b', '29.700000'],
    ]);
    // The control: without the limit the whole first level, 100 pairs.
    const free = setUp({});
    expect(cliJson<{ opportunities: { contracts: string }[] }>(free.dir, ['arb']).json.opportunities[0]?.contracts).toBe('100.000000');
  });
});
