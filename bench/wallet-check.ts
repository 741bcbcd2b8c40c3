// Benchmark 4 — wallet-check over 1,000,000 wallet transactions against a bare `SELECT SUM(amount)` over the same
// table. Every statement wallet-check runs is timed on its own (by wrapping the connection's prepare and pragma),
// so the split — and whether integrity_check dominates — comes from the real code, not a copy of its SQL.
// A scaling probe runs first on small ledgers: a check that grows faster than its input would never finish at 1M.
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { walletCheck } from '../src/ledger/health.js';
import { Ledger } from '../src/ledger/ledger.js';
import { fillLedger } from './ledger-fill.js';
import { atMost, median, multipleOfFloor, nowNs, removeDir, scratchDir, secondsSince, type Measurement, type Section } from './harness.js';

const TRANSACTIONS = 1_000_000;
/** Two small sizes, double apart: linear work takes about twice as long on the second. */
const PROBE_SIZES = [20_006, 40_006] as const;
/** Beyond this growth for twice the input, the check is treated as superlinear and the 1M run is skipped. */
const PROBE_GROWTH_MAX = 3;
const RUNS = 3;
const SUM_RUNS = 5;
const WALLET_CHECK_MS_MAX = 1_000;
const SUM_MULTIPLE_MAX = 3;
const SUM_SQL = 'SELECT SUM(amount) AS total FROM wallet_transactions';

/** Names for the statements wallet-check is known to run; anything else is shown by its first words. */
const LABELS: readonly (readonly [RegExp, string])[] = [
  [/integrity_check/, 'PRAGMA integrity_check'],
  [/foreign_key_check/, 'PRAGMA foreign_key_check'],
  [/GROUP BY venue/, 'sums per venue'],
  [/lag\(/, 'transaction chain'],
  [/CASE type/, 'transaction signs'],
  [/HAVING count\(\*\) > 1/, 'no double close'],
  [/LEFT JOIN wallet_transactions/, 'positions match close records'],
  [/FROM reservations r/, 'reservations recorded'],
  [/FROM wallets w/, 'holdings per wallet'],
  [/FROM "wallets"|FROM wallets/i, 'wallet rows'],
];

export async function walletCheckBench(): Promise<Section> {
  const started = nowNs();
  const dir = scratchDir('wallet-check');
  const details: string[] = [];
  try {
    const probe = PROBE_SIZES.map((size) => ({ size, ...timeCheck(join(dir, `probe-${size}.db`), size, 1) }));
    const [small, large] = probe as [(typeof probe)[0], (typeof probe)[0]];
    const growth = large.medianMs / small.medianMs;
    details.push(
      `Scaling probe: wallet-check takes ${small.medianMs.toFixed(1)} ms on ${small.size.toLocaleString('en-US')} transactions and ` +
        `${large.medianMs.toFixed(1)} ms on ${large.size.toLocaleString('en-US')} (×${growth.toFixed(2)} for ×2 the data).`,
    );
    if (growth > PROBE_GROWTH_MAX) {
      details.push(`Superlinear: the 1M run was skipped (it would not finish). Slowest statements at ${large.size}: ${splitText(large.split, large.medianMs)}`);
      return { title: '4. wallet-check over 1,000,000 transactions', measurements: skipped(), details, seconds: secondsSince(started) };
    }
    const fillStarted = nowNs();
    const full = timeCheck(join(dir, 'million.db'), TRANSACTIONS, RUNS);
    details.push(
      `Ledger: ${TRANSACTIONS.toLocaleString('en-US')} wallet transactions (${full.fill.reservations.toLocaleString('en-US')} reservations, ` +
        `${full.fill.positions.toLocaleString('en-US')} positions, 4 venues), filled with raw SQL in one transaction and checked in ` +
        `${secondsSince(fillStarted).toFixed(1)} s in all; file ${(full.bytes / 1e6).toFixed(0)} MB. ` +
        (full.failed.length === 0 ? 'wallet-check reports it healthy.' : `wallet-check reports it UNHEALTHY: ${full.failed.join('; ')}.`),
      `wallet-check runs ${full.runsMs.map((ms) => ms.toFixed(0)).join(' / ')} ms (median of ${RUNS}); bare sum runs ` +
        `${full.sumRunsMs.map((ms) => ms.toFixed(1)).join(' / ')} ms (median of ${SUM_RUNS}).`,
      `Split of the median wallet-check run: ${splitText(full.split, full.medianMs)}.`,
      `For comparison, PRAGMA quick_check (no index-content verification) takes ${full.quickCheckMs.toFixed(0)} ms on the same file.`,
    );
    const measurements: Measurement[] = [
      atMost('wallet-check, 1M transactions', { label: 'walletCheck(ledger)', value: full.medianMs, unit: 'ms' }, { label: 'bound', value: WALLET_CHECK_MS_MAX, unit: 'ms' }),
      multipleOfFloor(
        'wallet-check vs bare sum, 1M transactions',
        { label: 'walletCheck(ledger)', value: full.medianMs, unit: 'ms' },
        { label: SUM_SQL, value: full.sumMs, unit: 'ms' },
        SUM_MULTIPLE_MAX,
      ),
    ];
    return { title: '4. wallet-check over 1,000,000 transactions', measurements, details, seconds: secondsSince(started) };
  } finally {
    removeDir(dir);
  }
}

function skipped(): Measurement[] {
  const none = { label: 'not run: superlinear on the probe', value: Number.NaN, unit: 'ms' };
  return [
    { name: 'wallet-check, 1M transactions', figure: none, floor: { label: 'bound', value: WALLET_CHECK_MS_MAX, unit: 'ms' }, ratio: Number.NaN, ratioText: 'n/a', target: `<= ${WALLET_CHECK_MS_MAX} ms`, pass: false },
    { name: 'wallet-check vs bare sum, 1M transactions', figure: none, floor: { label: SUM_SQL, value: Number.NaN, unit: 'ms' }, ratio: Number.NaN, ratioText: 'n/a', target: `<= ${SUM_MULTIPLE_MAX}× floor`, pass: false },
  ];
}

interface CheckTiming {
  readonly fill: ReturnType<typeof fillLedger>;
  readonly bytes: number;
  /** Checks the last run reported as failing (none: the filled ledger is consistent and wallet-check agrees). */
  readonly failed: readonly string[];
  readonly quickCheckMs: number;
  readonly runsMs: number[];
  readonly medianMs: number;
  readonly split: Map<string, number>;
  readonly sumRunsMs: number[];
  readonly sumMs: number;
}

function timeCheck(path: string, transactions: number, runs: number): CheckTiming {
  const fill = fillLedger(path, transactions);
  const ledger = Ledger.open(path, { synchronous: 'NORMAL' });
  try {
    const timer = instrument(ledger.db);
    const sum = ledger.db.prepare(SUM_SQL);
    sum.get(); // the fill has just written the file, so the OS page cache is warm; this warms SQLite's own
    let failed: string[] = [];
    const runsMs: number[] = [];
    const splits: Map<string, number>[] = [];
    const sumRunsMs: number[] = [];
    for (let run = 0; run < Math.max(runs, SUM_RUNS); run += 1) {
      if (run < runs) {
        timer.reset();
        const start = nowNs();
        const report = walletCheck(ledger);
        failed = report.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.detail}`);
        runsMs.push(Number(nowNs() - start) / 1e6);
        splits.push(timer.snapshot());
      }
      const start = nowNs();
      sum.get();
      sumRunsMs.push(Number(nowNs() - start) / 1e6);
    }
    const medianMs = median(runsMs);
    const split = splits[runsMs.indexOf(medianMs)] ?? new Map<string, number>();
    const bytes = (ledger.db.pragma('page_count', { simple: true }) as number) * (ledger.db.pragma('page_size', { simple: true }) as number);
    const quickStart = nowNs();
    ledger.db.pragma('quick_check');
    const quickCheckMs = Number(nowNs() - quickStart) / 1e6;
    return { fill, bytes, failed, quickCheckMs, runsMs, medianMs, split, sumRunsMs, sumMs: median(sumRunsMs) };
  } finally {
    ledger.close();
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
