// Which process, if any, is running the engine on a ledger: a small pid file beside the database. A cron reconcile
// must not settle an arbitrage a live engine is still waiting on (it could ask the venue a moment before the order
// lands and release money the venue then spends). After a crash the pid is dead and recovery proceeds as usual.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

function markerPath(dbPath: string): string {
  return `${dbPath}.engine.pid`;
}

/** Records this process as the engine of `dbPath`; the returned function removes the record on a clean stop. */
export function markEngineRunning(dbPath: string): () => void {
  const path = markerPath(dbPath);
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    if (otherEngine(dbPath) === null && readPid(path) === process.pid) rmSync(path, { force: true });
  };
}

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of another live process running the engine on `dbPath`, or null. */
export function otherEngine(dbPath: string): number | null {
  const pid = readPid(markerPath(dbPath));
  return pid !== null && pid !== process.pid && alive(pid) ? pid : null;
}
