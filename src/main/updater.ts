/**
 * electron-updater: checks on start and daily against the configured feed, downloads in the
 * background, and installs on quit only when no call is running (src/app/update-policy.ts).
 */
import electronUpdater from 'electron-updater';
import type { CadenceApp } from '../app/app';
import { allowInstallOnQuit, feedFor, UPDATE_CHECK_INTERVAL_MS } from '../app/update-policy';

export function startUpdater(app: CadenceApp, log: (line: string) => void): () => void {
  const { autoUpdater } = electronUpdater;
  let downloaded = false;
  const apply = (): void => {
    autoUpdater.autoInstallOnAppQuit = allowInstallOnQuit({ downloaded, inCall: app.live.inCall });
  };
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.on('error', (err) => log(`update check failed: ${err.message}`));
  autoUpdater.on('update-downloaded', (info) => {
    downloaded = true;
    apply();
    log(`update ${info.version} downloaded; it installs when Cadence quits outside a call`);
  });
  const unsubscribe = app.events.subscribe((event) => {
    if (event === 'live.state') apply();
  });
  const check = async (): Promise<void> => {
    const feed = feedFor((await app.settings.get()).updateFeedUrl);
    if (feed) autoUpdater.setFeedURL(feed);
    await autoUpdater.checkForUpdates().catch((err: Error) => log(`update check failed: ${err.message}`));
  };
  void check();
  const timer = setInterval(() => void check(), UPDATE_CHECK_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
