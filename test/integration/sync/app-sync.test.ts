/**
 * Sync inside the app core, through the same RPC handlers the windows use: settings check the token
 * on entry, a finished call uploads in the background, "don't sync" keeps a call home, a lead pulls
 * the team's calls (marked with their agent), sees the team view, leaves feedback, and the agent's
 * review shows it.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createApp, type CadenceApp } from '../../../src/app/app';
import { exportAsDownload, mediaPath } from '../../../src/app/browser-host';
import { localClient } from '../../../src/app/handlers';
import { savedCall, syncWorld, type SyncWorld } from '../../helpers/sync';
import { tempDir } from '../library/helpers';

let tmp: ReturnType<typeof tempDir>;
let w: SyncWorld;
const apps: CadenceApp[] = [];
beforeEach(async () => {
  tmp = tempDir('cadence-app-sync-');
  w = await syncWorld('sqlite');
});
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await w.close();
  tmp.cleanup();
});

const open = async (name: string): Promise<{ app: CadenceApp; call: ReturnType<typeof localClient> }> => {
  const app = await createApp({ dbPath: join(tmp.dir, name, 'library.sqlite'), shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
  apps.push(app);
  return { app, call: localClient(app.handlers) };
};

it('uploads in the background, keeps held calls home, and carries a lead’s feedback back to the agent', async () => {
  const agent = await open('agent');
  const kept = await savedCall(agent.app.library, 1);
  const held = await savedCall(agent.app.library, 2);
  await expect(agent.call('sync.login', { url: w.server.url, token: 'cad_wrongwrongwrongwrongwrong' })).rejects.toThrow(/unknown or revoked token/);
  expect((await agent.call('sync.status')).account).toBeNull();
  expect((await agent.call('sync.hold', { callId: held, held: true })).state).toBe('held');
  const status = await agent.call('sync.login', { url: w.server.url, token: w.tokens.ana });
  expect(status.account).toEqual({ url: w.server.url, user: 'ana', role: 'agent', team: 'red' });
  // The background round after login (10 s later); waited for with a generous bound.
  const t0 = Date.now();
  while ((await agent.call('sync.call', { callId: kept })).state !== 'sent' && Date.now() - t0 < 40_000) await new Promise((r) => setTimeout(r, 250));
  expect((await agent.call('sync.call', { callId: kept })).state).toBe('sent');
  expect((await agent.call('sync.call', { callId: held })).state).toBe('held');

  const lead = await open('lead');
  await lead.call('sync.login', { url: w.server.url, token: w.tokens.rita });
  expect((await lead.call('sync.now')).imported).toBe(1);
  expect((await lead.call('calls.list', { agent: 'ana' })).items.map((i) => i.id)).toEqual([kept]);
  const team = await lead.call('sync.team');
  expect(team.agents).toEqual([expect.objectContaining({ agent: 'ana', calls: 1 })]);
  expect(team.needsReview.map((c) => c.id)).toEqual([kept]);
  const info = await lead.call('sync.call', { callId: kept });
  expect(info).toMatchObject({ state: 'pulled', canReview: true });
  const after = await lead.call('sync.addFeedback', { callId: kept, feedback: { atMs: 2000, text: 'Ask an open question here', rubric: { score: 75 } } });
  expect(after.feedback).toEqual([expect.objectContaining({ author: 'rita', atMs: 2000, text: 'Ask an open question here' })]);
  expect((await lead.call('sync.team')).needsReview).toEqual([]);
  // An agent cannot give feedback.
  await expect(agent.call('sync.addFeedback', { callId: kept, feedback: { text: 'me' } })).rejects.toThrow(/only a team lead/);

  await agent.call('sync.now');
  expect((await agent.call('sync.call', { callId: kept })).feedback).toEqual([expect.objectContaining({ author: 'rita', text: 'Ask an open question here', rubric: { score: 75 } })]);
}, 120_000);
