// CONTROL for the two-process test: what the ledger must never do. It writes the way docs/ledger.md warns against — a
// DEFERRED transaction that reads the wallet, then updates it — with a short busy timeout, so a commit by another
// process between its read and its write makes it fail with SQLITE_BUSY. Each failure is reported on stderr the way
// the CLI reports an error, so the two-process test's busy detector must flag it.
// It touches only wallets.updated_at: balances never change, the books stay balanced.
// Usage: node deferred-writer.mjs <db> <durationMs>; prints one JSON line {attempts, committed, busy} on stdout.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');

const [path, durationText] = process.argv.slice(2);
const durationMs = Number(durationText);
const BUSY_TIMEOUT_MS = 20;
/** Held between the read and the write, so other processes' commits land in between. */
const HOLD_MS = 3;

const db = new Database(path, { fileMustExist: true });
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
const read = db.prepare("SELECT total, available, locked FROM wallets WHERE venue = 'paper'");
const write = db.prepare("UPDATE wallets SET updated_at = ? WHERE venue = 'paper'");
const pause = new Int32Array(new SharedArrayBuffer(4));
const readThenWrite = db.transaction(() => {
  const wallet = read.get();
  Atomics.wait(pause, 0, 0, HOLD_MS);
  write.run(`${new Date().toISOString()} (${wallet.total})`);
});

const counts = { attempts: 0, committed: 0, busy: 0 };
const started = Date.now();
while (Date.now() - started < durationMs) {
  counts.attempts += 1;
  try {
    readThenWrite.deferred();
    counts.committed += 1;
  } catch (error) {
    if (String(error?.code).startsWith('SQLITE_BUSY')) counts.busy += 1;
    process.stderr.write(`control: ${error?.code ?? 'error'}: ${error?.message ?? error}\n`);
  }
  await new Promise((resolve) => setTimeout(resolve, 1));
}
db.close();
process.stdout.write(`${JSON.stringify(counts)}\n`);
