// Benchmark 4 — wallet-check over 1,000,000 wallet transactions against a bare `SELECT SUM(amount)` over the same
// table. wallet-check walks the log from the checkpoint its last healthy run recorded, so the figure the targets
// judge is the routine check: a 1M-row ledger checked again after 10,000 more transactions. The checks that walk
// the whole log — the first check of a ledger, and `--deep`, which adds SQLite's integrity_check — are measured and
// reported beside it. Every statement wallet-check runs is timed on its own (by wrapping the connection's prepare and
// pragma), so the splits come from the real code, not a copy of its SQL. A scaling probe runs first on small
// ledgers: a check that grows faster than its input would never finish at 1M.
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Micros } from '../src/domain/money.js';
import { walletCheck, type HealthReport } from '../src/ledger/health.js';
import { Ledger } from '../src/ledger/ledger.js';
import { fillLedger } from './ledger-fill.js';
import { atMost, median, multipleOfFloor, nowNs, removeDir, reported, scratchDir, secondsSince, type Measurement, type Section } from './harness.js';
import { connectionOf as dbOf } from '../src/ledger/connections.js';

const TRANSACTIONS = 1_000_000;
/** Two small sizes, double apart: linear work takes about twice as long on the second. */
const PROBE_SIZES = [20_006, 40_006] as const;
const PROBE_RUNS = 5;
/** Beyond this growth for twice the input, the check is treated as superlinear and the 1M run is skipped. */
const PROBE_GROWTH_MAX = 3;
/** Routine checks, each after this many new transactions (reserve + commit cycles through the Ledger). */
const ROUTINE_RUNS = 5;
const ROUTINE_ADDED = 10_000;
const WALLET_CHECK_MS_MAX = 1_000;
const SUM_MULTIPLE_MAX = 3;
const SUM_SQL = 'SELECT SUM(amount) AS total FROM wallet_transactions';

/** Names for the statements wallet-check is known to run; anything else is shown by its first words. */
const LABELS: readonly (readonly [RegExp, string])[] = [
  [/integrity_check/, 'PRAGMA integrity_check'],
  [/foreign_key_check/, 'PRAGMA foreign_key_check'],
  [/WHERE id > \? ORDER BY id/, 'log walk (rows read into JS, chain, signs and sums per row)'],
  [/HAVING count\(\*\) > 1/, 'no double close'],
  [/FROM positions p/, 'positions match close records'],
  [/FROM reservations r/, 'reservations recorded'],
  [/FROM wallets w/, 'holdings per wallet'],
  [/count\(\*\) AS n FROM (wallet_transactions|reservations|positions)/, 'row counts (b-tree)'],
  [/log_checkpoint/, 'checkpoint read and write'],
  [/FROM "wallets"|FROM wallets/i, 'wallet rows'],
];

interface Run {
  readonly ms: number;
  readonly split: Map<string, number>;
  readonly report: HealthReport;
}

export async function walletCheckBench(): Promise<Section> {
  const started = nowNs();
  const dir = scratchDir('wallet-check');
  const details: string[] = [];
  try {
    const probe = PROBE_SIZES.map((size) => ({ size, ...probeCheck(join(dir, `probe-${size}.db`), size) }));
    const [small, large] = probe as [(typeof probe)[0], (typeof probe)[0]];
    const growth = large.ms / small.ms;
    details.push(
      `Scaling probe (a first check, walking the whole log): ${small.ms.toFixed(1)} ms on ${small.size.toLocaleString('en-US')} transactions and ` +
        `${large.ms.toFixed(1)} ms on ${large.size.toLocaleString('en-US')} (×${growth.toFixed(2)} for ×2 the data).`,
    );
    if (growth > PROBE_GROWTH_MAX) {
      details.push(`Superlinear: the 1M run was skipped (it would not finish). Slowest statements at ${large.size}: ${splitText(large.split, large.ms)}`);
      return { title: '4. wallet-check over 1,000,000 transactions', measurements: skipped(), details, seconds: secondsSince(started) };
    }
    const fillStarted = nowNs();
    const full = timeChecks(join(dir, 'million.db'), TRANSACTIONS);
    const routineMs = median(full.routine.map((run) => run.ms));
    const routineMedian = full.routine.find((run) => run.ms === routineMs) as Run;
    const sumMs = median(full.sumRunsMs);
    const unhealthy = [full.first, ...full.routine, full.deep].flatMap((run) => run.report.checks.filter((check) => !check.ok).map((c) => `${c.name}: ${c.detail}`));
    details.push(
      `Ledger: ${TRANSACTIONS.toLocaleString('en-US')} wallet transactions (${full.fill.reservations.toLocaleString('en-US')} reservations, ` +
        `${full.fill.positions.toLocaleString('en-US')} positions, 4 venues), filled with raw SQL in one transaction; file ${(full.bytes / 1e6).toFixed(0)} MB; ` +
        `section ${secondsSince(fillStarted).toFixed(1)} s in all. ` +
        (unhealthy.length === 0 ? 'Every check below reports it healthy.' : `Some check reported it UNHEALTHY: ${unhealthy.join('; ')}.`),
      `Routine check: ${ROUTINE_RUNS} runs, each after ${ROUTINE_ADDED.toLocaleString('en-US')} more transactions (reserve + commit through the Ledger), ` +
        `each walking ${routineMedian.report.log.rowsWalked.toLocaleString('en-US')} rows from the checkpoint: ${full.routine.map((run) => run.ms.toFixed(1)).join(' / ')} ms; ` +
        `the bare sum, timed just before each: ${full.sumRunsMs.map((ms) => ms.toFixed(1)).join(' / ')} ms. ` +
        `Split of the median run: ${splitText(routineMedian.split, routineMedian.ms)}.`,
      `First check of the ledger (no checkpoint yet, so the whole log is walked; it records the checkpoint): ${full.first.ms.toFixed(0)} ms, ` +
        `${(full.first.ms / sumMs).toFixed(1)}× the bare sum. Split: ${splitText(full.first.split, full.first.ms)}. ` +
        `Reading a million rows into JavaScript is the floor of any walk: better-sqlite3 hands each row over as an array, and that costs more per row than SQLite's own SUM.`,
      `\`wallet-check --deep\` (the whole log walked again, the checkpoint proven, then PRAGMA integrity_check and foreign_key_check): ${full.deep.ms.toFixed(0)} ms. ` +
        `Split: ${splitText(full.deep.split, full.deep.ms)}. For comparison, PRAGMA quick_check (no index-content verification) takes ${full.quickCheckMs.toFixed(0)} ms on the same file.`,
    );
    const measurements: Measurement[] = [
      atMost(
        `wallet-check, 1M transactions, routine (${ROUTINE_ADDED.toLocaleString('en-US')} added since the last check)`,
        { label: 'walletCheck(ledger)', value: routineMs, unit: 'ms' },
        { label: 'bound', value: WALLET_CHECK_MS_MAX, unit: 'ms' },
      ),
      multipleOfFloor(
        'wallet-check vs bare sum, 1M transactions, routine',
        { label: 'walletCheck(ledger)', value: routineMs, unit: 'ms' },
        { label: SUM_SQL, value: sumMs, unit: 'ms' },
        SUM_MULTIPLE_MAX,
      ),
      reported('wallet-check, 1M transactions, first check (whole log walked)', { label: 'walletCheck(ledger), no checkpoint', value: full.first.ms, unit: 'ms' }, { label: SUM_SQL, value: sumMs, unit: 'ms' }),
      reported('wallet-check --deep, 1M transactions', { label: 'walletCheck(ledger, { deep: true })', value: full.deep.ms, unit: 'ms' }, { label: SUM_SQL, value: sumMs, unit: 'ms' }),
    ];
    return { title: '4. wallet-check over 1,000,000 transactions', measurements, details, seconds: secondsSince(started) };
  } finally {
    removeDir(dir);
  }
}

function skipped(): Measurement[] {
  const none = { label: 'not run: superlinear on the probe', value: Number.NaN, unit: 'ms' };
  return [
    { name: 'wallet-check, 1M transactions, routine', figure: none, floor: { label: 'bound', value: WALLET_CHECK_MS_MAX, unit: 'ms' }, ratio: Number.NaN, ratioText: 'n/a', target: `<= ${WALLET_CHECK_MS_MAX} ms`, pass: false },
    { name: 'wallet-check vs bare sum, 1M transactions, routine', figure: none, floor: { label: SUM_SQL, value: Number.NaN, unit: 'ms' }, ratio: Number.NaN, ratioText: 'n/a', target: `<= ${SUM_MULTIPLE_MAX}× floor`, pass: false },
  ];
}

/** A first check (the whole log walked), median of a few: the checkpoint each run records is removed before the next. */
function probeCheck(path: string, transactions: number): { ms: number; split: Map<string, number> } {
  fillLedger(path, transactions);
  const ledger = Ledger.open(path, { synchronous: 'NORMAL' });
  try {
    const timer = instrument(dbOf(ledger));
    const runs: Run[] = [];
    for (let run = 0; run < PROBE_RUNS; run += 1) {
      dbOf(ledger).exec('DELETE FROM log_checkpoint; DELETE FROM log_checkpoint_wallets;');
      runs.push(timedCheck(ledger, timer, false));
    }
    const ms = median(runs.map((run) => run.ms));
    return { ms, split: (runs.find((run) => run.ms === ms) as Run).split };
  } finally {
    ledger.close();
  }
}

interface Timings {
  readonly fill: ReturnType<typeof fillLedger>;
  readonly bytes: number;
  readonly first: Run;
  readonly routine: Run[];
  readonly sumRunsMs: number[];
  readonly deep: Run;
  readonly quickCheckMs: number;
}

function timeChecks(path: string, transactions: number): Timings {
  const fill = fillLedger(path, transactions);
  const ledger = Ledger.open(path, { synchronous: 'NORMAL' });
  try {
    const timer = instrument(dbOf(ledger));
    const sum = dbOf(ledger).prepare(SUM_SQL);
    sum.get(); // the fill has just written the file, so the OS page cache is warm; this warms SQLite's own
    const first = timedCheck(ledger, timer, false);
    const routine: Run[] = [];
    const sumRunsMs: number[] = [];
    for (let run = 0; run < ROUTINE_RUNS; run += 1) {
      addTransactions(ledger, run);
      const start = nowNs();
      sum.get();
      sumRunsMs.push(Number(nowNs() - start) / 1e6);
      routine.push(timedCheck(ledger, timer, false));
    }
    const deep = timedCheck(ledger, timer, true);
    const bytes = (dbOf(ledger).pragma('page_count', { simple: true }) as number) * (dbOf(ledger).pragma('page_size', { simple: true }) as number);
    const quickStart = nowNs();
    dbOf(ledger).pragma('quick_check');
    const quickCheckMs = Number(nowNs() - quickStart) / 1e6;
    return { fill, bytes, first, routine, sumRunsMs, deep, quickCheckMs };
  } finally {
    ledger.close();
  }
}

function timedCheck(ledger: Ledger, timer: ReturnType<typeof instrument>, deep: boolean): Run {
  timer.reset();
  const start = nowNs();
  const report = walletCheck(ledger, { deep });
  const ms = Number(nowNs() - start) / 1e6;
  return { ms, split: timer.snapshot(), report };
}

/** What a bot adds between two checks: reserve + commit cycles (two wallet transactions each) on one venue. */
function addTransactions(ledger: Ledger, run: number): void {
  for (let i = 0; i < ROUTINE_ADDED / 2; i += 1) {
    const { reservation } = ledger.reserve({ venue: 'kalshi', amount: 1_000_000 as Micros, idempotencyKey: `routine-${run}-${i}`, purpose: 'bench' });
    ledger.commitReservation(reservation.id);
  }
}

function splitText(split: ReadonlyMap<string, number>, totalMs: number): string {
  const timed = [...split.values()].reduce((a, b) => a + b, 0);
  const parts = [...split].sort((a, b) => b[1] - a[1]).map(([label, ms]) => `${label} ${ms.toFixed(1)} ms (${((100 * ms) / totalMs).toFixed(0)}%)`);
  return `${parts.join(', ')}; outside any statement ${(totalMs - timed).toFixed(1)} ms`;
}

function label(sql: string): string {
  for (const [pattern, name] of LABELS) if (pattern.test(sql)) return name;
  return sql.replace(/\s+/g, ' ').trim().slice(0, 40);
}

/** Times every statement run through this connection, by label, until reset. */
function instrument(db: Database.Database): { reset(): void; snapshot(): Map<string, number> } {
  let totals = new Map<string, number>();
  const add = (name: string, start: bigint) => totals.set(name, (totals.get(name) ?? 0) + Number(nowNs() - start) / 1e6);
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const statement = prepare(sql);
    const name = label(sql);
    // A walk's iterate is timed until the caller has consumed it: SQLite stepping plus the caller's work per row.
    // Only next() is wrapped (one extra call per row), so the timing barely moves the figure it measures.
    const iterate = statement.iterate.bind(statement) as (...args: unknown[]) => IterableIterator<unknown>;
    (statement as unknown as Record<string, unknown>).iterate = (...args: unknown[]) => {
      const start = nowNs();
      const inner = iterate(...args);
      const outer: IterableIterator<unknown> = {
        next: () => {
          const step = inner.next();
          if (step.done) add(name, start);
          return step;
        },
        return: (value?: unknown) => {
          add(name, start);
          return inner.return ? inner.return(value) : { done: true, value };
        },
        [Symbol.iterator]: () => outer,
      };
      return outer;
    };
    for (const method of ['all', 'get', 'run'] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const start = nowNs();
        try {
          return original(...args);
        } finally {
          add(name, start);
        }
      };
    }
    return statement;
  }) as typeof db.prepare;
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: Database.PragmaOptions) => {
    const start = nowNs();
    try {
      return pragma(source, options);
    } finally {
      add(label(`PRAGMA ${source}`), start);
    }
  }) as typeof db.pragma;
  return {
    reset: () => {
      totals = new Map();
    },
    snapshot: () => new Map(totals),
  };
}
