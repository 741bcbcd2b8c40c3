// `arbbot arb`, run as the real CLI in a child process on temporary files: listing both directions with the edge
// after fees, a dry run that writes nothing, refusals with exit 2, and an execution that says what each leg did.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { walletCheck } from '../../../src/ledger/health.js';
import { Ledger } from '../../../src/ledger/ledger.js';
import { cli, cliJson, dump, tempDir, writeConfig } from '../../fixtures/helpers.js';
import { invariantViolations } from '../../fixtures/invariants.js';
import { arbConfigJson, pairWith } from '../../fixtures/arb.js';

interface LegJson {
  venue: string;
  market: string;
  outcome: string;
  contracts: string;
  averagePrice: string;
  limitPrice: string;
  cost: string;
  fee: string;
  quote: { quotedAt: string | null; quoteAgeMs: number | null; configured: boolean } | null;
}

interface OpportunityJson {
  pair: string;
  direction: string;
  contracts: string;
  a: LegJson;
  b: LegJson;
  grossEdge: string;
  fees: string;
  netEdge: string;
  netEdgeBps: number;
  actionable: boolean;
  confirmed: boolean;
}

const checked: string[] = [];

/** A directory with the suite's config as ./arbbot.config.json; the ledger is ./arbbot.db. */
function setUp(config: Record<string, unknown> = arbConfigJson()): { dir: string; db: string } {
  const dir = tempDir();
  writeConfig(dir, config);
  const db = join(dir, 'arbbot.db');
  checked.push(db);
  return { dir, db };
}

function paperOrderCount(db: string): number {
  const path = db.replace(/\.db$/, '.paper.db');
  if (!existsSync(path)) return 0;
  const paper = new Database(path, { readonly: true });
  try {
    return (paper.prepare('SELECT count(*) AS n FROM paper_orders').get() as { n: number }).n;
  } finally {
    paper.close();
  }
}

afterEach(() => {
  for (const db of checked.splice(0)) {
    if (!existsSync(db)) continue;
    const ledger = Ledger.open(db, { readonly: true });
    try {
      expect(invariantViolations(ledger)).toEqual([]);
      expect(walletCheck(ledger).healthy).toBe(true);
    } finally {
      ledger.close();
    }
  }
});

describe('arbbot arb (listing)', () => {
  it('--json lists both directions with their legs, edge after fees and whether they are actionable', () => {
    const { dir } = setUp();
    const { code, json } = cliJson<{ opportunities: OpportunityJson[] }>(dir, ['arb']);
    expect(code).toBe(0);
    const [best, reverse] = json.opportunities;
    expect(json.opportunities.map((o) => o.direction)).toEqual(['yes_a_no_b', 'no_a_yes_b']);
    expect(best).toMatchObject({
      pair: 'fed-dec',
      contracts: '100.000000',
      grossEdge: '3.000000',
      fees: '1.940000',
      netEdge: '1.060000',
      netEdgeBps: 107,
      actionable: true,
      confirmed: true,
    });
    expect(best?.a).toEqual({
      venue: 'kalshi',
      market: 'FED',
      outcome: 'yes',
      contracts: '100.000000',
      averagePrice: '0.420000',
      limitPrice: '0.420000',
      cost: '42.000000',
      fee: '0.840000',
      // The config's own quote: a configured price, which does not age.
      quote: { quotedAt: null, quoteAgeMs: null, configured: true },
    });
    expect(best?.b).toMatchObject({ venue: 'poly', market: 'fed', outcome: 'no', averagePrice: '0.550000', cost: '55.000000', fee: '1.100000' });
    // NO on kalshi at 0.60 + YES on poly at 0.47 costs more than the $1 it pays.
    expect(reverse).toMatchObject({ a: { outcome: 'no', averagePrice: '0.600000' }, b: { outcome: 'yes', averagePrice: '0.470000' }, actionable: false });
    expect(reverse?.netEdge.startsWith('-')).toBe(true);
  });

  it('--feed loads quotes into the paper books first', () => {
    const { dir } = setUp();
    const feed = join(dir, 'quotes.jsonl');
    // Kalshi's YES ask drops to 0.40 (a feed quote carries no depth: 500 contracts a level), so all three of poly's
    // NO levels (0.55 / 0.56 / 0.57, 100 each) now pay: 300 pairs for 120 + 168, $12 before fees.
    writeFileSync(feed, `${JSON.stringify({ ts: '2026-01-01T00:00:00Z', venue: 'kalshi', market: 'FED', bid: '0.38', ask: '0.40' })}\n`);
    const { code, json } = cliJson<{ opportunities: OpportunityJson[] }>(dir, ['arb', '--feed', feed]);
    expect(code).toBe(0);
    expect(json.opportunities[0]).toMatchObject({ direction: 'yes_a_no_b', contracts: '300.000000', a: { averagePrice: '0.400000' }, grossEdge: '12.000000' });
  });
});

describe('arbbot arb --execute', () => {
  it('--dry-run shows the plan and writes nothing', () => {
    const { dir, db } = setUp();
    expect(cli(dir, ['init']).code).toBe(0); // creates the ledger and its wallets
    const before = dump(db);
    const result = cli(dir, ['arb', '--execute', 'fed-dec', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Would execute fed-dec (nothing placed):');
    expect(result.stdout).toMatch(/leg A: buy 100\.000000 YES on kalshi FED, limit \$0\.4200, cost \$42\.00 \+ fee \$0\.8400/);
    expect(result.stdout).toMatch(/leg B: buy 100\.000000 NO on poly fed, limit \$0\.5500, cost \$55\.00 \+ fee \$1\.1000/);
    expect(dump(db)).toBe(before);
    expect(paperOrderCount(db)).toBe(0);
  });

  it('refuses an unconfirmed pair and an unknown pair with exit 2, writing nothing', () => {
    const { dir, db } = setUp(arbConfigJson({ pairs: pairWith({ confirmed: false }) }));
    expect(cli(dir, ['init']).code).toBe(0);
    const before = dump(db);
    const unconfirmed = cli(dir, ['arb', '--execute', 'fed-dec']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/pair fed-dec is not confirmed/);
    const unknown = cli(dir, ['arb', '--execute', 'no-such-pair']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown pair "no-such-pair" \(configured: fed-dec\)/);
    expect(cli(dir, ['arb', '--dry-run']).code).toBe(2);
    expect(dump(db)).toBe(before);
    expect(paperOrderCount(db)).toBe(0);
    // Listing still shows an unconfirmed pair, marked as such.
    const { json } = cliJson<{ opportunities: OpportunityJson[] }>(dir, ['arb']);
    expect(json.opportunities[0]).toMatchObject({ confirmed: false, actionable: false });
  });

  it('exits 1 when the best opportunity does not clear the pair’s minimum (here: --size too small for one pair)', () => {
    const { dir } = setUp();
    const result = cli(dir, ['arb', '--execute', 'fed-dec', '--size', '0.5']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/No opportunity on fed-dec: no executable size/);
  });

  it('executes and prints what happened to each leg; the books and the venues agree afterwards', () => {
    const { dir } = setUp();
    const result = cli(dir, ['arb', '--execute', 'fed-dec']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Arb fed-dec: YES kalshi FED @ \$0\.4200 \+ NO poly fed @ \$0\.5500 × 100, net edge \$1\.0600 \(107 bps\)/);
    expect(result.stdout).toMatch(/leg A kalshi: filled 100 for \$42\.00 \(fee \$0\.8400\)/);
    expect(result.stdout).toMatch(/leg B poly: filled 100 for \$55\.00 \(fee \$1\.1000\)/);
    expect(result.stdout).toMatch(/arb #1 settled: hedged/);
    // The fills took both first levels, and no quote has come since: the next levels (0.43 + 0.56) do not pay.
    const again = cli(dir, ['arb', '--execute', 'fed-dec']);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/No opportunity on fed-dec: best net edge -\$0\.0098 \(-98 bps, minimum 50\)/);
    const health = cli(dir, ['wallet-check']);
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/HEALTHY/);
    const reconciled = cliJson<{ consistent: boolean; venueBalances: { venue: string; agrees: boolean }[] }>(dir, ['reconcile']);
    expect(reconciled.code).toBe(0);
    expect(reconciled.json.venueBalances.map((check) => [check.venue, check.agrees])).toEqual([
      ['kalshi', true],
      ['poly', true],
    ]);
  });

  it('--json says each leg’s state, fill and client order id', () => {
    const { dir } = setUp();
    const executed = cliJson<{ executed: boolean; result: { status: string; outcome: string; legs: Record<string, unknown>[]; positions: { kind: string }[] } }>(dir, ['arb', '--execute', 'fed-dec']);
    expect(executed.code).toBe(0);
    expect(executed.json.result).toMatchObject({ status: 'settled', outcome: 'hedged' });
    expect(executed.json.result.legs).toEqual([
      expect.objectContaining({ leg: 'a', venue: 'kalshi', outcome: 'yes', side: 'buy', state: 'settled', filledQuantity: '100.000000', filledNotional: '42.000000', fee: '0.840000', clientOrderId: expect.stringMatching(/^arbbot-/) }),
      expect.objectContaining({ leg: 'b', venue: 'poly', outcome: 'no', side: 'buy', state: 'settled', filledQuantity: '100.000000', filledNotional: '55.000000', fee: '1.100000' }),
    ]);
    expect(executed.json.result.positions.map((p) => p.kind)).toEqual(['arb_hedged', 'arb_hedged']);
  });
});
