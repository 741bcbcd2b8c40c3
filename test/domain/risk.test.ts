// The risk rules and the utilisation rule, pure: each limit refuses when reached and allows just under it.
import { describe, expect, it } from 'vitest';
import { parseMicros, parsePct, type Micros } from '../../src/domain/money.js';
import {
  capToPositionLimit,
  DailyLoss,
  dailyLossBreaches,
  newPositionsBreach,
  NO_RISK_LIMITS,
  utcDayLabel,
  utcDayStartMs,
  type RiskLimits,
} from '../../src/domain/risk.js';
import { aboveUtilizationWarning, walletsAboveWarning } from '../../src/domain/utilization.js';

const usd = (text: string): Micros => parseMicros(text, { allowNegative: true, allowZero: true });
const DAY = Date.UTC(2026, 10, 22);

function limits(overrides: Partial<RiskLimits>): RiskLimits {
  return { ...NO_RISK_LIMITS, ...overrides };
}

function day(closes: readonly [string, string][]): DailyLoss {
  const loss = new DailyLoss(DAY);
  for (const [venue, pnl] of closes) loss.add(venue, usd(pnl));
  return loss;
}

describe('the daily loss', () => {
  it('the README figure: a $30 limit, closes losing $18 then $13 — the second reaches it', () => {
    const rules = limits({ maxDailyLossMicros: usd('30') });
    expect(dailyLossBreaches(rules, day([['paper', '-18']]))).toEqual([]);
    const [breach, ...rest] = dailyLossBreaches(rules, day([['paper', '-18'], ['paper', '-13']]));
    expect(rest).toEqual([]);
    expect(breach).toMatchObject({ limit: 'risk.maxDailyLossUsd', venue: null, value: usd('31'), limitValue: usd('30') });
    expect(breach?.message).toBe("risk.maxDailyLossUsd: today's realised loss across venues reached $31.00 (UTC 2026-11-22), the limit is $30.00");
  });

  it('is reached at exactly the limit and not a micro-dollar before it', () => {
    const rules = limits({ maxDailyLossMicros: usd('30') });
    expect(dailyLossBreaches(rules, day([['paper', '-29.999999']]))).toEqual([]);
    expect(dailyLossBreaches(rules, day([['paper', '-30']]))).toHaveLength(1);
  });

  it('only a negative day counts: wins offset losses across venues', () => {
    const rules = limits({ maxDailyLossMicros: usd('30') });
    expect(dailyLossBreaches(rules, day([['paper', '20'], ['pm', '-45']]))).toEqual([]);
    expect(dailyLossBreaches(rules, day([['paper', '20'], ['pm', '-50']]))).toHaveLength(1);
  });

  it('once reached, holds for the day even when a later close wins part of it back', () => {
    const rules = limits({ maxDailyLossMicros: usd('30') });
    const loss = day([['paper', '-31'], ['paper', '10']]);
    expect(loss.netPnl(null)).toBe(usd('-21'));
    expect(loss.deepestLoss(null)).toBe(usd('31'));
    expect(dailyLossBreaches(rules, loss)).toHaveLength(1);
  });

  it('a venue limit counts that venue alone', () => {
    const rules = limits({ venueMaxDailyLossMicros: new Map([['pm', usd('10')]]) });
    expect(dailyLossBreaches(rules, day([['paper', '-50'], ['pm', '-9.99']]))).toEqual([]);
    const [breach] = dailyLossBreaches(rules, day([['paper', '-50'], ['pm', '-10']]));
    expect(breach).toMatchObject({ limit: 'venues.pm.maxDailyLossUsd', venue: 'pm', value: usd('10') });
  });

  it('days are UTC days', () => {
    expect(utcDayStartMs(Date.UTC(2026, 10, 22, 23, 59, 59, 999))).toBe(DAY);
    expect(utcDayStartMs(Date.UTC(2026, 10, 23))).toBe(Date.UTC(2026, 10, 23));
    expect(utcDayLabel(DAY)).toBe('2026-11-22');
  });
});

describe('new positions', () => {
  const none = { openPositions: 0, dailyLoss: [] };

  it('maxPositionUsd: the limit itself is allowed, a micro-dollar above is refused', () => {
    const rules = limits({ maxPositionMicros: usd('50') });
    expect(newPositionsBreach(rules, { venues: ['paper'], count: 1, largestCostMicros: usd('50') }, none)).toBeNull();
    expect(newPositionsBreach(rules, { venues: ['paper'], count: 1, largestCostMicros: usd('50.000001') }, none)?.message).toBe(
      'risk.maxPositionUsd: a position of $50.00 on paper is above the limit of $50.00',
    );
    expect(capToPositionLimit(rules, usd('80'))).toBe(usd('50'));
    expect(capToPositionLimit(rules, usd('20'))).toBe(usd('20'));
  });

  it('maxOpenPositions: an arbitrage needs room for both legs', () => {
    const rules = limits({ maxOpenPositions: 3 });
    expect(newPositionsBreach(rules, { venues: ['paper'], count: 1, largestCostMicros: null }, { openPositions: 2, dailyLoss: [] })).toBeNull();
    expect(newPositionsBreach(rules, { venues: ['paper'], count: 1, largestCostMicros: null }, { openPositions: 3, dailyLoss: [] })?.limit).toBe('risk.maxOpenPositions');
    expect(newPositionsBreach(rules, { venues: ['a', 'b'], count: 2, largestCostMicros: null }, { openPositions: 1, dailyLoss: [] })).toBeNull();
    expect(newPositionsBreach(rules, { venues: ['a', 'b'], count: 2, largestCostMicros: null }, { openPositions: 2, dailyLoss: [] })?.message).toBe(
      'risk.maxOpenPositions: 2 positions open, the limit is 3 (this needs room for 2)',
    );
  });

  it('a venue daily-loss limit refuses that venue only; the overall one refuses every venue', () => {
    const venueRules = limits({ venueMaxDailyLossMicros: new Map([['pm', usd('10')]]) });
    const pmLost = { openPositions: 0, dailyLoss: dailyLossBreaches(venueRules, day([['pm', '-10']])) };
    expect(newPositionsBreach(venueRules, { venues: ['paper'], count: 1, largestCostMicros: null }, pmLost)).toBeNull();
    expect(newPositionsBreach(venueRules, { venues: ['paper', 'pm'], count: 2, largestCostMicros: null }, pmLost)?.limit).toBe('venues.pm.maxDailyLossUsd');
    const overall = limits({ maxDailyLossMicros: usd('10') });
    const lost = { openPositions: 0, dailyLoss: dailyLossBreaches(overall, day([['pm', '-10']])) };
    expect(newPositionsBreach(overall, { venues: ['paper'], count: 1, largestCostMicros: null }, lost)?.limit).toBe('risk.maxDailyLossUsd');
  });

  it('no limits configured: nothing is refused', () => {
    expect(newPositionsBreach(NO_RISK_LIMITS, { venues: ['paper'], count: 100, largestCostMicros: usd('1000000') }, { openPositions: 1_000, dailyLoss: [] })).toBeNull();
  });
});

describe('utilisation', () => {
  const warn = parsePct('80');

  it('warns strictly above the threshold, decided exactly', () => {
    expect(aboveUtilizationWarning({ venue: 'a', total: usd('100'), locked: usd('80') }, warn)).toBe(false);
    expect(aboveUtilizationWarning({ venue: 'a', total: usd('100'), locked: usd('80.000001') }, warn)).toBe(true);
    // 2/3 locked is 66.67%: above 66.6666%, not above 66.6667%.
    expect(aboveUtilizationWarning({ venue: 'a', total: 3, locked: 2 }, parsePct('66.6666'))).toBe(true);
    expect(aboveUtilizationWarning({ venue: 'a', total: 3, locked: 2 }, parsePct('66.6667'))).toBe(false);
  });

  it('never warns about an empty wallet, and picks out the wallets above it', () => {
    expect(aboveUtilizationWarning({ venue: 'a', total: 0, locked: 0 }, warn)).toBe(false);
    const wallets = [
      { venue: 'a', total: usd('100'), locked: usd('90') },
      { venue: 'b', total: usd('100'), locked: usd('10') },
      // Beyond 2^53 / 10^6: the comparison stays exact.
      { venue: 'c', total: Number.MAX_SAFE_INTEGER, locked: Number.MAX_SAFE_INTEGER - 1 },
    ];
    expect(walletsAboveWarning(wallets, warn).map((w) => w.venue)).toEqual(['a', 'c']);
  });
});
