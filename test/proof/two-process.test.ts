// Processes sharing one database: `arbbot run` replays a feed at a pace that lasts a few seconds (ladder closes,
// arbitrage, resolutions) while other processes loop `close <id>`, `reconcile`, `wallet-check` and `deposit` against
// the same file. Every state change is one BEGIN IMMEDIATE transaction, so nothing may surface SQLITE_BUSY (no exit 3,
// no "database is locked"), no position may be closed twice, and the books must balance at every check.
// Two CONTROLS prove the detectors can fail: writers that read then write in DEFERRED transactions with a short busy
// timeout, run alongside, must be caught by the same busy detector; and a wallet updated behind the ledger's back
// must be caught by wallet-check and the invariant auditor.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/config.js';
import { formatMicros, type Micros, type PriceMicros } from '../../src/domain/money.js';
import type { Side } from '../../src/domain/position.js';
import { openPosition } from '../../src/engine/trading.js';
import { seededRandom } from '../../src/feeds/synthetic.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { cli, cliAsync, tempDir, type CliResult } from '../fixtures/helpers.js';
import { rawSql } from '../fixtures/ledger.js';
import { arbViolations, BUSY_PATTERN, ledgerViolations, SOAK, spawnArbbot, withFile } from '../fixtures/proof.js';

const CONFIG = parseConfigObject({}, null);
const SEED = 7;
/** Feed lines and the feed time between them: at --speed 1 the run lasts FEED_LINES × FEED_STEP_MS of wall time. */
const FEED_LINES = SOAK ? 1_600 : 240;
const FEED_STEP_MS = 25;
const LOOPS_MAX = 500;
/** Processes running the command loop side by side (their closes race each other as well as the ladder). */
const LOOPERS = 2;
const CONTROL_WRITERS = 2;
const CONTROL = fileURLToPath(new URL('../fixtures/workers/deferred-writer.mjs', import.meta.url));

interface Command {
  readonly args: readonly string[];
  readonly result: CliResult;
  /** Started while the engine was still running. */
  readonly overlapped: boolean;
}

describe('two processes on one database: the engine and a loop of CLI commands', () => {
  it('surfaces no SQLITE_BUSY, closes nothing twice, and keeps the books balanced', { timeout: 300_000 }, async () => {
    const dir = tempDir();
    const db = join(dir, 'two.db');
    const positions = openPositions(db);
    writeFileSync(join(dir, 'feed.jsonl'), generateFeed());

    const engine = spawnArbbot(dir, ['--db', db, 'run', '--feed', 'feed.jsonl', '--speed', '1']);
    expect(await engine.waitForStderr((text) => text.includes('Start-up reconcile')), engine.stderr()).toBe(true);
    let running = true;
    const engineExit = engine.exited.then((exit) => {
      running = false;
      return exit;
    });
    const controls = Array.from({ length: CONTROL_WRITERS }, () => control(db, FEED_LINES * FEED_STEP_MS));
    const commands = (await Promise.all(Array.from({ length: LOOPERS }, (_, looper) => loop(dir, db, positions, looper, () => running)))).flat();
    const exit = await engineExit;
    const controlResults = await Promise.all(controls);

    console.log(
      `two processes: ${commands.length} commands (${commands.filter((c) => c.overlapped).length} while the engine ran), reconcile exits ${JSON.stringify(
        commands.filter((c) => c.args[2] === 'reconcile').map((c) => c.result.code),
      )}, control writers ${JSON.stringify(controlResults.map((r) => r.counts))}`,
    );
    expect(exit, engine.stderr().slice(-3000)).toEqual({ code: 0, signal: null });
    expect(engine.stderr()).not.toMatch(BUSY_PATTERN);
    for (const { args, result } of commands) {
      const what = `arbbot ${args.join(' ')} → exit ${result.code}\n${result.stdout}${result.stderr}`;
      expect(result.code, what).not.toBe(3);
      expect(result.stdout + result.stderr, what).not.toMatch(BUSY_PATTERN);
      expect(result.code, what).toBe(0);
    }
    // The loop really ran against the running engine, every kind of command.
    const overlapped = new Set(commands.filter((c) => c.overlapped).map((c) => c.args[2]));
    expect([...overlapped].sort()).toEqual(['close', 'deposit', 'reconcile', 'wallet-check']);

    expectOneClosePerPosition(db, engine.stderr(), commands);
    expectDepositsDurable(db, commands);
    const finalReconcile = cli(dir, ['--db', db, 'reconcile']);
    expect(finalReconcile.code, finalReconcile.stdout + finalReconcile.stderr).toBe(0);
    const check = cli(dir, ['--db', db, 'wallet-check']);
    expect(check.code, check.stdout).toBe(0);
    expect(ledgerViolations(db)).toEqual([]);
    expect(arbViolations(db, 'recovered')).toEqual([]);
    expect(engine.stderr()).toMatch(/arb #\d+ settled/);

    // CONTROL 1: the deferred read-then-write writers hit SQLITE_BUSY, and the same detector sees it.
    const busy = controlResults.reduce((sum, r) => sum + r.counts.busy, 0);
    expect(busy, JSON.stringify(controlResults.map((r) => r.counts))).toBeGreaterThan(0);
    expect(controlResults.map((r) => r.stderr).join('')).toMatch(BUSY_PATTERN);
    // They only touched updated_at: the books still balance.
    expect(ledgerViolations(db)).toEqual([]);

    // CONTROL 2: a wallet changed without a transaction row is caught by wallet-check and by the auditor.
    rawSql(db, "UPDATE wallets SET total = total + 1, available = available + 1 WHERE venue = 'paper'");
    const caught = cli(dir, ['--db', db, 'wallet-check']);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toMatch(/✗ total_matches_log \[paper\]/);
    expect(ledgerViolations(db)).toContainEqual(expect.stringMatching(/^paper: total \d+ != sum\(amount\)/));
  });
});

/** Twelve positions on the paper venue at staggered entries, so the ladder closes them at different moments. */
function openPositions(db: string): number[] {
  const ledger = Ledger.open(db, { synchronous: 'NORMAL' });
  try {
    for (const venue of CONFIG.venues.values()) ledger.ensureWallet(venue.name, venue.startingBalance);
    const ids: number[] = [];
    for (const [index, offset] of [-3, -1, 1, 3, -2, 2].entries()) {
      for (const [market, base] of [['SOL-USD', 100], ['ETH-USD', 2_500]] as const) {
        const side: Side = index % 2 === 0 ? 'long' : 'short';
        const price = Math.round(base * (1 + offset / 100) * 1_000_000) as PriceMicros;
        const opened = openPosition(ledger, {
          venue: 'paper',
          market,
          side,
          size: 25_000_000 as Micros,
          price,
          ladder: CONFIG.tpsl,
          costs: CONFIG.costs,
          predictionMarket: false,
        });
        ids.push(opened.position.id);
      }
    }
    return ids;
  } finally {
    ledger.close();
  }
}

/** SOL and ETH wandering with gaps, fed-dec quoted apart on its two venues (arbitrage), a resolution now and then. */
function generateFeed(): string {
  const random = seededRandom(SEED);
  const t0 = Date.UTC(2026, 0, 1);
  const mids = new Map([['SOL-USD', 100_000_000], ['ETH-USD', 2_500_000_000]]);
  let fair = 450_000;
  const lines: string[] = [];
  const push = (line: Record<string, unknown>) => lines.push(JSON.stringify(line));
  for (let tick = 0; tick < FEED_LINES; tick += 1) {
    const ts = t0 + tick * FEED_STEP_MS;
    if (tick % 4 === 0) {
      fair = Math.min(800_000, Math.max(200_000, fair + Math.floor((random() * 2 - 1) * 10_000)));
      const skew = (random() < 0.5 ? -1 : 1) * 30_000;
      push({ ts, venue: tick % 8 === 0 ? 'paper-kalshi' : 'paper-poly', market: tick % 8 === 0 ? 'FED-DEC' : 'fed-dec', ...(tick % 8 === 0 ? quote(fair - skew, 5_000) : quote(fair + skew, 5_000)) });
      continue;
    }
    if (tick % 120 === 119) {
      const outcome = fair >= 500_000 ? 'yes' : 'no';
      push({ ts, type: 'resolve', venue: 'paper-kalshi', market: 'FED-DEC', outcome });
      push({ ts, type: 'resolve', venue: 'paper-poly', market: 'fed-dec', outcome });
      continue;
    }
    const market = random() < 0.5 ? 'SOL-USD' : 'ETH-USD';
    const mid = mids.get(market) ?? 1;
    const gap = random() < 0.04 ? (random() < 0.5 ? -1 : 1) * 0.05 : 0;
    const next = Math.round(mid * (1 + (random() * 2 - 1) * 0.006 + gap));
    mids.set(market, next);
    push({ ts, venue: 'paper', market, ...quote(next, Math.round(next / 10_000)) });
  }
  return `${lines.join('\n')}\n`;
}

function quote(mid: number, halfSpread: number): { bid: string; ask: string } {
  return { bid: formatMicros(mid - halfSpread), ask: formatMicros(mid + halfSpread) };
}

/** close, reconcile, wallet-check, deposit — one after another — while `running()`, then one more full cycle. */
async function loop(dir: string, db: string, positions: readonly number[], looper: number, running: () => boolean): Promise<Command[]> {
  const random = seededRandom(SEED + 1 + looper);
  const commands: Command[] = [];
  const run = async (args: string[]) => {
    const overlapped = running();
    commands.push({ args, result: await cliAsync(dir, args, { ARBBOT_DB: '' }), overlapped });
  };
  for (let i = 0; i < LOOPS_MAX; i += 1) {
    const id = positions[Math.floor(random() * positions.length)] ?? 1;
    await run(['--db', db, 'close', String(id), '--price', id % 2 === 0 ? '2500' : '100']);
    await run(['--db', db, 'reconcile']);
    await run(['--db', db, 'wallet-check']);
    await run(['--db', db, 'deposit', 'paper', '1', '--key', `two-process-${looper}-${i}`]);
    if (!running()) break;
  }
  return commands;
}

/** Every close is acknowledged once (by the engine or by one `close`), and written once. */
function expectOneClosePerPosition(db: string, engineStderr: string, commands: readonly Command[]): void {
  const acknowledged = new Map<number, number>();
  const texts = [engineStderr, ...commands.filter((c) => c.args[2] === 'close').map((c) => c.result.stdout)];
  for (const text of texts) {
    for (const match of text.matchAll(/^✓ Position (\d+) closed:/gm)) acknowledged.set(Number(match[1]), (acknowledged.get(Number(match[1])) ?? 0) + 1);
  }
  const closes = withFile(db, (file) =>
    file
      .prepare("SELECT position_id AS id, count(*) AS n FROM wallet_transactions WHERE type IN ('position_close', 'settlement') GROUP BY position_id")
      .all() as { id: number; n: number }[],
  );
  expect(closes.filter((row) => row.n !== 1)).toEqual([]);
  expect([...acknowledged].filter(([, n]) => n !== 1)).toEqual([]);
  for (const [id] of acknowledged) expect(closes.some((row) => row.id === id), `position ${id} acknowledged closed`).toBe(true);
  // The manual closes raced the ladder: some positions went each way.
  const manual = commands.filter((c) => c.args[2] === 'close' && c.result.stdout.includes('closed: Manual close'));
  expect(manual.length).toBeGreaterThan(0);
  expect(engineStderr).toMatch(/^✓ Position \d+ closed: (TP3|Stop loss|Breakeven|Trailing)/m);
}

/** Each acknowledged deposit is in the log exactly once under its key. */
function expectDepositsDurable(db: string, commands: readonly Command[]): void {
  const keys = commands.filter((c) => c.args[2] === 'deposit' && c.result.code === 0).map((c) => c.args[6] ?? '');
  expect(keys.length).toBeGreaterThan(0);
  const stored = withFile(db, (file) =>
    (file.prepare("SELECT idempotency_key AS key FROM wallet_transactions WHERE type = 'deposit' AND idempotency_key IS NOT NULL").all() as { key: string }[]).map(
      (row) => row.key,
    ),
  );
  expect(stored.sort()).toEqual([...keys].sort());
}

/** The control writer in its own process: its counts, and its stderr as the busy detector sees it. */
function control(db: string, durationMs: number): Promise<{ counts: { attempts: number; committed: number; busy: number }; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONTROL, db, String(durationMs)]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`control writer exited ${code}: ${stderr.slice(-500)}`);
        resolve({ counts: JSON.parse(stdout) as { attempts: number; committed: number; busy: number }, stderr });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
