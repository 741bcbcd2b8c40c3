// A venue whose books disagree with the ledger at start-up takes no new trading: through the real CLI, a paper venue's
// cash changed behind the ledger's back holds that venue (and so the pair) while everything else runs; the control, the
// same run on books that agree, trades.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../fixtures/helpers.js';
import { configuredDir, logLines, pairedVenuesConfig, parseSummary, type FeedLine, writeFeed } from '../fixtures/e2e.js';

const T0_MS = Date.UTC(2026, 0, 1);
const CONFIG = pairedVenuesConfig('100');

/** Polymarket YES bid 0.43, then Kalshi YES ask 0.40: a crossing worth taking, `offsetS` seconds into the feed. */
function crossing(offsetS: number): FeedLine[] {
  const at = (second: number) => new Date(T0_MS + (offsetS + second) * 1000).toISOString();
  return [
    { ts: at(0), venue: 'poly', market: 'fed', bid: '0.43', ask: '0.45' },
    { ts: at(1), venue: 'kalshi', market: 'FED', bid: '0.38', ask: '0.40' },
  ];
}

function runCrossing(dir: string, offsetS: number): { executed: number; lines: string[] } {
  const result = cli(dir, ['--json', '--verbose', 'run', '--feed', writeFeed(dir, crossing(offsetS), `feed-${offsetS}.jsonl`)]);
  expect(result.code, result.stderr).toBe(0);
  const summary = parseSummary(result) as unknown as { arbitrage: { executed: number } };
  return { executed: summary.arbitrage.executed, lines: logLines(result.stderr) };
}

describe('a venue whose books disagree with the ledger', () => {
  for (const tampered of [true, false]) {
    it(tampered ? 'is held at start-up: no new trade on it, and the log says why' : 'the control: books that agree trade as usual', () => {
      const dir = configuredDir(CONFIG);
      expect(runCrossing(dir, 0).executed).toBe(1);
      if (tampered) {
        const paper = new Database(join(dir, 'arbbot.paper.db'));
        paper.prepare("UPDATE paper_accounts SET cash = cash + 1000000 WHERE venue = 'kalshi'").run();
        paper.close();
      }
      const again = runCrossing(dir, 10);
      if (tampered) {
        expect(again.executed).toBe(0);
        expect(again.lines.some((line) => line.startsWith('⏸ Trading paused on kalshi: its books disagree with the ledger'))).toBe(true);
        expect(again.lines.some((line) => line.startsWith('⏸ Trading paused on poly'))).toBe(false);
      } else {
        expect(again.executed).toBeGreaterThan(0);
        expect(again.lines.some((line) => line.includes('its books disagree'))).toBe(false);
      }
    });
  }
});
