/**
 * Live transcription as one more stage of the call pipeline: one Deepgram streaming connection per
 * call carrying both channels (multichannel, agent = channel 0, customer = 1) as interleaved linear16 at
 * 16 kHz, straight from the frames the engine gets.
 *
 * The connection lives as long as the call. Audio goes into a ring buffer first (converted in place, no
 * allocation per frame) and is sent from there, so when the connection drops the transcriber reconnects
 * with backoff and replays the recent audio that has no final words yet; finals that the replay repeats
 * are recognised by channel and time and dropped. KeepAlive covers stretches without audio inside the
 * service's idle limit; at the end Finalize and CloseStream flush the last words, waited for a bounded
 * time. An auth or quota refusal is reported once as what it is and not retried; with no key, or the
 * service unreachable, the call goes on (recording and coaching do not depend on this stage) and the
 * status says transcription is off or degraded and why.
 *
 * The live word feed: each final's (redacted) words go to the call's engine session as they arrive
 * (`CoachingSession.pushWords`, the engine message `words`), where pace is counted from them and phrase
 * rules can read them; `onFinal` gives the same words to the app (captions, storage).
 */
import type { Deepgram } from '@deepgram/sdk';
import { FRAME_SIZE, SAMPLE_RATE } from '../dsp/frames';
import { redactWords } from '../shared/redact';
import type { ChannelName, TranscriptWord } from '../shared/types';
import type { TranscriptSegment } from '../library/types';
import type { CallStage } from '../call/session';
import type { CoachingSession } from '../engine/session';
import { deepgramClient, failureOf, type DeepgramConfig } from './config';

export type TranscriptionState = 'on' | 'off' | 'degraded';

export interface TranscriptionStatus {
  readonly state: TranscriptionState;
  /** Why it is off or degraded; null when on. */
  readonly reason: string | null;
}

/** Words of one channel from one result: an interim guess (replaced by the next) or final. */
export type LiveWords = TranscriptSegment & { readonly words: readonly TranscriptWord[] };

export interface LiveTranscriberOptions {
  /** null: no key, transcription is off for this call. */
  readonly config: DeepgramConfig | null;
  /** Why it is off when `config` is null (default: no key). */
  readonly offReason?: string;
  /** Phrases and names to boost (the playbook's), sent as `keyterm`. */
  readonly keyterms?: readonly string[];
  /** Mask card, social security, e-mail, phone and spelled-out numbers before words leave the stage (default true). */
  readonly redact?: boolean;
  readonly onInterim?: (words: LiveWords) => void;
  /** Each final, once, in call time (store it). */
  readonly onFinal?: (words: LiveWords) => void;
  /** Told on every change of state or reason. */
  readonly onStatus?: (status: TranscriptionStatus) => void;
  /** Speech started / an utterance ended on a channel (call time, ms). */
  readonly onVoice?: (event: { readonly type: 'speech_started' | 'utterance_end'; readonly channel: ChannelName; readonly atMs: number }) => void;
  /** Send KeepAlive after this long without audio (the service closes an idle socket after ~10 s). */
  readonly keepAliveMs?: number;
  /** Audio kept for replay after a drop, ms (default 20 s). */
  readonly replayMs?: number;
  /** Longest wait for the last finals after CloseStream, ms (default 5000). */
  readonly finalWaitMs?: number;
  /** Delays between reconnection attempts, ms; the last repeats until `maxAttempts`. */
  readonly backoffMs?: readonly number[];
  /** Attempts per outage before giving up for the call (default 8). */
  readonly maxAttempts?: number;
  /**
   * Renew the connection after this long (default 2 h), before a provider's limit on one stream: the
   * old one is finalised and closed, the new one replays what has no final words yet.
   */
  readonly renewAfterMs?: number;
}

export interface TranscriberStats {
  readonly connections: number;
  readonly reconnects: number;
  readonly bytesSent: number;
  readonly finals: number;
  /** Finals (or parts) dropped as repeats of replayed audio. */
  readonly duplicatesDropped: number;
  /** Audio that fell out of the replay buffer during an outage, ms. */
  readonly lostMs: number;
}

type Socket = Awaited<ReturnType<ReturnType<typeof deepgramClient>['listen']['v1']['connect']>>;
type Message = Deepgram.listen.ListenV1Results | Deepgram.listen.ListenV1Metadata | Deepgram.listen.ListenV1UtteranceEnd | Deepgram.listen.ListenV1SpeechStarted;
type Phase = 'idle' | 'connecting' | 'open' | 'waiting' | 'renewing' | 'ending' | 'done';

const CHANNELS: readonly ChannelName[] = ['agent', 'customer'];
const SAMPLES_PER_MS = SAMPLE_RATE / 1000;

export class LiveTranscriber {
  readonly stage: CallStage;
  private readonly client: ReturnType<typeof deepgramClient> | null;
  private current: TranscriptionStatus;
  private phase: Phase = 'idle';
  private socket: Socket | null = null;
  private generation = 0;
  /** Interleaved int16 stereo, `capacity` sample frames, indexed by absolute sample % capacity. */
  private readonly ring: Int16Array;
  private readonly capacity: number;
  /** Sample frames received from the call so far. */
  private written = 0;
  /** Sample frames sent on the current connection (absolute). */
  private sent = 0;
  /** Call time of the current connection's first sample, ms. */
  private offsetMs = 0;
  /** End of the last final word per channel, ms (finals before it are repeats). */
  private readonly lastFinalEnd = [0, 0];
  private lastSendAt = 0;
  private openedAt = 0;
  private attempts = 0;
  private keepAlive: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed: (() => void) | null = null;
  private session: CoachingSession | null = null;
  private stats_ = { connections: 0, reconnects: 0, bytesSent: 0, finals: 0, duplicatesDropped: 0, lostMs: 0 };

  constructor(private readonly options: LiveTranscriberOptions) {
    this.capacity = Math.ceil((options.replayMs ?? 20_000) / 20) * FRAME_SIZE;
    this.ring = new Int16Array(this.capacity * 2);
    this.client = options.config ? deepgramClient(options.config) : null;
    this.current = options.config ? { state: 'degraded', reason: 'connecting to Deepgram' } : { state: 'off', reason: options.offReason ?? 'no Deepgram API key' };
    this.stage = {
      onFrames: (agent, customer) => this.push(agent, customer),
      // Finals reach the engine (pace from words) as they arrive; the last ones before it stops.
      onSession: (session) => {
        this.session = session;
      },
      onSourceEnd: () => this.end(),
      onEnd: () => this.end(),
      onFail: () => this.abort(),
    };
  }

  get status(): TranscriptionStatus {
    return this.current;
  }

  get stats(): TranscriberStats {
    return { ...this.stats_ };
  }

  /** Opens the connection (the call's first audio waits in the buffer meanwhile). */
  start(): void {
    if (this.phase !== 'idle') return;
    this.options.onStatus?.(this.current);
    if (!this.client) {
      this.phase = 'done';
      return;
    }
    const every = this.options.keepAliveMs ?? 4000;
    const renewAfter = this.options.renewAfterMs ?? 2 * 3600_000;
    this.keepAlive = setInterval(() => {
      if (this.phase === 'open' && performance.now() - this.openedAt >= renewAfter) void this.renew();
      if (this.phase === 'open' && performance.now() - this.lastSendAt >= every) {
        this.socket?.sendKeepAlive({ type: 'KeepAlive' });
        this.lastSendAt = performance.now();
      }
    }, Math.max(50, every / 4));
    this.keepAlive.unref();
    void this.connect();
  }

  private setStatus(state: TranscriptionState, reason: string | null): void {
    if (this.current.state === state && this.current.reason === reason) return;
    this.current = { state, reason };
    this.options.onStatus?.(this.current);
  }

  /** Frames from the pipeline: converted into the ring, sent if the connection is open. */
  private push(agent: Float32Array, customer: Float32Array): void {
    if (this.phase === 'done' || this.phase === 'ending') return;
    if (this.phase === 'idle') this.start();
    const n = Math.min(agent.length, customer.length);
    const ring = this.ring;
    const cap = this.capacity;
    let at = this.written % cap;
    for (let i = 0; i < n; i++) {
      ring[2 * at] = toInt16(agent[i]!);
      ring[2 * at + 1] = toInt16(customer[i]!);
      if (++at === cap) at = 0;
    }
    this.written += n;
    if (this.phase === 'open') this.flushAudio();
  }

  /** Sends what the connection has not had yet, from the ring (at most two views, no copies here). */
  private flushAudio(): void {
    const socket = this.socket;
    if (!socket) return;
    if (this.written - this.sent > this.capacity) {
      // An outage longer than the buffer: the oldest audio is gone.
      const from = this.written - this.capacity;
      this.stats_.lostMs += (from - this.sent) / SAMPLES_PER_MS;
      this.sent = from;
    }
    while (this.sent < this.written) {
      const at = this.sent % this.capacity;
      const n = Math.min(this.written - this.sent, this.capacity - at);
      socket.sendMedia(this.ring.subarray(2 * at, 2 * (at + n)));
      this.stats_.bytesSent += n * 4;
      this.sent += n;
    }
    this.lastSendAt = performance.now();
  }

  private async connect(): Promise<void> {
    if (!this.client || !this.options.config) return;
    const gen = ++this.generation;
    this.phase = 'connecting';
    const { model, language } = this.options.config;
    const keyterm = (this.options.keyterms ?? []).map((k) => k.trim()).filter((k) => k.length > 0).slice(0, 50);
    let failure: unknown = null;
    let socket: Socket;
    try {
      socket = await this.client.listen.v1.connect({
        model,
        language,
        encoding: 'linear16',
        sample_rate: SAMPLE_RATE,
        channels: 2,
        multichannel: 'true',
        interim_results: 'true',
        utterance_end_ms: 1000,
        vad_events: 'true',
        punctuate: 'true',
        ...(keyterm.length > 0 && { keyterm }),
        reconnectAttempts: 0,
        connectionTimeoutInSeconds: 10,
      });
      socket.on('message', (m) => {
        if (gen === this.generation) this.onMessage(m);
      });
      socket.on('error', (e) => {
        failure ??= e;
      });
      socket.on('close', () => {
        if (gen === this.generation && this.phase !== 'connecting') this.onClose();
      });
      socket.connect();
      // The socket's own timeout closes it without settling waitForOpen on every path: bound it here.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out connecting to Deepgram')), 10_000);
        timer.unref();
      });
      try {
        await Promise.race([socket.waitForOpen(), timeout]);
      } catch (err) {
        socket.close();
        throw err;
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      if (gen !== this.generation) return;
      this.onConnectFailed(failure ?? err);
      return;
    }
    if (gen !== this.generation || this.phase !== 'connecting') {
      socket.close();
      return;
    }
    this.socket = socket;
    this.stats_.connections++;
    if (this.stats_.connections > 1) this.stats_.reconnects++;
    this.attempts = 0;
    this.phase = 'open';
    this.openedAt = performance.now();
    this.setStatus('on', null);
    // Replay from the earliest point either channel may still have words to finalise, on a 20 ms
    // boundary, within what the ring still holds.
    const pendingFrom = Math.min(...this.lastFinalEnd) * SAMPLES_PER_MS;
    const from = Math.max(0, this.written - this.capacity, Math.floor(pendingFrom / FRAME_SIZE) * FRAME_SIZE);
    this.sent = Math.min(from, this.written);
    this.offsetMs = this.sent / SAMPLES_PER_MS;
    this.flushAudio();
  }

  private onConnectFailed(err: unknown): void {
    this.socket = null;
    if (this.phase === 'ending' || this.phase === 'done') {
      this.finishClose();
      return;
    }
    const f = failureOf(err);
    if (f.kind === 'auth') return this.giveUp('off', f.reason);
    if (f.kind === 'quota') return this.giveUp('degraded', f.reason);
    this.scheduleRetry(`Deepgram unreachable: ${f.reason}`);
  }

  private onClose(): void {
    this.socket = null;
    if (this.phase === 'ending' || this.phase === 'renewing') {
      this.finishClose();
      return;
    }
    if (this.phase === 'done') return;
    this.scheduleRetry('connection to Deepgram lost; reconnecting');
  }

  /** A planned new connection: the old one finishes its words first (bounded), audio waits in the ring. */
  private async renew(): Promise<void> {
    const old = this.socket;
    if (this.phase !== 'open' || !old) return;
    this.phase = 'renewing';
    const closed = new Promise<void>((resolve) => {
      this.closed = resolve;
    });
    this.flushAudio();
    old.sendFinalize({ type: 'Finalize' });
    old.sendCloseStream({ type: 'CloseStream' });
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, this.options.finalWaitMs ?? 5000).unref())]);
    this.closed = null;
    if (this.phase !== 'renewing') return;
    old.close();
    this.socket = null;
    await this.connect();
  }

  private scheduleRetry(reason: string): void {
    const max = this.options.maxAttempts ?? 8;
    if (this.attempts >= max) return this.giveUp('degraded', reason.replace(/; reconnecting$/, ''));
    const backoff = this.options.backoffMs ?? [250, 500, 1000, 2000, 4000];
    const delay = backoff[Math.min(this.attempts, backoff.length - 1)] ?? 1000;
    this.attempts++;
    this.phase = 'waiting';
    this.setStatus('degraded', reason);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.phase === 'waiting') void this.connect();
    }, delay);
  }

  private giveUp(state: TranscriptionState, reason: string): void {
    this.phase = 'done';
    this.stopTimers();
    this.setStatus(state, reason);
    this.finishClose();
  }

  private onMessage(m: Message): void {
    switch (m.type) {
      case 'Results':
        return this.onResults(m);
      case 'SpeechStarted': {
        const channel = CHANNELS[m.channel[0] ?? 0];
        if (channel) this.options.onVoice?.({ type: 'speech_started', channel, atMs: this.offsetMs + m.timestamp * 1000 });
        return;
      }
      case 'UtteranceEnd': {
        const channel = CHANNELS[m.channel[0] ?? 0];
        if (channel) this.options.onVoice?.({ type: 'utterance_end', channel, atMs: this.offsetMs + m.last_word_end * 1000 });
        return;
      }
      default:
        return;
    }
  }

  private onResults(r: Deepgram.listen.ListenV1Results): void {
    const ch = r.channel_index[0] ?? 0;
    const channel = CHANNELS[ch];
    const alt = r.channel.alternatives[0];
    if (!channel || !alt) return;
    const isFinal = r.is_final === true;
    const all = alt.words.map((w) => ({
      word: w.punctuated_word ?? w.word,
      startMs: round(this.offsetMs + w.start * 1000),
      endMs: round(this.offsetMs + w.end * 1000),
      confidence: w.confidence,
    }));
    // Words before the channel's last final are repeats of replayed audio.
    const fresh = all.filter((w) => w.startMs >= this.lastFinalEnd[ch]! - 1);
    if (isFinal && fresh.length < all.length) this.stats_.duplicatesDropped += all.length - fresh.length;
    if (fresh.length === 0) return;
    const red = this.options.redact === false ? { text: fresh.map((w) => w.word).join(' '), words: fresh } : redactWords(fresh);
    const words: LiveWords = {
      channel,
      text: red.text,
      startMs: fresh[0]!.startMs,
      endMs: fresh.at(-1)!.endMs,
      confidence: fresh.reduce((s, w) => s + w.confidence, 0) / fresh.length,
      final: isFinal,
      words: red.words,
    };
    if (isFinal) {
      this.lastFinalEnd[ch] = words.endMs;
      this.stats_.finals++;
      this.session?.pushWords(ch === 1 ? 1 : 0, words.words);
      this.options.onFinal?.(words);
    } else this.options.onInterim?.(words);
  }

  /** The call ended: the rest of the audio, Finalize and CloseStream, then the last finals (bounded wait). */
  async end(): Promise<void> {
    const wait = this.options.finalWaitMs ?? 5000;
    if (this.phase === 'idle' || this.phase === 'done') {
      this.phase = 'done';
      this.stopTimers();
      return;
    }
    if (this.phase === 'waiting' || this.phase === 'connecting' || this.phase === 'renewing') {
      // Mid-reconnect: give it the wait to come back so the tail still gets its words.
      if (this.retry) {
        clearTimeout(this.retry);
        this.retry = null;
        void this.connect();
      }
      const opened = new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (this.phase === 'open' || this.phase === 'done') {
            clearInterval(t);
            resolve();
          }
        }, 20);
        t.unref();
        setTimeout(() => (clearInterval(t), resolve()), wait).unref();
      });
      await opened;
    }
    if (this.phase === 'open' && this.socket) {
      const closed = new Promise<void>((resolve) => {
        this.closed = resolve;
      });
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, wait).unref());
      this.phase = 'ending';
      this.flushAudio();
      this.socket.sendFinalize({ type: 'Finalize' });
      this.socket.sendCloseStream({ type: 'CloseStream' });
      await Promise.race([closed, deadline]);
    }
    this.phase = 'done';
    this.stopTimers();
    this.generation++;
    this.socket?.close();
    this.socket = null;
  }

  /** The call failed: close at once. */
  abort(): void {
    this.phase = 'done';
    this.stopTimers();
    this.generation++;
    this.socket?.close();
    this.socket = null;
  }

  private finishClose(): void {
    const done = this.closed;
    this.closed = null;
    done?.();
  }

  private stopTimers(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    if (this.retry) clearTimeout(this.retry);
    this.keepAlive = null;
    this.retry = null;
  }
}

function toInt16(x: number): number {
  const v = Math.round(x * 32768);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
