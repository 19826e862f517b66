/**
 * Team sync in the UI (Chromium through the browser host) against a real sync server on 127.0.0.1:
 * Settings → Sync checks the token on entry, an agent's call uploads, a lead's review home is the team
 * view, the lead pulls, filters by agent and leaves feedback, and the agent's review shows it.
 */
import { join } from 'node:path';
import { startSyncServer } from '../../src/sync/server/server';
import { openServerDb } from '../../src/sync/server/db';
import { addUser, createTeam, issueToken } from '../../src/sync/server/store';
import { expect, skipWithoutChromium, test } from './fixtures';
import { startUi, tempDir } from './harness';

test.describe('team sync in the UI', () => {
  skipWithoutChromium();

  test('agent connects and uploads; lead pulls, reviews in the team view, leaves feedback; the agent sees it', async ({ ui, rendererDir, openPage }) => {
    test.setTimeout(180_000);
    const serverDir = tempDir('cadence-e2e-sync-');
    const { db } = await openServerDb({ dataDir: serverDir.dir });
    await createTeam(db, 'red');
    await addUser(db, { name: 'ana', role: 'agent', team: 'red' });
    await addUser(db, { name: 'rita', role: 'lead', team: 'red' });
    const anaToken = await issueToken(db, 'ana');
    const ritaToken = await issueToken(db, 'rita');
    await db.destroy();
    const server = await startSyncServer({ dataDir: serverDir.dir, log: () => undefined });
    const leadData = tempDir();
    const lead = await startUi(leadData.dir, rendererDir);
    try {
      await ui.app.live.startDemo(10);
      await ui.app.live.whenIdle();

      const settings = await openPage(`${ui.host.url}#/settings/sync`);
      await settings.getByTestId('sync-url').fill(server.url);
      await settings.getByTestId('sync-token').fill('cad_notatokennotatokennotatoken');
      await settings.getByTestId('sync-connect').click();
      await expect(settings.getByTestId('sync-error')).toContainText('unknown or revoked token');
      await settings.getByTestId('sync-token').fill(anaToken);
      await settings.getByTestId('sync-connect').click();
      await expect(settings.getByTestId('sync-account')).toContainText('ana');
      await settings.getByTestId('sync-now').click();
      await expect(settings.getByTestId('sync-outbox')).toContainText('1 sent');
      await settings.screenshot({ path: join('test-results', 'sync-settings.png') });

      const overlay = await openPage(`${ui.host.url}#/overlay`, { width: 380, height: 720 });
      await expect(overlay.getByTestId('overlay-sync')).toHaveAttribute('data-state', 'sent');

      const review = await openPage(`${ui.host.url}#/review`);
      await review.getByTestId('call-row').first().click();
      await expect(review.getByTestId('sync-state')).toHaveAttribute('data-state', 'sent');

      await lead.app.handlers['sync.login']({ url: server.url, token: ritaToken });
      await lead.app.handlers['settings.set']({ firstRunDone: true });
      const team = await openPage(`${lead.host.url}#/review`);
      await team.getByTestId('team-view').waitFor();
      await team.getByTestId('team-sync-now').click();
      await expect(team.getByTestId('team-agent')).toHaveCount(1);
      await expect(team.getByTestId('team-agent')).toContainText('ana');
      await team.screenshot({ path: join('test-results', 'sync-team-view.png') });
      await team.getByTestId('needs-review').getByRole('button').first().click();
      await team.getByTestId('feedback-form').waitFor();
      await team.getByTestId('feedback-text').fill('Let the customer finish before answering');
      await team.getByTestId('feedback-score').fill('72');
      await team.getByTestId('feedback-send').click();
      await expect(team.getByTestId('feedback-item')).toContainText('Let the customer finish');
      await team.getByTestId('filter-agent').fill('ana');
      await expect(team.getByTestId('call-row')).toHaveCount(1);
      await team.getByTestId('filter-agent').fill('nobody');
      await expect(team.getByTestId('call-row')).toHaveCount(0);

      await ui.app.handlers['sync.now']();
      await review.reload();
      await review.getByTestId('call-row').first().click();
      await expect(review.getByTestId('feedback-item')).toContainText('rita');
      await expect(review.getByTestId('feedback-item')).toContainText('Let the customer finish');
      await expect(review.getByTestId('feedback-form')).toHaveCount(0);
    } finally {
      await lead.close();
      leadData.cleanup();
      await server.close();
      serverDir.cleanup();
    }
  });
});
