/**
 * Where accepted archives live: files under `<data>/archives`, named by call id and sha256 so a
 * second body for a known id can never overwrite the first. Writes are fsynced and renamed into place
 * before the database row that acknowledges them is committed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export class ArchiveStore {
  readonly dir: string;
  readonly incoming: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'archives');
    this.incoming = join(dataDir, 'incoming');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    mkdirSync(this.incoming, { recursive: true, mode: 0o700 });
  }

  /** A fresh temporary path for a body being received (same file system as the archives). */
  tempPath(): string {
    return join(this.incoming, `${randomBytes(12).toString('hex')}.partial`);
  }

  pathFor(callId: string, sha256: string): string {
    return join(this.dir, `${callId}.${sha256}.cadence`);
  }

  /** Moves a checked file into place durably. */
  put(tmpPath: string, callId: string, sha256: string): void {
    const fd = openSync(tmpPath, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmpPath, this.pathFor(callId, sha256));
  }

  open(callId: string, sha256: string): { stream: Readable; size: number } {
    const path = this.pathFor(callId, sha256);
    return { size: statSync(path).size, stream: createReadStream(path) };
  }

  remove(callId: string, sha256: string): void {
    rmSync(this.pathFor(callId, sha256), { force: true });
  }
}
