import { dirname } from 'node:path';
import { fileCipher, type SecretCipher } from '../../app/secrets';
import type { Library } from '../../library/library';
import { UserError } from '../../shared/errors';
import { account, clientFor, login, logout } from '../../sync/client/config';
import { push, pull } from '../../sync/client/sync';
import type { Command } from '../command';
import { LIBRARY_OPTIONS, requireCallId, withLibrary } from '../library-options';
import { progressPrinter } from '../transcription';

// The CLI keeps the token under the library folder's key file (like the API keys it stores).
const cipherFor = (lib: Library): SecretCipher => fileCipher(dirname(lib.path));

async function connected(lib: Library): Promise<NonNullable<Awaited<ReturnType<typeof clientFor>>>> {
  const c = await clientFor(lib, cipherFor(lib));
  if (!c) throw new UserError('sync is not set up for this library: run cadence sync login --server URL --token TOKEN', 'not_configured');
  return c;
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Team sync: log in to a sync server, push finished calls, pull the team’s calls and feedback, show the outbox',
  usage: 'cadence sync login --server URL --token T | push | pull [--agent NAME] | status | hold <call-id> | release <call-id> | logout  [--json] [--db FILE]',
  options: { ...LIBRARY_OPTIONS, server: { type: 'string' }, token: { type: 'string' }, agent: { type: 'string' } },
  minArgs: 1,
  run(args, opts, io) {
    const [action, arg] = args;
    const out = (value: unknown, text: string): void => io.out(opts.json ? JSON.stringify(value) : text);
    return withLibrary(opts, async (lib) => {
      switch (action) {
        case 'login': {
          if (typeof opts.server !== 'string' || typeof opts.token !== 'string') throw new UserError('login needs --server URL and --token TOKEN');
          const acct = await login(lib, cipherFor(lib), opts.server, opts.token);
          out(acct, `logged in to ${acct.url} as ${acct.role} ${acct.user}${acct.team ? ` (team ${acct.team})` : ''}`);
          return 0;
        }
        case 'logout':
          await logout(lib);
          out({ loggedOut: true }, 'logged out; the outbox is kept');
          return 0;
        case 'push': {
          const { client } = await connected(lib);
          const progress = new Map<string, (f: number) => void>();
          const res = await push(lib, client, {
            onProgress: (p) => {
              if (p.total < 1024 * 1024 || opts.json) return;
              if (!progress.has(p.callId)) progress.set(p.callId, progressPrinter(io.err, `uploading ${p.callId}`));
              progress.get(p.callId)!(p.sent / p.total);
            },
          });
          out(res, [`sent ${res.sent.length}, already there ${res.unchanged.length}, failed ${res.failed.length}`, ...res.failed.map((f) => `  ${f.callId}: ${f.error}${f.retryAt ? ` (retry after ${new Date(f.retryAt).toISOString()})` : ''}`)].join('\n'));
          return res.failed.length > 0 ? 1 : 0;
        }
        case 'pull': {
          const { client } = await connected(lib);
          const res = await pull(lib, client, { ...(typeof opts.agent === 'string' ? { agent: opts.agent } : {}), onProgress: (n, id) => !opts.json && n % 10 === 0 && io.err(`pulled ${n} calls… (${id})`) });
          out(res, [`imported ${res.imported.length}, already here ${res.unchanged.length}, failed ${res.failed.length}, new feedback ${res.feedback}`, ...res.failed.map((f) => `  ${f.callId}: ${f.error}`)].join('\n'));
          return res.failed.length > 0 ? 1 : 0;
        }
        case 'status': {
          const acct = await account(lib);
          await lib.sync.enqueueFinished();
          const counts = await lib.sync.counts();
          out({ account: acct, outbox: counts }, `${acct ? `server ${acct.url} as ${acct.role} ${acct.user}${acct.team ? ` (team ${acct.team})` : ''}` : 'not logged in to a sync server'}\noutbox: ${counts.pending} to send, ${counts.sent} sent, ${counts.held} not synced (held), ${counts.failed} failed`);
          return 0;
        }
        case 'hold':
        case 'release': {
          if (!arg) throw new UserError(`${action} needs a call id`);
          const id = await requireCallId(lib, arg);
          await lib.sync.setHeld(id, action === 'hold');
          const item = await lib.sync.get(id);
          out({ callId: id, state: item?.state }, `${id}: ${item?.state === 'held' ? 'will not be synced' : item?.state === 'sent' ? 'already sent' : 'will be synced'}`);
          return 0;
        }
        default:
          throw new UserError(`unknown action ${action ?? ''} (login, push, pull, status, hold, release, logout)`, 'bad_input', 2);
      }
    });
  },
};
