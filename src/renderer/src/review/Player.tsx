/**
 * The call's player: stays in view while the page scrolls (evidence further down seeks it), plays at
 * 1×, 1.5× or 2×, and says which keys drive it.
 */
import { forwardRef, useState } from 'react';

const SPEEDS = [1, 1.5, 2] as const;

interface PlayerProps {
  readonly url: string | null;
  readonly error: string | null;
  onPosition(ms: number): void;
  readonly children?: React.ReactNode;
}

export const Player = forwardRef<HTMLAudioElement, PlayerProps>(function Player({ url, error, onPosition, children }, ref) {
  const [speed, setSpeed] = useState<number>(1);
  return (
    <div className="player" data-testid="player-bar">
      {url ? (
        <div className="row">
          <audio
            ref={ref}
            controls
            preload="metadata"
            src={url}
            data-testid="player"
            onTimeUpdate={(e) => onPosition(e.currentTarget.currentTime * 1000)}
            onSeeked={(e) => onPosition(e.currentTarget.currentTime * 1000)}
            onLoadedMetadata={(e) => (e.currentTarget.playbackRate = speed)}
          />
          <div className="speeds" role="group" aria-label="Playback speed">
            {SPEEDS.map((s) => (
              <button
                key={s}
                type="button"
                data-testid={`speed-${s}`}
                aria-pressed={speed === s}
                onClick={() => {
                  setSpeed(s);
                  const a = (ref as React.RefObject<HTMLAudioElement | null>).current;
                  if (a) a.playbackRate = s;
                }}
              >
                {s}×
              </button>
            ))}
          </div>
        </div>
      ) : (
        <div className="muted" data-testid="no-recording">
          {error ? `No audio: ${error}` : 'No recording for this call.'}
        </div>
      )}
      {children}
      <p className="keys muted small">Keys: Space play / pause · ← → 5 s back / ahead · N / P next / previous card</p>
    </div>
  );
});
