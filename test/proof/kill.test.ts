// The kill test (docs/ledger.md, "How the ledger is tested"): the real engine runs in a child process —
// the zero-config paper demo (synthetic feed, demo positions, arbitrage on fed-dec with failure injection) or a
// replay of a generated feed over positions opened beforehand — and is SIGKILLed at a seeded random moment (every
// fourth round: the moment the file shows an arbitrage in flight), again and again on ONE database so state
// accumulates. After every kill, before any repair:
//   - invariants 1–8 hold on the file as the dead process left it (each step is one transaction);
//   - every pending reservation belongs to an arbitrage leg still in flight;
//   - every paper order is one of our legs, placed once, and every recorded verdict matches the venue's fill;
//   - every write the child acknowledged on stderr (printed after its commit) is there, in the acknowledged state.
// Then recovery — `arbbot reconcile`, or a restarted engine's own start-up — must exit 0, after which nothing is
// pending or in flight and the venues' cash and contracts agree with the ledger.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/config.js';
import { openPosition } from '../../src/engine/trading.js';
import { seededRandom } from '../../src/feeds/synthetic.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { formatMicros, type Micros, type PriceMicros } from '../../src/domain/money.js';
import { cli, tempDir } from '../fixtures/helpers.js';
import {
  ackViolations,
  arbViolations,
  ledgerViolations,
  parseAcks,
  resolvedCounts,
  SOAK,
  spawnArbbot,
  withFile,
  type Ack,
} from '../fixtures/proof.js';

const ROUNDS = Number(process.env.ARBBOT_KILL_ROUNDS ?? (SOAK ? 300 : 30));
/** Replayable: ARBBOT_KILL_SEED=<n> reruns a reported failure's schedule (timing still varies with the machine). */
const SEED = Number(process.env.ARBBOT_KILL_SEED ?? 20_260_101);
/** Longest a child runs past its start-up before the kill. */
const KILL_AFTER_START_MS_MAX = 1_400;
/** Some kills ignore start-up and land anywhere from spawn on, including inside start-up recovery. */
const EARLY_KILL_MS_MAX = 2_500;
const EARLY_KILL_SHARE = 0.2;
/** Every Nth round (a replay round) is killed the moment the file shows an arbitrage in flight. */
const TARGETED_EVERY = 4;
const TARGET_WAIT_MS_MAX = 3_000;
/** Every Nth round recovers by restarting the engine (its start-up reconcile) instead of `arbbot reconcile`. */
const RESTART_RECOVERY_EVERY = 4;
const FEED_TICKS = 6_000;
const RESOLVE_EVERY_TICKS = 40;
const DISCONNECT_CHANCE = 0.01;
const POSITION_SIZE = 25_000_000 as Micros;
/** A prediction venue's wallet below this is topped up before a replay round, so both sides can still trade. */
const FUNDING_FLOOR = 200_000_000;

/** The built-in defaults: the same config the zero-config demo uses, so demo and replay rounds share the file. */
const CONFIG = parseConfigObject({}, null);

interface Tally {
  rounds: number;
  killedMidRun: number;
  inFlightAtKill: number;
  recoveredActions: number;
  acks: Map<Ack['kind'], number>;
}

describe('kill test: SIGKILL the engine at random moments, one database across rounds', () => {
  it(`survives ${ROUNDS} kills with every invariant and every acknowledged write intact`, { timeout: ROUNDS * 30_000 }, async () => {
    // ARBBOT_KILL_DIR=<empty dir> keeps the files for a post-mortem.
    const dir = process.env.ARBBOT_KILL_DIR ?? tempDir();
    const db = join(dir, 'kill.db');
    writeFileSync(join(dir, 'empty.jsonl'), '');
    const random = seededRandom(SEED);
    const tally: Tally = { rounds: 0, killedMidRun: 0, inFlightAtKill: 0, recoveredActions: 0, acks: new Map() };
    const resolved = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round += 1) {
      const context = `seed ${SEED}, round ${round}`;
      const args = prepareRound(dir, db, round, random);
      const child = spawnArbbot(dir, ['--db', db, ...args]);
      // Round 0 always gets past start-up, so the first (fresh) demo round opens its positions before the kill.
      const early = random() < EARLY_KILL_SHARE && round > 0;
      const delayMs = Math.floor(random() * (early ? EARLY_KILL_MS_MAX : KILL_AFTER_START_MS_MAX));
      if (!early) await child.waitForStderr((text) => text.includes('Start-up reconcile'));
      await sleep(delayMs);
      // Targeted rounds: watch the file and kill the moment a trade is in flight (random moments rarely catch one).
      if (round % TARGETED_EVERY === 1) await waitForInFlight(db);
      child.child.kill('SIGKILL');
      const exit = await child.exited;
      tally.rounds += 1;
      if (exit.signal === 'SIGKILL') tally.killedMidRun += 1;
      else expect(exit.code, `${context}: the run ended on its own but failed:\n${child.stderr().slice(-3000)}`).toBe(0);

      const acks = parseAcks(child.stderr());
      if (!existsSync(db)) {
        // Killed before the ledger file was created: then it cannot have acknowledged anything either.
        expect(acks, context).toEqual([]);
        continue;
      }
      // As the dead process left it: nothing repaired yet.
      expect(ledgerViolations(db), `${context}: ledger right after the kill`).toEqual([]);
      expect(arbViolations(db, 'crashed'), `${context}: arbitrage right after the kill`).toEqual([]);
      expect(ackViolations(db, acks, resolved), `${context}: acknowledged writes right after the kill`).toEqual([]);
      if (inFlight(db)) tally.inFlightAtKill += 1;

      tally.recoveredActions += recover(dir, db, round, context);
      expect(ledgerViolations(db), `${context}: ledger after recovery`).toEqual([]);
      expect(arbViolations(db, 'recovered'), `${context}: arbitrage and venues after recovery; the child's last lines:\n${tail(child.stderr())}`).toEqual([]);
      expect(ackViolations(db, acks, resolved), `${context}: acknowledged writes after recovery`).toEqual([]);
      resolvedCounts(acks, resolved);
      for (const ack of acks) tally.acks.set(ack.kind, (tally.acks.get(ack.kind) ?? 0) + 1);
    }
    console.log(`kill test (seed ${SEED}): ${JSON.stringify({ ...tally, acks: Object.fromEntries(tally.acks) })}`);
    // The run must have exercised what it claims to: kills mid-run, work in flight at a kill, closes and arbitrage.
    expect(tally.rounds).toBe(ROUNDS);
    expect(tally.killedMidRun).toBeGreaterThanOrEqual(Math.floor(ROUNDS / 2));
    expect(tally.inFlightAtKill, 'no kill ever landed with an arbitrage in flight').toBeGreaterThan(0);
    expect(tally.acks.get('opened') ?? 0).toBeGreaterThan(0);
    expect(tally.acks.get('closed') ?? 0).toBeGreaterThan(0);
    expect(tally.acks.get('arb_settled') ?? 0).toBeGreaterThan(0);
  });
});

/** Even rounds: the zero-config demo. Odd rounds: replay a generated feed over freshly opened positions. */
function prepareRound(dir: string, db: string, round: number, random: () => number): string[] {
  const seed = 1 + Math.floor(random() * 1_000_000);
  if (round % 2 === 0) return ['run', '--speed', 'max', '--seed', String(seed)];
  openPositions(db);
  const feed = `feed-${round}.jsonl`;
  writeFileSync(join(dir, feed), generateFeed(seed, fundPredictionVenues(dir, db)));
  return ['run', '--feed', feed, '--speed', 'max'];
}

/**
 * Arbitrage drains whichever venue keeps buying the losing side. A wallet below the floor is topped up the way a
 * person would (`arbbot deposit`, mirrored at the paper venue); returns the poorer venue, which the feed favours.
 */
function fundPredictionVenues(dir: string, db: string): 'paper-kalshi' | 'paper-poly' {
  const totals = withFile(db, (file) =>
    Object.fromEntries(
      (file.prepare("SELECT venue, total FROM wallets WHERE venue IN ('paper-kalshi', 'paper-poly')").all() as { venue: string; total: number }[]).map(
        (row) => [row.venue, row.total],
      ),
    ),
  );
  for (const venue of ['paper-kalshi', 'paper-poly']) {
    if ((totals[venue] ?? 0) >= FUNDING_FLOOR) continue;
    const deposit = cli(dir, ['--db', db, 'deposit', venue, '300']);
    expect(deposit.code, deposit.stderr).toBe(0);
  }
  return (totals['paper-kalshi'] ?? 0) <= (totals['paper-poly'] ?? 0) ? 'paper-kalshi' : 'paper-poly';
}

/** A long and a short on the paper venue, at the prices the generated feed starts from (the ladder closes them). */
function openPositions(db: string): void {
  const ledger = Ledger.open(db, { synchronous: 'NORMAL' });
  try {
    for (const [market, side, price] of [
      ['SOL-USD', 'long', 100_000_000],
      ['ETH-USD', 'short', 2_500_000_000],
    ] as const) {
      if ((ledger.getWallet('paper')?.available ?? 0) < POSITION_SIZE) continue;
      openPosition(ledger, {
        venue: 'paper',
        market,
        side,
        size: POSITION_SIZE,
        price: price as PriceMicros,
        ladder: CONFIG.tpsl,
        costs: CONFIG.costs,
        predictionMarket: false,
      });
    }
  } finally {
    ledger.close();
  }
}

/**
 * A replay that keeps the engine busy with what a kill can interrupt: fed-dec quoted apart on the two venues so most
 * of its quotes are an arbitrage, resolutions every few dozen ticks (freeing the money arbitrage locks), a venue
 * disconnecting now and then, and SOL/ETH wandering with gaps through the positions' TP/SL levels.
 */
function generateFeed(seed: number, favoured: 'paper-kalshi' | 'paper-poly'): string {
  const random = seededRandom(seed);
  const lines: string[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  const mids = new Map([['SOL-USD', 100_000_000], ['ETH-USD', 2_500_000_000]]);
  let fair = 450_000;
  let disconnectedUntil = -1;
  const push = (line: Record<string, unknown>) => lines.push(JSON.stringify(line));
  for (let tick = 0; tick < FEED_TICKS; tick += 1) {
    const ts = t0 + tick * 250;
    if (tick > 0 && tick % RESOLVE_EVERY_TICKS === 0) {
      // Mostly YES: the favoured venue buys the cheap YES below, so it wins most pairs and its balance recovers.
      const outcome = random() < 0.75 ? 'yes' : 'no';
      push({ ts, type: 'resolve', venue: 'paper-kalshi', market: 'FED-DEC', outcome });
      push({ ts, type: 'resolve', venue: 'paper-poly', market: 'fed-dec', outcome });
    }
    if (tick === disconnectedUntil) push({ ts, type: 'reconnect', venue: 'paper-kalshi' });
    if (tick > disconnectedUntil && random() < DISCONNECT_CHANCE) {
      push({ ts, type: 'disconnect', venue: 'paper-kalshi' });
      disconnectedUntil = tick + 12;
    }
    if (tick % 2 === 0) {
      // YES cheap on one venue and dear on the other: buying YES here and NO there costs under $1 with fees.
      fair = Math.min(800_000, Math.max(200_000, fair + Math.floor((random() * 2 - 1) * 10_000)));
      const cheapOnKalshi = favoured === 'paper-kalshi' ? random() < 0.8 : random() < 0.2;
      const skew = (cheapOnKalshi ? 1 : -1) * (20_000 + Math.floor(random() * 25_000));
      const quote = (mid: number) => ({ bid: formatMicros(mid - 5_000), ask: formatMicros(mid + 5_000) });
      push({ ts, venue: 'paper-kalshi', market: 'FED-DEC', ...quote(fair - skew) });
      push({ ts, venue: 'paper-poly', market: 'fed-dec', ...quote(fair + skew) });
      continue;
    }
    const market = random() < 0.5 ? 'SOL-USD' : 'ETH-USD';
    const mid = mids.get(market) ?? 1;
    const gap = random() < 0.03 ? (random() < 0.5 ? -1 : 1) * 0.06 : 0;
    const next = Math.max(1_000_000, Math.round(mid * (1 + (random() * 2 - 1) * 0.004 + gap)));
    mids.set(market, next);
    push({ ts, venue: 'paper', market, bid: formatMicros(next - 10_000), ask: formatMicros(next + 10_000) });
  }
  return `${lines.join('\n')}\n`;
}

function tail(text: string): string {
  return text.split('\n').slice(-12).join('\n');
}

async function waitForInFlight(db: string): Promise<void> {
  for (let waited = 0; waited < TARGET_WAIT_MS_MAX; waited += 1) {
    if (existsSync(db) && inFlight(db)) return;
    await sleep(1);
  }
}

function inFlight(db: string): boolean {
  return withFile(db, (file) => {
    const row = file
      .prepare(
        `SELECT (SELECT count(*) FROM arb_trades WHERE state IN ('planned', 'reserved', 'submitted'))
              + (SELECT count(*) FROM reservations WHERE state = 'pending') AS n`,
      )
      .get() as { n: number };
    return row.n > 0;
  });
}

/** Recovery: `arbbot reconcile`, or (every few rounds) a restarted engine on an empty feed and then `reconcile`. */
function recover(dir: string, db: string, round: number, context: string): number {
  const restarted = round % RESTART_RECOVERY_EVERY === RESTART_RECOVERY_EVERY - 1;
  let repaired = 0;
  if (restarted) {
    const restart = cli(dir, ['--db', db, 'run', '--feed', 'empty.jsonl']);
    expect(restart.code, `${context}: restarted engine:\n${restart.stderr}`).toBe(0);
    const startup = /Start-up reconcile: .*?(?:nothing to repair|(\d+) repaired, (\d+) unresolved)/.exec(restart.stderr);
    expect(startup, `${context}: no start-up reconcile line:\n${restart.stderr}`).not.toBeNull();
    expect(Number(startup?.[2] ?? 0), `${context}: start-up left work unresolved:\n${restart.stderr}`).toBe(0);
    repaired += Number(startup?.[1] ?? 0);
  }
  const reconcile = cli(dir, ['--db', db, 'reconcile']);
  expect(reconcile.code, `${context}: reconcile:\n${reconcile.stdout}${reconcile.stderr}`).toBe(0);
  expect(reconcile.stdout).not.toMatch(/✗/);
  // After a restarted engine's start-up (the same code), crash recovery is complete: nothing is left to do.
  if (restarted) expect(reconcile.stdout, `${context}: reconcile after the restart`).toContain('nothing to repair');
  return repaired + reconcile.stdout.split('\n').filter((line) => line.startsWith('⟳')).length;
}
