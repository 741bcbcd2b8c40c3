// The settlement plan, without SQLite: both legs' fills split into a hedged pair (the quantity both filled) and an
// excess, every part's cost and fee adding up exactly to what the venue charged, and the trade's outcome named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tradeStatus } from '../../src/domain/arb.js';
import { filledState, OverfillError, planAlone, planLate, planSettlement, splitFill, type LegFill } from '../../src/domain/settlement.js';

const fill = (quantity: number, notional: number, fee: number): LegFill => ({ quantity, notional, fee });

describe('settlement plan', () => {
  it('names the outcome: nothing filled, a hedged pair, a pair with an excess, or one leg only', () => {
    expect(planSettlement([fill(0, 0, 0), fill(0, 0, 0)]).outcome).toBe('none');
    expect(planSettlement([fill(100, 42, 1), fill(100, 55, 1)]).outcome).toBe('hedged');
    expect(planSettlement([fill(100, 42, 1), fill(60, 33, 1)]).outcome).toBe('partial');
    expect(planSettlement([fill(100, 42, 1), fill(0, 0, 0)]).outcome).toBe('unhedged');
  });

  it('splits a leg that filled more than the other into its hedged part and its excess, the hedged part rounding up', () => {
    // 100 filled for 42.000003 with a fee of 0.84; 60 hedged: 60% of each, rounded up; the excess takes the rest.
    expect(splitFill(fill(100_000_000, 42_000_003, 840_000), 60_000_000)).toEqual([
      { quantity: 60_000_000, cost: 25_200_002, fee: 504_000, kind: 'arb_hedged' },
      { quantity: 40_000_000, cost: 16_800_001, fee: 336_000, kind: 'arb_unhedged' },
    ]);
  });

  it('always apportions exactly: the parts of every leg sum to its fill, and the hedged parts of both legs are equal', () => {
    // A leg that filled nothing paid nothing.
    const legFill = fc
      .record({ quantity: fc.integer({ min: 0, max: 10 ** 9 }), notional: fc.integer({ min: 0, max: 10 ** 9 }), fee: fc.integer({ min: 0, max: 10 ** 7 }) })
      .map((leg) => (leg.quantity === 0 ? fill(0, 0, 0) : leg));
    fc.assert(
      fc.property(legFill, legFill, (a, b) => {
        const plan = planSettlement([a, b]);
        plan.parts.forEach((parts, index) => {
          const leg = index === 0 ? a : b;
          expect(parts.reduce((sum, part) => sum + part.quantity, 0)).toBe(leg.quantity);
          expect(parts.reduce((sum, part) => sum + part.cost, 0)).toBe(leg.notional);
          expect(parts.reduce((sum, part) => sum + part.fee, 0)).toBe(leg.fee);
          for (const part of parts) expect(part.quantity).toBeGreaterThan(0);
        });
        const hedged = plan.parts.map((parts) => parts.find((part) => part.kind === 'arb_hedged')?.quantity ?? 0);
        expect(new Set(hedged).size).toBe(1);
        expect(hedged[0]).toBe(Math.min(a.quantity, b.quantity));
      }),
      { numRuns: 2_000 },
    );
  });

  it('puts a report in its state, and refuses one that fills more than was ordered', () => {
    expect([filledState(100, 0), filledState(100, 40), filledState(100, 100)]).toEqual(['rejected', 'partially_filled', 'filled']);
    expect(() => filledState(100, 101)).toThrow(OverfillError);
    expect(() => filledState(100, 101)).toThrow('the venue reports 101 filled of 100 ordered');
  });
});

describe('a leg booked while the other is held, and the other booked later', () => {
  it('alone: its whole fill is unhedged (nothing is known to hedge it)', () => {
    expect(planAlone(fill(100, 55, 1))).toEqual([{ quantity: 100, cost: 55, fee: 1, kind: 'arb_unhedged' }]);
    expect(planAlone(fill(0, 0, 0))).toEqual([]);
  });

  it('late: hedges the partner’s open contracts only when it covers them all; the outcome is what is held as a pair', () => {
    const partner = (filledQuantity: number, openUnhedgedQuantity = filledQuantity) => ({ filledQuantity, openUnhedgedQuantity });
    expect(planLate(fill(100, 42, 1), partner(100))).toEqual({ parts: [{ quantity: 100, cost: 42, fee: 1, kind: 'arb_hedged' }], hedgesPartner: true, outcome: 'hedged' });
    expect(planLate(fill(100, 42, 2), partner(60))).toMatchObject({ hedgesPartner: true, outcome: 'partial', parts: [{ quantity: 60, kind: 'arb_hedged' }, { quantity: 40, kind: 'arb_unhedged' }] });
    // Less than the partner holds: a position is never split after it opened, so nothing is paired.
    expect(planLate(fill(40, 17, 1), partner(100))).toEqual({ parts: [{ quantity: 40, cost: 17, fee: 1, kind: 'arb_unhedged' }], hedgesPartner: false, outcome: 'unhedged' });
    // The partner's position closed meanwhile: nothing open to pair with.
    expect(planLate(fill(100, 42, 1), partner(100, 0))).toMatchObject({ hedgesPartner: false, outcome: 'unhedged' });
    expect(planLate(fill(0, 0, 0), partner(100))).toEqual({ parts: [], hedgesPartner: false, outcome: 'unhedged' });
    expect(planLate(fill(0, 0, 0), partner(0))).toEqual({ parts: [], hedgesPartner: false, outcome: 'none' });
  });

  it('a trade in flight with a claim shows as needing attention; any other shows its state', () => {
    expect(tradeStatus({ state: 'submitted', attention: 'kalshi: impossible report: …' })).toBe('needs attention');
    expect(tradeStatus({ state: 'reserved', attention: 'kalshi: impossible report: …' })).toBe('needs attention');
    expect(tradeStatus({ state: 'submitted', attention: null })).toBe('submitted');
    expect(tradeStatus({ state: 'settled', attention: 'stale' })).toBe('settled');
  });
});
