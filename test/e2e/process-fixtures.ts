// Long-running CLI processes for e2e tests: `arbbot run` spawned with a piped stdin feed, its output collected, and
// bounded waits for what it prints (a wait that runs out fails the test; nothing asserts on how long anything took).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN } from '../helpers.js';
import type { FeedLine } from './e2e-fixtures.js';

/** Upper bound on any wait for a child process: generous, so a slow shared machine never fails a correct run. */
const WAIT_MS_MAX = 45_000;
const POLL_MS = 20;

export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Writes feed lines to the child's stdin. */
  write(lines: readonly FeedLine[]): void;
  /** Resolves once `predicate(stderr)` holds; rejects if the process exits first or the wait runs out. */
  waitForStderr(predicate: (stderr: string) => boolean, what: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(dir: string, args: readonly string[]): RunningCli {
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
  const killer = setTimeout(() => child.kill('SIGKILL'), 2 * WAIT_MS_MAX);
  void exited.then(() => clearTimeout(killer));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    write(lines) {
      child.stdin.write(lines.map((line) => `${typeof line === 'string' ? line : JSON.stringify(line)}\n`).join(''));
    },
    async waitForStderr(predicate, what) {
      for (let waited = 0; waited < WAIT_MS_MAX; waited += POLL_MS) {
        if (predicate(err)) return;
        if (done) throw new Error(`process exited before ${what}:\n${out}\n${err}`);
        await sleep(POLL_MS);
      }
      throw new Error(`gave up waiting for ${what}:\n${err}`);
    },
    exited,
  };
}

/** Resolves with the exit, or kills the process and rejects when it does not exit within the bound. */
export async function exitOf(running: RunningCli): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`process did not exit:\n${running.stderr()}`));
    }, WAIT_MS_MAX);
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
