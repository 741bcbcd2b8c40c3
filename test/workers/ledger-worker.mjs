// A separate OS process writing to a ledger file through the built Ledger (dist/), for the concurrency and crash
// suites. It opens the ledger, prints "ready", waits for "go" on stdin (so several workers start together), runs
// its mode, and prints one JSON summary line. Usage: node ledger-worker.mjs <mode> <db> [args...]
import { createInterface } from 'node:readline';
import { Ledger } from '../../dist/ledger/ledger.js';

const [mode, path, ...args] = process.argv.slice(2);
const ledger = Ledger.open(path, { synchronous: 'NORMAL', busyTimeoutMs: 10_000 });
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));
const errors = {};

/** Runs one ledger call; an error is counted by class and SQLite code rather than thrown. */
function attempt(fn) {
  try {
    return fn();
  } catch (error) {
    const name = `${error?.name ?? 'Error'}${error?.code ? `:${error.code}` : ''}: ${String(error?.message).slice(0, 80)}`;
    errors[name] = (errors[name] ?? 0) + 1;
    return undefined;
  }
}

const modes = {
  /** Deposits, reserve/commit or release, withdrawals: read-then-write transactions that contend for one wallet. */
  churn([countText, tag]) {
    const count = Number(countText);
    for (let i = 0; i < count; i++) {
      attempt(() => ledger.deposit('paper', 1_000_001));
      const reserved = attempt(() => ledger.reserve({ venue: 'paper', amount: 500_000, idempotencyKey: `${tag}-${i}`, purpose: 'churn' }));
      if (reserved) {
        const id = reserved.reservation.id;
        attempt(() => (i % 2 === 0 ? ledger.commitReservation(id, { amount: 250_000 }) : ledger.releaseReservation(id)));
      }
      attempt(() => ledger.withdraw('paper', 500_000));
    }
    return {};
  },
  /** Tries to withdraw the whole balance of each listed wallet: the double-spend race. */
  spend(venues) {
    const won = [];
    for (const venue of venues) {
      const wallet = ledger.requireWallet(venue);
      if (wallet.available === 0) continue; // the other worker already took it; trying would only count a refusal
      if (attempt(() => ledger.withdraw(venue, 10_000_000))) won.push(venue);
    }
    return { won };
  },
  /** Deposits one cent at a time with a key, acknowledging each commit on stdout, until killed. */
  ack([prefix]) {
    for (let i = 0; ; i++) {
      ledger.deposit('paper', 10_000, { idempotencyKey: `${prefix}-${i}` });
      process.stdout.write(`ack ${prefix}-${i}\n`);
    }
  },
};

process.stdout.write('ready\n');
await nextLine();
const result = modes[mode](args);
ledger.close();
process.stdout.write(`${JSON.stringify({ ...result, errors })}\n`);
lines.close();
