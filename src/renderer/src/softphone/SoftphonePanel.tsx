/**
 * Softphone mode in the overlay: the agent places and answers calls through the Twilio Voice SDK here,
 * and the call's two sides are tapped into 20 ms frames that go to the engine, so coaching starts and
 * stops with the call itself.
 */
import { useEffect, useRef, useState } from 'react';
import { encodeFloat32 } from '../../../shared/frames-codec';
import type { SoftphoneState } from '../../../shared/softphone';
import { onEvent, rpc } from '../lib/rpc';
import { TAP_PROCESSOR_URL } from './processor-url';
import { Softphone } from './softphone';

/** Frames per message to the host: 100 ms keeps the message rate low and the latency well under a card's. */
const BATCH_FRAMES = 5;
const FRAME = 320;
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/** Collects tapped frames (views valid only during the callback) into batches and sends them on. */
function makeFrameSender(): { push(agent: Float32Array, customer: Float32Array, tMs: number): void; flush(): void } {
  const a = new Float32Array(BATCH_FRAMES * FRAME);
  const c = new Float32Array(BATCH_FRAMES * FRAME);
  let fill = 0;
  let startMs = 0;
  const flush = (): void => {
    if (fill === 0) return;
    const n = fill * FRAME;
    const msg = { tMs: startMs, agent: encodeFloat32(a.subarray(0, n)), customer: encodeFloat32(c.subarray(0, n)) };
    fill = 0;
    void rpc().call('softphone.frames', msg).catch(() => undefined);
  };
  return {
    push(agent, customer, tMs) {
      const frames = Math.floor(agent.length / FRAME);
      for (let k = 0; k < frames; k++) {
        if (fill === 0) startMs = tMs + k * 20;
        a.set(agent.subarray(k * FRAME, (k + 1) * FRAME), fill * FRAME);
        c.set(customer.subarray(k * FRAME, (k + 1) * FRAME), fill * FRAME);
        if (++fill === BATCH_FRAMES) flush();
      }
    },
    flush,
  };
}

/** The token URL from settings, kept current. */
function useTokenUrl(): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    void rpc()
      .call('settings.get')
      .then((s) => setUrl(s.softphoneTokenUrl))
      .catch(() => setUrl(''));
    // The page's Content-Security-Policy names the token URL's origin as of its load: a new URL needs a new load.
    return onEvent('settings.changed', (s) =>
      setUrl((prev) => {
        if (prev !== null && prev !== s.softphoneTokenUrl && s.softphoneTokenUrl) location.reload();
        return s.softphoneTokenUrl;
      }),
    );
  }, []);
  return url;
}

export function SoftphonePanel(): React.JSX.Element | null {
  const tokenUrl = useTokenUrl();
  const phone = useRef<Softphone | null>(null);
  const [state, setState] = useState<SoftphoneState | null>(null);
  const [to, setTo] = useState('');

  useEffect(() => {
    if (!tokenUrl) return undefined;
    const sp = new Softphone({ tokenUrl, processorUrl: TAP_PROCESSOR_URL });
    const sender = makeFrameSender();
    phone.current = sp;
    const offs = [
      sp.on('state', setState),
      sp.on('callStart', (call) => void rpc().call('softphone.callStart', { call }).catch(() => undefined)),
      sp.on('frames', (agent, customer, tMs) => sender.push(agent, customer, tMs)),
      sp.on('callStop', (_call, reason) => {
        sender.flush();
        void rpc().call('softphone.callStop', { reason }).catch(() => undefined);
      }),
    ];
    setState(sp.state);
    return () => {
      for (const off of offs) off();
      void sp.stop();
      phone.current = null;
    };
  }, [tokenUrl]);

  // Only users who set softphone mode up see it (Settings → General has the token URL).
  if (!tokenUrl) return null;
  const sp = phone.current;
  const status = state?.status ?? 'idle';
  return (
    <section className="softphone" aria-label="Softphone" data-testid="softphone" data-status={status}>
      <p className="softphone-status" role="status">
        {state?.message ?? 'Softphone off'}
      </p>
      {(status === 'idle' || status === 'error') && (
        <button type="button" onClick={() => void sp?.start()}>
          Connect softphone
        </button>
      )}
      {status === 'ready' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (to.trim()) void sp?.dial(to.trim());
          }}
        >
          <input aria-label="Number or client:name to call" placeholder="+15551234567 or client:alex" value={to} onChange={(e) => setTo(e.target.value)} />
          <button type="submit">Call</button>
        </form>
      )}
      {status === 'incoming' && (
        <div className="row">
          <span>Incoming: {state?.call?.peer}</span>
          <button type="button" onClick={() => sp?.answer()}>
            Answer
          </button>
          <button type="button" onClick={() => sp?.reject()}>
            Reject
          </button>
        </div>
      )}
      {(status === 'connecting' || status === 'in-call') && (
        <div className="row">
          <button type="button" onClick={() => sp?.setMuted(!state?.muted)} aria-pressed={state?.muted ?? false}>
            {state?.muted ? 'Unmute' : 'Mute'}
          </button>
          <button type="button" onClick={() => sp?.hangUp()}>
            Hang up
          </button>
        </div>
      )}
      {status === 'in-call' && (
        <div className="keypad" aria-label="Keypad">
          {KEYS.map((k) => (
            <button key={k} type="button" onClick={() => sp?.sendDigits(k)} aria-label={`Send ${k}`}>
              {k}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
