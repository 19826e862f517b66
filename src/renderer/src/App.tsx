/**
 * One renderer, three views by hash: `#/overlay` (the always-on-top window), `#/review[/<callId>]` and
 * `#/settings` (the review window).
 */
import { useEffect, useState } from 'react';
import { Overlay } from './overlay/Overlay';
import { Review } from './review/Review';
import { Settings } from './settings/Settings';

function useHash(): [string, (h: string) => void] {
  const [hash, setHash] = useState(location.hash || '#/review');
  useEffect(() => {
    const on = (): void => setHash(location.hash || '#/review');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return [hash, (h) => (location.hash = h)];
}

export function App(): React.JSX.Element {
  const [hash, navigate] = useHash();
  if (hash.startsWith('#/overlay')) return <Overlay />;
  const reviewMatch = /^#\/review\/(.+)$/.exec(hash);
  const settings = hash.startsWith('#/settings');
  return (
    <div className="window">
      <nav className="topnav">
        <strong className="brand">Cadence</strong>
        <a href="#/review" aria-current={!settings ? 'page' : undefined}>
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
      {settings ? <Settings /> : <Review callId={reviewMatch ? decodeURIComponent(reviewMatch[1]!) : null} navigate={navigate} />}
    </div>
  );
}
