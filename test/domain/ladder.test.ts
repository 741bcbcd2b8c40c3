import { describe, expect, it } from 'vitest';
import { parsePrice, type PriceMicros } from '../../src/domain/money.js';
import {
  evaluateLadder,
  initialLadderState,
  ladderLevels,
  LadderConfigError,
  type LadderConfig,
  type LadderLevels,
  type LadderState,
  type Side,
} from '../../src/domain/position.js';
import { SEED_LADDER } from '../fixtures/ledger.js';

const p = (text: string): PriceMicros => parsePrice(text);

/** Feeds marks one by one, carrying the state, and returns every decision (as the engine's tick loop would). */
function run(side: Side, entry: string, marks: readonly string[], config: LadderConfig = SEED_LADDER) {
  const levels = ladderLevels(side, p(entry), config);
  let state: LadderState = initialLadderState(levels);
  const decisions = marks.map((mark) => {
    const decision = evaluateLadder(side, p(entry), levels, state, p(mark));
    state = decision.state;
    return decision;
  });
  return { levels, decisions, last: decisions[decisions.length - 1] };
}

describe('ladder levels', () => {
  it('puts a long entered at $100 at TP 103/106/110 and SL 95', () => {
    expect(ladderLevels('long', p('100'), SEED_LADDER)).toEqual<LadderLevels>({
      tp1Price: p('103'),
      tp2Price: p('106'),
      tp3Price: p('110'),
      slPrice: p('95'),
    });
  });

  it('mirrors a short entered at $100: TP 97/94/90, SL 105', () => {
    expect(ladderLevels('short', p('100'), SEED_LADDER)).toEqual<LadderLevels>({
      tp1Price: p('97'),
      tp2Price: p('94'),
      tp3Price: p('90'),
      slPrice: p('105'),
    });
  });

  it('rounds every level away from the entry so no target is easier to reach than configured', () => {
    // 3% of 0.333333 is 0.00999999: the long TP1 rounds up, the short TP1 down, each stop away from the entry.
    const long = ladderLevels('long', p('0.333333'), SEED_LADDER);
    const short = ladderLevels('short', p('0.333333'), SEED_LADDER);
    expect(long.tp1Price).toBe(343_333); // 343332.99 up
    expect(long.slPrice).toBe(316_666); // 316666.35 down
    expect(short.tp1Price).toBe(323_333); // 323333.01 down
    expect(short.slPrice).toBe(350_000); // 349999.65 up
  });

  it('refuses take-profits out of order, a zero or 100% stop, and a short target at 100%', () => {
    const bad: LadderConfig[] = [
      { ...SEED_LADDER, tp1Ppm: SEED_LADDER.tp2Ppm },
      { ...SEED_LADDER, tp1Ppm: 0 as LadderConfig['tp1Ppm'] },
      { ...SEED_LADDER, slPpm: 0 as LadderConfig['slPpm'] },
      { ...SEED_LADDER, slPpm: 1_000_000 as LadderConfig['slPpm'] },
    ];
    for (const config of bad) expect(() => ladderLevels('long', p('100'), config)).toThrow(LadderConfigError);
    const wide = { ...SEED_LADDER, tp3Ppm: 1_000_000 as LadderConfig['tp3Ppm'] };
    expect(() => ladderLevels('long', p('100'), wide)).not.toThrow();
    expect(() => ladderLevels('short', p('100'), wide)).toThrow(LadderConfigError);
  });
});

describe('ladder on a long', () => {
  it('does nothing between the stop and TP1', () => {
    const { last } = run('long', '100', ['102.99', '95.01']);
    expect(last).toEqual({ state: { tp1Hit: false, tp2Hit: false, stopPrice: p('95') }, events: [], close: null });
  });

  it('flags TP1 and moves the stop to breakeven, without closing', () => {
    const { last } = run('long', '100', ['103']);
    expect(last?.events).toEqual([{ kind: 'tp1', price: p('103'), newStop: p('100') }]);
    expect(last?.state).toEqual({ tp1Hit: true, tp2Hit: false, stopPrice: p('100') });
    expect(last?.close).toBeNull();
  });

  it('closes at breakeven when the price comes back to the entry after TP1', () => {
    const { decisions } = run('long', '100', ['104', '100.01', '100']);
    expect(decisions[1]?.close).toBeNull();
    expect(decisions[2]?.close).toEqual({ trigger: 'breakeven_stop', price: p('100') });
  });

  it('flags TP2 and trails the stop to the TP1 price', () => {
    const { decisions } = run('long', '100', ['103.5', '106']);
    expect(decisions[1]?.events).toEqual([{ kind: 'tp2', price: p('106'), newStop: p('103') }]);
    expect(decisions[1]?.state).toEqual({ tp1Hit: true, tp2Hit: true, stopPrice: p('103') });
    expect(decisions[1]?.close).toBeNull();
  });

  it('closes on the trailing stop at TP1 after TP2', () => {
    const { decisions } = run('long', '100', ['106', '103.01', '103']);
    expect(decisions[1]?.close).toBeNull();
    expect(decisions[2]?.close).toEqual({ trigger: 'trailing_stop', price: p('103') });
  });

  it('closes at TP3 immediately once TP1 and TP2 were flagged', () => {
    const { decisions } = run('long', '100', ['103', '106', '109.99', '110']);
    expect(decisions[2]?.close).toBeNull();
    expect(decisions[3]).toEqual({
      state: { tp1Hit: true, tp2Hit: true, stopPrice: p('103') },
      events: [],
      close: { trigger: 'tp3', price: p('110') },
    });
  });

  it('applies a gap 101 → 111 as TP1, TP2 and the TP3 close within one tick', () => {
    const { decisions } = run('long', '100', ['101', '111']);
    expect(decisions[0]?.events).toEqual([]);
    expect(decisions[1]?.events).toEqual([
      { kind: 'tp1', price: p('111'), newStop: p('100') },
      { kind: 'tp2', price: p('111'), newStop: p('103') },
    ]);
    expect(decisions[1]?.close).toEqual({ trigger: 'tp3', price: p('111') });
  });

  it('a gap straight to TP2 flags both tiers and keeps the position open', () => {
    const { last } = run('long', '100', ['107']);
    expect(last?.events.map((e) => e.kind)).toEqual(['tp1', 'tp2']);
    expect(last?.state.stopPrice).toBe(p('103'));
    expect(last?.close).toBeNull();
  });

  it('closes on the stop loss at or through 95 before any TP', () => {
    expect(run('long', '100', ['95']).last?.close).toEqual({ trigger: 'stop_loss', price: p('95') });
    expect(run('long', '100', ['80']).last?.close).toEqual({ trigger: 'stop_loss', price: p('80') });
  });

  it('does not flag TP1 twice nor move a trailed stop back down', () => {
    const { decisions } = run('long', '100', ['106', '104', '105']);
    expect(decisions[1]?.events).toEqual([]);
    expect(decisions[2]?.state).toEqual({ tp1Hit: true, tp2Hit: true, stopPrice: p('103') });
  });
});

describe('ladder on a short', () => {
  it('flags TP1 at 97 with the stop to breakeven, then closes at the entry', () => {
    const { decisions } = run('short', '100', ['97', '99.99', '100']);
    expect(decisions[0]?.events).toEqual([{ kind: 'tp1', price: p('97'), newStop: p('100') }]);
    expect(decisions[1]?.close).toBeNull();
    expect(decisions[2]?.close).toEqual({ trigger: 'breakeven_stop', price: p('100') });
  });

  it('flags TP2 at 94 and trails the stop to 97, then closes there', () => {
    const { decisions } = run('short', '100', ['94', '96.99', '97']);
    expect(decisions[0]?.state).toEqual({ tp1Hit: true, tp2Hit: true, stopPrice: p('97') });
    expect(decisions[1]?.close).toBeNull();
    expect(decisions[2]?.close).toEqual({ trigger: 'trailing_stop', price: p('97') });
  });

  it('applies a gap 99 → 89 as TP1, TP2 and the TP3 close', () => {
    const { decisions } = run('short', '100', ['99', '89']);
    expect(decisions[0]?.events).toEqual([]);
    expect(decisions[1]?.events.map((e) => e.kind)).toEqual(['tp1', 'tp2']);
    expect(decisions[1]?.close).toEqual({ trigger: 'tp3', price: p('89') });
  });

  it('closes on the stop loss at or above 105, and not below it', () => {
    expect(run('short', '100', ['104.99']).last?.close).toBeNull();
    expect(run('short', '100', ['105']).last?.close).toEqual({ trigger: 'stop_loss', price: p('105') });
  });

  it('treats a rising price as adverse: 103 is not a take-profit for a short', () => {
    expect(run('short', '100', ['103']).last).toMatchObject({ events: [], close: null, state: { tp1Hit: false } });
  });
});

describe('a short\'s liquidation price', () => {
  const levelsWith = (slPct: string, liquidation: string): LadderLevels => ({
    ...ladderLevels('short', p('100'), { ...SEED_LADDER, slPpm: (Number(slPct) * 10_000) as never }),
    liquidationPrice: p(liquidation),
  });
  const decide = (levels: LadderLevels, mark: string) => evaluateLadder('short', p('100'), levels, initialLadderState(levels), p(mark));

  it('closes the short there when it is nearer than the stop (a stop of 99.9% sits past it)', () => {
    const levels = levelsWith('99.9', '199.183344');
    expect(decide(levels, '199.183343').close).toBeNull();
    expect(decide(levels, '199.183344').close).toEqual({ trigger: 'liquidation', price: p('199.183344') });
    expect(decide(levels, '250').close).toEqual({ trigger: 'liquidation', price: p('250') });
  });

  it('leaves the stop in charge when the stop is nearer: a gap past both is still the stop loss', () => {
    const levels = levelsWith('5', '199.183344');
    expect(decide(levels, '105').close).toEqual({ trigger: 'stop_loss', price: p('105') });
    expect(decide(levels, '250').close).toEqual({ trigger: 'stop_loss', price: p('250') });
  });
});
