/**
 * When the desktop app may install an update: never during a call. The Electron updater glue asks
 * this module, so the rule is tested under Node.
 */
export const UPDATE_CHECK_INTERVAL_MS = 24 * 3600 * 1000;

export interface UpdateFacts {
  readonly downloaded: boolean;
  readonly inCall: boolean;
}

export type UpdateAction = 'none' | 'install-on-quit' | 'wait-for-call-end';

export function updateAction(f: UpdateFacts): UpdateAction {
  if (!f.downloaded) return 'none';
  return f.inCall ? 'wait-for-call-end' : 'install-on-quit';
}

/** Install on quit is allowed only while no call runs (a quit mid-call must not install and restart). */
export function allowInstallOnQuit(f: UpdateFacts): boolean {
  return f.downloaded && !f.inCall;
}

/** The updater feed: the configured generic URL, or null for the one built into the package. */
export function feedFor(updateFeedUrl: string): { provider: 'generic'; url: string } | null {
  return updateFeedUrl.trim() ? { provider: 'generic', url: updateFeedUrl.trim() } : null;
}
