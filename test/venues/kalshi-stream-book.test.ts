// The streamed Kalshi book against the REST parser: whatever deltas arrive, the book equals the one Kalshi's REST
// endpoint would send for the same levels, read by the adapter's own REST parser; every sequence fault breaks it
// until a new snapshot; and controls show the comparison notices a delta applied wrongly.
import { describe, expect, it } from 'vitest';
import { formatMicrosTrim, formatScaled } from '../../src/domain/money.js';
import { seededRandom } from '../../src/domain/random.js';
import { VenueResponseError } from '../../src/venues/errors.js';
import { parseOrderbook } from '../../src/venues/kalshi/models.js';
import { StreamBook } from '../../src/venues/kalshi/stream-book.js';
import { parseStreamMessage, type StreamBookMessage } from '../../src/venues/kalshi/stream-models.js';
import type { Outcome } from '../../src/venues/venue.js';

const TICKER = 'KXRAIN-26DEC31-T2';
const SID = 7;
const MARKET_ID = '9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1';
const OUTCOMES: readonly Outcome[] = ['yes', 'no'];
/** A hundredth of a contract, the finest count Kalshi sends. */
const COUNT_TICK_MICROS = 10_000;

/** Bid size (micro-contracts) by price (micros), per outcome: what the stream should end up holding. */
type Reference = Record<Outcome, Map<number, number>>;

interface Change {
  readonly side: Outcome;
  readonly price: number;
  readonly sizeDeltaMicros: number;
}

function emptyReference(): Reference {
  return { yes: new Map(), no: new Map() };
}

function levelsText(side: ReadonlyMap<number, number>): string[][] {
  return [...side].map(([price, size]) => [formatScaled(price, 6), formatMicrosTrim(size, 2)]);
}

/** The spec's snapshot: a side without bids is left out. */
function snapshotWire(seq: number, reference: Reference, sid = SID): unknown {
  const side = (key: string, levels: ReadonlyMap<number, number>) => (levels.size > 0 ? { [key]: levelsText(levels) } : {});
  return { type: 'orderbook_snapshot', sid, seq, msg: { market_ticker: TICKER, market_id: MARKET_ID, ...side('yes_dollars_fp', reference.yes), ...side('no_dollars_fp', reference.no) } };
}

/** The spec's delta: `delta_fp` signed decimal text (trimmed here, "5" or "-0.5", to vary the text). */
function deltaWire(seq: number, change: Change, sid = SID): unknown {
  const delta_fp = `${change.sizeDeltaMicros < 0 ? '-' : ''}${formatMicrosTrim(Math.abs(change.sizeDeltaMicros), 2)}`;
  return { type: 'orderbook_delta', sid, seq, msg: { market_ticker: TICKER, market_id: MARKET_ID, price_dollars: formatScaled(change.price, 4 + 2), delta_fp, side: change.side } };
}

function parsed(wire: unknown): StreamBookMessage {
  const message = parseStreamMessage(wire);
  if (message === null) throw new Error('not a book message');
  return message;
}

function applyToReference(reference: Reference, change: Change): void {
  const side = reference[change.side];
  const size = (side.get(change.price) ?? 0) + change.sizeDeltaMicros;
  if (size === 0) side.delete(change.price);
  else side.set(change.price, size);
}

/** What the REST endpoint would answer for these levels, through the adapter's REST parser. */
function restBook(reference: Reference, outcome: Outcome, receivedMs: number) {
  return parseOrderbook({ orderbook_fp: { yes_dollars: levelsText(reference.yes), no_dollars: levelsText(reference.no) } }, TICKER, outcome, receivedMs);
}

function agrees(book: StreamBook, reference: Reference, receivedMs: number): boolean {
  return OUTCOMES.every((outcome) => JSON.stringify(book.book(outcome)) === JSON.stringify(restBook(reference, outcome, receivedMs)));
}

/** A price grid of cents and a few tenth-cent prices, small enough that levels empty and refill often. */
function pricePool(random: () => number): number[] {
  const pool = new Set<number>();
  while (pool.size < 24) pool.add(random() < 0.8 ? (1 + Math.floor(random() * 99)) * 10_000 : (1 + Math.floor(random() * 999)) * 1_000);
  return [...pool];
}

function randomChange(random: () => number, reference: Reference, prices: readonly number[]): Change {
  const side: Outcome = random() < 0.5 ? 'yes' : 'no';
  const price = prices[Math.floor(random() * prices.length)]!;
  const current = reference[side].get(price) ?? 0;
  if (current > 0 && random() < 0.45) {
    // Half of the removals empty the level: the book must drop it, not keep a zero.
    const ticks = random() < 0.5 ? current / COUNT_TICK_MICROS : 1 + Math.floor(random() * (current / COUNT_TICK_MICROS));
    return { side, price, sizeDeltaMicros: -ticks * COUNT_TICK_MICROS };
  }
  const ticks = random() < 0.5 ? 100 * (1 + Math.floor(random() * 500)) : 1 + Math.floor(random() * 50_000);
  return { side, price, sizeDeltaMicros: ticks * COUNT_TICK_MICROS };
}

interface Scenario {
  readonly initial: Reference;
  readonly changes: readonly Change[];
}

function scenario(seed: number, steps: number): Scenario {
  const random = seededRandom(seed);
  const prices = pricePool(random);
  const initial = emptyReference();
  for (let index = 0; index < 20; index += 1) applyToReference(initial, randomChange(random, initial, prices));
  const walk = cloneReference(initial);
  const changes: Change[] = [];
  for (let index = 0; index < steps; index += 1) {
    const change = randomChange(random, walk, prices);
    applyToReference(walk, change);
    changes.push(change);
  }
  return { initial, changes };
}

function cloneReference(reference: Reference): Reference {
  return { yes: new Map(reference.yes), no: new Map(reference.no) };
}

/** Feeds the snapshot and then `changes` (seq 1, 2, …) to a fresh book. */
function streamed(initial: Reference, changes: readonly Change[]): StreamBook {
  const book = new StreamBook(TICKER);
  book.apply(parsed(snapshotWire(0, initial)), 0);
  changes.forEach((change, index) => book.apply(parsed(deltaWire(index + 1, change)), index + 1));
  return book;
}

function referenceAfter(initial: Reference, changes: readonly Change[]): Reference {
  const reference = cloneReference(initial);
  for (const change of changes) applyToReference(reference, change);
  return reference;
}

describe('kalshi streamed book', () => {
  it('equals the REST parse of the same levels after thousands of random deltas, checked along the way', () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const { initial, changes } = scenario(seed, 2_000);
      const book = new StreamBook(TICKER);
      const reference = cloneReference(initial);
      book.apply(parsed(snapshotWire(0, initial)), 0);
      expect(agrees(book, reference, 0)).toBe(true);
      changes.forEach((change, index) => {
        expect(book.apply(parsed(deltaWire(index + 1, change)), index + 1)).toBe('live');
        applyToReference(reference, change);
        if (index % 97 === 0) expect(agrees(book, reference, index + 1), `seed ${seed}, delta ${index + 1}`).toBe(true);
      });
      expect(agrees(book, reference, changes.length)).toBe(true);
      // The walk is no trivial one: levels came and went, and both ladders end up holding several.
      expect(changes.filter((change) => change.sizeDeltaMicros < 0).length).toBeGreaterThan(300);
      expect(reference.yes.size).toBeGreaterThan(2);
      expect(reference.no.size).toBeGreaterThan(2);
    }
  });

  it('orders both ladders best first and derives asks from the other outcome’s bids', () => {
    const reference = emptyReference();
    reference.yes.set(420_000, 10_000_000).set(400_000, 5_000_000);
    reference.no.set(550_000, 3_000_000);
    const book = streamed(reference, [{ side: 'yes', price: 430_000, sizeDeltaMicros: 1_000_000 }]);
    expect(book.book('yes')?.bids.map((level) => level.price)).toEqual([430_000, 420_000, 400_000]);
    expect(book.book('yes')?.asks).toEqual([{ price: 450_000, size: 3_000_000 }]);
    expect(book.book('no')?.asks.map((level) => level.price)).toEqual([570_000, 580_000, 600_000]);
  });

  describe('controls: the comparison notices a wrong application', () => {
    const { initial, changes } = scenario(9, 400);
    const reference = referenceAfter(initial, changes);
    const target = changes.findIndex((change) => change.sizeDeltaMicros > 0);

    it('agrees when every delta is applied as sent', () => {
      expect(agrees(streamed(initial, changes), reference, changes.length)).toBe(true);
    });

    it('differs when one delta lands on the wrong side', () => {
      const wrong = changes.map((change, index) => (index === target ? { ...change, side: change.side === 'yes' ? ('no' as const) : ('yes' as const) } : change));
      const book = streamed(initial, wrong.slice(0, target + 1));
      expect(book.state).toBe('live');
      expect(agrees(book, referenceAfter(initial, changes.slice(0, target + 1)), target + 1)).toBe(false);
    });

    it('differs when one delta is lost (the sequence renumbered so the book cannot tell)', () => {
      // Checked right after the loss: a later removal of what the lost delta added would break the book anyway.
      const book = streamed(initial, changes.slice(0, target));
      expect(book.state).toBe('live');
      expect(agrees(book, referenceAfter(initial, changes.slice(0, target + 1)), target)).toBe(false);
    });

    it('differs when a delta is applied with the wrong sign', () => {
      const before = referenceAfter(initial, changes.slice(0, target));
      const wrong = { ...changes[target]!, sizeDeltaMicros: -changes[target]!.sizeDeltaMicros };
      const afterRight = referenceAfter(before, [changes[target]!]);
      const book = new StreamBook(TICKER);
      book.apply(parsed(snapshotWire(0, before)), 0);
      book.apply(parsed(deltaWire(1, wrong)), 1);
      expect(agrees(book, afterRight, 1)).toBe(false);
    });
  });
});

describe('kalshi streamed book faults', () => {
  const initial = emptyReference();
  initial.yes.set(420_000, 10_000_000);
  initial.no.set(550_000, 3_000_000);
  const add: Change = { side: 'yes', price: 410_000, sizeDeltaMicros: 2_000_000 };

  /** A live book at seq 2 (snapshot 0, deltas 1 and 2). */
  function liveAtTwo(): StreamBook {
    const book = streamed(initial, [add, add]);
    expect(book.state).toBe('live');
    return book;
  }

  function expectBroken(book: StreamBook, reason: RegExp): void {
    expect(book.state).toBe('broken');
    expect(book.brokenReason).toMatch(reason);
    for (const outcome of OUTCOMES) expect(book.book(outcome)).toBeNull();
  }

  /** A new snapshot makes any broken book whole again, equal to the snapshot's levels. */
  function expectHealedBySnapshot(book: StreamBook): void {
    const fresh = cloneReference(initial);
    fresh.no.set(530_000, 1_000_000);
    expect(book.apply(parsed(snapshotWire(40, fresh)), 99)).toBe('live');
    expect(book.brokenReason).toBeNull();
    expect(agrees(book, fresh, 99)).toBe(true);
    expect(book.apply(parsed(deltaWire(41, add)), 100)).toBe('live');
    expect(agrees(book, referenceAfter(fresh, [add]), 100)).toBe(true);
  }

  const faults: ReadonlyArray<readonly [string, (book: StreamBook) => void, RegExp]> = [
    ['a gap in seq', (book) => book.apply(parsed(deltaWire(4, add)), 3), /gap: seq 4 after 2/],
    ['a duplicate seq', (book) => book.apply(parsed(deltaWire(2, add)), 3), /duplicate seq 2/],
    ['an out-of-order seq', (book) => book.apply(parsed(deltaWire(1, add)), 3), /out-of-order seq 1 after 2/],
    ['a level taken below zero', (book) => book.apply(parsed(deltaWire(3, { side: 'no', price: 550_000, sizeDeltaMicros: -3_010_000 })), 3), /below zero/],
    ['a delta removing a level that is not there', (book) => book.apply(parsed(deltaWire(3, { side: 'no', price: 560_000, sizeDeltaMicros: -10_000 })), 3), /below zero/],
    ['a delta of another subscription', (book) => book.apply(parsed(deltaWire(3, add, SID + 1)), 3), /subscription 8/],
    ['a break from outside (an unparsable message)', (book) => book.markBroken('unreadable message'), /unreadable message/],
  ];

  for (const [name, fault, reason] of faults) {
    it(`breaks on ${name}, answers null, and a new snapshot makes it whole`, () => {
      const book = liveAtTwo();
      fault(book);
      expectBroken(book, reason);
      // What follows a fault cannot be trusted either, even when it looks like the next message.
      book.apply(parsed(deltaWire(3, add)), 4);
      expectBroken(book, reason);
      expectHealedBySnapshot(book);
    });
  }

  it('breaks on a delta before any snapshot, and the first snapshot makes it whole', () => {
    const book = new StreamBook(TICKER);
    expect(book.state).toBe('awaiting_snapshot');
    expect(book.book('yes')).toBeNull();
    book.apply(parsed(deltaWire(1, add)), 1);
    expectBroken(book, /before any snapshot/);
    expectHealedBySnapshot(book);
  });

  it('control: the very next seq, a level emptied to exactly zero, applies and stays live', () => {
    const book = liveAtTwo();
    expect(book.apply(parsed(deltaWire(3, { side: 'no', price: 550_000, sizeDeltaMicros: -3_000_000 })), 3)).toBe('live');
    expect(book.book('yes')?.asks).toEqual([]);
    expect(book.book('no')?.bids).toEqual([]);
  });

  it('refuses a message of another market as a bug, not a stream fault', () => {
    const book = liveAtTwo();
    const other = { type: 'orderbook_delta', sid: SID, seq: 3, msg: { market_ticker: 'OTHER', market_id: MARKET_ID, price_dollars: '0.41', delta_fp: '1.00', side: 'yes' } };
    expect(() => book.apply(parsed(other), 3)).toThrow(/OTHER/);
    expect(book.state).toBe('live');
  });
});

describe('kalshi stream messages', () => {
  it('reads only the book channel and leaves other messages to the caller', () => {
    expect(parseStreamMessage({ type: 'subscribed', id: 1, msg: { channel: 'orderbook_delta', sid: SID } })).toBeNull();
    expect(parseStreamMessage({ type: 'error', id: 1, msg: { code: 2, msg: 'Params required' } })).toBeNull();
  });

  it('reads the decimal strings exactly, without floats, and a side left out as empty', () => {
    const snapshot = parsed({ type: 'orderbook_snapshot', sid: SID, seq: 1, msg: { market_ticker: TICKER, market_id: MARKET_ID, yes_dollars_fp: [['0.080', '300.00'], ['0.2200', '333.33']] } });
    expect(snapshot).toMatchObject({ kind: 'snapshot', yesBids: [{ price: 220_000, size: 333_330_000 }, { price: 80_000, size: 300_000_000 }], noBids: [] });
    const delta = parsed({ type: 'orderbook_delta', sid: SID, seq: 2, msg: { market_ticker: TICKER, market_id: MARKET_ID, price_dollars: '0.960', delta_fp: '-54.10', side: 'no', ts_ms: 1669149841000 } });
    expect(delta).toMatchObject({ kind: 'delta', side: 'no', price: 960_000, sizeDeltaMicros: -54_100_000 });
  });

  it('names the field of a book message it cannot read', () => {
    const base = { market_ticker: TICKER, market_id: MARKET_ID, price_dollars: '0.41', delta_fp: '1.00', side: 'yes' };
    const bad: ReadonlyArray<readonly [Record<string, unknown>, RegExp]> = [
      [{ ...base, side: 'maybe' }, /side/],
      [{ ...base, delta_fp: undefined }, /delta_fp/],
      [{ ...base, delta_fp: undefined, delta: 1 }, /delta_fp/],
      [{ ...base, delta_fp: '1e3' }, /delta_fp/],
      [{ ...base, price_dollars: '1.00' }, /price_dollars/],
      [{ ...base, price_dollars: 0.41 + 0.0000001 }, /price_dollars/],
    ];
    for (const [msg, field] of bad) {
      expect(() => parseStreamMessage({ type: 'orderbook_delta', sid: SID, seq: 2, msg })).toThrow(VenueResponseError);
      expect(() => parseStreamMessage({ type: 'orderbook_delta', sid: SID, seq: 2, msg })).toThrow(field);
    }
    expect(() => parseStreamMessage({ type: 'orderbook_delta', seq: 2, msg: base })).toThrow(/sid/);
  });

  it('refuses a snapshot in an older shape rather than reading its side as empty', () => {
    const older: ReadonlyArray<readonly [Record<string, unknown>, RegExp]> = [
      [{ yes_dollars: [['0.4200', '10.00']] }, /yes_dollars_fp: absent, but "yes_dollars" is present/],
      [{ yes_dollars_fp: [['0.4200', '10.00']], no: [[55, 3]] }, /no_dollars_fp: absent, but "no" is present/],
    ];
    for (const [sides, reason] of older) {
      expect(() => parseStreamMessage({ type: 'orderbook_snapshot', sid: SID, seq: 1, msg: { market_ticker: TICKER, market_id: MARKET_ID, ...sides } })).toThrow(reason);
    }
    // Control: an older key beside the spec's (or empty) is no sign of a changed shape.
    expect(parsed({ type: 'orderbook_snapshot', sid: SID, seq: 1, msg: { market_ticker: TICKER, yes_dollars_fp: [['0.4200', '10.00']], yes_dollars: [['0.4200', '10.00']], no: [] } })).toMatchObject({ yesBids: [{ price: 420_000 }], noBids: [] });
  });
});
