// Closing one leg of a hedged arbitrage pair by hand, through the real CLI: refused (exit 2, nothing written) because
// it leaves the other leg exposed; with --force the other leg becomes an unhedged leg with its own record, under the
// TP/SL ladder, in the same transaction as the close. `positions` shows no stop for a hedged leg.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArbStore } from '../../../src/ledger/arb-store.js';
import { Ledger } from '../../../src/ledger/ledger.js';
import { cli, cliJson, dump, tempDir, writeConfig } from '../../fixtures/helpers.js';
import { assertInvariants } from '../../fixtures/invariants.js';
import { arbConfigJson } from '../../fixtures/arb.js';

/** A directory where `arb --execute` has just made one hedged pair: position 1 (YES on kalshi), 2 (NO on poly). */
function hedgedPair(): { dir: string; db: string } {
  const dir = tempDir();
  writeConfig(dir, arbConfigJson());
  const executed = cli(dir, ['arb', '--execute', 'fed-dec']);
  expect(executed.code, executed.stderr).toBe(0);
  return { dir, db: join(dir, 'arbbot.db') };
}

function read<T>(db: string, look: (ledger: Ledger, store: ArbStore) => T): T {
  const ledger = Ledger.open(db, { synchronous: 'NORMAL' });
  try {
    return look(ledger, new ArbStore(ledger));
  } finally {
    ledger.close();
  }
}

describe('closing one leg of a hedged pair', () => {
  it('is refused without --force: exit 2, one line naming the other leg, nothing written', () => {
    const { dir, db } = hedgedPair();
    const before = dump(db);
    const refused = cli(dir, ['close', '1', '--price', '0.45']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'arbbot: position 1 is one leg of hedged arbitrage #1 with position 2: closing it alone breaks the hedge and leaves position 2 unhedged; pass --force to close it anyway\n',
    );
    expect(dump(db)).toBe(before);
  });

  it('with --force closes it and makes the other leg an unhedged leg with its own open record, under the ladder', () => {
    const { dir, db } = hedgedPair();
    const forced = cli(dir, ['close', '1', '--price', '0.45', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('⚠ Hedge of arb #1 broken: position 2 is now an unhedged leg under the TP/SL ladder');
    read(db, (ledger, store) => {
      expect(ledger.requirePosition(1)).toMatchObject({ status: 'closed', closeReason: 'Manual close' });
      expect(ledger.requirePosition(2)).toMatchObject({ status: 'open', kind: 'arb_unhedged' });
      expect(store.unhedgedForPosition(2)).toMatchObject({ trade_id: 1, state: 'open', quantity: 100_000_000 });
      // The ladder now manages it (hedged legs are left out of the ladder's reads).
      expect(ledger.listLadderPositionsForMarket('poly', 'fed:no').map((row) => row.id)).toEqual([2]);
      assertInvariants(ledger);
    });
    expect(cli(dir, ['wallet-check']).code).toBe(0);
  });

  it('a single position needs no --force, and a second close of the broken leg is the usual no-op', () => {
    const { dir } = hedgedPair();
    expect(cli(dir, ['close', '1', '--price', '0.45', '--force']).code).toBe(0);
    // Position 2 is unhedged now, not part of a pair: it closes like any position.
    const closed = cliJson<{ status: string; brokenHedge: unknown }>(dir, ['close', '2', '--price', '0.5']);
    expect(closed.json).toMatchObject({ status: 'closed', brokenHedge: null });
    expect(cliJson<{ status: string }>(dir, ['close', '1', '--price', '0.45']).json.status).toBe('already_closed');
  });

  it('positions shows no stop for a hedged leg, and the stop once it is unhedged', () => {
    const { dir } = hedgedPair();
    const row = (text: string, id: number) => (text.split('\n').find((line) => line.startsWith(`│ ${id} `)) ?? '').split('│').map((cell) => cell.trim());
    const hedged = cli(dir, ['positions']).stdout;
    expect(row(hedged, 2)).toEqual(expect.arrayContaining(['arb (hedged)', '-']));
    const json = cliJson<{ positions: { id: number; ladder: { stopPrice: string | null } }[] }>(dir, ['positions']);
    expect(json.json.positions.map((p) => p.ladder.stopPrice)).toEqual([null, null]);
    expect(cli(dir, ['close', '1', '--price', '0.45', '--force']).code).toBe(0);
    const after = cli(dir, ['positions', '--status', 'open']).stdout;
    expect(row(after, 2)).toEqual(expect.arrayContaining(['arb UNHEDGED', '$0.5225']));
  });
});
