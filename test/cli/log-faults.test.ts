// An event log that cannot be written never stops the engine and pauses nothing: `arbbot run` says so once, goes on,
// tries the file again every second, and says when it writes again (the log itself records how many lines it missed).
// Through the real CLI — log.file a directory, log.file on a full device — and on the writer with a clock of its own.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EventLog, LOG_RETRY_INTERVAL_MS } from '../../src/cli/event-log.js';
import { cli, spawnArbbot, tempDir, writeConfig } from '../fixtures/helpers.js';
import { fillDisk, smallDisk, stillRunning, tmpfsRefusal } from '../fixtures/storage.js';

const NOT_WRITTEN_TEXT = String.raw`^⚠ event log .* not written \(.*\); the engine goes on, and tries it again every second$`;
/** Every such line (a new expression each time: a global one keeps its place between calls). */
const notWritten = (stderr: string) => stderr.match(new RegExp(NOT_WRITTEN_TEXT, 'gm'));
const WRITTEN_AGAIN = /^✓ event log .* written again \((\d+) line\(s\) missed meanwhile\)$/m;

const records = (text: string) => text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('an event log that cannot be written', () => {
  it('log.file a directory: the run goes on to its last tick, says so once, and leaves the directory as it was', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    writeConfig(dir, { log: { file: 'logs', maxBytes: 1024 } });
    const result = cli(dir, ['--json', 'run', '--max-ticks', '1000', '--speed', 'max']);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { events: number }).events).toBe(1000);
    expect(notWritten(result.stderr)).toEqual([expect.stringContaining(`logs is not a regular file`)]);
    // Never rotated: a rotation would have renamed the directory to logs.1.
    expect(statSync(join(dir, 'logs')).isDirectory()).toBe(true);
    expect(readdirSync(join(dir, 'logs'))).toEqual([]);
    expect(existsSync(join(dir, 'logs.1'))).toBe(false);
  });

  it('the control: a writable log.file gets its records and no such line', () => {
    const dir = tempDir();
    writeConfig(dir, { log: { file: 'events.log' } });
    const result = cli(dir, ['--json', 'run', '--max-ticks', '1000', '--speed', 'max']);
    expect(result.code, result.stderr).toBe(0);
    expect(notWritten(result.stderr)).toBeNull();
    expect(records(readFileSync(join(dir, 'events.log'), 'utf8')).length).toBeGreaterThan(0);
  });

  it('the writer: one report however many lines fail, a retry at most once a second, and the gap recorded', () => {
    const dir = tempDir();
    const path = join(dir, 'events.log');
    mkdirSync(path);
    let nowMs = 0;
    const said: string[] = [];
    const log = new EventLog(path, { maxBytes: 1 << 20, keep: 2 }, { failed: (reason) => said.push(`failed: ${reason}`), recovered: (missed) => said.push(`recovered: ${missed}`) }, () => nowMs);
    for (let index = 0; index < 50; index += 1) log.write({ n: index });
    expect(said).toEqual([`failed: ${path} is not a regular file`]);
    expect(log.failingReason).toBe(`${path} is not a regular file`);
    rmSync(path, { recursive: true });
    // Not tried again before the interval is up: still missed.
    log.write({ n: 50 });
    expect(existsSync(path)).toBe(false);
    nowMs += LOG_RETRY_INTERVAL_MS;
    log.write({ n: 51 });
    expect(said).toEqual([`failed: ${path} is not a regular file`, 'recovered: 51']);
    expect(log.failingReason).toBeNull();
    const written = records(readFileSync(path, 'utf8'));
    expect(written).toEqual([expect.objectContaining({ kind: 'log_resumed', missed: 51 }), { n: 51 }]);
  });
});

const refusal = tmpfsRefusal();
if (refusal !== null) console.log(`log-faults: full-device test skipped: ${refusal}`);

describe.skipIf(refusal !== null)('an event log on a full device', () => {
  it('the run goes on while the device is full, says so once, and writes again (counting what it missed) once there is room', async () => {
    const dir = tempDir();
    const disk = smallDisk(1024 * 1024);
    writeConfig(dir, { log: { file: join(disk, 'events.log') } });
    const run = spawnArbbot(dir, ['run', '--speed', 'max', '--duration', '60']);
    await run.waitForStderr((stderr) => stderr.includes('✓ Position opened successfully'));
    const filler = fillDisk(disk);
    await run.waitForStderr((stderr) => notWritten(stderr) !== null);
    await sleep(LOG_RETRY_INTERVAL_MS * 2);
    expect(stillRunning(run), run.stderr().slice(-2000)).toBe(true);
    rmSync(filler);
    await run.waitForStderr((stderr) => WRITTEN_AGAIN.test(stderr));
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.code, run.stderr().slice(-2000)).toBe(0);
    expect(notWritten(run.stderr())).toHaveLength(1);
    // Every line whole (a line the full device cut short was taken back), and the gap recorded where it was.
    const written = records(readFileSync(join(disk, 'events.log'), 'utf8'));
    const gap = written.find((record) => record.kind === 'log_resumed');
    expect(gap?.missed).toBe(Number(WRITTEN_AGAIN.exec(run.stderr())?.[1]));
    expect(gap?.missed).toBeGreaterThan(0);
  });
});
