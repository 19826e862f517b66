import { resolve } from 'node:path';
import { parseIntOption } from '../library-options';
import { UserError } from '../../shared/errors';
import { startSyncServer } from '../../sync/server/server';
import type { Command } from '../command';

/** The data folder for the server (SQLite, archives, resumable uploads); `--data`, else ./cadence-sync. */
export function serverDataDir(opts: Readonly<Record<string, unknown>>): string {
  if (opts.data === '') throw new UserError('--data: the folder is empty');
  return resolve(typeof opts.data === 'string' ? opts.data : 'cadence-sync');
}

export const syncServerCommand: Command = {
  name: 'sync-server',
  summary: 'Run the team sync server (SQLite in --data, or PostgreSQL from DATABASE_URL); logs are JSON lines',
  usage: 'cadence sync-server [--port N] [--host ADDR] [--data DIR]',
  options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } },
  async run(_args, opts, io) {
    const port = parseIntOption('port', opts.port as string | undefined, 0, 65535) ?? 8787;
    const env = process.env;
    const twilio = env.TWILIO_ACCOUNT_SID && env.TWILIO_API_KEY_SID && env.TWILIO_API_KEY_SECRET ? { accountSid: env.TWILIO_ACCOUNT_SID, apiKeySid: env.TWILIO_API_KEY_SID, apiKeySecret: env.TWILIO_API_KEY_SECRET, twimlAppSid: env.TWILIO_TWIML_APP_SID || undefined } : undefined;
    const server = await startSyncServer({ dataDir: serverDataDir(opts), databaseUrl: env.DATABASE_URL || undefined, port, host: typeof opts.host === 'string' ? opts.host : '127.0.0.1', twilio });
    io.out(JSON.stringify({ t: new Date().toISOString(), level: 'info', message: 'listening', url: server.url, database: server.database }));
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
