/** Starts the sync server: database, archive folder, HTTP listener with socket time-outs. */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { DiskArchiveStore, S3ArchiveStore, type S3Config } from './archives';
import { createApp, DEFAULT_LIMITS, type LogRecord, type ServerLimits, type TwilioConfig } from './app';
import { openServerDb } from './db';

export interface SyncServerOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string | undefined;
  readonly port?: number;
  readonly host?: string;
  readonly limits?: Partial<ServerLimits>;
  readonly log?: (record: LogRecord) => void;
  readonly poolSize?: number;
  readonly twilio?: TwilioConfig | undefined;
  /** Archives in an S3-compatible object store instead of `<data>/archives`. */
  readonly s3?: S3Config | undefined;
}

export interface RunningSyncServer {
  readonly url: string;
  readonly port: number;
  readonly database: 'sqlite' | 'postgres';
  readonly archives: 'disk' | 's3';
  close(): Promise<void>;
}

/** A structured log line on stdout. */
export const stdoutLog = (record: LogRecord): void => {
  process.stdout.write(`${JSON.stringify(record)}\n`);
};

export async function startSyncServer(options: SyncServerOptions): Promise<RunningSyncServer> {
  const { db, kind } = await openServerDb({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, ...(options.poolSize !== undefined && { poolSize: options.poolSize }) });
  const tusDir = join(options.dataDir, 'uploads');
  mkdirSync(tusDir, { recursive: true, mode: 0o700 });
  const app = createApp({ db, dbKind: kind, archives: options.s3 ? new S3ArchiveStore(options.dataDir, options.s3) : new DiskArchiveStore(options.dataDir), tusDir, limits: { ...DEFAULT_LIMITS, ...options.limits }, log: options.log ?? stdoutLog, twilio: options.twilio });
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  // A client that trickles its headers or goes silent is cut off; an upload may take as long as it keeps sending.
  server.headersTimeout = 15_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  server.setTimeout(60_000);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    database: kind,
    archives: options.s3 ? 's3' : 'disk',
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await db.destroy();
    },
  };
}
