// Long-running CLI processes for e2e tests: `arbbot run` spawned with a piped stdin feed, its output collected, and
// bounded waits for what it prints (a wait that runs out fails the test; nothing asserts on how long anything took).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnArbbot } from '../helpers.js';
import type { FeedLine } from './e2e-fixtures.js';

/** Upper bound on any wait for a child process: generous, so a slow shared machine never fails a correct run. */
const WAIT_MS_MAX = 45_000;

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
  const running = spawnArbbot(dir, args, WAIT_MS_MAX);
  return {
    ...running,
    write(lines) {
      running.child.stdin.write(lines.map((line) => `${typeof line === 'string' ? line : JSON.stringify(line)}\n`).join(''));
    },
    async waitForStderr(predicate, what) {
      if (!(await running.waitForStderr(predicate))) throw new Error(`process exited before ${what}:\n${running.stdout()}\n${running.stderr()}`);
    },
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
