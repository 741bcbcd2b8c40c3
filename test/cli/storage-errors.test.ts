// A storage error names its file and SQLite's words ("storage error: /x/arbbot.db: database or disk is full", exit 3):
// the ledger's, or the paper venue's books beside it. A programming error is still a bug (exit 70), never dressed
// as a storage error. Faults are real where they can be staged (a damaged file, a missing table) and otherwise raised
// inside the real CLI, as SQLite raises them, by a preloaded module (test/fixtures/workers/storage-fault.mjs).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, dump, type CliResult } from '../fixtures/helpers.js';
import { cliDir, rawSql } from '../fixtures/ledger.js';

const FAULT = fileURLToPath(new URL('../fixtures/workers/storage-fault.mjs', import.meta.url));

function withFault(dir: string, args: readonly string[], sql: string, code: string): CliResult {
  const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${FAULT}`, ARBBOT_FAULT_SQL: sql, ARBBOT_FAULT_CODE: code };
  return cli(dir, args, { env });
}

function firstLine(result: CliResult): string {
  return result.stderr.split('\n')[0] ?? '';
}

describe('storage errors', () => {
  it('name the ledger file when a write fails (disk full, I/O error), and nothing is written', () => {
    const { dir, db } = cliDir('100');
    const before = dump(db);
    for (const [code, words] of [['SQLITE_FULL', 'database or disk is full'], ['SQLITE_IOERR', 'disk I/O error']] as const) {
      const result = withFault(dir, ['--db', db, 'deposit', 'paper', '5'], '^insert into "?wallet_transactions', code);
      expect(result.code, result.stderr).toBe(3);
      expect(firstLine(result)).toBe(`arbbot: storage error: ${db}: ${words}`);
      const json = withFault(dir, ['--json', '--db', db, 'deposit', 'paper', '5'], '^insert into "?wallet_transactions', code);
      expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'operational', exitCode: 3, message: `storage error: ${db}: ${words}` } });
    }
    expect(dump(db)).toBe(before);
  });

  it('control: a programming error at the same place is still a bug, exit 70 with its stack, not a storage error', () => {
    const { dir, db } = cliDir('100');
    const result = withFault(dir, ['--db', db, 'deposit', 'paper', '5'], '^insert into "?wallet_transactions', 'bug');
    expect(result.code).toBe(70);
    expect(firstLine(result)).toBe("arbbot: Cannot read properties of undefined (reading 'total')");
    expect(result.stderr).not.toContain('storage error');
    expect(result.stderr).toContain('at '); // the stack
  });

  it('name the ledger file when a table it reads is missing', () => {
    const { dir, db } = cliDir('100');
    rawSql(db, 'DROP TABLE market_prices', { foreignKeys: false });
    const result = cli(dir, ['--db', db, 'positions']);
    expect(result.code).toBe(3);
    expect(result.stderr.trim()).toBe(`arbbot: storage error: ${db}: no such table: market_prices`);
  });

  it("name the paper venue's books when they are the file at fault, by a command that writes and by one that reads", () => {
    const { dir, db } = cliDir('100');
    const paper = join(dir, 'arbbot.paper.db');
    const garbage = Buffer.from('not a database at all\n'.repeat(100));
    writeFileSync(paper, garbage);
    const deposit = cli(dir, ['--db', db, 'deposit', 'paper', '5']);
    expect(deposit.code).toBe(3);
    expect(firstLine(deposit)).toContain(`storage error: ${paper}: file is not a database`);
    const dryRun = cli(dir, ['--db', db, 'reconcile', '--dry-run']);
    expect(dryRun.code).toBe(3);
    expect(dryRun.stderr.trim()).toBe(`arbbot: storage error: ${paper}: file is not a database`);
    expect(readFileSync(paper).equals(garbage)).toBe(true);
  });
});
