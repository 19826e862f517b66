import { UserError } from '../../shared/errors';
import { syncNameSchema, syncRoleSchema } from '../../shared/sync';
import { openServerDb } from '../../sync/server/db';
import { addUser, createTeam, issueToken, overview, revokeTokens } from '../../sync/server/store';
import type { Command } from '../command';
import { serverDataDir } from './sync-server';

function name(what: string, value: unknown): string {
  if (typeof value !== 'string') throw new UserError(`${what} is missing`);
  const r = syncNameSchema.safeParse(value);
  if (!r.success) throw new UserError(`${what}: ${r.error.issues[0]?.message ?? 'not a valid name'}`);
  return r.data;
}

export const syncAdminCommand: Command = {
  name: 'sync-admin',
  summary: 'Manage the sync server’s teams, users and device tokens (tokens are shown once and stored hashed)',
  usage: 'cadence sync-admin [--data DIR] [--json] create-team NAME | add-user --team NAME --name NAME --role agent|lead|admin | issue-token USER | revoke-token USER | list',
  options: { data: { type: 'string' }, json: { type: 'boolean' }, team: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
  minArgs: 1,
  async run(args, opts, io) {
    const [action, arg] = args;
    const { db } = await openServerDb({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: serverDataDir(opts), poolSize: 1 });
    const out = (value: unknown, text: string): void => io.out(opts.json ? JSON.stringify(value) : text);
    try {
      switch (action) {
        case 'create-team': {
          const team = await createTeam(db, name('team name', arg));
          out({ team: team.name }, `created team ${team.name}`);
          return 0;
        }
        case 'add-user': {
          const role = syncRoleSchema.safeParse(opts.role);
          if (!role.success) throw new UserError(`--role must be agent, lead or admin`);
          const user = await addUser(db, { name: name('--name', opts.name), role: role.data, team: opts.team === undefined ? null : name('--team', opts.team) });
          out(user, `added ${user.role} ${user.name}${user.team ? ` to team ${user.team}` : ''}`);
          return 0;
        }
        case 'issue-token': {
          const token = await issueToken(db, name('user', arg));
          out({ token }, `${token}\n(shown once: only its hash is stored)`);
          return 0;
        }
        case 'revoke-token': {
          const n = await revokeTokens(db, name('user', arg));
          out({ revoked: n }, `revoked ${n} token${n === 1 ? '' : 's'}`);
          return 0;
        }
        case 'list': {
          const o = await overview(db);
          const lines = [...o.teams.flatMap((t) => [`team ${t.name}`, ...t.users.map((u) => `  ${u.role.padEnd(6)} ${u.name} (${u.tokens} live token${u.tokens === 1 ? '' : 's'})`)]), ...o.admins.map((a) => `admin ${a.name} (${a.tokens} live token${a.tokens === 1 ? '' : 's'})`)];
          out(o, lines.join('\n') || 'no teams or users yet');
          return 0;
        }
        default:
          throw new UserError(`unknown action ${action ?? ''} (create-team, add-user, issue-token, revoke-token, list)`, 'bad_input', 2);
      }
    } finally {
      await db.destroy();
    }
  },
};
