// The streamed Polymarket book against the REST parser: whatever level changes arrive on either token and side, the
// book equals the one GET /book would send for the same levels, read by the adapter's own REST parser; controls show
// the comparison notices a change applied wrongly, and the best bid/ask check notices a lost one.
import { describe, expect, it } from 'vitest';
import { formatMicrosTrim } from '../../src/domain/money.js';
import { seededRandom } from '../../src/domain/random.js';
import { parseBook } from '../../src/venues/polymarket/models.js';
import { PolymarketStreamBook } from '../../src/venues/polymarket/stream-book.js';
import { parsePolymarketStreamMessage, type PolymarketBookEvent, type PolymarketPriceChangeEvent } from '../../src/venues/polymarket/stream-models.js';
import type { Outcome } from '../../src/venues/venue.js';
import type { OrderBookSummary } from '../fixtures/venues/polymarket-official-types.js';

const VENUE = 'polymarket';
const CONDITION = '0xbd31dc8a20211944f6b70f31557f1001557b59905b7738480ca09bd4532f84af';
const TOKENS: Readonly<Record<Outcome, string>> = {
  yes: '65818619657568813474341868652308942079804919287380422192892211131408793125422',
  no: '52114319501245915516055106046884209969926127482827954674443846427813813222426',
};
const OUTCOMES: readonly Outcome[] = ['yes', 'no'];
/** A hundredth of a share: the sizes drawn are multiples of it. */
const SIZE_TICK_MICROS = 10_000;

type Side = 'bid' | 'ask';
/** Size (micro-shares) by price (micros), per outcome and side: what the stream should end up holding. */
type Reference = Record<Outcome, Record<Side, Map<number, number>>>;

interface Change {
  readonly outcome: Outcome;
  readonly side: Side;
  readonly price: number;
  /** The level's new total; 0 removes it. */
  readonly size: number;
}

function emptyReference(): Reference {
  return { yes: { bid: new Map(), ask: new Map() }, no: { bid: new Map(), ask: new Map() } };
}

function cloneReference(reference: Reference): Reference {
  const copy = (outcome: Outcome) => ({ bid: new Map(reference[outcome].bid), ask: new Map(reference[outcome].ask) });
  return { yes: copy('yes'), no: copy('no') };
}

function applyToReference(reference: Reference, change: Change): void {
  const side = reference[change.outcome][change.side];
  if (change.size === 0) side.delete(change.price);
  else side.set(change.price, change.size);
}

function text(micros: number): string {
  return formatMicrosTrim(micros, 0);
}

function summaries(side: ReadonlyMap<number, number>) {
  return [...side].map(([price, size]) => ({ price: text(price), size: text(size) }));
}

/** The wire `book` event of one token, as the channel sends it. */
function bookWire(reference: Reference, outcome: Outcome, timestampMs: number): unknown {
  return { event_type: 'book', asset_id: TOKENS[outcome], market: CONDITION, bids: summaries(reference[outcome].bid), asks: summaries(reference[outcome].ask), timestamp: String(timestampMs), hash: `book-${timestampMs}` };
}

/** The top of one token after the change, as the venue reports it: empty sides as "" or the docs' "0" and "1". */
function bests(reference: Reference, outcome: Outcome, emptyAsText: boolean) {
  const bids = [...reference[outcome].bid.keys()];
  const asks = [...reference[outcome].ask.keys()];
  return {
    best_bid: bids.length === 0 ? (emptyAsText ? '' : '0') : text(Math.max(...bids)),
    best_ask: asks.length === 0 ? (emptyAsText ? '' : '1') : text(Math.min(...asks)),
  };
}

/** A price_change of one level; `after` is the reference the change leads to, which the bests are taken from. */
function changeWire(change: Change, after: Reference, timestampMs: number, hash: string): unknown {
  const entry = { asset_id: TOKENS[change.outcome], price: text(change.price), size: text(change.size), side: change.side === 'bid' ? 'BUY' : 'SELL', hash, ...bests(after, change.outcome, timestampMs % 2 === 0) };
  return { event_type: 'price_change', market: CONDITION, timestamp: String(timestampMs), price_changes: [entry] };
}

function parsedBook(wire: unknown): PolymarketBookEvent {
  const [event] = parsePolymarketStreamMessage(wire);
  if (event?.kind !== 'book') throw new Error('not a book event');
  return event;
}

function parsedChanges(wire: unknown): PolymarketPriceChangeEvent {
  const [event] = parsePolymarketStreamMessage(wire);
  if (event?.kind !== 'price_change') throw new Error('not a price_change event');
  return event;
}

/** What GET /book would answer for the token's levels, through the adapter's REST parser. */
function restBook(reference: Reference, outcome: Outcome, receivedMs: number) {
  const body: OrderBookSummary = {
    market: CONDITION,
    asset_id: TOKENS[outcome],
    timestamp: '0',
    hash: 'rest',
    bids: summaries(reference[outcome].bid),
    asks: summaries(reference[outcome].ask),
    min_order_size: '5',
    tick_size: '0.001',
    neg_risk: false,
    last_trade_price: '0.5',
  };
  return parseBook(body, VENUE, CONDITION, outcome, receivedMs);
}

function agrees(book: PolymarketStreamBook, reference: Reference, receivedMs: number): boolean {
  return OUTCOMES.every((outcome) => JSON.stringify(book.book(outcome)) === JSON.stringify(restBook(reference, outcome, receivedMs)));
}

/** A book live from snapshots of both tokens, stamped `timestampMs`, received at 0. */
function snapshotted(reference: Reference, timestampMs: number): PolymarketStreamBook {
  const book = new PolymarketStreamBook(VENUE, CONDITION, TOKENS);
  for (const outcome of OUTCOMES) book.applyBook(parsedBook(bookWire(reference, outcome, timestampMs)), 0);
  return book;
}

/** Cent prices and a few tenth-cent ones, few enough that levels empty and refill often. */
function pricePool(random: () => number): number[] {
  const pool = new Set<number>();
  while (pool.size < 24) pool.add(random() < 0.8 ? (1 + Math.floor(random() * 99)) * 10_000 : (1 + Math.floor(random() * 999)) * 1_000);
  return [...pool];
}

function randomChange(random: () => number, reference: Reference, prices: readonly number[]): Change {
  const outcome: Outcome = random() < 0.5 ? 'yes' : 'no';
  const side: Side = random() < 0.5 ? 'bid' : 'ask';
  const price = prices[Math.floor(random() * prices.length)]!;
  // Removals of present levels, and now and then of absent ones, which are no-ops the book must take in its stride.
  if ((reference[outcome][side].has(price) && random() < 0.4) || random() < 0.03) return { outcome, side, price, size: 0 };
  const ticks = random() < 0.5 ? 100 * (1 + Math.floor(random() * 500)) : 1 + Math.floor(random() * 50_000);
  return { outcome, side, price, size: ticks * SIZE_TICK_MICROS };
}

interface Step {
  readonly change: Change;
  readonly wire: unknown;
}

interface Scenario {
  readonly initial: Reference;
  readonly steps: readonly Step[];
  readonly final: Reference;
}

/** Changes stamped 1000 + index / 3: several share a millisecond, as on the venue. */
function timestampOf(index: number): number {
  return 1_000 + Math.floor(index / 3);
}

function scenario(seed: number, count: number): Scenario {
  const random = seededRandom(seed);
  const prices = pricePool(random);
  const initial = emptyReference();
  for (let index = 0; index < 40; index += 1) applyToReference(initial, randomChange(random, initial, prices));
  const walk = cloneReference(initial);
  const steps: Step[] = [];
  for (let index = 0; index < count; index += 1) {
    const change = randomChange(random, walk, prices);
    applyToReference(walk, change);
    steps.push({ change, wire: changeWire(change, walk, timestampOf(index), `hash-${seed}-${index}`) });
  }
  return { initial, steps, final: walk };
}

function referenceAfter(initial: Reference, changes: readonly Change[]): Reference {
  const reference = cloneReference(initial);
  for (const change of changes) applyToReference(reference, change);
  return reference;
}

describe('polymarket streamed book', () => {
  it('equals the REST parse of the same levels after thousands of random changes on both tokens and sides', () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const { initial, steps, final } = scenario(seed, 2_000);
      const book = snapshotted(initial, 999);
      const reference = cloneReference(initial);
      expect(agrees(book, reference, 0)).toBe(true);
      steps.forEach(({ change, wire }, index) => {
        expect(book.applyChanges(parsedChanges(wire), index + 1), `seed ${seed}, change ${index}: ${String(book.brokenReason)}`).toBe('live');
        applyToReference(reference, change);
        if ((index + 1) % 100 === 0) expect(agrees(book, reference, index + 1), `seed ${seed}, change ${index + 1}`).toBe(true);
      });
      expect(agrees(book, final, steps.length)).toBe(true);
      // The walk is no trivial one: levels came and went on every ladder, and every ladder ends up holding several.
      expect(steps.filter(({ change }) => change.size === 0).length).toBeGreaterThan(300);
      for (const outcome of OUTCOMES) for (const side of ['bid', 'ask'] as const) expect(final[outcome][side].size).toBeGreaterThan(2);
    }
  });

  it('orders bids highest first and asks lowest first, and may lock or cross without breaking', () => {
    const reference = emptyReference();
    reference.yes.bid.set(420_000, 10_000_000).set(400_000, 5_000_000);
    reference.yes.ask.set(470_000, 1_000_000).set(450_000, 2_000_000);
    const book = snapshotted(reference, 1_000);
    const cross: Change = { outcome: 'yes', side: 'bid', price: 460_000, size: 1_000_000 };
    book.applyChanges(parsedChanges(changeWire(cross, referenceAfter(reference, [cross]), 1_001, 'x')), 1);
    expect(book.state).toBe('live');
    expect(book.book('yes')?.bids.map((level) => level.price)).toEqual([460_000, 420_000, 400_000]);
    expect(book.book('yes')?.asks.map((level) => level.price)).toEqual([450_000, 470_000]);
    expect(book.book('no')).toEqual({ venue: VENUE, market: CONDITION, outcome: 'no', bids: [], asks: [], timestampMs: 1 });
  });

  describe('controls: the comparison and the best check notice a wrong application', () => {
    const { initial, steps } = scenario(9, 400);
    const changes = steps.map((step) => step.change);
    const target = changes.findIndex((change) => change.size > 0);

    function fed(count: number): PolymarketStreamBook {
      const book = snapshotted(initial, 999);
      steps.slice(0, count).forEach(({ wire }, index) => book.applyChanges(parsedChanges(wire), index + 1));
      return book;
    }

    it('agrees when every change is applied as sent', () => {
      expect(agrees(fed(steps.length), referenceAfter(initial, changes), steps.length)).toBe(true);
    });

    it('differs when one change lands on the wrong side (its bests consistent with the mistake)', () => {
      const book = fed(target);
      const wrong: Change = { ...changes[target]!, side: changes[target]!.side === 'bid' ? 'ask' : 'bid' };
      const wrongAfter = referenceAfter(initial, [...changes.slice(0, target), wrong]);
      book.applyChanges(parsedChanges(changeWire(wrong, wrongAfter, timestampOf(target), 'wrong-side')), target + 1);
      expect(book.state).toBe('live');
      expect(agrees(book, referenceAfter(initial, changes.slice(0, target + 1)), target + 1)).toBe(false);
    });

    it('differs when one change carries the wrong size', () => {
      const book = fed(target);
      const right = changes[target]!;
      const after = referenceAfter(initial, changes.slice(0, target + 1));
      book.applyChanges(parsedChanges(changeWire({ ...right, size: right.size + SIZE_TICK_MICROS }, after, timestampOf(target), 'wrong-size')), target + 1);
      expect(book.state).toBe('live');
      expect(agrees(book, after, target + 1)).toBe(false);
    });

    it('breaks when one change is lost: the next change of that token reports a top the book does not have', () => {
      // The first change whose loss shows in the top of book the token's next change reports.
      const topOf = (reference: Reference, outcome: Outcome) => `${Math.max(-1, ...reference[outcome].bid.keys())}/${Math.min(2_000_000, ...reference[outcome].ask.keys())}`;
      const nextOf = (lostIndex: number) => changes.findIndex((change, index) => index > lostIndex && change.outcome === changes[lostIndex]!.outcome);
      const shows = (lostIndex: number) => {
        const next = nextOf(lostIndex);
        const outcome = changes[lostIndex]!.outcome;
        const withoutLost = referenceAfter(initial, changes.slice(0, next + 1).filter((_, index) => index !== lostIndex));
        return next > 0 && topOf(withoutLost, outcome) !== topOf(referenceAfter(initial, changes.slice(0, next + 1)), outcome);
      };
      const lost = changes.findIndex((_, index) => shows(index));
      const next = nextOf(lost);
      const book = fed(lost);
      steps.slice(lost + 1, next).forEach(({ wire }, offset) => book.applyChanges(parsedChanges(wire), lost + offset + 2));
      // Until then the loss cannot be seen: the other token's changes say nothing of this one.
      expect(book.state).toBe('live');
      book.applyChanges(parsedChanges(steps[next]!.wire), next + 1);
      expect(book.state).toBe('broken');
      expect(book.brokenReason).toMatch(/missed change/);
      for (const outcome of OUTCOMES) expect(book.book(outcome)).toBeNull();
    });
  });
});

describe('polymarket streamed book faults', () => {
  const initial = emptyReference();
  initial.yes.bid.set(420_000, 10_000_000);
  initial.yes.ask.set(450_000, 5_000_000);
  initial.no.bid.set(550_000, 3_000_000);
  initial.no.ask.set(580_000, 4_000_000);
  const add: Change = { outcome: 'yes', side: 'bid', price: 410_000, size: 2_000_000 };
  const afterAdd = referenceAfter(initial, [add]);
  const addWire = changeWire(add, afterAdd, 1_001, 'add');

  /** Snapshots at 1000, then `add` at 1001. */
  function live(): PolymarketStreamBook {
    const book = snapshotted(initial, 1_000);
    expect(book.applyChanges(parsedChanges(addWire), 1)).toBe('live');
    return book;
  }

  function expectBroken(book: PolymarketStreamBook, reason: RegExp): void {
    expect(book.state).toBe('broken');
    expect(book.brokenReason).toMatch(reason);
    for (const outcome of OUTCOMES) expect(book.book(outcome)).toBeNull();
  }

  /** Only a new snapshot of every token makes it whole, equal to the snapshots' levels, and it follows changes again. */
  function expectHealedBySnapshots(book: PolymarketStreamBook, reason: RegExp): void {
    const fresh = cloneReference(initial);
    fresh.no.bid.set(530_000, 1_000_000);
    book.applyBook(parsedBook(bookWire(fresh, 'yes', 5_000)), 99);
    expectBroken(book, reason);
    expect(book.applyBook(parsedBook(bookWire(fresh, 'no', 5_000)), 99)).toBe('live');
    expect(book.brokenReason).toBeNull();
    expect(agrees(book, fresh, 99)).toBe(true);
    const next = referenceAfter(fresh, [add]);
    expect(book.applyChanges(parsedChanges(changeWire(add, next, 5_001, 'after-heal')), 100)).toBe('live');
    expect(agrees(book, next, 100)).toBe(true);
  }

  /** 10,001 distinct bid prices in (0, 1): one past the bound. */
  function overfull(count: number): Reference {
    const reference = cloneReference(initial);
    for (let index = 1; index <= count; index += 1) reference.yes.bid.set(index * 10, 1_000_000);
    return reference;
  }

  const faults: ReadonlyArray<readonly [string, (book: PolymarketStreamBook) => void, RegExp]> = [
    ['an out-of-order change', (book) => book.applyChanges(parsedChanges(changeWire(add, afterAdd, 1_000, 'late')), 2), /out-of-order change of yes at 1000 after 1001/],
    ['a duplicate change', (book) => book.applyChanges(parsedChanges(addWire), 2), /duplicate change of yes at 1001 \(hash add\)/],
    ['a missed change (the reported top disagrees)', (book) => book.applyChanges(parsedChanges(changeWire({ ...add, price: 430_000 }, afterAdd, 1_002, 'miss')), 2), /missed change of yes/],
    ['a snapshot past the level bound', (book) => book.applyBook(parsedBook(bookWire(overfull(10_001), 'yes', 1_002)), 2), /more than 10000 levels/],
    ['a break from outside (an unreadable message)', (book) => book.markBroken('unreadable message'), /unreadable message/],
  ];

  for (const [name, fault, reason] of faults) {
    it(`breaks on ${name}, answers null, and new snapshots of every token make it whole`, () => {
      const book = live();
      fault(book);
      expectBroken(book, reason);
      // What follows a fault cannot be trusted either, even when it looks right.
      book.applyChanges(parsedChanges(changeWire(add, afterAdd, 1_003, 'later')), 3);
      expectBroken(book, reason);
      expectHealedBySnapshots(book, reason);
    });
  }

  it('breaks on a change that grows a side past the bound', () => {
    const full = overfull(10_000 - 1);
    const book = snapshotted(full, 1_000);
    expect(book.state).toBe('live');
    const grow: Change = { outcome: 'yes', side: 'bid', price: 999_990, size: 1_000_000 };
    book.applyChanges(parsedChanges(changeWire(grow, referenceAfter(full, [grow]), 1_001, 'grow')), 1);
    expectBroken(book, /grows yes bids past 10000 levels/);
    expectHealedBySnapshots(book, /grows/);
  });

  it('breaks on a change before its token’s snapshot, and heals once both tokens have one', () => {
    const book = new PolymarketStreamBook(VENUE, CONDITION, TOKENS);
    expect(book.state).toBe('awaiting_snapshot');
    expect(book.book('yes')).toBeNull();
    book.applyBook(parsedBook(bookWire(initial, 'yes', 1_000)), 0);
    expect(book.state).toBe('awaiting_snapshot');
    const noChange: Change = { outcome: 'no', side: 'ask', price: 590_000, size: 1_000_000 };
    book.applyChanges(parsedChanges(changeWire(noChange, referenceAfter(initial, [noChange]), 1_001, 'early')), 1);
    expectBroken(book, /change of no at 1001 before its snapshot/);
    expectHealedBySnapshots(book, /before its snapshot/);
  });

  it('controls: a removal of an absent level, a level emptied, a change of another token, all stay live', () => {
    const book = live();
    const absent: Change = { outcome: 'no', side: 'bid', price: 10_000, size: 0 };
    expect(book.applyChanges(parsedChanges(changeWire(absent, afterAdd, 1_001, 'absent')), 2)).toBe('live');
    const empty: Change = { outcome: 'yes', side: 'ask', price: 450_000, size: 0 };
    const afterEmpty = referenceAfter(afterAdd, [empty]);
    expect(book.applyChanges(parsedChanges(changeWire(empty, afterEmpty, 1_002, 'empty')), 3)).toBe('live');
    expect(book.book('yes')?.asks).toEqual([]);
    const foreign = { event_type: 'price_change', market: '0xother', timestamp: '1', price_changes: [{ asset_id: '7', price: '0.5', size: '1', side: 'BUY', hash: 'f', best_bid: '0.5', best_ask: '' }] };
    expect(book.applyChanges(parsedChanges(foreign), 4)).toBe('live');
    expect(agrees(book, afterEmpty, 3)).toBe(true);
  });

  it('takes a REST snapshot as a resnapshot: earlier changes are skipped, later ones applied, a late one still faults', () => {
    const book = live();
    book.markBroken('stream dropped');
    const fresh = cloneReference(initial);
    fresh.yes.bid.set(430_000, 1_000_000);
    for (const outcome of OUTCOMES) book.applyRestBook(outcome, restBook(fresh, outcome, 50), 2_000, 50);
    expect(book.state).toBe('live');
    expect(agrees(book, fresh, 50)).toBe(true);
    // Stamped before the REST snapshot: already in it, or superseded by it.
    expect(book.applyChanges(parsedChanges(changeWire(add, initial, 1_999, 'before-rest')), 51)).toBe('live');
    expect(agrees(book, fresh, 50)).toBe(true);
    const next = referenceAfter(fresh, [add]);
    expect(book.applyChanges(parsedChanges(changeWire(add, next, 2_001, 'after-rest')), 52)).toBe('live');
    expect(agrees(book, next, 52)).toBe(true);
    const again: Change = { ...add, size: 3_000_000 };
    book.applyChanges(parsedChanges(changeWire(again, referenceAfter(fresh, [again]), 2_000, 'late')), 53);
    expectBroken(book, /out-of-order change of yes at 2000 after 2001/);
  });
});
