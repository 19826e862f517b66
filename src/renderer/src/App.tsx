/**
 * One renderer, three views by hash: `#/overlay` (the always-on-top window), `#/review[/<callId>]` and
 * `#/settings[/<section>]` (the review window), plus `#/welcome`, the first-run flow, which the review
 * window also shows on its first start (no devices remembered, no calls, first run not done).
 */
import { useEffect, useState } from 'react';
import { FirstRun } from './firstrun/FirstRun';
import { rpc } from './lib/rpc';
import { Overlay } from './overlay/Overlay';
import { Review } from './review/Review';
import { Settings, settingsTab } from './settings/Settings';

function useHash(): [string, (h: string) => void] {
  const [hash, setHash] = useState(location.hash || '#/review');
  useEffect(() => {
    const on = (): void => setHash(location.hash || '#/review');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return [hash, (h) => (location.hash = h)];
}

/** Whether this is a first start: asked once per window, cheapest question first. */
async function isFirstRun(): Promise<boolean> {
  const client = rpc();
  if ((await client.call('settings.get')).firstRunDone) return false;
  if ((await client.call('app.info')).calls > 0) return false;
  return (await client.call('devices.list')).remembered === null;
}

function ReviewWindow({ hash, navigate }: { hash: string; navigate(h: string): void }): React.JSX.Element {
  // null while asking; a failed question is not a first run.
  const [firstRun, setFirstRun] = useState<boolean | null>(null);
  useEffect(() => {
    // The overlay's "open settings" link targets this window by name.
    if (!window.name) window.name = 'cadence-review';
    isFirstRun().then(setFirstRun, () => setFirstRun(false));
  }, []);
  const welcome = hash.startsWith('#/welcome') || (firstRun === true && (hash === '#/review' || hash === '#/'));
  const reviewMatch = /^#\/review\/(.+)$/.exec(hash);
  const settings = hash.startsWith('#/settings');
  const done = (): void => {
    setFirstRun(false);
    navigate('#/review');
  };
  let view: React.JSX.Element;
  if (welcome) view = <FirstRun onDone={done} />;
  else if (settings) view = <Settings tab={settingsTab(hash)} />;
  else if (firstRun === null && !reviewMatch) view = <div className="muted loading">Loading…</div>;
  else view = <Review callId={reviewMatch ? decodeURIComponent(reviewMatch[1]!) : null} navigate={navigate} />;
  return (
    <div className="window">
      <nav className="topnav">
        <strong className="brand">Cadence</strong>
        <a href="#/review" aria-current={!settings && !welcome ? 'page' : undefined}>
          Calls
        </a>
        <a href="#/settings" aria-current={settings ? 'page' : undefined}>
          Settings
        </a>
        <span className="spacer" />
        <a href="#/overlay" target="cadence-overlay">
          Open overlay
        </a>
      </nav>
      {view}
    </div>
  );
}

export function App(): React.JSX.Element {
  const [hash, navigate] = useHash();
  if (hash.startsWith('#/overlay')) return <Overlay />;
  return <ReviewWindow hash={hash} navigate={navigate} />;
}
