// A CLI that never fights its user: a terminal reporting no width gets no spinner (and `run` finishes), colour is
// decided per stream (a log redirected to a file is clean while the terminal keeps its colours), a reader that goes
// away ends the command quietly, and with --json even errors are JSON. Terminals are real: script(1) gives each run a
// pseudo-terminal, skipped with the reason printed where the machine has no script(1).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Micros } from '../../src/domain/money.js';
import { BIN, cli, tempDir } from '../fixtures/helpers.js';
import { cliDir } from '../fixtures/ledger.js';

const SCRIPT = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));
if (SCRIPT === undefined) console.warn('manners.test.ts: no script(1) on this machine: the pseudo-terminal cases are skipped');
const ESC = '\u001b';
/** ora's default spinner frames. */
const SPINNER_FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/u;

/** Runs a shell command line inside a pseudo-terminal of the given width; returns what the terminal received. */
function inTerminal(dir: string, columns: number, commandLine: string): { code: number | null; screen: string } {
  const result = spawnSync(SCRIPT!, ['-qec', `stty cols ${columns} rows 24; ${commandLine}`, '/dev/null'], {
    cwd: dir,
    encoding: 'utf8',
    // The bound a hang would hit: the run itself lasts 2 s.
    timeout: 60_000,
    // CI is unset because the spinner rightly stays off on a CI machine even in a terminal, and these cases are about
    // a person's terminal.
    env: { ...process.env, CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, ARBBOT_DB: '', TERM: 'xterm-256color' },
  });
  return { code: result.status, screen: result.stdout };
}

const run = `'${process.execPath}' '${BIN}' run --duration 2`;

describe.skipIf(SCRIPT === undefined)('run in a terminal', () => {
  it('finishes on a terminal that reports 0 columns, with no spinner drawn', () => {
    const { code, screen } = inTerminal(tempDir(), 0, run);
    expect(code).toBe(0);
    expect(screen).not.toMatch(SPINNER_FRAME);
    expect(screen).toContain('Run summary');
    // Plain lines, as a pipe gets: a few kB, not an endless stream of control codes.
    expect(screen.length).toBeLessThan(200_000);
  });

  it('draws the spinner on a terminal with a width (the control: the terminal is real)', () => {
    const { code, screen } = inTerminal(tempDir(), 100, run);
    expect(code).toBe(0);
    expect(screen).toMatch(SPINNER_FRAME);
  });

  it('keeps colours on the terminal and none in a log redirected to a file', () => {
    const dir = tempDir();
    const { code, screen } = inTerminal(dir, 100, `${run} 2>bot.log`);
    expect(code).toBe(0);
    const log = readFileSync(join(dir, 'bot.log'), 'utf8');
    expect(log).toContain('Position opened');
    expect(log).not.toContain(ESC);
    // The summary went to the terminal, in colour.
    expect(screen).toContain(`${ESC}[`);
  });

  it('colours the log when it is the terminal (the control: the same lines, stderr not redirected)', () => {
    const { screen } = inTerminal(tempDir(), 100, `${run} >/dev/null`);
    expect(screen).toMatch(new RegExp(`${ESC}\\[3\\dm✓ Position opened`));
  });
});

describe('a reader that goes away', () => {
  /** A ledger whose history is far more than a pipe holds (some 3,000 rows). */
  function longHistory(): string {
    return cliDir('100', (ledger) => {
      for (let index = 0; index < 3000; index += 1) ledger.deposit('paper', 1_000_000 as Micros, { description: `deposit ${index}` });
    }).dir;
  }

  function readFirstChunk(dir: string, args: string[]): Promise<{ code: number | null; stderr: string; read: number }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ARBBOT_DB: '' } });
      let stderr = '';
      let read = 0;
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.once('data', (chunk: Buffer) => {
        read = chunk.length;
        child.stdout.destroy();
      });
      child.on('close', (code) => resolve({ code, stderr, read }));
    });
  }

  it('ends `history | head` quietly, exit 0, no stack', async () => {
    const dir = longHistory();
    const { code, stderr, read } = await readFirstChunk(dir, ['history', '--limit', '3000']);
    expect(read).toBeGreaterThan(0);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('writes much more than one read when the reader stays (the control: the pipe really was cut short)', () => {
    const dir = longHistory();
    const full = cli(dir, ['history', '--limit', '3000']);
    expect(full.code).toBe(0);
    // The same history is several times what a pipe holds (64 KiB).
    expect(full.stdout.length).toBeGreaterThan(3 * 65_536);
  });
});

describe('errors with --json', () => {
  const jsonError = (stderr: string) => JSON.parse(stderr) as { error: { code: string; exitCode: number; message: string } };

  it("are one JSON object on stderr: our own errors and commander's usage errors alike", () => {
    const dir = cliDir('100').dir;
    const missing = cli(dir, ['--json', 'close', '999']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(jsonError(missing.stderr)).toEqual({ error: { code: 'bad_input', exitCode: 2, message: 'no position with id 999' } });

    const unknown = cli(dir, ['--json', 'positions', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(jsonError(unknown.stderr)).toEqual({ error: { code: 'bad_input', exitCode: 2, message: "unknown option '--bogus'" } });
  });

  it('are one plain line without it, commander\'s included, naming the command\'s help', () => {
    const dir = cliDir('100').dir;
    expect(cli(dir, ['close', '999']).stderr).toBe('arbbot: no position with id 999\n');
    expect(cli(dir, ['positions', '--bogus']).stderr).toBe("arbbot: unknown option '--bogus' (run arbbot positions --help for usage)\n");
  });
});
