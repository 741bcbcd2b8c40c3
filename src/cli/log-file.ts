// The JSON-lines event log (config `log`): one record per line, scrubbed and safe to print, in a file only its owner
// can read, rotated by size so an engine that runs for months keeps a bounded amount of it.
import { appendFileSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import type { LogConfig } from '../config/config.js';
import { createOwnerOnly } from '../security/private-files.js';
import { safeJson } from './output.js';

export class JsonLogFile {
  private sizeBytes: number;

  constructor(
    readonly path: string,
    private readonly rotation: Pick<LogConfig, 'maxBytes' | 'keep'>,
  ) {
    createOwnerOnly(path);
    const stat = statSync(path);
    // A directory (or a device) at the path is not a log: appending fails, and rotating would rename it.
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    this.sizeBytes = stat.size;
  }

  write(record: Record<string, unknown>): void {
    const line = `${safeJson(record)}\n`;
    const lineBytes = Buffer.byteLength(line);
    // A line is never split across two files; a file already holding something is rotated before it would overflow.
    if (this.sizeBytes > 0 && this.sizeBytes + lineBytes > this.rotation.maxBytes) this.rotate();
    try {
      appendFileSync(this.path, line);
    } catch (error) {
      // A full device may have taken part of the line: cut it off, so every line in the file stays whole.
      try {
        truncateSync(this.path, this.sizeBytes);
      } catch {
        // Nothing more to do here: the next write (or the next run) starts after whatever is there.
      }
      throw error;
    }
    this.sizeBytes += lineBytes;
  }

  /** path → path.1 → … → path.keep; the oldest is deleted. A new, owner-only file takes path's place. */
  private rotate(): void {
    rmSync(`${this.path}.${this.rotation.keep}`, { force: true });
    for (let index = this.rotation.keep - 1; index >= 1; index -= 1) {
      try {
        renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    renameSync(this.path, `${this.path}.1`);
    createOwnerOnly(this.path);
    this.sizeBytes = 0;
  }
}
