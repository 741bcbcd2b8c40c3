// Benchmark 2 — tick-to-order latency: from a quote arriving at Engine.handle to both arbitrage legs handed to the
// venue, against one fsync on the same disk. Every trial's quote opens a real arbitrage on two paper prediction
// venues (YES on A at 0.41 + NO on B at 0.50 pays 1), so each trial walks the whole path: price guard, network
// pause, ladder, pair scan, the pair's armed trade (funds and client order ids committed ahead), send; then the
// orders' record, settlement and the next arming. The same trials with arbitrage.armAhead off, where the trade
// commits between the scan and the send, are measured too, for comparison (not against the targets).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { formatMicros, parsePrice } from '../src/domain/money.js';
import type { RawQuote } from '../src/feeds/events.js';
import type { OrderReport, PlaceOrderRequest } from '../src/venues/venue.js';
import type { SynchronousMode } from '../src/ledger/database.js';
import { engineRig, FsyncProbe, paperVenue, type EngineRig } from './fixtures.js';
import { atMost, median, multipleOfFloor, nowNs, percentile, removeDir, scratchDir, secondsSince, type Measurement, type Section } from './harness.js';
import { connectionOf as dbOf } from '../src/ledger/connections.js';

/** The JIT needs a couple of hundred trades to settle: with 30, the first 100 timed trials ran half again as slow as the last 100. */
const WARMUP_TRIALS = 200;
const TRIALS = 400;
const FEED_STEP_MS = 200;
const P50_FSYNC_MULTIPLE_MAX = 3;
const P99_MS_MAX = 1;
/** Untimed trials after the timed ones that count the pages the commit before send writes. */
const PAGE_COUNT_TRIALS = 9;
/** Untimed trials after those that split the commit before send into its statements and its COMMIT. */
const SPLIT_TRIALS = 100;
const FLOOR_WARMUP_COMMITS = 50;
const FLOOR_COMMITS = 400;

const B_BID = parsePrice('0.50');
const B_ASK = parsePrice('0.51');

const CONFIG = {
  venues: {
    'paper-a': paperVenue({ 'EVT-A': { bid: '0.40', ask: '0.41' } }),
    'paper-b': paperVenue({ 'EVT-B': { bid: formatMicros(B_BID), ask: formatMicros(B_ASK) } }),
  },
  pairs: { evt: { a: { venue: 'paper-a', market: 'EVT-A' }, b: { venue: 'paper-b', market: 'EVT-B' }, maxSize: '10', minEdgeBps: 50, confirmed: true } },
};

interface Trial {
  readonly latencyMs: number;
  /** CPU time this process used over the same span: the latency less any wait for the disk or for a core. */
  readonly cpuMs: number;
  readonly fsyncMs: number;
  /** One small ledger commit (an audit row) on the same ledger, timed alone. */
  readonly commitMs: number;
  /** Ledger commits between the quote arriving and the second leg handed over, and the time spent inside them. */
  readonly commitsBeforeSend: number;
  readonly transactionMs: number;
  /** From the second leg's hand-over until the engine has finished with the quote, and the commits in that span. */
  readonly afterSendMs: number;
  readonly commitsAfterSend: number;
}

export async function tickToOrder(): Promise<Section> {
  const started = nowNs();
  const dir = scratchDir('tick');
  const measurements: Measurement[] = [];
  const details: string[] = [];
  try {
    for (const mode of ['FULL', 'NORMAL'] as const) {
      const { trials, split } = await runTrials(dir, mode, true);
      const latencies = trials.map((trial) => trial.latencyMs);
      const fsyncP50 = median(trials.map((trial) => trial.fsyncMs));
      const p50 = median(latencies);
      const p99 = percentile(latencies, 99);
      const commits = median(trials.map((trial) => trial.commitsBeforeSend));
      measurements.push(
        multipleOfFloor(
          `tick-to-order p50, synchronous=${mode}`,
          { label: 'quote in → both legs handed to the venue, p50', value: p50, unit: 'ms' },
          { label: 'one fsync of a small write on the same disk, p50', value: fsyncP50, unit: 'ms' },
          P50_FSYNC_MULTIPLE_MAX,
        ),
        atMost(`tick-to-order p99, synchronous=${mode}`, { label: 'quote in → both legs handed, p99', value: p99, unit: 'ms' }, { label: 'bound', value: P99_MS_MAX, unit: 'ms' }),
      );
      const fsyncP99 = percentile(trials.map((trial) => trial.fsyncMs), 99);
      details.push(describeTrials(mode, true, trials, commits, fsyncP50), describeSplit(mode, split, { p50: fsyncP50, p99: fsyncP99 }));
    }
    // For comparison: the path without arming, where the trade, both reservations and both client order ids commit
    // between the scan and the send (one fsync at FULL).
    const off = await runTrials(dir, 'FULL', false);
    const offFsync = { p50: median(off.trials.map((trial) => trial.fsyncMs)), p99: percentile(off.trials.map((trial) => trial.fsyncMs), 99) };
    const floor = commitFloor(dir, 'FULL', off.pagesBeforeSend ?? 1);
    details.push(
      describeTrials('FULL', false, off.trials, median(off.trials.map((trial) => trial.commitsBeforeSend)), offFsync.p50),
      describeCommitFloor('FULL', floor, offFsync.p50, median(off.trials.map((trial) => trial.latencyMs))),
      describeSplit('FULL', off.split, offFsync, floor),
    );
    return { title: '2. Tick-to-order latency (quote → both arbitrage legs sent)', measurements, details, seconds: secondsSince(started) };
  } finally {
    removeDir(dir);
  }
}

function describeTrials(mode: SynchronousMode, armed: boolean, trials: readonly Trial[], commits: number, fsyncP50: number): string {
  const latencies = trials.map((trial) => trial.latencyMs);
  const commitP50 = median(trials.map((trial) => trial.commitMs));
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  const how = armed
    ? 'from the armed trade (the default)'
    : `with arbitrage.armAhead off (for comparison: p50 ${(median(latencies) / fsyncP50).toFixed(2)}× the fsync probe)`;
  return (
    `synchronous=${mode}, ${how}: ${trials.length} trials after ${WARMUP_TRIALS} warm-up, each one real arbitrage. ` +
    `Latency p50 ${ms(median(latencies))}, p90 ${ms(percentile(latencies, 90))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(Math.max(...latencies))}; ` +
    `CPU time of this process over the same span p50 ${ms(median(trials.map((t) => t.cpuMs)))}, p99 ${ms(percentile(trials.map((t) => t.cpuMs), 99))}; ` +
    `off-CPU (waiting for the disk or for a core) p50 ${ms(median(trials.map((t) => Math.max(0, t.latencyMs - t.cpuMs))))}. ` +
    `${commits} ledger commit(s) lie between the quote and the orders, ` +
    `and the time inside those transactions (statements and COMMIT) is p50 ${ms(median(trials.map((t) => t.transactionMs)))}; ` +
    `after the send, ${armed ? 'recording the orders, settling the trade and arming the next one take' : 'settling the trade takes'} p50 ${ms(median(trials.map((t) => t.afterSendMs)))} ` +
    `(${median(trials.map((t) => t.commitsAfterSend))} commit(s)) before the engine takes the next quote; ` +
    `one small ledger commit alone takes p50 ${ms(commitP50)} here, the fsync probe p50 ${ms(fsyncP50)}, p99 ${ms(percentile(trials.map((t) => t.fsyncMs), 99))}. ` +
    `p50 of the first 100 trials ${ms(median(latencies.slice(0, 100)))}, of the last 100 ${ms(median(latencies.slice(-100)))} ` +
    `(every trial adds a hedged pair, which the ladder's index leaves out).`
  );
}

async function runTrials(dir: string, mode: SynchronousMode, armAhead: boolean): Promise<{ trials: Trial[]; pagesBeforeSend: number | null; split: Split }> {
  const rig = await engineRig(dir, { ...CONFIG, synchronous: mode, arbitrage: { armAhead } }, mode, armAhead ? 'armed' : 'unarmed');
  const probe = new FsyncProbe(dir);
  try {
    const handed = stampPlaceOrder(rig);
    const trials: Trial[] = [];
    for (let index = 0; index < WARMUP_TRIALS + TRIALS; index += 1) {
      const fsyncMs = probe.sampleMs();
      const commitMs = timeCommit(rig);
      const trial = await oneTrial(rig, handed, index);
      if (index >= WARMUP_TRIALS) trials.push({ ...trial, fsyncMs, commitMs });
    }
    if (rig.engine.stats.arbsExecuted !== WARMUP_TRIALS + TRIALS) {
      throw new Error(`tick bench: ${rig.engine.stats.arbsExecuted} arbitrages executed of ${WARMUP_TRIALS + TRIALS} trials`);
    }
    // With an armed trade nothing is written before the send: there are no pages to count.
    const pagesBeforeSend = armAhead ? null : await countPagesBeforeSend(rig, handed, WARMUP_TRIALS + TRIALS);
    const split = await splitCommitBeforeSend(rig, handed, WARMUP_TRIALS + TRIALS + PAGE_COUNT_TRIALS);
    return { trials, pagesBeforeSend, split };
  } finally {
    probe.close();
    await rig.close();
  }
}

interface Handed {
  readonly stamps: { ns: bigint; cpu: NodeJS.CpuUsage; commits: number; transactionMs: number }[];
  /** Called at the first leg's hand-over (after the stamp), when set. */
  onFirst: (() => void) | null;
}

function timeCommit(rig: EngineRig): number {
  const start = nowNs();
  rig.ledger.addAudit('bench_probe', null, 'one small commit, timed by the tick-to-order benchmark');
  return Number(nowNs() - start) / 1e6;
}

/**
 * Wraps each paper venue's placeOrder to note when an order is handed over. The paper venue's own matching is
 * deferred by one microtask, as a real venue's network round trip would be, so the second leg's hand-over does
 * not wait for the paper venue to fill the first.
 */
function stampPlaceOrder(rig: EngineRig): Handed {
  const handed: Handed = { stamps: [], onFirst: null };
  for (const venue of rig.venues.paper.values()) {
    const place = venue.placeOrder.bind(venue);
    venue.placeOrder = (request: PlaceOrderRequest): Promise<OrderReport> => {
      handed.stamps.push({ ns: nowNs(), cpu: process.cpuUsage(), commits: rig.commits(), transactionMs: rig.transactionMs() });
      if (handed.stamps.length === 1) handed.onFirst?.();
      return Promise.resolve().then(() => place(request));
    };
  }
  return handed;
}

async function oneTrial(rig: EngineRig, handed: Handed, index: number): Promise<Omit<Trial, 'fsyncMs' | 'commitMs'>> {
  handed.stamps.length = 0;
  const quote: RawQuote = {
    type: 'quote',
    venue: 'paper-a',
    market: 'EVT-A',
    bid: index % 2 === 0 ? '0.400' : '0.401',
    ask: index % 2 === 0 ? '0.410' : '0.411',
    timestampMs: 1_700_000_000_000 + index * FEED_STEP_MS,
  };
  // A fill takes a paper book's liquidity until the market's next quote: B's is given back before each trial, outside
  // the timed span, as a feed quoting both markets would.
  rig.venues.paper.get('paper-b')?.setQuote('EVT-B', B_BID, B_ASK, null, quote.timestampMs);
  const commitsBefore = rig.commits();
  const transactionMsBefore = rig.transactionMs();
  const cpu = process.cpuUsage();
  const start = nowNs();
  const pending = rig.engine.handle(quote);
  if (pending) await pending;
  const done = nowNs();
  const [first, second] = handed.stamps;
  if (!first || !second || handed.stamps.length !== 2) throw new Error(`tick bench: trial ${index} sent ${handed.stamps.length} orders, expected 2`);
  const cpuMs = (second.cpu.user - cpu.user + second.cpu.system - cpu.system) / 1_000;
  return {
    latencyMs: Number(second.ns - start) / 1e6,
    cpuMs,
    commitsBeforeSend: second.commits - commitsBefore,
    transactionMs: second.transactionMs - transactionMsBefore,
    afterSendMs: Number(done - second.ns) / 1e6,
    commitsAfterSend: rig.commits() - second.commits,
  };
}

/**
 * Pages (WAL frames) the commit before the orders writes, counted over a few more (untimed) trials: a checkpoint
 * from a second connection empties the WAL just before each one, so the next commit starts it over, and another at
 * the first leg's hand-over reads how many frames that commit wrote.
 */
async function countPagesBeforeSend(rig: EngineRig, handed: Handed, firstIndex: number): Promise<number> {
  const side = new Database(dbOf(rig.ledger).name);
  try {
    const walFrames = () => (side.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]?.log ?? Number.NaN;
    const counts: number[] = [];
    for (let index = firstIndex; index < firstIndex + PAGE_COUNT_TRIALS; index += 1) {
      walFrames();
      handed.onFirst = () => counts.push(walFrames());
      await oneTrial(rig, handed, index);
      handed.onFirst = null;
    }
    return median(counts);
  } finally {
    side.close();
  }
}

/** The commit before send taken apart: SQLite's own time in its statements, and in its COMMIT. */
interface Split {
  readonly statements: number;
  readonly statementsMs: { readonly p50: number; readonly p99: number };
  readonly commitMs: { readonly p50: number; readonly p99: number };
  /** Each split trial's latency less its time in driver calls: the engine's JavaScript. */
  readonly engineMs: { readonly p50: number };
}

/**
 * Times every better-sqlite3 call between the quote and the first leg's hand-over, over a few more (untimed)
 * trials: the statements of the commit before send (and the few reads before it), each timed around the driver
 * call, so what is left of the latency is the engine's JavaScript. Timing every call costs a little, which is why
 * these trials are not the timed ones.
 */
async function splitCommitBeforeSend(rig: EngineRig, handed: Handed, firstIndex: number): Promise<Split> {
  const prototype = Object.getPrototypeOf(dbOf(rig.ledger).prepare('SELECT 1')) as Record<'run' | 'get' | 'all', (...args: unknown[]) => unknown>;
  const originals = { run: prototype.run, get: prototype.get, all: prototype.all };
  let timing = false;
  let statementNs = 0n;
  let commitNs = 0n;
  let statements = 0;
  for (const method of ['run', 'get', 'all'] as const) {
    const original = originals[method];
    prototype[method] = function (this: Database.Statement, ...args: unknown[]): unknown {
      if (!timing) return original.apply(this, args);
      const start = nowNs();
      try {
        return original.apply(this, args);
      } finally {
        const elapsed = nowNs() - start;
        if (this.source === 'COMMIT') commitNs += elapsed;
        else {
          statementNs += elapsed;
          statements += 1;
        }
      }
    };
  }
  const statementsMs: number[] = [];
  const commitMs: number[] = [];
  const engineMs: number[] = [];
  const counts: number[] = [];
  try {
    for (let index = firstIndex; index < firstIndex + SPLIT_TRIALS; index += 1) {
      statementNs = 0n;
      commitNs = 0n;
      statements = 0;
      timing = true;
      handed.onFirst = () => {
        timing = false;
        statementsMs.push(Number(statementNs) / 1e6);
        commitMs.push(Number(commitNs) / 1e6);
        counts.push(statements);
      };
      const trial = await oneTrial(rig, handed, index);
      handed.onFirst = null;
      timing = false;
      engineMs.push(trial.latencyMs - (statementsMs.at(-1) ?? 0) - (commitMs.at(-1) ?? 0));
    }
  } finally {
    Object.assign(prototype, originals);
  }
  return {
    statements: median(counts),
    statementsMs: { p50: median(statementsMs), p99: percentile(statementsMs, 99) },
    commitMs: { p50: median(commitMs), p99: percentile(commitMs, 99) },
    engineMs: { p50: median(engineMs) },
  };
}

function describeSplit(mode: SynchronousMode, split: Split, fsync: { readonly p50: number; readonly p99: number }, floor: CommitFloor | null = null): string {
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  const sqlP50 = split.statementsMs.p50 + split.commitMs.p50;
  const engineP50 = split.engineMs.p50;
  const budget = P50_FSYNC_MULTIPLE_MAX * fsync.p50;
  const text =
    `synchronous=${mode}${floor ? ', armAhead off' : ''}, where the p50 goes (${SPLIT_TRIALS} more trials, every driver call timed): SQLite's own time in the ` +
    `${split.statements} statements before the orders (${floor ? 'the commit before send and the reads before it' : 'reads only: the trade was armed ahead'}) p50 ${ms(split.statementsMs.p50)}, ` +
    `in COMMIT p50 ${ms(split.commitMs.p50)} (${(split.commitMs.p50 / fsync.p50).toFixed(1)}× the fsync probe), p99 ${ms(split.commitMs.p99)}; ` +
    `the engine's JavaScript (each trial's latency less its time in driver calls) p50 ${ms(engineP50)}.`;
  if (mode !== 'FULL') return text;
  const verdict =
    sqlP50 > budget
      ? ` At FULL the target is ${ms(budget)} (${P50_FSYNC_MULTIPLE_MAX}× the probe): the SQL before the orders alone, ${ms(sqlP50)}, is ` +
        `${(sqlP50 / fsync.p50).toFixed(1)}× the probe, so no engine code can meet it on this path.`
      : ` At FULL the target is ${ms(budget)} (${P50_FSYNC_MULTIPLE_MAX}× the probe) and the SQL before the orders takes ${ms(sqlP50)} of it, ` +
        `leaving ${ms(budget - sqlP50)} for the engine's JavaScript, which takes ${ms(engineP50)}.`;
  const tail = floor
    ? ` For p99, the disk itself: one fsync's p99 is ${ms(fsync.p99)} and a bare 1-page commit's ${ms(floor.one.p99)} ` +
      `against the ${ms(P99_MS_MAX)} bound${Math.max(fsync.p99, floor.one.p99) >= P99_MS_MAX ? ', which this disk alone does not meet' : ''}.`
    : '';
  return text + verdict + tail;
}

interface CommitFloor {
  readonly pages: number;
  readonly tables: number;
  readonly one: { readonly p50: number; readonly p99: number };
  readonly same: { readonly p50: number; readonly p99: number };
}

/**
 * The floor of this design at this durability: a bare better-sqlite3 transaction writing the same number of pages
 * (one row into each of that many small tables) on the same disk, with the same pragmas. The commit before send must
 * make both reservations, their wallet transactions and both legs' client order ids durable, and it writes that many
 * pages because that is where those rows and their indexes live.
 */
function commitFloor(dir: string, mode: SynchronousMode, pages: number): CommitFloor {
  const path = join(dir, `pages-${mode}.db`);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${mode}`);
    const tables = Math.max(1, Math.round(pages));
    const inserts = Array.from({ length: tables }, (_, index) => {
      db.exec(`CREATE TABLE t${index} (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)`);
      return db.prepare(`INSERT INTO t${index} (payload) VALUES (?)`);
    });
    const commit = (count: number) => db.transaction(() => inserts.slice(0, count).forEach((insert) => insert.run('x'.repeat(64))));
    const sample = (count: number) => {
      const run = commit(count);
      for (let i = 0; i < FLOOR_WARMUP_COMMITS; i += 1) run.immediate();
      const times: number[] = [];
      for (let i = 0; i < FLOOR_COMMITS; i += 1) {
        const start = nowNs();
        run.immediate();
        times.push(Number(nowNs() - start) / 1e6);
      }
      return { p50: median(times), p99: percentile(times, 99) };
    };
    return { pages, tables, one: sample(1), same: sample(tables) };
  } finally {
    db.close();
  }
}

function describeCommitFloor(mode: SynchronousMode, floor: CommitFloor, fsyncP50: number, p50: number): string {
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  const share = (100 * floor.same.p50) / p50;
  return (
    `synchronous=${mode}, armAhead off: the commit before send writes ${floor.pages} pages to the WAL (median of ${PAGE_COUNT_TRIALS} counted trials). ` +
    `A bare better-sqlite3 commit of ${floor.tables} pages on the same disk takes p50 ${ms(floor.same.p50)} (${(floor.same.p50 / fsyncP50).toFixed(2)}× the fsync probe), ` +
    `p99 ${ms(floor.same.p99)}; of 1 page, p50 ${ms(floor.one.p50)}, p99 ${ms(floor.one.p99)} (${FLOOR_COMMITS} commits each). ` +
    `That commit alone is ${share.toFixed(0)}% of the measured p50; the rest is the engine's own work (price guard, ladder, scan, the statements).`
  );
}
