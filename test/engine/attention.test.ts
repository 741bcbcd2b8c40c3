// One position the engine cannot close is that position's problem: it is marked for a person and the engine goes on.
// A fault of the machine (the database locked past its timeout, the disk full) is everyone's problem: it stops the
// engine, so the CLI exits 3 rather than trading on a ledger it cannot write.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/domain/errors.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { kinds, quote, startEngine } from '../fixtures/engine.js';
import { dbOf } from '../fixtures/helpers.js';

describe('a close that fails', () => {
  it('marks the position, emits one attention event, skips it for the rest of the run, and manages the others', async () => {
    const h = await startEngine();
    const stuck = h.open({ side: 'long', price: '100', market: 'SOL-USD' });
    const other = h.open({ side: 'long', price: '100', market: 'ETH-USD' });
    dbOf(h.ledger).exec(`CREATE TRIGGER refuse BEFORE UPDATE OF status ON positions WHEN OLD.id = ${stuck} BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    await h.feed([quote(0, '94', 'SOL-USD'), quote(1, '93', 'SOL-USD'), quote(2, '94', 'ETH-USD')]);
    expect(kinds(h.events).filter((kind) => kind === 'attention')).toHaveLength(1);
    expect(h.position(stuck)).toMatchObject({ status: 'open', attention: 'the ladder could not close it: refused' });
    expect(h.position(other)).toMatchObject({ status: 'closed', attention: null });
    expect(h.engine.attentionCount).toBe(1);
    assertInvariants(h.ledger);
    h.shutdown();
  });

  it('a fresh run tries the marked position again, and a close that succeeds clears the mark', async () => {
    const first = await startEngine();
    const id = first.open({ side: 'long', price: '100' });
    dbOf(first.ledger).exec(`CREATE TRIGGER refuse BEFORE UPDATE OF status ON positions WHEN OLD.id = ${id} BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    await first.feed([quote(0, '94')]);
    dbOf(first.ledger).exec('DROP TRIGGER refuse');
    first.shutdown();

    const second = await startEngine({ path: first.path });
    await second.feed([quote(1, '94')]);
    expect(second.position(id)).toMatchObject({ status: 'closed', attention: null, closeReason: 'Stop loss (-5%) hit' });
    second.shutdown();
  });
});

describe('an operating error', () => {
  it('is not one position\'s problem: the database locked past the timeout stops the engine, and nothing is marked', async () => {
    const h = await startEngine();
    const id = h.open({ side: 'long', price: '100' });
    dbOf(h.ledger).pragma('busy_timeout = 50');
    const holder = new Database(h.path);
    holder.exec('BEGIN IMMEDIATE');
    try {
      await expect(h.feed([quote(0, '94')])).rejects.toBeInstanceOf(OperationalError);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(kinds(h.events)).not.toContain('attention');
    expect(h.position(id)).toMatchObject({ status: 'open', attention: null });
    h.shutdown();
  });
});
