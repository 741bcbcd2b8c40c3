// `arbbot venues check` shows each configured pair's markets as the venues describe them, beside the connectivity
// check: what a person reads before confirming that two markets are the same event.
import { describe, expect, it } from 'vitest';
import { cli, cliJson, tempDir } from '../fixtures/helpers.js';

interface PairsJson {
  pairs: { pair: string; confirmed: boolean; legs: { leg: string; venue: string; market: string; description: Record<string, unknown> | null; error: string | null }[] }[];
}

describe('venues check: pairs as the venues describe them', () => {
  it('lists each leg of each pair with what its venue says (the zero-config paper pair here)', () => {
    const dir = tempDir();
    const { code, json } = cliJson<PairsJson>(dir, ['venues', 'check']);
    expect(code).toBe(0);
    expect(json.pairs).toEqual([
      {
        pair: 'fed-dec',
        confirmed: true,
        legs: [
          expect.objectContaining({ leg: 'a', venue: 'paper-kalshi', market: 'FED-DEC', error: null, description: expect.objectContaining({ tickSize: '0.010000', notes: ['paper venue', 'quoted'] }) }),
          expect.objectContaining({ leg: 'b', venue: 'paper-poly', market: 'fed-dec', error: null, description: expect.objectContaining({ tickSize: '0.010000', notes: ['paper venue', 'quoted'] }) }),
        ],
      },
    ]);
    const human = cli(dir, ['venues', 'check']);
    expect(human.stdout).toContain('pair fed-dec');
    expect(human.stdout).toContain('  a paper-kalshi FED-DEC: no title given, no close time given, tick $0.01, minimum not given, paper venue, quoted');
  });

  it('checking one venue describes no pair: a pair needs both of its venues to have answered', () => {
    const dir = tempDir();
    const { code, json } = cliJson<PairsJson>(dir, ['venues', 'check', 'paper-kalshi']);
    expect(code).toBe(0);
    expect(json.pairs).toEqual([]);
  });
});
