import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { usd } from '../fixtures/ledger.js';
import { tempDir } from '../fixtures/helpers.js';

describe('ledger timestamps', () => {
  it('follow the clock exactly, however often the same millisecond is asked for', () => {
    let nowMs = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const ledger = Ledger.open(join(tempDir(), 'ledger.db'), { now: () => new Date(nowMs) });
    try {
      expect(ledger.timestamp()).toBe('2026-01-02T03:04:05.678Z');
      expect(ledger.timestamp()).toBe('2026-01-02T03:04:05.678Z');
      nowMs += 1;
      expect(ledger.timestamp()).toBe('2026-01-02T03:04:05.679Z');
      // A clock that steps back (a replayed feed restarting) is followed too.
      nowMs -= 60_000;
      expect(ledger.timestamp()).toBe('2026-01-02T03:03:05.679Z');
      ledger.deposit('paper', usd('5'));
      expect(ledger.listTransactions('paper', 1)[0]?.createdAt).toBe('2026-01-02T03:03:05.679Z');
    } finally {
      ledger.close();
    }
  });

  it('refuse an invalid clock reading every time, as toISOString does', () => {
    let valid = true;
    const ledger = Ledger.open(join(tempDir(), 'ledger.db'), { now: () => new Date(valid ? 0 : Number.NaN) });
    try {
      expect(ledger.timestamp()).toBe('1970-01-01T00:00:00.000Z');
      valid = false;
      expect(() => ledger.timestamp()).toThrow(RangeError);
      expect(() => ledger.timestamp()).toThrow(RangeError);
    } finally {
      ledger.close();
    }
  });
});
