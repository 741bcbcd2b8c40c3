// A ledger file holding a row no version of arbbot writes (edited by hand, checks ignored): every command that reads
// it stops with one line naming the table, the row and the column, exit 3 (the file needs a person), and writes
// nothing; a command that does not read that row is not stopped by it.
import { describe, expect, it } from 'vitest';
import { cli, dump } from '../fixtures/helpers.js';
import { cliDir, openPosition, rawSql } from '../fixtures/ledger.js';

describe('a corrupt row', () => {
  it('stops the commands that read it with exit 3 and one line naming it; the others still run', () => {
    const { dir, db } = cliDir('100', (ledger) => {
      openPosition(ledger, { market: 'SOL-USD' });
    });
    expect(cli(dir, ['positions']).code).toBe(0);
    rawSql(db, 'UPDATE positions SET tp1_hit = 2 WHERE id = 1', { ignoreChecks: true });
    const before = dump(db);
    for (const args of [['positions'], ['--json', 'positions'], ['close', '1', '--price', '101']]) {
      const result = cli(dir, args);
      const context = `arbbot ${args.join(' ')}\nexit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
      expect(result.code, context).toBe(3);
      const message = 'ledger row positions #1: tp1_hit is 2, expected 0 or 1';
      // With --json the one line is a JSON error object, as for every error.
      const line = args.includes('--json') ? JSON.stringify({ error: { code: 'operational', exitCode: 3, message } }) : `arbbot: ${message}`;
      expect(result.stderr.trimEnd().split('\n'), context).toEqual([line]);
      expect(result.stdout, context).toBe('');
    }
    expect(dump(db)).toBe(before);
    expect(cli(dir, ['balances']).code).toBe(0);
  });
});
