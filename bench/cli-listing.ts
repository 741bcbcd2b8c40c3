// Benchmark 6 — listings on a large ledger: `arbbot history --limit 100000` and `arbbot positions` on a ledger of
// 1,000,000 wallet transactions (some 200,000 closed positions), each the real CLI in a child process with its output
// piped, median of a few runs. What a listing costs must follow what it prints, never the ledger's age: history
// reads the newest rows by the primary key, positions the open ones and the latest closed plus one aggregate.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fillLedger } from './ledger-fill.js';
import { atMost, median, nowNs, REPO_ROOT, removeDir, reported, scratchDir, secondsSince, type Section } from './harness.js';

const TRANSACTIONS = 1_000_000;
const RUNS = 3;
const HISTORY_ROWS = 100_000;
const HISTORY_MS_MAX = 2_000;
const POSITIONS_MS_MAX = 500;
const CLI = join(REPO_ROOT, 'bin', 'arbbot.js');

interface Timed {
  readonly ms: number;
  readonly bytes: number;
}

export async function cliListing(): Promise<Section> {
  const started = nowNs();
  const dir = scratchDir('listing');
  try {
    const dbPath = join(dir, 'ledger.db');
    const fillStarted = nowNs();
    const fill = fillLedger(dbPath, TRANSACTIONS);
    const fillSeconds = secondsSince(fillStarted);
    const sizeMiB = statSync(dbPath).size / 2 ** 20;
    const timed = (args: readonly string[]) => medianOf(dir, ['--db', dbPath, ...args]);
    const bare = medianOf(dir, null);
    const history = timed(['history', '--limit', String(HISTORY_ROWS)]);
    const historyJson = timed(['--json', 'history', '--limit', String(HISTORY_ROWS)]);
    const positions = timed(['positions']);
    const positionsJson = timed(['--json', 'positions']);
    const measurements = [
      atMost(`\`history --limit ${HISTORY_ROWS}\` (table, piped)`, { label: 'arbbot history', value: history.ms, unit: 'ms' }, { label: 'bound', value: HISTORY_MS_MAX, unit: 'ms' }),
      atMost('`positions` (open + the latest 20 closed, totals)', { label: 'arbbot positions', value: positions.ms, unit: 'ms' }, { label: 'bound', value: POSITIONS_MS_MAX, unit: 'ms' }),
      reported(`\`--json history --limit ${HISTORY_ROWS}\``, { label: 'arbbot --json history', value: historyJson.ms, unit: 'ms' }, { label: 'node -e ""', value: bare.ms, unit: 'ms' }),
      reported('`--json positions`', { label: 'arbbot --json positions', value: positionsJson.ms, unit: 'ms' }, { label: 'node -e ""', value: bare.ms, unit: 'ms' }),
    ];
    const details = [
      `Ledger: ${TRANSACTIONS.toLocaleString('en-US')} wallet transactions, ${fill.positions.toLocaleString('en-US')} positions, ` +
        `${fill.reservations.toLocaleString('en-US')} reservations; ${sizeMiB.toFixed(0)} MiB on disk (filled in ${fillSeconds.toFixed(1)} s).`,
      `Output: history ${(history.bytes / 2 ** 20).toFixed(1)} MiB as a table, ${(historyJson.bytes / 2 ** 20).toFixed(1)} MiB as JSON; ` +
        `positions ${(positions.bytes / 1024).toFixed(1)} KiB. Median of ${RUNS} runs each; node -e "" alone: ${bare.ms.toFixed(0)} ms.`,
    ];
    return { title: '6. Listings on a large ledger', measurements, details, seconds: secondsSince(started) };
  } finally {
    removeDir(dir);
  }
}

/** The median wall time of `node bin/arbbot.js …args` (or `node -e ""` for null), with what the last run printed. */
function medianOf(cwd: string, args: readonly string[] | null): Timed {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.ARBBOT_DB;
  const times: number[] = [];
  let bytes = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const start = nowNs();
    const result = spawnSync(process.execPath, args === null ? ['-e', ''] : [CLI, ...args], { cwd, env, maxBuffer: 1 << 30 });
    times.push(Number(nowNs() - start) / 1e6);
    if (result.status !== 0) throw new Error(`listing bench: ${args?.join(' ')} exited ${result.status}: ${result.stderr.toString().trim()}`);
    bytes = result.stdout.length;
  }
  return { ms: median(times), bytes };
}
