/**
 * The active playbook's targets for the windows: fetched once, then kept current by `playbook.changed`.
 * Bands drawn from these move with a custom playbook, the same way its cards and the score do.
 */
import { useEffect, useState } from 'react';
import { DEFAULT_TARGETS, type PlaybookTargets } from '../../../shared/playbook-targets';
import { onEvent, rpc } from './rpc';

/** Null until the app has answered (nothing is drawn rather than a band that may be wrong). */
export function useActiveTargets(): PlaybookTargets | null {
  const [targets, setTargets] = useState<PlaybookTargets | null>(null);
  useEffect(() => {
    let stale = false;
    void rpc()
      .call('playbook.get')
      .then((st) => !stale && setTargets(st.targets))
      .catch(() => undefined);
    const off = onEvent('playbook.changed', (st) => setTargets(st.targets));
    return () => {
      stale = true;
      off();
    };
  }, []);
  return targets;
}

/** A pace axis that always shows the band with room either side: from half its floor to half again its ceiling. */
export function paceAxis(targets: PlaybookTargets | null): { min: number; max: number } {
  const pace = (targets ?? DEFAULT_TARGETS).paceWpm;
  return { min: Math.round(pace.min / 2), max: Math.round(pace.max * 1.5) };
}

/** The volume scale, dBFS (its band is the playbook's). */
export const LEVEL_AXIS = { min: -60, max: 0 } as const;
