// Benchmark 3 — replay throughput: JSONL quote lines per second through parseFeedLine + Engine.handle (price guard,
// network pause, TP/SL ladder over the market's open positions, pair scan) with 10,000 open positions over 1,000
// markets, against parsing the same lines alone. The quotes stay inside every position's ladder band, so no tier,
// stop or close fires and no arbitrage clears its edge: this measures the hot path every quote takes.
import { parseFeedLine } from '../src/feeds/jsonl.js';
import type { Micros, PriceMicros } from '../src/domain/money.js';
import { openPosition } from '../src/engine/trading.js';
import { engineRig, paperVenue, type EngineRig } from './fixtures.js';
import { profiled } from './profile.js';
import { median, nowNs, removeDir, scratchDir, secondsSince, shareOfFloor, type Section } from './harness.js';

const VENUES = ['pm-a', 'pm-b'] as const;
const MARKETS_PER_VENUE = 500;
const POSITIONS_PER_MARKET = 10;
const ENTRY_PRICE = 500_000 as PriceMicros; // $0.50: longs' band (0.475, 0.515) on the bid, shorts' (0.485, 0.525) on the ask
const POSITION_SIZE = 10_000_000 as Micros; // $10
/** Enough for the JIT to settle: with fewer, the first timed pass runs at about half the speed of the later ones. */
const WARMUP_LINES = 20_000;
const LINES_PER_PASS = 20_000;
/** Five interleaved passes: the host's speed drifts within a run, and the median of three still moved by a tenth. */
const PASSES = 5;
/** One more pass, profiled and not timed, says where the time goes (some 3,000 samples). */
const PROFILED_LINES = 50_000;
/** After the timed passes: the heap after a full GC, every this many quotes, this many times (an hour of feed in all). */
const MEMORY_STEP_LINES = 180_000;
const MEMORY_STEPS = 4;
/** Lines are made in chunks this size, so the feed being replayed does not itself fill the heap being measured. */
const MEMORY_CHUNK_LINES = 20_000;
/** Parsing alone is fast: repeat it over each pass's lines so its clock reading is long enough to trust. */
const PARSE_REPEATS = 5;
/** Feed time between lines: 200 quotes/s over 1,000 markets (feed time drives staleness; price flushes go by wall time). */
const FEED_STEP_MS = 5;
const FEED_START_MS = Date.UTC(2025, 0, 1);
const SHARE_MIN = 0.5;

function marketName(index: number): string {
  return `M${String(index).padStart(4, '0')}`;
}

function replayConfig(): unknown {
  const markets = Array.from({ length: MARKETS_PER_VENUE }, (_, index) => marketName(index));
  const pairs = Object.fromEntries(
    markets.map((market) => [`pair-${market}`, { a: { venue: VENUES[0], market }, b: { venue: VENUES[1], market }, maxSize: '10', confirmed: true }]),
  );
  return { synchronous: 'NORMAL', venues: { [VENUES[0]]: paperVenue(), [VENUES[1]]: paperVenue() }, pairs };
}

/** A deterministic pseudo-random sequence (xorshift32), so every run replays the same lines. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/** Quotes inside every ladder band: bid 0.490–0.500, ask one cent above. Lines look like a recorded feed. */
function feedLines(count: number, firstIndex: number, random: () => number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const venue = VENUES[Math.floor(random() * VENUES.length)] as string;
    const market = marketName(Math.floor(random() * MARKETS_PER_VENUE));
    const bidMills = 490 + Math.floor(random() * 11);
    const ts = new Date(FEED_START_MS + (firstIndex + i) * FEED_STEP_MS).toISOString();
    lines.push(JSON.stringify({ ts, venue, market, bid: `0.${bidMills}`, ask: `0.${bidMills + 10}` }));
  }
  return lines;
}

export async function replayThroughput(): Promise<Section> {
  const started = nowNs();
  const dir = scratchDir('replay');
  try {
    const rig = await engineRig(dir, replayConfig(), 'NORMAL');
    try {
      const setupSeconds = openPositions(rig);
      const random = sequence(0x5eed);
      const warmup = feedLines(WARMUP_LINES, 0, random);
      await replay(rig, warmup);
      const parseRates: number[] = [];
      const replayRates: number[] = [];
      const commitsBefore = rig.commits();
      for (let pass = 0; pass < PASSES; pass += 1) {
        const lines = feedLines(LINES_PER_PASS, WARMUP_LINES + pass * LINES_PER_PASS, random);
        parseRates.push(parseRate(lines));
        replayRates.push(await replay(rig, lines));
      }
      const passCommits = rig.commits() - commitsBefore;
      const profileLines = feedLines(PROFILED_LINES, WARMUP_LINES + PASSES * LINES_PER_PASS, random);
      const where = await profiled(async () => {
        await replay(rig, profileLines);
      });
      const memory = await heapOverTime(rig, random, WARMUP_LINES + PASSES * LINES_PER_PASS + PROFILED_LINES);
      checkHotPathOnly(rig);
      const measurement = shareOfFloor(
        'replay quotes/s with 10,000 open positions over 1,000 markets',
        { label: 'parseFeedLine + Engine.handle', value: median(replayRates), unit: 'quotes/s' },
        { label: 'parseFeedLine alone, same lines', value: median(parseRates), unit: 'lines/s' },
        SHARE_MIN,
      );
      const details = [
        `${(VENUES.length * MARKETS_PER_VENUE).toLocaleString('en-US')} markets on ${VENUES.length} paper prediction venues, every market in a confirmed pair; ` +
          `${POSITIONS_PER_MARKET} open positions per market (half long, half short, entry 0.50), opened through trading.openPosition at synchronous=NORMAL ` +
          `in ${setupSeconds.toFixed(1)} s.`,
        `${PASSES} passes of ${LINES_PER_PASS.toLocaleString('en-US')} lines after ${WARMUP_LINES.toLocaleString('en-US')} warm-up lines, median; ` +
          `replay ${replayRates.map(Math.round).join(' / ')} quotes/s, parse ${parseRates.map(Math.round).join(' / ')} lines/s. ` +
          `Feed time advances ${FEED_STEP_MS} ms per line; the engine writes the prices that changed every 5 s of wall time (one transaction), ` +
          `${passCommits} ledger commits during the timed passes. Every quote is accepted and stays inside every ladder band: ${rig.engine.stats.tiersHit} tiers hit, ` +
          `${[...rig.engine.stats.closedByReason.values()].reduce((a, b) => a + b, 0)} closes, ${rig.engine.stats.arbsFound} arbitrages found.`,
        memory,
        `Profile of ${PROFILED_LINES.toLocaleString('en-US')} more lines (each sample charged to the innermost arbbot function): ${where}.`,
      ];
      return { title: '3. Replay throughput (price guard + ladder + scanner)', measurements: [measurement], details, seconds: secondsSince(started) };
    } finally {
      await rig.close();
    }
  } finally {
    removeDir(dir);
  }
}

function openPositions(rig: EngineRig): number {
  const started = nowNs();
  for (const venue of VENUES) {
    for (let index = 0; index < MARKETS_PER_VENUE; index += 1) {
      for (let n = 0; n < POSITIONS_PER_MARKET; n += 1) {
        openPosition(rig.ledger, {
          venue,
          market: marketName(index),
          side: n % 2 === 0 ? 'long' : 'short',
          size: POSITION_SIZE,
          price: ENTRY_PRICE,
          ladder: rig.config.tpsl,
          costs: rig.config.costs,
          predictionMarket: true,
        });
      }
    }
  }
  const open = rig.ledger.listPositions('open').length;
  if (open !== VENUES.length * MARKETS_PER_VENUE * POSITIONS_PER_MARKET) throw new Error(`replay bench: ${open} open positions`);
  return secondsSince(started);
}

function parseRate(lines: readonly string[]): number {
  let parsed = 0;
  const start = nowNs();
  for (let repeat = 0; repeat < PARSE_REPEATS; repeat += 1) {
    let lastTimestampMs = 0;
    for (let i = 0; i < lines.length; i += 1) {
      const event = parseFeedLine(lines[i] as string, i + 1, lastTimestampMs);
      if (event === null || event.type === 'bad_line') throw new Error(`replay bench: line ${i + 1} did not parse`);
      lastTimestampMs = event.timestampMs;
      parsed += 1;
    }
  }
  return parsed / secondsSince(start);
}

/** The replay loop of run-loop.ts without the file reader: parse each line, hand it to the engine, await when it asks. */
async function replay(rig: EngineRig, lines: readonly string[]): Promise<number> {
  const start = nowNs();
  let lastTimestampMs = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const event = parseFeedLine(lines[i] as string, i + 1, lastTimestampMs);
    if (event === null || event.type === 'bad_line') throw new Error(`replay bench: line ${i + 1} did not parse`);
    lastTimestampMs = event.timestampMs;
    const pending = rig.engine.handle(event);
    if (pending) await pending;
  }
  return lines.length / secondsSince(start);
}

/**
 * Memory over a long replay: the JavaScript heap after a full collection (so only what is still referenced counts),
 * sampled every MEMORY_STEP_LINES quotes. Flat means the engine keeps nothing per quote; the slope says how much it
 * would keep per day of a real feed. Needs the process started with --expose-gc (bench/main.ts does).
 */
async function heapOverTime(rig: EngineRig, random: () => number, firstIndex: number): Promise<string> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return 'Memory over a long replay: not measured (run with --expose-gc).';
  const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
  const sample = () => {
    gc();
    return process.memoryUsage();
  };
  const samples = [sample()];
  let index = firstIndex;
  for (let step = 0; step < MEMORY_STEPS; step += 1) {
    for (let done = 0; done < MEMORY_STEP_LINES; done += MEMORY_CHUNK_LINES) {
      await replay(rig, feedLines(MEMORY_CHUNK_LINES, index, random));
      index += MEMORY_CHUNK_LINES;
    }
    samples.push(sample());
  }
  const quotes = MEMORY_STEP_LINES * MEMORY_STEPS;
  const first = samples[0]?.heapUsed ?? 0;
  const last = samples.at(-1)?.heapUsed ?? 0;
  const bytesPerQuote = (last - first) / quotes;
  const feedMinutes = (quotes * FEED_STEP_MS) / 60_000;
  const perDayMb = (bytesPerQuote * (86_400_000 / FEED_STEP_MS)) / 1_048_576;
  return (
    `Memory over a long replay: ${quotes.toLocaleString('en-US')} more quotes (${feedMinutes.toFixed(0)} minutes of this feed at ${1_000 / FEED_STEP_MS} quotes/s), ` +
    `the heap after a full GC every ${MEMORY_STEP_LINES.toLocaleString('en-US')}: ${samples.map((s) => mb(s.heapUsed)).join(' / ')} MB; ` +
    `resident set ${samples.map((s) => mb(s.rss)).join(' / ')} MB. From first to last ${mb(last - first)} MB, ${bytesPerQuote.toFixed(2)} bytes per quote: ` +
    (bytesPerQuote > 0 ? `at that rate a day of this feed would keep ${perDayMb.toFixed(1)} MB more.` : 'the heap does not grow with the quotes replayed.')
  );
}

function checkHotPathOnly(rig: EngineRig): void {
  const stats = rig.engine.stats;
  const rejected = rig.engine.guard.totalRejected();
  if (stats.tiersHit !== 0 || stats.closedByReason.size !== 0 || stats.arbsFound !== 0 || rejected !== 0) {
    throw new Error(`replay bench left the hot path: ${stats.tiersHit} tiers, ${stats.closedByReason.size} close kinds, ${stats.arbsFound} arbs, ${rejected} rejected`);
  }
}
