// Finding pairs end to end: the real CLI (child process) lists the Kalshi and Polymarket imitations' open markets over
// loopback HTTP, a page at a time, caches them in the ledger and proposes pairs; `pairs confirm` writes one into the
// config file. Among the decoys: a Polymarket title closer to Kalshi's December market than the true match but closing
// a year later, a Kalshi January market of the same wording, titles about other things closing the same day, and
// markets no longer open on either venue.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PairSuggestion } from '../../src/domain/pairing.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { cliAsync, writeConfig } from '../fixtures/helpers.js';
import { KalshiImitation } from '../fixtures/venues/kalshi-server.js';
import { PolymarketImitation, type PolymarketMarketSpec } from '../fixtures/venues/polymarket-server.js';

const FED_DEC = 'KXFED-26DEC-T4.00';
const FED_JAN = 'KXFED-27JAN-T4.00';
const CPI = 'KXCPI-26NOV-T3.0';
const OLD = 'KXFED-26OCT-T4.00';
const POLY_FED = `0x${'0f'.repeat(32)}`;
const POLY_FED_2027 = `0x${'27'.repeat(32)}`;
const POLY_BTC = `0x${'b7'.repeat(32)}`;
const POLY_CLOSED = `0x${'cc'.repeat(32)}`;
const KALSHI_RULES = 'If the upper bound of the federal funds rate is above 4.00% after the December 2026 meeting, the market resolves to Yes.';
const POLY_RULES = 'This market will resolve to "Yes" if the Fed\'s upper bound is above 4.00% following its December 2026 meeting.';
const EMPTY_BOOK = { yes: [], no: [] };

let dir: string;
let kalshi: KalshiImitation;
let poly: PolymarketImitation;
let config: string;
let db: string;

function polyMarket(n: number, question: string, endDateIso: string, extra: Partial<PolymarketMarketSpec> = {}): PolymarketMarketSpec {
  return { yesToken: `${n}1`, noToken: `${n}2`, tickSize: 0.01, negRisk: false, feeRate: 0, feeExponent: 1, question, endDateIso, ...extra };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arbbot-pairs-'));
  kalshi = await KalshiImitation.start({
    apiKeyId: 'key-1',
    publicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
    books: { [FED_DEC]: EMPTY_BOOK, [FED_JAN]: EMPTY_BOOK, [CPI]: EMPTY_BOOK, [OLD]: EMPTY_BOOK },
    markets: {
      [FED_DEC]: { title: 'Will the federal funds rate be above 4.00% after the December meeting?', closeTime: '2026-12-10T18:55:00Z', rulesPrimary: KALSHI_RULES },
      [FED_JAN]: { title: 'Will the federal funds rate be above 4.00% after the January meeting?', closeTime: '2027-01-27T18:55:00Z' },
      [CPI]: { title: 'Will CPI rise above 3.0% in November?', closeTime: '2026-12-10T13:25:00Z' },
      [OLD]: { title: 'Will the federal funds rate be above 4.00% after the December meeting?', closeTime: '2026-12-10T19:00:00Z', status: 'closed' },
    },
    balanceCents: 0,
    marketsPageSize: 2,
  });
  poly = await PolymarketImitation.start({
    apiKey: 'k',
    secret: Buffer.from('secret').toString('base64'),
    passphrase: 'p',
    address: `0x${'11'.repeat(20)}`,
    markets: {
      [POLY_FED]: polyMarket(1, 'Fed funds rate above 4.00% after December meeting?', '2026-12-10T19:00:00Z', { description: POLY_RULES }),
      [POLY_FED_2027]: polyMarket(2, 'Federal funds rate above 4.00% after the December meeting in 2027?', '2027-12-15T19:00:00Z'),
      [POLY_BTC]: polyMarket(3, 'Bitcoin above $100k on December 10?', '2026-12-10T19:00:00Z'),
      [POLY_CLOSED]: polyMarket(4, 'Will the federal funds rate be above 4.00% after the December meeting?', '2026-12-10T19:00:00Z', { closed: true }),
    },
    books: {},
    balanceMicros: 0n,
    marketsPageSize: 2,
  });
  const rateLimit = { readsPerSecond: 500, writesPerSecond: 500 };
  config = writeConfig(dir, {
    venues: {
      kalshi: { type: 'kalshi', baseUrl: kalshi.baseUrl, startingBalance: '0', requestTimeoutMs: 3_000, rateLimit },
      poly: { type: 'polymarket', baseUrl: poly.server.url, startingBalance: '0', requestTimeoutMs: 3_000, rateLimit },
    },
  }, 'live.config.json'); // not the default name: without --config, the CLI finds no config file here
  db = join(dir, 'arbbot.db');
});

afterAll(async () => {
  await kalshi?.close();
  await poly?.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: readonly string[], options: { config?: string | null } = {}) =>
  cliAsync(dir, [...(options.config === null ? [] : ['--config', options.config ?? config]), '--db', db, ...args], { NO_COLOR: '1', ARBBOT_DB: '' });

async function runJson<T>(args: readonly string[]): Promise<{ code: number; json: T; stderr: string }> {
  const result = await run(['--json', ...args]);
  try {
    return { code: result.code, json: JSON.parse(result.stdout) as T, stderr: result.stderr };
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
}

describe('pairs', () => {
  let suggestions: PairSuggestion[] = [];
  let trueId = '';

  it('suggests the December pair first among decoys, with both rules and YES sides, and never confirms', async () => {
    const before = readFileSync(config);
    const { code, json, stderr } = await runJson<{ listings: { venue: string; markets: number }[]; suggestions: PairSuggestion[] }>(['pairs', 'suggest', '--venues', 'kalshi,poly']);
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(json.listings).toMatchObject([{ venue: 'kalshi', markets: 3 }, { venue: 'poly', markets: 3 }]); // closed markets left out, pages followed
    suggestions = json.suggestions;
    const matching = suggestions.filter((s) => !s.closeDatesDiffer);
    expect(matching.map((s) => [s.a.market, s.b.market])).toEqual([[FED_DEC, POLY_FED]]);
    expect(suggestions[0]).toMatchObject({
      a: { venue: 'kalshi', market: FED_DEC, rules: KALSHI_RULES, yesOutcome: 'Yes', closeTime: '2026-12-10T18:55:00Z' },
      b: { venue: 'poly', market: POLY_FED, rules: POLY_RULES, yesOutcome: 'Yes', closeTime: '2026-12-10T19:00:00Z' },
    });
    trueId = suggestions[0]!.id;
    // The 2027 decoy shares more words with Kalshi's title than the true match does, yet is marked and ranked below it.
    const decoy = suggestions.find((s) => s.a.market === FED_DEC && s.b.market === POLY_FED_2027)!;
    expect(decoy.similarity).toBeGreaterThan(suggestions[0]!.similarity);
    expect(decoy.closeDatesDiffer).toBe(true);
    const involved = suggestions.flatMap((s) => [s.a.market, s.b.market]);
    for (const absent of [CPI, POLY_BTC, OLD, POLY_CLOSED]) expect(involved).not.toContain(absent);
    expect(readFileSync(config)).toEqual(before);
    const listed = await runJson<{ pairs: unknown[] }>(['pairs', 'list']);
    expect(listed.json.pairs).toEqual([]);
  });

  it('prints each candidate with both rules and YES sides, the marked decoys after, and says nothing is confirmed', async () => {
    const result = await run(['pairs', 'suggest', '--venues', 'kalshi,poly', '--query', 'december']);
    expect(result.code).toBe(0);
    const at = (text: string) => result.stdout.indexOf(text);
    expect(at(`${trueId}  similarity`)).toBeGreaterThan(0);
    expect(result.stdout).toContain(`rules: ${KALSHI_RULES}`);
    expect(result.stdout).toContain('YES is “Yes”');
    expect(at('not the same event unless the rules say so')).toBeGreaterThan(at(trueId));
    expect(result.stdout).not.toContain(FED_JAN); // --query december: the January market is not compared
    expect(result.stdout).toContain('None is confirmed');
  });

  it('caches each venue\'s listing in the ledger with its fetch time', () => {
    const ledger = Ledger.open(db, { readonly: true });
    try {
      const cached = ledger.marketListings('poly');
      expect(cached.markets.map((m) => m.market).sort()).toEqual([POLY_FED, POLY_FED_2027, POLY_BTC].sort());
      expect(Date.parse(cached.fetchedAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
    } finally {
      ledger.close();
    }
  });

  it('refuses an unknown id with exit 2 and leaves the config byte for byte', async () => {
    const before = readFileSync(config);
    const result = await run(['pairs', 'confirm', 'ffffffffff']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no suggestion "ffffffffff"/);
    expect(readFileSync(config)).toEqual(before);
  });

  it('refuses with exit 2 when there is no config file to write the pair into', async () => {
    const result = await run(['pairs', 'confirm', trueId], { config: null });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no config file/);
  });

  it('confirms a suggestion into the config, keeping the rest, and a second confirm changes nothing', async () => {
    const original = JSON.parse(readFileSync(config, 'utf8')) as { venues: unknown };
    const first = await runJson<{ pair: string; outcome: string }>(['pairs', 'confirm', trueId]);
    expect(first).toMatchObject({ code: 0, json: { pair: trueId, outcome: 'added' } });
    const written = JSON.parse(readFileSync(config, 'utf8')) as { venues: unknown; pairs: Record<string, unknown> };
    expect(written.venues).toEqual(original.venues);
    expect(written.pairs).toEqual({ [trueId]: { a: { venue: 'kalshi', market: FED_DEC, yesIs: 'yes' }, b: { venue: 'poly', market: POLY_FED, yesIs: 'yes' }, confirmed: true } });
    const after = readFileSync(config);
    const second = await runJson<{ outcome: string }>(['pairs', 'confirm', trueId]);
    expect(second).toMatchObject({ code: 0, json: { outcome: 'already confirmed' } });
    expect(readFileSync(config)).toEqual(after);
    const listed = await runJson<{ pairs: { name: string; confirmed: boolean }[] }>(['pairs', 'list']);
    expect(listed.json.pairs).toMatchObject([{ name: trueId, confirmed: true }]);
  });
});
