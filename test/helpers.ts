// Shared test helpers: temporary directories with real SQLite files, and the real CLI run in a child process.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type Database from 'better-sqlite3';
import { connectionOf } from '../src/ledger/connections.js';
import { Ledger } from '../src/ledger/ledger.js';

export const BIN = fileURLToPath(new URL('../bin/arbbot.js', import.meta.url));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbbot-test-'));
  dirs.push(dir);
  return dir;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI synchronously in a child process with cwd = `dir` (no stray ./arbbot.db or config). */
export function cli(dir: string, args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ARBBOT_DB: '', ...options.env },
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the real CLI asynchronously (for concurrency tests). */
export function cliAsync(dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the CLI with --json and parses stdout. */
export function cliJson<T = Record<string, unknown>>(dir: string, args: readonly string[]): { code: number; json: T; stderr: string } {
  const result = cli(dir, ['--json', ...args]);
  let json: T;
  try {
    json = JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
  return { code: result.code, json, stderr: result.stderr };
}

export function writeConfig(dir: string, config: unknown, name = 'arbbot.config.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** A ledger on a fresh temporary file. */
export function tempLedger(options: { now?: () => Date } = {}): { ledger: Ledger; path: string } {
  const path = join(tempDir(), 'ledger.db');
  const ledger = Ledger.open(path, { synchronous: 'NORMAL', ...options });
  return { ledger, path };
}

/** The SQLite connection behind a ledger: tests read the file directly, as no other layer of the bot may. */
export function dbOf(ledger: Ledger): Database.Database {
  return connectionOf(ledger);
}

/** A logical dump of every table (for "bad input leaves the ledger unchanged"). */
export function dump(path: string): string {
  const ledger = Ledger.open(path, { readonly: true });
  try {
    const tables = dbOf(ledger).prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return tables.map(({ name }) => `${name}:${JSON.stringify(dbOf(ledger).prepare(`SELECT * FROM "${name}"`).all())}`).join('\n');
  } finally {
    ledger.close();
  }
}

/** Upper bound on any wait for a child process; generous because the machine is shared. Never asserted on. */
const CHILD_WAIT_MS_MAX = 90_000;
const CHILD_POLL_MS = 15;

export interface Child {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its pipes are drained. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves true once `predicate(stderr)` holds, false if the process exits first; throws after the wait bound. */
  waitForStderr(predicate: (stderr: string) => boolean): Promise<boolean>;
}

/** `node bin/arbbot.js …args` in `dir`, stdout and stderr collected, never outliving the test by more than the bound. */
export function spawnArbbot(dir: string, args: readonly string[], waitMsMax = CHILD_WAIT_MS_MAX): Child {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ARBBOT_DB: '' } });
  let out = '';
  let err = '';
  let done = false;
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 2 * waitMsMax);
  void exited.then(() => clearTimeout(killer));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForStderr(predicate) {
      for (let waited = 0; waited < waitMsMax; waited += CHILD_POLL_MS) {
        if (predicate(err)) return true;
        if (done) return predicate(err);
        await sleep(CHILD_POLL_MS);
      }
      throw new Error(`gave up waiting on the child's stderr:\n${err.slice(-2000)}`);
    },
  };
}
