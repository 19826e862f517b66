/**
 * Softphone mode: a small controller around the Twilio Voice SDK's Device. It fetches an access token
 * from the configured token URL, registers for incoming calls, places, answers, rejects and hangs up
 * calls, mutes and sends DTMF, refreshes the token on `tokenWillExpire`, and exposes one state with a
 * clear message. When a call is accepted its local stream (agent) and remote stream (customer) go into
 * the audio tap; frames and call start / stop are emitted for the host to run the coaching session.
 */
import { Call, Device, type TwilioError as TwilioErrors } from '@twilio/voice-sdk';

type TwilioError = TwilioErrors.TwilioError;
import type {
  SoftphoneCallEndReason,
  SoftphoneCallInfo,
  SoftphoneError,
  SoftphoneState,
  SoftphoneStatus,
} from '../../../shared/softphone';
import { createAudioTap, type AudioTap } from './audio-tap';
import { decodeJwtPayload, fetchAccessToken, TokenError } from './token';

export interface SoftphoneOptions {
  /** Where the access token comes from (JSON `{token}` or the token as plain text). */
  readonly tokenUrl: string;
  /** URL of the tap's worklet module (processor-url.ts in the Vite build). */
  readonly processorUrl: string | URL;
  /** Milliseconds before the token's expiry at which it is refreshed. */
  readonly tokenRefreshMs?: number;
  readonly tokenTimeoutMs?: number;
  /** Extra Device options (edge, codec preferences, …). */
  readonly deviceOptions?: Device.Options;
  readonly fetch?: typeof fetch;
}

export interface SoftphoneEvents {
  state: (state: SoftphoneState) => void;
  callStart: (call: SoftphoneCallInfo) => void;
  callStop: (call: SoftphoneCallInfo, reason: SoftphoneCallEndReason) => void;
  /** Tapped frames (views valid during the call only). */
  frames: (agent: Float32Array, customer: Float32Array, tMs: number) => void;
  error: (error: SoftphoneError) => void;
  /** The token was refreshed before it expired. */
  tokenRefreshed: () => void;
}

type Listeners = { [K in keyof SoftphoneEvents]: Set<SoftphoneEvents[K]> };

const DIGITS = /^[0-9*#wW]+$/;

/** A TwilioError (or anything thrown) as one line for people. */
export function describeTwilioError(err: unknown): SoftphoneError {
  const e = err as Partial<TwilioError> & { message?: string };
  const code = typeof e?.code === 'number' ? e.code : null;
  const base = (e?.message || String(err)).trim();
  const explanation = e?.explanation && !base.includes(e.explanation) ? ` ${e.explanation}` : '';
  let hint = '';
  if (code === 20101 || code === 31204) hint = ' Twilio does not accept the token from the token URL: check the API key, secret and account SID it is signed with.';
  else if (code === 20104 || code === 31205) hint = ' The access token has expired: the token URL must issue fresh tokens.';
  else if (code === 31401 || code === 31208) hint = ' Allow microphone access for Cadence.';
  else if (code === 31005 || code === 53000 || code === 31009) hint = ' Cadence cannot reach Twilio: check the network connection.';
  const text = `${base}${explanation ? ` —${explanation}` : ''}`;
  return { source: 'twilio', code, message: `${text}${hint && !/[.!?]$/.test(text) ? '.' : ''}${hint}` };
}

export class Softphone {
  private readonly listeners: Listeners = {
    state: new Set(),
    callStart: new Set(),
    callStop: new Set(),
    frames: new Set(),
    error: new Set(),
    tokenRefreshed: new Set(),
  };
  private current: SoftphoneState = { status: 'idle', message: 'Softphone off', identity: null, call: null, muted: false, error: null };
  private device: Device | null = null;
  private call: Call | null = null;
  private pending: Call | null = null;
  private callInfo: SoftphoneCallInfo | null = null;
  private tap: AudioTap | null = null;
  private tapStarting: Promise<void> | null = null;
  private generation = 0;

  constructor(private readonly options: SoftphoneOptions) {}

  get state(): SoftphoneState {
    return this.current;
  }

  /** The SDK's Call in progress (accepted), for what this controller does not wrap. */
  get activeCall(): Call | null {
    return this.call;
  }

  on<K extends keyof SoftphoneEvents>(event: K, fn: SoftphoneEvents[K]): () => void {
    this.listeners[event].add(fn);
    return () => this.listeners[event].delete(fn);
  }

  private emit<K extends keyof SoftphoneEvents>(event: K, ...args: Parameters<SoftphoneEvents[K]>): void {
    for (const fn of this.listeners[event]) {
      try {
        (fn as (...a: Parameters<SoftphoneEvents[K]>) => void)(...args);
      } catch (err) {
        console.error(`softphone ${event} listener failed`, err);
      }
    }
  }

  private set(status: SoftphoneStatus, message: string, patch: Partial<SoftphoneState> = {}): void {
    this.current = { ...this.current, error: status === 'error' ? this.current.error : null, ...patch, status, message };
    this.emit('state', this.current);
  }

  private fail(error: SoftphoneError): void {
    this.current = { ...this.current, error };
    this.set('error', error.message, { error });
    this.emit('error', error);
  }

  /** Fetches a token, creates the Device and registers it for incoming calls. */
  async start(): Promise<void> {
    if (this.device) await this.stop();
    const gen = ++this.generation;
    if (!Device.isSupported) {
      this.fail({ source: 'browser', code: null, message: 'This browser does not support WebRTC calls (Twilio Voice SDK).' });
      return;
    }
    this.set('registering', 'Fetching an access token…', { identity: null });
    let token: string;
    try {
      token = await this.fetchToken();
    } catch (err) {
      if (gen === this.generation) this.fail(this.describe(err));
      return;
    }
    if (gen !== this.generation) return;
    const identity = this.identityOf(token);
    let device: Device;
    try {
      device = new Device(token, {
        logLevel: 'error',
        closeProtection: false,
        codecPreferences: [Call.Codec.Opus, Call.Codec.PCMU],
        tokenRefreshMs: this.options.tokenRefreshMs ?? 30_000,
        ...this.options.deviceOptions,
      });
    } catch (err) {
      this.fail(describeTwilioError(err));
      return;
    }
    this.device = device;
    device.on('registering', () => gen === this.generation && this.set('registering', 'Registering with Twilio…'));
    device.on('registered', () => {
      if (gen !== this.generation || this.call || this.pending) return;
      this.set('ready', identity ? `Ready: receiving calls as ${identity}` : 'Ready', { identity });
    });
    device.on('unregistered', () => {
      if (gen === this.generation && this.current.status === 'ready') this.set('idle', 'Not registered for incoming calls');
    });
    device.on('error', (err: TwilioError, call?: Call) => {
      if (gen !== this.generation) return;
      const e = describeTwilioError(err);
      if (call && call === this.call) {
        this.emit('error', e);
        return;
      }
      this.fail(e);
    });
    device.on('incoming', (call: Call) => this.onIncoming(gen, call));
    device.on('tokenWillExpire', () => void this.refreshToken(gen));
    this.set('registering', 'Registering with Twilio…', { identity });
    try {
      await device.register();
    } catch (err) {
      if (gen === this.generation && this.current.status !== 'error') this.fail(describeTwilioError(err));
    }
  }

  private identityOf(token: string): string | null {
    const grants = decodeJwtPayload(token)?.grants as { identity?: unknown } | undefined;
    return typeof grants?.identity === 'string' ? grants.identity : null;
  }

  private fetchToken(): Promise<string> {
    return fetchAccessToken(this.options.tokenUrl, {
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      ...(this.options.tokenTimeoutMs ? { timeoutMs: this.options.tokenTimeoutMs } : {}),
    });
  }

  private describe(err: unknown): SoftphoneError {
    if (err instanceof TokenError) return { source: 'token', code: null, message: err.message };
    return describeTwilioError(err);
  }

  private async refreshToken(gen: number): Promise<void> {
    try {
      const token = await this.fetchToken();
      if (gen !== this.generation || !this.device) return;
      this.device.updateToken(token);
      this.emit('tokenRefreshed');
    } catch (err) {
      if (gen !== this.generation) return;
      // Keep the call going; say what is wrong so the agent can act before the token expires.
      const e = this.describe(err);
      const error = { ...e, message: `The access token could not be refreshed: ${e.message}` };
      this.current = { ...this.current, error, message: error.message };
      this.emit('state', this.current);
      this.emit('error', error);
    }
  }

  private onIncoming(gen: number, call: Call): void {
    if (gen !== this.generation) return;
    if (this.call || this.pending) {
      // One call at a time: a second caller gets busy.
      call.reject();
      return;
    }
    this.pending = call;
    const from = call.parameters?.From ?? 'unknown caller';
    const info: SoftphoneCallInfo = { sid: call.parameters?.CallSid ?? null, direction: 'incoming', peer: from };
    this.callInfo = info;
    const gone = (reason: SoftphoneCallEndReason) => () => {
      if (this.pending !== call) return;
      this.pending = null;
      this.callInfo = null;
      this.backToReady(reason === 'cancelled' ? `Missed call from ${from}` : `Declined call from ${from}`);
    };
    call.on('cancel', gone('cancelled'));
    call.on('reject', gone('rejected'));
    this.wireCall(gen, call, info);
    this.set('incoming', `Incoming call from ${from}`, { call: info, muted: false });
  }

  private backToReady(message: string): void {
    if (this.device?.state === Device.State.Registered) this.set('ready', message, { call: null, muted: false });
    else this.set('idle', message, { call: null, muted: false });
  }

  private wireCall(gen: number, call: Call, info: SoftphoneCallInfo): void {
    call.on('accept', () => {
      if (gen !== this.generation) return;
      this.pending = null;
      this.call = call;
      const sid = call.parameters?.CallSid ?? info.sid;
      const started: SoftphoneCallInfo = { ...info, sid: sid ?? null };
      this.callInfo = started;
      this.set('in-call', `In call with ${info.peer}`, { call: started, muted: call.isMuted() });
      this.tapStarting = this.startTap(call);
      this.emit('callStart', started);
    });
    call.on('ringing', () => gen === this.generation && this.call === null && this.set('connecting', `Ringing ${info.peer}…`));
    call.on('mute', (muted: boolean) => gen === this.generation && this.set(this.current.status, this.current.message, { muted }));
    call.on('disconnect', () => void this.endCall(call, this.localHangup === call ? 'hangup' : 'remote-hangup'));
    call.on('error', (err: TwilioError) => {
      if (gen !== this.generation) return;
      const e = describeTwilioError(err);
      this.emit('error', e);
      if (this.call !== call && this.pending !== call) {
        this.fail(e);
      }
    });
  }

  private localHangup: Call | null = null;

  private async startTap(call: Call): Promise<void> {
    let local = call.getLocalStream() ?? null;
    let remote = call.getRemoteStream() ?? null;
    try {
      const tap = await createAudioTap(local, remote, {
        processorUrl: this.options.processorUrl,
        onFrames: (a, c, t) => this.emit('frames', a, c, t),
      });
      this.tap = tap;
      if (this.call !== call) {
        await this.stopTap();
        return;
      }
      // The SDK may attach the remote stream after `accept`, and replaces streams when the input device
      // changes or media reconnects: follow them without restarting the tap's frame clock.
      this.rewireTimer = setInterval(() => {
        const l = call.getLocalStream() ?? null;
        const r = call.getRemoteStream() ?? null;
        if (l !== local || r !== remote) {
          local = l;
          remote = r;
          tap.setStreams(l, r);
        }
      }, 100);
    } catch (err) {
      this.emit('error', { source: 'audio', code: null, message: `Coaching audio is unavailable for this call: ${(err as Error).message}` });
    }
  }

  private rewireTimer: ReturnType<typeof setInterval> | null = null;

  private async stopTap(): Promise<void> {
    if (this.rewireTimer) clearInterval(this.rewireTimer);
    this.rewireTimer = null;
    const starting = this.tapStarting;
    this.tapStarting = null;
    await starting?.catch(() => undefined);
    if (this.rewireTimer) clearInterval(this.rewireTimer);
    this.rewireTimer = null;
    const tap = this.tap;
    this.tap = null;
    if (tap) await tap.stop().catch(() => undefined);
  }

  private async endCall(call: Call, reason: SoftphoneCallEndReason): Promise<void> {
    if (this.call !== call && this.pending !== call) return;
    const wasLive = this.call === call;
    const info = this.callInfo;
    this.call = null;
    this.pending = null;
    this.callInfo = null;
    if (wasLive) await this.stopTap();
    if (wasLive && info) this.emit('callStop', info, reason);
    if (this.current.status !== 'error' || wasLive) this.backToReady(reason === 'hangup' ? 'Call ended' : `Call ended by ${info?.peer ?? 'the other side'}`);
  }

  /** Places a call (`To` goes to the TwiML app as a parameter). */
  async dial(to: string): Promise<void> {
    const target = to.trim();
    if (!this.device || this.current.status !== 'ready') throw new Error(`Cannot place a call while the softphone is ${this.current.status}.`);
    if (!target) throw new Error('Enter a number or client name to call.');
    const gen = this.generation;
    const info: SoftphoneCallInfo = { sid: null, direction: 'outgoing', peer: target };
    this.callInfo = info;
    this.set('connecting', `Calling ${target}…`, { call: info, muted: false });
    try {
      const call = await this.device.connect({ params: { To: target } });
      if (gen !== this.generation) return;
      this.pending = call;
      this.wireCall(gen, call, info);
      call.on('cancel', () => void this.endCall(call, 'cancelled'));
      call.on('reject', () => void this.endCall(call, 'rejected'));
    } catch (err) {
      this.callInfo = null;
      this.fail(describeTwilioError(err));
    }
  }

  /** Answers the incoming call. */
  answer(): void {
    const call = this.pending;
    if (!call || this.current.status !== 'incoming') throw new Error('There is no incoming call to answer.');
    this.set('connecting', `Answering ${this.callInfo?.peer ?? 'the call'}…`);
    call.accept();
  }

  /** Declines the incoming call. */
  reject(): void {
    const call = this.pending;
    if (!call || this.current.status !== 'incoming') throw new Error('There is no incoming call to decline.');
    call.reject();
  }

  /** Hangs up (or cancels a call still ringing, or declines one coming in). */
  hangUp(): void {
    const call = this.call ?? this.pending;
    if (!call) return;
    if (this.current.status === 'incoming') {
      call.reject();
      return;
    }
    this.localHangup = call;
    call.disconnect();
  }

  setMuted(muted: boolean): void {
    if (!this.call) throw new Error('There is no call to mute.');
    this.call.mute(muted);
  }

  sendDigits(digits: string): void {
    if (!this.call) throw new Error('There is no call to send digits to.');
    if (!DIGITS.test(digits)) throw new Error(`"${digits}" is not DTMF: use 0-9, * and # (w pauses).`);
    this.call.sendDigits(digits);
  }

  /** Hangs up, stops the tap and destroys the Device. */
  async stop(): Promise<void> {
    const gen = ++this.generation;
    const call = this.call;
    const info = this.callInfo;
    this.call = null;
    this.pending = null;
    this.callInfo = null;
    await this.stopTap();
    if (call) {
      call.disconnect();
      if (info) this.emit('callStop', info, 'stopped');
    }
    const device = this.device;
    this.device = null;
    device?.destroy();
    if (gen === this.generation) this.set('idle', 'Softphone off', { call: null, muted: false, identity: null });
  }
}
