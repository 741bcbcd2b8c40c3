// The kill test: a separate process trades arbitrage with injected venue faults on real files and is SIGKILLed at a
// seeded random moment, round after round on the same files. After every kill the real CLI's `reconcile` must settle
// everything (exit 0, venues' cash agreeing with the ledger) and `wallet-check` must say HEALTHY; then the files are
// audited directly: no reservation left pending without an order in flight, and every order at the paper venues is
// a leg the ledger knows, placed once, booked exactly as the venue filled it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { seededRandom } from '../../../src/feeds/synthetic.js';
import { walletCheck } from '../../../src/ledger/health.js';
import { Ledger } from '../../../src/ledger/ledger.js';
import { cli, tempDir, writeConfig } from '../../fixtures/helpers.js';
import { invariantViolations } from '../../fixtures/invariants.js';
import { dbOf } from '../../fixtures/helpers.js';

const WORKER = fileURLToPath(new URL('../../fixtures/workers/kill-worker.mjs', import.meta.url));
const ROUNDS = 12;
const SEED = 20_261;
/** Kills land between 0 and this long after the worker is ready (it trades continuously by then). */
const KILL_DELAY_MS_MAX = 400;
const READY_WAIT_MS_MAX = 30_000;
/** Each CLI run costs a Node start-up; the in-process wallet-check covers the rounds in between. */
const CLI_CHECK_EVERY = 3;

const CONFIG = {
  synchronous: 'NORMAL',
  venues: {
    kalshi: { type: 'paper', predictionMarket: true, startingBalance: '100000', markets: { FED: { bid: '0.40', ask: '0.42', depth: '20' } } },
    poly: { type: 'paper', predictionMarket: true, startingBalance: '100000', markets: { fed: { bid: '0.45', ask: '0.47', depth: '20' } } },
  },
  pairs: { 'fed-dec': { a: { venue: 'kalshi', market: 'FED' }, b: { venue: 'poly', market: 'fed' }, maxSize: '15', minEdgeBps: 20, confirmed: true } },
  costs: { feePct: '1', spreadPct: '0.1', slippagePct: '0' },
  arbitrage: { orderTimeoutMs: 100, timeInForce: 'ioc', unhedged: { action: 'hedge', hedgeMaxLossBps: 300 } },
};

interface Round {
  readonly trades: number;
  readonly recovered: number;
}

/** Starts the worker, waits until it trades, kills it after `delayMs`; resolves with the trades it reported. */
async function runAndKill(dir: string, db: string, config: string, seed: number, delayMs: number): Promise<number> {
  const child = spawn(process.execPath, [WORKER, db, config, String(seed)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    for (let waited = 0; !out.includes('ready\n'); waited += 10) {
      if (child.exitCode !== null || waited > READY_WAIT_MS_MAX) throw new Error(`worker did not start:\n${out}\n${err}`);
      await sleep(10);
    }
    await sleep(delayMs);
    expect(child.exitCode).toBeNull(); // still trading: the kill lands mid-run
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  expect(err).toBe('');
  return out.split('\n').filter((line) => line.startsWith('trade ')).length;
}

/** The files themselves, read directly: reservations, in-flight trades, and every order the paper venues hold. */
function auditFiles(db: string): void {
  const ledger = Ledger.open(db, { readonly: true });
  const paper = new Database(join(db, '..', 'arbbot.paper.db'), { readonly: true, fileMustExist: true });
  try {
    expect(invariantViolations(ledger)).toEqual([]);
    const health = walletCheck(ledger);
    expect(health.checks.filter((check) => !check.ok)).toEqual([]);
    // Every venue answered, so nothing may be left in flight, and no reservation pending without an order in flight.
    const orphans = dbOf(ledger)
      .prepare(
        `SELECT r.id FROM reservations r WHERE r.state = 'pending'
           AND NOT EXISTS (SELECT 1 FROM arb_legs l WHERE l.reservation_id = r.id AND l.state IN ('submitted', 'unknown'))`,
      )
      .all();
    expect(orphans).toEqual([]);
    expect(dbOf(ledger).prepare("SELECT id, state FROM arb_trades WHERE state NOT IN ('settled', 'failed')").all()).toEqual([]);
    expect(dbOf(ledger).prepare("SELECT id, leg, state FROM arb_legs WHERE state <> 'settled'").all()).toEqual([]);
    // One order per client order id, anywhere.
    expect(paper.prepare('SELECT client_order_id FROM paper_orders GROUP BY client_order_id HAVING count(*) > 1').all()).toEqual([]);
    const orders = paper.prepare('SELECT venue, client_order_id, venue_order_id, filled_quantity, filled_notional, fee FROM paper_orders').all() as {
      venue: string;
      client_order_id: string;
      venue_order_id: string;
      filled_quantity: number;
      filled_notional: number;
      fee: number;
    }[];
    const legByOrder = dbOf(ledger).prepare('SELECT venue, venue_order_id, filled_quantity, filled_notional, fee FROM arb_legs WHERE client_order_id = ?');
    for (const order of orders) {
      // Every venue order is one of our legs, on that venue, booked exactly as the venue filled it.
      expect({ clientOrderId: order.client_order_id, leg: legByOrder.get(order.client_order_id) }).toEqual({
        clientOrderId: order.client_order_id,
        leg: { venue: order.venue, venue_order_id: order.venue_order_id, filled_quantity: order.filled_quantity, filled_notional: order.filled_notional, fee: order.fee },
      });
    }
    // And a leg the ledger says filled has its order at the venue.
    const filledLegs = dbOf(ledger).prepare('SELECT client_order_id FROM arb_legs WHERE filled_quantity > 0').all() as { client_order_id: string }[];
    const atVenue = new Set(orders.map((order) => order.client_order_id));
    expect(filledLegs.filter((leg) => !atVenue.has(leg.client_order_id))).toEqual([]);
  } finally {
    paper.close();
    ledger.close();
  }
}

it(`survives ${ROUNDS} SIGKILLs at random moments: reconcile settles everything, wallet-check HEALTHY, nothing placed twice`, async () => {
  const dir = tempDir();
  const db = join(dir, 'arbbot.db');
  const config = writeConfig(dir, CONFIG);
  const random = seededRandom(SEED);
  const rounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const delayMs = Math.floor(random() * KILL_DELAY_MS_MAX);
    const trades = await runAndKill(dir, db, config, SEED + round, delayMs);
    const reconciled = cli(dir, ['--config', config, '--db', db, '--json', 'reconcile']);
    const report = JSON.parse(reconciled.stdout) as { consistent: boolean; actions: { kind: string }[]; unresolved: unknown[] };
    expect({ round, delayMs, code: reconciled.code, unresolved: report.unresolved }).toEqual({ round, delayMs, code: 0, unresolved: [] });
    // wallet-check: the real CLI every few rounds and after the last, the same check in-process after every round.
    if (round % CLI_CHECK_EVERY === 0 || round === ROUNDS) {
      const checked = cli(dir, ['--config', config, '--db', db, '--json', 'wallet-check']);
      expect({ round, code: checked.code, status: (JSON.parse(checked.stdout) as { status: string }).status }).toEqual({ round, code: 0, status: 'HEALTHY' });
    }
    auditFiles(db);
    rounds.push({ trades, recovered: report.actions.filter((action) => action.kind === 'arb_recovered').length });
  }
  // The rounds traded, and kills did land with orders in flight for reconcile to finish.
  expect(rounds.reduce((sum, r) => sum + r.trades, 0)).toBeGreaterThan(ROUNDS);
  expect(rounds.filter((r) => r.recovered > 0).length).toBeGreaterThan(0);
}, 120_000);
