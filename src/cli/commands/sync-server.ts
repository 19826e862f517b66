import { resolve } from 'node:path';
import { parseIntOption } from '../library-options';
import { UserError } from '../../shared/errors';
import { s3ConfigFrom } from '../../sync/server/archives';
import { startSyncServer } from '../../sync/server/server';
import type { Command } from '../command';

/** The data folder for the server (SQLite, archives, resumable uploads); `--data`, else ./cadence-sync. */
export function serverDataDir(opts: Readonly<Record<string, unknown>>): string {
  if (opts.data === '') throw new UserError('--data: the folder is empty');
  return resolve(typeof opts.data === 'string' ? opts.data : 'cadence-sync');
}

export const syncServerCommand: Command = {
  name: 'sync-server',
  summary: 'Run the team sync server (SQLite in --data, or PostgreSQL from DATABASE_URL; archives on disk or in an S3-compatible store); logs are JSON lines',
  usage: 'cadence sync-server [--port N] [--host ADDR] [--data DIR] [--s3-endpoint URL --s3-bucket NAME [--s3-region R]]  (S3 keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
  options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' }, 's3-endpoint': { type: 'string' }, 's3-bucket': { type: 'string' }, 's3-region': { type: 'string' } },
  async run(_args, opts, io) {
    const port = parseIntOption('port', opts.port as string | undefined, 0, 65535) ?? 8787;
    const env = process.env;
    const twilio = env.TWILIO_ACCOUNT_SID && env.TWILIO_API_KEY_SID && env.TWILIO_API_KEY_SECRET ? { accountSid: env.TWILIO_ACCOUNT_SID, apiKeySid: env.TWILIO_API_KEY_SID, apiKeySecret: env.TWILIO_API_KEY_SECRET, twimlAppSid: env.TWILIO_TWIML_APP_SID || undefined } : undefined;
    const str = (name: string): string | undefined => (typeof opts[name] === 'string' ? opts[name] : undefined);
    const s3 = s3ConfigFrom({ endpoint: str('s3-endpoint'), bucket: str('s3-bucket'), region: str('s3-region') }, env);
    const server = await startSyncServer({ dataDir: serverDataDir(opts), databaseUrl: env.DATABASE_URL || undefined, port, host: str('host') ?? '127.0.0.1', twilio, s3 });
    // The endpoint and bucket only: never the keys.
    io.out(JSON.stringify({ t: new Date().toISOString(), level: 'info', message: 'listening', url: server.url, database: server.database, archives: s3 ? `${s3.endpoint} bucket ${s3.bucket}` : 'disk' }));
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
