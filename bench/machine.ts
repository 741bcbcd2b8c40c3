// What the figures were measured on: they are ratios within one run, but a reader still needs the machine, the
// load it was under, and the disk the temp databases lived on.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, type as osType } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT } from './harness.js';

export interface Machine {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly os: string;
  readonly node: string;
  readonly betterSqlite3: string;
  readonly sqlite: string;
  readonly scratchFilesystem: string;
  readonly loadAverage: string;
}

export function describeMachine(): Machine {
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS version').get() as { version: string }).version;
  db.close();
  const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string };
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    os: `${osType()} ${release()}`,
    node: process.version,
    betterSqlite3: packageJson.version,
    sqlite,
    scratchFilesystem: filesystemOf(process.env.BENCH_DIR ?? tmpdir()),
    loadAverage: loadText(),
  };
}

export function loadText(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}

/** The mount holding `path` and its type, from /proc/mounts (Linux); "unknown" elsewhere. */
function filesystemOf(path: string): string {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => fields.length >= 3 && (path === fields[1] || path.startsWith(fields[1] === '/' ? '/' : `${fields[1]}/`)));
    const mount = mounts.sort((a, b) => (b[1]?.length ?? 0) - (a[1]?.length ?? 0))[0];
    return mount ? `${path} on ${mount[1]} (${mount[2]}, ${mount[0]})` : `${path} (mount unknown)`;
  } catch {
    return `${path} (mount unknown)`;
  }
}
