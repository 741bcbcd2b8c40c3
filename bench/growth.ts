// Benchmark 7 — how the files grow: the zero-configuration demo at its real pace (the real CLI, `arbbot run` in a
// child process) for a measured stretch, projected to a month of running; and an idle engine (its venues silent, so
// paused, with its arbitrage armed) watched while it waits, which must write nothing. The log is what `run` writes to
// stderr, as `arbbot run 2>>bot.log` would keep it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { atMost, nowNs, REPO_ROOT, removeDir, scratchDir, secondsSince, type Measurement, type Section } from './harness.js';

const CLI = join(REPO_ROOT, 'bin', 'arbbot.js');
const DEMO_SECONDS = Number(process.env.BENCH_GROWTH_SECONDS ?? 60);
const IDLE_SECONDS = 20;
const SECONDS_PER_MONTH = 30 * 24 * 3600;
/** An idle engine may write at most this much in a month (its files' pages): in practice nothing. */
const IDLE_BYTES_PER_MONTH_MAX = 1024 * 1024;

/** The bytes of a SQLite file and its write-ahead log. */
function fileBytes(path: string): number {
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
  return size(path) + size(`${path}-wal`);
}

/** Every row of every table of the ledger: what "writes nothing" means, whatever the page allocation does. */
function rowCount(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    return tables.reduce((sum, table) => sum + (db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number), 0);
  } finally {
    db.close();
  }
}

interface DemoGrowth {
  readonly ledgerBytes: number;
  readonly paperBytes: number;
  readonly logBytes: number;
  readonly rows: number;
  readonly seconds: number;
}

function runCli(cwd: string, args: readonly string[]): { stderrBytes: number; seconds: number } {
  const started = nowNs();
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.ARBBOT_DB;
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env, maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`growth bench: arbbot ${args.join(' ')} exited ${result.status}: ${result.stderr.toString().trim()}`);
  return { stderrBytes: result.stderr.length, seconds: secondsSince(started) };
}

/** The demo for a few seconds (the files created, the start-up written), then again for DEMO_SECONDS: the second run's growth. */
function demoGrowth(dir: string): DemoGrowth {
  const ledger = join(dir, 'arbbot.db');
  const paper = join(dir, 'arbbot.paper.db');
  runCli(dir, ['run', '--duration', '3']);
  const before = { ledger: fileBytes(ledger), paper: fileBytes(paper), rows: rowCount(ledger) };
  const run = runCli(dir, ['run', '--duration', String(DEMO_SECONDS)]);
  return {
    ledgerBytes: fileBytes(ledger) - before.ledger,
    paperBytes: fileBytes(paper) - before.paper,
    logBytes: run.stderrBytes,
    rows: rowCount(ledger) - before.rows,
    seconds: DEMO_SECONDS,
  };
}

/**
 * An engine on a feed that quotes every demo venue once, disconnects them, then says nothing: paused, its pairs'
 * next trades armed. What it writes between two looks IDLE_SECONDS apart is the idle growth.
 */
async function idleGrowth(dir: string): Promise<{ bytes: number; rows: number; seconds: number }> {
  const ledger = join(dir, 'arbbot.db');
  runCli(dir, ['init']);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.ARBBOT_DB;
  const child = spawn(process.execPath, [CLI, 'run', '--feed', '-'], { cwd: dir, env, stdio: ['pipe', 'ignore', 'ignore'] });
  const ts = Date.now();
  const lines = [
    { venue: 'paper', market: 'SOL-USD', bid: '99.9', ask: '100.1' },
    { venue: 'paper', market: 'ETH-USD', bid: '2999', ask: '3001' },
    // The pair's prices do not cross: nothing trades, the next trade stays armed.
    { venue: 'paper-kalshi', market: 'FED-DEC', bid: '0.45', ask: '0.46' },
    { venue: 'paper-poly', market: 'fed-dec', bid: '0.45', ask: '0.46' },
    ...['paper', 'paper-kalshi', 'paper-poly'].map((venue) => ({ type: 'disconnect', venue })),
  ];
  child.stdin.write(lines.map((line) => JSON.stringify({ ts, ...line })).join('\n') + '\n');
  try {
    await sleep(3_000);
    const first = { bytes: fileBytes(ledger) + fileBytes(join(dir, 'arbbot.paper.db')), rows: rowCount(ledger) };
    await sleep(IDLE_SECONDS * 1000);
    const second = { bytes: fileBytes(ledger) + fileBytes(join(dir, 'arbbot.paper.db')), rows: rowCount(ledger) };
    if (child.exitCode !== null) throw new Error(`growth bench: the idle engine exited ${child.exitCode}`);
    return { bytes: second.bytes - first.bytes, rows: second.rows - first.rows, seconds: IDLE_SECONDS };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const MIB = 2 ** 20;
const perMonth = (bytes: number, seconds: number) => (bytes / seconds) * SECONDS_PER_MONTH;

function projected(name: string, bytes: number, seconds: number): Measurement {
  const monthMiB = perMonth(bytes, seconds) / MIB;
  const figure = { label: 'projected from the measured run', value: monthMiB, unit: 'MiB/month' };
  const floor = { label: `grown in ${seconds} s`, value: bytes / MIB, unit: 'MiB' };
  return { name, figure, floor, ratio: monthMiB, ratioText: `${(bytes / 1024).toFixed(0)} KiB in ${seconds} s`, target: 'none (reported)', pass: true, informational: true };
}

export async function growthBench(): Promise<Section> {
  const started = nowNs();
  const demoDir = scratchDir('growth-demo');
  const idleDir = scratchDir('growth-idle');
  try {
    const demo = demoGrowth(demoDir);
    const idle = await idleGrowth(idleDir);
    const idleMonth = perMonth(idle.bytes, idle.seconds);
    const measurements = [
      projected('demo at its real pace: ledger', demo.ledgerBytes, demo.seconds),
      projected('demo at its real pace: paper venues\' books', demo.paperBytes, demo.seconds),
      projected('demo at its real pace: log (stderr)', demo.logBytes, demo.seconds),
      atMost(
        `idle engine (paused, trades armed): ledger and paper books`,
        { label: `projected from ${idle.seconds} s idle`, value: idleMonth, unit: 'bytes/month' },
        { label: 'bound', value: IDLE_BYTES_PER_MONTH_MAX, unit: 'bytes/month' },
      ),
    ];
    const details = [
      `Demo: zero configuration, \`arbbot run --duration ${DEMO_SECONDS}\` after a 3 s run that created the files; ${demo.rows.toLocaleString('en-US')} ` +
        `ledger rows written (${((demo.rows / demo.seconds) * SECONDS_PER_MONTH).toLocaleString('en-US', { maximumFractionDigits: 0 })} a month at this pace). ` +
        'A month of the demo is a worst case: it opens a position whenever one closes and trades every crossing of its pair.',
      `Idle: ${idle.rows} row(s) and ${idle.bytes} byte(s) written in ${idle.seconds} s while paused with the pair's next trade armed.`,
    ];
    return { title: '7. Growth: a month of the demo, and an idle engine', measurements, details, seconds: secondsSince(started) };
  } finally {
    removeDir(demoDir);
    removeDir(idleDir);
  }
}
