// The JSON-lines event log rotates by size: a file never grows past log.maxBytes (a line is never split), log.keep
// older files are kept beside it (newest .1), the oldest beyond them deleted, and every file is owner-only. Through
// the real CLI (`run` with a small limit) and on the writer itself, where the exact order of records is checked.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonLogFile } from '../../src/cli/log-file.js';
import { cli, tempDir, writeConfig } from '../fixtures/helpers.js';

const records = (text: string) => text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the event log', () => {
  it('keeps each file within log.maxBytes and log.keep old files, every line whole, owner-only', () => {
    const dir = tempDir();
    writeConfig(dir, { log: { file: 'events.log', maxBytes: 4096, keep: 2 } });
    const result = cli(dir, ['run', '--max-ticks', '3000', '--speed', 'max']);
    expect(result.code, result.stderr).toBe(0);
    const logs = readdirSync(dir).filter((name) => name.startsWith('events.log')).sort();
    expect(logs).toEqual(['events.log', 'events.log.1', 'events.log.2']);
    for (const name of logs) {
      const path = join(dir, name);
      expect(statSync(path).size).toBeLessThanOrEqual(4096);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(records(readFileSync(path, 'utf8')).length).toBeGreaterThan(0);
    }
  });

  it('grows past that size without rotation (the control: the run writes more than the limit)', () => {
    const dir = tempDir();
    writeConfig(dir, { log: { file: 'events.log' } });
    expect(cli(dir, ['run', '--max-ticks', '3000', '--speed', 'max']).code).toBe(0);
    expect(statSync(join(dir, 'events.log')).size).toBeGreaterThan(3 * 4096);
    expect(existsSync(join(dir, 'events.log.1'))).toBe(false);
  });

  it('rotates newest to .1, drops only what is beyond keep, and loses nothing else in order', () => {
    const path = join(tempDir(), 'events.log');
    const log = new JsonLogFile(path, { maxBytes: 1024, keep: 3 });
    const written = Array.from({ length: 200 }, (_, index) => ({ n: index, note: 'x'.repeat(40) }));
    for (const record of written) log.write(record);
    const kept = [`${path}.3`, `${path}.2`, `${path}.1`, path].flatMap((file) => records(readFileSync(file, 'utf8')));
    expect(existsSync(`${path}.4`)).toBe(false);
    // The newest records, contiguous and in order: the dropped ones are exactly the oldest.
    const first = kept[0]!.n as number;
    expect(kept).toEqual(written.slice(first));
    expect(kept.length).toBeLessThan(written.length);
  });

  it('refuses a limit below 1 KiB or keep 0 in the config, naming the key', () => {
    const dir = tempDir();
    writeConfig(dir, { log: { file: 'events.log', maxBytes: 10 } });
    const small = cli(dir, ['run', '--max-ticks', '1']);
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(/log\.maxBytes/);
    writeConfig(dir, { log: { file: 'events.log', keep: 0 } });
    const none = cli(dir, ['run', '--max-ticks', '1']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/log\.keep/);
    expect(existsSync(join(dir, 'events.log'))).toBe(false);
  });
});
