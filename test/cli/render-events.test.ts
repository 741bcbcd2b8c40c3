// How an engine event reads: a close's last line in the colour of its result (gains green, losses red), whatever
// the glyph, so a loss never reads as a success at a glance.
import { describe, expect, it } from 'vitest';
import { renderEvent } from '../../src/cli/render-events.js';
import type { Output } from '../../src/cli/output.js';
import { tempLedger } from '../fixtures/helpers.js';
import { closeAt, openPosition, usd } from '../fixtures/ledger.js';

/** Roles that say which they are: G(…) green, R(…) red, M(…) muted. */
const out = {
  role: {
    success: (text: string) => `G(${text})`,
    error: (text: string) => `R(${text})`,
    warn: (text: string) => `Y(${text})`,
    muted: (text: string) => `M(${text})`,
    strong: (text: string) => text,
    money: (value: number, text: string) => (value > 0 ? `G(${text})` : value < 0 ? `R(${text})` : text),
  },
} as unknown as Output;

function closedAt(price: string) {
  const { ledger } = tempLedger();
  ledger.ensureWallet('paper', usd('1000'));
  const result = closeAt(ledger, openPosition(ledger).position.id, price);
  ledger.close();
  if (result.status !== 'closed') throw new Error('not closed');
  return result;
}

describe('renderEvent', () => {
  it('paints a gain green and a loss red', () => {
    const gain = renderEvent(out, { kind: 'closed', result: closedAt('110'), byResolution: false });
    const loss = renderEvent(out, { kind: 'closed', result: closedAt('95'), byResolution: false });
    expect(gain.at(-1)).toMatch(/^G\(✓ Position 1 closed: .*Net PnL: \$2\.3223/);
    expect(loss.at(-1)).toMatch(/^R\(✓ Position 1 closed: .*Net PnL: -\$/);
    // The lines before it (the figures) are plain either way.
    expect([...gain.slice(0, -1), ...loss.slice(0, -1)].every((line) => !/^[GRM]\(/.test(line))).toBe(true);
  });

  it('prints a hedged pair net result in the colour of its sign', () => {
    const leg = (netPnl: string) => ({ positionId: 1, venue: 'kalshi', market: 'FED', netPnl: usd(netPnl) });
    const won = renderEvent(out, { kind: 'pair_resolved', tradeId: 3, pair: 'fed-dec', netPnl: usd('1.06'), legs: [leg('56.16'), leg('-55.1')] });
    const lost = renderEvent(out, { kind: 'pair_resolved', tradeId: 4, pair: 'fed-dec', netPnl: usd('-0.5'), legs: [leg('54.5'), leg('-55')] });
    expect(won).toEqual(['G(⇄ arb #3 fed-dec resolved: net +$1.0600 (kalshi FED +$56.16, kalshi FED -$55.10))']);
    expect(lost).toEqual(['R(⇄ arb #4 fed-dec resolved: net -$0.5000 (kalshi FED +$54.50, kalshi FED -$55.00))']);
  });
});
