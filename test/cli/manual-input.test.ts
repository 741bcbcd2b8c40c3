// Manual input is checked like feed input: a typed price far from the market is refused unless forced, a market
// name must be a name, an option given twice is refused; and a feed's unknown venues, over-long names, second
// contradicting resolutions and a leading byte-order mark are handled, each counted or refused, never booked.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, dump, tempDir, writeConfig, type CliResult } from '../fixtures/helpers.js';
import { cliDir, openPosition, rawSql } from '../fixtures/ledger.js';

function expectRefused(result: CliResult, message: string): void {
  const context = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  expect(result.code, context).toBe(2);
  expect(result.stderr.trim(), context).toBe(`arbbot: ${message}`);
  expect(result.stdout, context).toBe('');
}

/** paper $1,000 with position #1 open: long $25 at $100 on SOL-USD. */
function books() {
  return cliDir('1000', (ledger) => void openPosition(ledger, { market: 'SOL-USD' }));
}

describe('a typed price', () => {
  it('closing far from the entry price (no saved market price) needs --force; nothing is written without it', () => {
    const { dir, db } = books();
    const before = dump(db);
    expectRefused(
      cli(dir, ['close', '1', '--price', '1000000']),
      "--price $1000000.0000 is more than 50% from position 1's entry price ($100.0000); check it, or pass --force to book it anyway",
    );
    expect(dump(db)).toBe(before);
    // Within the limit: booked as typed.
    const near = cliJson<{ status: string }>(dir, ['close', '1', '--price', '120']);
    expect(near.json.status).toBe('closed');
  });

  it('is judged by the last accepted price of the market when the engine saved one, and --force books it', () => {
    const { dir, db } = books();
    rawSql(db, "INSERT INTO market_prices (venue, market, bid, ask, updated_at) VALUES ('paper', 'SOL-USD', 399000000, 401000000, '2026-01-01T00:00:00.000Z')");
    const before = dump(db);
    // 120 is near the entry (100) but 70% below the market's last price (400).
    expectRefused(
      cli(dir, ['close', '1', '--price', '120']),
      '--price $120.0000 is more than 50% from the last accepted price of SOL-USD on paper ($400.0000); check it, or pass --force to book it anyway',
    );
    expectRefused(
      cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '10', '--price', '1000']),
      '--price $1000.0000 is more than 50% from the last accepted price of SOL-USD on paper ($400.0000); check it, or pass --force to book it anyway',
    );
    expect(dump(db)).toBe(before);
    expect(cliJson<{ status: string }>(dir, ['close', '1', '--price', '410']).json.status).toBe('closed');
    expect(cliJson<{ status: string }>(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '10', '--price', '1000', '--force']).json.status).toBe('opened');
  });

  it('--force books a far close too, and a closed position closes again at any price as the usual no-op', () => {
    const { dir } = books();
    const forced = cliJson<{ status: string; position: { exitPrice: string } }>(dir, ['close', '1', '--price', '1000', '--force']);
    expect(forced.json.status).toBe('closed');
    expect(cliJson<{ status: string }>(dir, ['close', '1', '--price', '1000000']).json.status).toBe('already_closed');
  });
});

describe('names and options', () => {
  it('refuses an empty or over-long market name, and an option given twice, with exit 2 and nothing written', () => {
    const { dir, db } = books();
    const before = dump(db);
    expectRefused(cli(dir, ['open', 'paper', '', '--side', 'long', '--size', '10', '--price', '100']), 'market must not be empty');
    expectRefused(cli(dir, ['open', 'paper', 'M'.repeat(201), '--side', 'long', '--size', '10', '--price', '100']), 'market name is 201 characters; at most 200');
    expectRefused(cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--side', 'short', '--size', '10', '--price', '100']), '--side given 2 times; give it once');
    expectRefused(cli(dir, ['open', 'paper', 'SOL-USD', '--side=long', '--size', '10', '--size=20', '--price', '100']), '--size given 2 times; give it once');
    expectRefused(cli(dir, ['--db', db, '--db', db, 'positions']), '--db given 2 times; give it once');
    expect(dump(db)).toBe(before);
    // A flag without a value twice is harmless; a 200-character name is a name.
    expect(cli(dir, ['--json', '--json', 'positions']).code).toBe(0);
    expect(cliJson<{ status: string }>(dir, ['open', 'paper', 'M'.repeat(200), '--side', 'long', '--size', '10', '--price', '100']).json.status).toBe('opened');
  });
});

describe('a feed', () => {
  it('rejects unknown venues and over-long market names by reason, ignores a BOM, and refuses a contradicting resolve', () => {
    const dir = tempDir();
    writeConfig(dir, { venues: { pm: { type: 'paper', predictionMarket: true, startingBalance: '100' } }, pairs: {} });
    expect(cli(dir, ['open', 'pm', 'RAIN', '--side', 'long', '--size', '10', '--price', '0.4']).code).toBe(0);
    const lines = [
      '\uFEFF{"ts":1795000000000,"venue":"pm","market":"RAIN","price":"0.41"}',
      '{"ts":1795000001000,"venue":"nowhere","market":"RAIN","price":"0.41"}',
      `{"ts":1795000002000,"venue":"pm","market":"${'X'.repeat(201)}","price":"0.41"}`,
      '{"ts":1795000003000,"type":"resolve","venue":"pm","market":"RAIN","outcome":"yes"}',
      '{"ts":1795000004000,"type":"resolve","venue":"pm","market":"RAIN","outcome":"no"}',
    ];
    writeFileSync(join(dir, 'feed.jsonl'), `${lines.join('\n')}\n`);
    const run = cliJson<{ quotesAccepted: number; rejectedByReason: Record<string, number>; badLines: number; resolutions: number; resolutionsRefused: number; realisedNetPnl: string }>(
      dir,
      ['run', '--feed', 'feed.jsonl', '--speed', 'max'],
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.quotesAccepted).toBe(1); // the BOM line
    expect(run.json.rejectedByReason).toEqual({ unknown_venue: 1 });
    expect(run.json.badLines).toBe(1); // the 201-character market
    expect(run.json.resolutions).toBe(1);
    expect(run.json.resolutionsRefused).toBe(1);
    // Settled once, at YES: 25 contracts pay $1 each.
    const positions = cliJson<{ positions: { status: string; closeReason: string }[] }>(dir, ['positions']).json.positions;
    expect(positions.map((p) => p.status)).toEqual(['closed']);
    expect(cli(dir, ['wallet-check']).code).toBe(0);
  });
});
