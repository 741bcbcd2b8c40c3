// Scenario 4 of docs/ledger.md: the engine monitoring positions in one process while other processes close and open
// positions on the same SQLite file. Exactly one close wins, nobody sees SQLITE_BUSY, and the books balance.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cliAsync } from '../fixtures/helpers.js';
import {
  configuredDir,
  expectHealthy,
  m,
  openDirect,
  parseSummary,
  positions,
  quote,
  readLedger,
  seedConfig,
  type FeedLine,
} from '../fixtures/e2e.js';
import { exitOf, spawnCli } from '../fixtures/process.js';
import { dbOf } from '../fixtures/helpers.js';

/** Feed lines per write and the pause between writes: keeps the engine reading and writing the whole time. */
const LINES_PER_WRITE = 2;
const WRITE_PAUSE_MS = 5;

describe('scenario 4: concurrent position operations', () => {
  it('engine monitoring + two racing closes + an open on one database: one close wins, no SQLITE_BUSY, healthy', async () => {
    const config = seedConfig({ venues: { paper: { type: 'paper', startingBalance: '1000' } } });
    const dir = configuredDir(config);
    const [monitored, eth] = openDirect(dir, config, [
      { market: 'SOL-USD', side: 'long', price: '100' },
      { market: 'ETH-USD', side: 'long', price: '100' },
    ]);
    const run = spawnCli(dir, ['--json', '--verbose', 'run', '--feed', '-']);
    await run.waitForStderr((text) => text.includes('Start-up reconcile'), 'the engine to start');

    // A slow writer: SOL and ETH wobble inside their ladders (nothing triggers) while the other processes run.
    // One second of feed time per line, so the engine also writes its prices every few lines.
    let second = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const lines: FeedLine[] = [];
        for (let i = 0; i < LINES_PER_WRITE; i += 1, second += 1) {
          lines.push(quote(second, second % 2 === 0 ? '100.5' : '99.5', second % 4 < 2 ? 'SOL-USD' : 'ETH-USD'));
        }
        run.write(lines);
        await sleep(WRITE_PAUSE_MS);
      }
    })();
    const env = { ARBBOT_DB: '' };
    const [closeA, closeB, opened] = await Promise.all([
      cliAsync(dir, ['close', String(monitored), '--price', '100.5'], env),
      cliAsync(dir, ['close', String(monitored), '--price', '100.5'], env),
      cliAsync(dir, ['--json', 'open', 'paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100'], env),
    ]);
    writing = false;
    await writer;
    // Only now, after the open committed: SOL gaps to TP3 (closes the newly opened position), ETH to its stop.
    run.write([quote(second + 1, '111', 'SOL-USD'), quote(second + 2, '94', 'ETH-USD')]);
    run.child.stdin.end();
    const exit = await exitOf(run);

    const outputs = [closeA, closeB, opened].map((r) => r.stdout + r.stderr).join('\n') + run.stderr();
    expect(outputs).not.toMatch(/SQLITE_BUSY|database is locked|database error/i);
    expect([closeA.code, closeB.code, opened.code]).toEqual([0, 0, 0]);
    const closeOutputs = [closeA.stdout, closeB.stdout];
    expect(closeOutputs.filter((out) => out.includes(`✓ Position ${monitored} closed: Manual close`))).toHaveLength(1);
    expect(closeOutputs.filter((out) => out.includes(`Position ${monitored} already closed (Manual close); nothing changed`))).toHaveLength(1);
    const openedId = (JSON.parse(opened.stdout) as { position: { id: number } }).position.id;

    expect(exit).toEqual({ code: 0, signal: null });
    const summary = parseSummary({ code: exit.code ?? -1, stdout: run.stdout(), stderr: run.stderr() });
    expect(summary.closedByReason).toEqual({ tp3: 1, stop_loss: 1 });
    expect(summary.quotesRejected).toBe(0);

    const byId = new Map(positions(dir).map((row) => [row.id, row]));
    expect(byId.get(monitored ?? 0)).toMatchObject({ status: 'closed', closeReason: 'Manual close', exitPrice: m('100.5') });
    expect(byId.get(openedId)).toMatchObject({ status: 'closed', closeReason: 'TP3 (+10%) reached', exitPrice: m('111') });
    expect(byId.get(eth ?? 0)).toMatchObject({ status: 'closed', closeReason: 'Stop loss (-5%) hit', exitPrice: m('94') });
    const closes = readLedger(dir, (ledger) =>
      dbOf(ledger).prepare("SELECT position_id AS id, count(*) AS n FROM wallet_transactions WHERE type = 'position_close' GROUP BY position_id ORDER BY position_id").all(),
    );
    expect(closes).toEqual([monitored, eth, openedId].sort((a, b) => (a ?? 0) - (b ?? 0)).map((id) => ({ id, n: 1 })));
    expectHealthy(dir);
  });
});
