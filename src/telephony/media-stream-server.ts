/**
 * Coaching calls on a Twilio number: an HTTP + WebSocket server that
 * - answers Twilio's voice webhook (POST /voice) with TwiML starting a both-tracks Media Stream
 *   (signature-checked when an auth token is configured),
 * - accepts the Media Stream on /media (connected, start, media, mark, dtmf, stop), turns each
 *   track's 8 kHz μ-law into engine frames placed by Twilio's timestamps, and runs one engine
 *   session per call,
 * - pushes every call's nudges to the agent's app over WebSocket clients connected to /agent.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SAMPLE_RATE } from '../dsp/frames';
import { MULAW_TABLE } from '../dsp/g711';
import { makeResampler, type Resampler } from '../dsp/resample';
import type { Playbook } from '../shared/playbook';
import type { CallReport, Nudge } from '../shared/types';
import { runCall, type CallStage } from '../call/session';
import { storeStage, type StoreStageOptions } from '../call/store-stage';
import { makeFramePairer, type FramePairer } from '../capture/pairer';
import type { ChannelName, FrameSink, FrameSource, SourceStats } from '../capture/source';
import { EngineHost } from '../engine/host';
import type { CoachingSession } from '../engine/session';
import type { Library } from '../library/library';
import { twilioMessage, voiceTwiml, type TwilioStart } from './media-stream-protocol';
import { validTwilioSignature } from './twilio-signature';
import { callTranscriber, type CallTranscriberOptions } from '../transcription/call-transcriber';
import { LanguageFeed } from '../call/language-stage';
import type { TranscriptionStatus } from '../transcription/live';

/** Largest WebSocket message on /media (a 20 ms μ-law chunk is 160 bytes, ~300 base64 characters). */
export const MEDIA_MAX_MESSAGE = 8 * 1024;
/** Agent apps only listen; what they send is ignored and kept small. */
const AGENT_MAX_MESSAGE = 4 * 1024;
/** Decoded audio bytes in one media message (Twilio sends 160). */
export /** Both tracks at 50 messages a second for the longest a session start may take, with room to spare. */
const MAX_WAITING_MESSAGES = 8000;
const ENGINE_REQUEST_TIMEOUT_MS = 60_000;
const MEDIA_MAX_PAYLOAD = 8 * 1024;
/** A timestamp jump larger than this much audio is clamped: a gap in a real stream is short. */
const MAX_GAP_MS = 2000;
const DEFAULT_MAX_STREAMS = 100;
const DEFAULT_MAX_LEAD_MS = 60_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** Why a stream is closed by us, with the WebSocket close code. */
class StreamRefusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface MediaStreamServerOptions {
  readonly playbook: Playbook;
  readonly port?: number;
  readonly host?: string;
  /**
   * Twilio auth token: when set, /voice requests and /media upgrades must carry a valid
   * X-Twilio-Signature (Twilio signs the wss URL of a stream).
   */
  readonly authToken?: string;
  /** The secret agent apps present on /agent (`Authorization: Bearer …` or `?token=`); without one /agent is refused. */
  readonly agentSecret?: string;
  /** Browser origins allowed on /agent (a client without an Origin header is not a browser and needs only the secret). */
  readonly agentOrigins?: readonly string[];
  /** Concurrent media streams; one more is closed with 1013 (try again later). Default 100. */
  readonly maxStreams?: number;
  /** How far a stream's audio may run ahead of the wall clock before it is closed (1008). Default 60 s. */
  readonly maxLeadMs?: number;
  /**
   * How long `close()` waits for the calls in progress to take in what their clients sent and be stored
   * and scored. Past it the calls' sockets are cut and the calls left to recovery. Default 10 s.
   */
  readonly closeTimeoutMs?: number;
  /** The public base URL Twilio uses (e.g. https://abc.ngrok.app); signatures are computed on it. */
  readonly publicUrl?: string;
  /** Who the webhook connects the caller to: a number, SIP URI or `client:identity`. */
  readonly dial?: string;
  /** Which Twilio track is the agent; the other is the customer. Default: outbound (the caller is the customer). */
  readonly agentTrack?: 'inbound' | 'outbound';
  readonly engineHost?: EngineHost;
  /**
   * Where calls are stored as they happen (crash-safe, with their recording) and finalized like every
   * other call; without one, calls are coached but not kept.
   */
  readonly library?: Library;
  /** Storage options for each call (recording on/off, post-call steps). */
  readonly store?: StoreStageOptions;
  /**
   * Live transcription of every call: a transcriber stage ahead of the store stage (finals stored with
   * the call); its lines and its state (on, or off/degraded and why, the call going on) go to /agent.
   */
  readonly transcription?: Omit<CallTranscriberOptions, 'writer' | 'onLine' | 'onStatus'>;
  readonly onCallStart?: (call: CallInfo) => void;
  readonly onNudge?: (call: CallInfo, phase: 'open' | 'close', nudge: Nudge) => void;
  /** The call ended (and, with a library, was stored as `callId`). */
  readonly onCallEnd?: (call: CallInfo, report: CallReport, callId: string | null) => void | Promise<void>;
  readonly onLog?: (message: string) => void;
}

export interface CallInfo {
  readonly callSid: string;
  readonly streamSid: string;
  readonly accountSid: string;
  readonly tracks: readonly string[];
  readonly customParameters: Readonly<Record<string, string>>;
}

export interface MediaStreamServer {
  readonly port: number;
  readonly url: string;
  /** Calls in progress. */
  readonly activeCalls: number;
  /**
   * Stops taking connections, then ends every call in progress as its `stop` would, with all the audio
   * its client sent before the close handshake (bounded by `closeTimeoutMs`).
   */
  close(): Promise<CloseResult>;
}

export interface CloseResult {
  /** Calls in progress at the close that were ended, stored and scored. */
  readonly ended: number;
  /**
   * Calls still ending when `closeTimeoutMs` ran out: their sockets were cut; what their live writer
   * committed is kept, and a library opened by a later process recovers them as `interrupted`.
   */
  readonly unfinished: number;
}

/** One track: places μ-law chunks by timestamp (gaps become silence) and resamples 8 kHz → 16 kHz. */
class TrackDecoder {
  private cursor = 0; // 8 kHz samples written so far
  private shift = 0; // samples cut out of timestamp jumps, so later timestamps follow on
  private readonly resampler: Resampler;
  private pcm = new Float32Array(0);
  private out = new Float32Array(0);

  constructor(
    private readonly rate: number,
    private readonly write: (x: Float32Array) => void,
  ) {
    this.resampler = makeResampler(rate, SAMPLE_RATE, { maxBlock: 8192 });
  }

  /** Audio written so far, in ms of stream time. */
  get clockMs(): number {
    return (this.cursor * 1000) / this.rate;
  }

  push(timestampMs: number, bytes: Buffer): void {
    let at = Math.round((timestampMs * this.rate) / 1000) - this.shift;
    const maxGap = (MAX_GAP_MS * this.rate) / 1000;
    if (at > this.cursor + maxGap) {
      this.shift += at - (this.cursor + maxGap);
      at = this.cursor + maxGap;
    }
    if (at > this.cursor) this.emitSilence(at - this.cursor);
    // A chunk overlapping what was written already (a repeat) contributes only its new part.
    const skip = Math.max(0, this.cursor - at);
    if (skip >= bytes.length) return;
    const n = bytes.length - skip;
    if (this.pcm.length < n) this.pcm = new Float32Array(n);
    for (let i = 0; i < n; i++) this.pcm[i] = MULAW_TABLE[bytes[skip + i]!]!;
    this.convert(this.pcm, n);
  }

  private emitSilence(n: number): void {
    const z = new Float32Array(Math.min(n, 8192));
    for (let left = n; left > 0; left -= z.length) this.convert(z, Math.min(z.length, left));
  }

  private convert(x: Float32Array, n: number): void {
    for (let at = 0; at < n; at += 8192) {
      const len = Math.min(8192, n - at);
      const need = this.resampler.maxOutput(len);
      if (this.out.length < need) this.out = new Float32Array(need);
      const k = this.resampler.process(at === 0 ? x : x.subarray(at), len, this.out);
      this.cursor += len;
      if (k > 0) this.write(this.out.slice(0, k));
    }
  }
}

/** A media stream as a frame source of the call pipeline: the pairer's frames, until the stream ends. */
class StreamSource implements FrameSource {
  private sink: FrameSink | null = null;
  private frames = 0;
  private endResolve: () => void = () => {};
  readonly finished = new Promise<void>((resolve) => (this.endResolve = resolve));

  constructor(readonly description: string) {}

  start(sink: FrameSink): Promise<void> {
    this.sink = sink;
    for (const channel of ['agent', 'customer'] as const) sink.status({ channel, state: 'capturing', message: this.description });
    return Promise.resolve();
  }

  push(agent: Float32Array, customer: Float32Array): void {
    this.frames += agent.length / 320;
    this.sink?.frames(agent, customer, performance.now());
  }

  end(): void {
    this.endResolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  stats(): SourceStats {
    return { droppedSamples: 0, paddedSamples: 0, frames: this.frames };
  }
}

class StreamCall {
  private session: CoachingSession | null = null;
  private source: StreamSource | null = null;
  private done: Promise<void> | null = null;
  private pairer: FramePairer | null = null;
  private tracks = new Map<string, TrackDecoder>();
  private streamClock = 0;
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;
  private ended = false;
  private stored = false;
  private refused = false;
  private startedAt = 0;
  info: CallInfo | null = null;
  /** The call's transcription state, for agent apps that connect mid-call; null without transcription. */
  transcription: TranscriptionStatus | null = null;

  constructor(
    private readonly server: MediaStreamServerImpl,
    private readonly ws: WebSocket,
  ) {}

  /** Messages are handled strictly in order (start is async). */
  handle(raw: string): void {
    if (this.refused) return;
    // Messages wait here while the call's engine session starts (up to the server's start time-out)
    // and while back-pressure holds the stream: a bound keeps a flooding client from growing it forever.
    if (++this.waiting > MAX_WAITING_MESSAGES) {
      this.refused = true;
      this.server.log(`media stream closed (1008): over ${MAX_WAITING_MESSAGES} messages waiting`);
      this.ws.close(1008, 'too many messages waiting');
      return;
    }
    this.queue = this.queue.then(() => this.process(raw)).finally(() => this.waiting--).catch((err: unknown) => {
      this.refused = true;
      if (err instanceof StreamRefusal) {
        this.server.log(`media stream closed (${err.code}): ${err.message}`);
        this.ws.close(err.code, err.message.slice(0, 120));
      } else {
        this.server.log(`media stream error: ${(err as Error).message}`);
        this.ws.close(1011, 'error');
      }
    });
  }

  private async process(raw: string): Promise<void> {
    if (this.ended || this.refused) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.server.log('media stream: ignoring a message that is not JSON');
      return;
    }
    const parsed = twilioMessage.safeParse(json);
    if (!parsed.success) {
      this.server.log(`media stream: ignoring an unknown or malformed message (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      return;
    }
    const msg = parsed.data;
    switch (msg.event) {
      case 'connected':
        return;
      case 'start':
        await this.start(msg);
        return;
      case 'media': {
        const dec = this.tracks.get(msg.media.track);
        if (!dec || !this.pairer) return;
        if (msg.media.payload.length > Math.ceil(MEDIA_MAX_PAYLOAD / 3) * 4) throw new StreamRefusal(1009, `media payload over ${MEDIA_MAX_PAYLOAD} bytes`);
        dec.push(msg.media.timestamp, Buffer.from(msg.media.payload, 'base64'));
        this.streamClock = Math.max(this.streamClock, dec.clockMs);
        this.pairer.pump();
        // Audio cannot arrive much faster than it is spoken: a stream that runs far ahead of the wall
        // clock is not a phone call (and would otherwise store hours of audio in seconds).
        const lead = this.streamClock - (performance.now() - this.startedAt);
        if (lead > this.server.maxLeadMs) throw new StreamRefusal(1008, `stream runs ${Math.round(lead / 1000)} s ahead of real time`);
        // Back-pressure: a stream sent faster than real time waits for the worker instead of losing frames.
        if (this.session && this.session.queuedFrames > 200) await this.session.drain();
        return;
      }
      case 'mark':
      case 'dtmf':
        return;
      case 'stop':
        await this.end();
        return;
    }
  }

  private async start(msg: TwilioStart): Promise<void> {
    if (this.source) return;
    const s = msg.start;
    const f = s.mediaFormat;
    // Twilio streams only 8 kHz mono μ-law; anything else is not Twilio and is refused before a call exists.
    if (f.encoding !== 'audio/x-mulaw' || f.sampleRate !== 8000 || f.channels !== 1) {
      throw new StreamRefusal(1008, `unsupported media format ${String(f.encoding).slice(0, 40)} ${f.sampleRate} Hz ${f.channels} ch (expected audio/x-mulaw 8000 Hz mono)`);
    }
    this.startedAt = performance.now();
    const info: CallInfo = { callSid: s.callSid, streamSid: s.streamSid, accountSid: s.accountSid, tracks: s.tracks, customParameters: s.customParameters ?? {} };
    this.info = info;
    const source = new StreamSource(`Twilio call ${s.callSid}`);
    this.source = source;
    const opts = this.server.opts;
    const stored = opts.library
      ? await storeStage(opts.library, { startedAt: Date.now(), source: 'softphone', title: `Twilio call ${s.callSid}`, customerLabel: s.customParameters?.from ?? null }, { narrowbandRecording: true, ...opts.store, onWarning: (m) => this.server.log(`call ${s.callSid}: ${m}`) })
      : null;
    const callSid = s.callSid;
    const library = opts.library;
    // Phrase rules, the checklist and knowledge cards read the words as in the app's own calls.
    const language = new LanguageFeed({
      ...(library && { lookup: (text: string) => library.kb.lookup(text) }),
      onCard: (phase, nudge) => {
        stored?.writer.nudge(phase, nudge);
        this.server.nudge(info, phase, nudge);
      },
    });
    const transcriber = opts.transcription
      ? callTranscriber({
          ...opts.transcription,
          writer: stored?.writer ?? null,
          onLine: (w) => {
            language.push(w, w.final);
            this.server.broadcast({ type: 'transcript', callSid, channel: w.channel, text: w.text, startMs: w.startMs, endMs: w.endMs, final: w.final });
          },
          onStatus: (st) => {
            this.transcription = st;
            this.server.broadcast({ type: 'transcription', callSid, ...st });
          },
        })
      : null;
    const stages: CallStage[] = [
      {
        onNudge: (phase, nudge) => this.server.nudge(info, phase, nudge),
        onSession: (session) => {
          this.session = session;
        },
      },
      ...(transcriber ? [transcriber.stage, language.stage] : []),
      ...(stored ? [stored.stage] : []),
    ];
    const started = new Promise<void>((resolve) => stages.push({ onSession: () => resolve() }));
    const host = await this.server.engine();
    const run = runCall(source, { playbook: opts.playbook, engine: host, sessionId: `twilio-${s.callSid}` }, stages);
    this.done = run.then(
      (result) => this.server.callEnded(info, result.report, stored?.callId ?? null),
      (err: unknown) => this.server.log(`call ${s.callSid} failed: ${(err as Error).message}`),
    );
    await Promise.race([started, run.then(() => undefined, () => undefined)]);
    // The stream's own clock (media timestamps) drives padding of a silent track, not the wall clock.
    this.pairer = makeFramePairer({
      onFrames: (a, c) => source.push(a, c),
      now: () => this.streamClock,
      maxQueueMs: 10_000,
      maxSkewMs: 5_000,
      stallMs: 1_000,
    });
    const agentTrack = opts.agentTrack ?? 'outbound';
    const pairer = this.pairer;
    for (const track of ['inbound', 'outbound'] as const) {
      const channel: ChannelName = track === agentTrack ? 'agent' : 'customer';
      this.tracks.set(track, new TrackDecoder(8000, (x) => pairer.write(channel, x)));
    }
    this.server.callStarted(info);
  }

  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (!this.source) return;
    this.pairer?.flush();
    this.source.end();
    await this.done;
    this.stored = true;
  }

  /** A call was started and has not been stored and scored yet. */
  get inProgress(): boolean {
    return this.source !== null && !this.stored;
  }

  /** Ends the call once every message received before the socket closed has been handled. */
  close(): Promise<void> {
    this.queue = this.queue.then(() => this.end());
    return this.queue;
  }
}

class MediaStreamServerImpl implements MediaStreamServer {
  private readonly http: Server;
  // A Twilio media message is ~300 base64 characters of audio in a small JSON envelope; an agent app
  // only receives. Anything larger is closed with 1009 by ws before it is buffered.
  private readonly media = new WebSocketServer({ noServer: true, maxPayload: MEDIA_MAX_MESSAGE });
  private readonly agents = new WebSocketServer({ noServer: true, maxPayload: AGENT_MAX_MESSAGE });
  /** Each call in progress, with the promise of its end (stored and scored) once its socket has closed. */
  private readonly calls = new Map<StreamCall, Promise<void>>();
  private closing: Promise<CloseResult> | null = null;
  private host: Promise<EngineHost> | null = null;
  private ownHost = false;
  port = 0;

  constructor(readonly opts: MediaStreamServerOptions) {
    this.http = createServer((req, res) => void this.request(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket, head) => {
      // A socket that errors before or during the handshake concerns only that client.
      socket.on('error', () => socket.destroy());
      const url = new URL(req.url ?? '/', 'http://x');
      const wss = url.pathname === '/media' ? this.media : url.pathname === '/agent' ? this.agents : null;
      if (!wss) return refuseUpgrade(socket, 404, 'not found');
      // A kept-alive HTTP connection can still ask for a stream after the listener stopped.
      if (this.closing) return refuseUpgrade(socket, 503, 'server closing');
      const refusal = wss === this.media ? this.checkMedia(req) : this.checkAgent(req, url);
      if (refusal) {
        this.log(`refused a ${url.pathname} connection: ${refusal.reason}`);
        return refuseUpgrade(socket, refusal.status, refusal.reason);
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    // One bad client (a malformed frame, a reset) must never take the server or other calls down: ws
    // closes that connection with the right code (1002, 1007, 1009) and reports it here.
    for (const wss of [this.media, this.agents]) wss.on('error', (err) => this.log(`websocket server error: ${err.message}`));
    this.media.on('connection', (ws: WebSocket) => {
      ws.on('error', (err) => this.log(`media stream closed: ${err.message}`));
      if (this.calls.size >= (this.opts.maxStreams ?? DEFAULT_MAX_STREAMS)) {
        this.log(`refused a media stream: ${this.calls.size} streams already (the limit)`);
        ws.close(1013, 'too many streams; try again later');
        return;
      }
      const call = new StreamCall(this, ws);
      // A stream that closes without `stop` (the client hung up, or the server is closing) still ends its
      // call, after every message that arrived before the close: ws emits them all before 'close'.
      const ended = new Promise<void>((resolve) =>
        ws.on('close', () => {
          void call
            .close()
            .catch((err: unknown) => this.log(`ending call failed: ${(err as Error).message}`))
            .finally(() => {
              this.calls.delete(call);
              resolve();
            });
        }),
      );
      this.calls.set(call, ended);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) call.handle(data.toString('utf8'));
      });
    });
    this.agents.on('connection', (ws: WebSocket) => {
      ws.on('error', (err) => this.log(`agent connection closed: ${err.message}`));
      const active = [...this.calls.keys()].filter((c) => c.info);
      const transcription = active.flatMap((c) => (c.transcription ? [{ callSid: c.info!.callSid, ...c.transcription }] : []));
      ws.send(JSON.stringify({ type: 'hello', activeCalls: active.map((c) => c.info!), ...(this.opts.transcription && { transcription }) }));
    });
  }

  get maxLeadMs(): number {
    return this.opts.maxLeadMs ?? DEFAULT_MAX_LEAD_MS;
  }

  /** The public base URL of a request (what Twilio used), without a trailing slash. */
  private baseUrl(req: IncomingMessage): string {
    const hostHeader = req.headers['x-forwarded-host'] ?? req.headers.host ?? `127.0.0.1:${this.port}`;
    const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? 'http';
    return (this.opts.publicUrl ?? `${proto}://${String(hostHeader)}`).replace(/\/$/, '');
  }

  /** Twilio signs a stream's WebSocket URL (wss://…/media) with no parameters. */
  private checkMedia(req: IncomingMessage): { status: number; reason: string } | null {
    if (!this.opts.authToken) return null;
    const signature = req.headers['x-twilio-signature'];
    const url = this.baseUrl(req).replace(/^http/, 'ws') + (req.url ?? '/media');
    if (typeof signature !== 'string') return { status: 401, reason: 'missing X-Twilio-Signature' };
    if (!validTwilioSignature(this.opts.authToken, url, {}, signature)) return { status: 403, reason: 'invalid X-Twilio-Signature' };
    return null;
  }

  private checkAgent(req: IncomingMessage, url: URL): { status: number; reason: string } | null {
    const secret = this.opts.agentSecret;
    if (!secret) return { status: 403, reason: 'no agent secret is configured (set --agent-secret or CADENCE_AGENT_SECRET)' };
    const auth = req.headers.authorization;
    const given = /^Bearer (.+)$/i.exec(auth ?? '')?.[1] ?? url.searchParams.get('token');
    if (!given || !sameSecret(given, secret)) return { status: 401, reason: 'missing or wrong agent secret' };
    const origin = req.headers.origin;
    if (origin !== undefined && !(this.opts.agentOrigins ?? []).includes(origin)) return { status: 403, reason: `origin ${origin.slice(0, 100)} is not allowed (--agent-origin)` };
    return null;
  }

  get url(): string {
    return `http://${this.opts.host ?? '127.0.0.1'}:${this.port}`;
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  log(message: string): void {
    this.opts.onLog?.(message);
  }

  engine(): Promise<EngineHost> {
    if (!this.host) {
      if (this.opts.engineHost) this.host = Promise.resolve(this.opts.engineHost);
      else {
        this.ownHost = true;
        // Many calls at 50 frames a second each: one message to the worker every 50 ms for all of them.
        // A worker busy with other calls answers a new call's start late but surely (a dead worker is
        // reported at once by its exit): waiting a minute keeps the call, where 10 s lost all its audio.
        this.host = EngineHost.start({ batchMs: 50, requestTimeoutMs: ENGINE_REQUEST_TIMEOUT_MS, onLog: (level, m) => this.log(`engine ${level}: ${m}`) });
      }
    }
    return this.host;
  }

  /** A message to every agent app on /agent. */
  broadcast(obj: unknown): void {
    const text = JSON.stringify(obj);
    for (const c of this.agents.clients) if (c.readyState === 1) c.send(text);
  }

  callStarted(call: CallInfo): void {
    this.broadcast({ type: 'call', phase: 'start', call });
    this.opts.onCallStart?.(call);
  }

  nudge(call: CallInfo, phase: 'open' | 'close', nudge: Nudge): void {
    this.broadcast({ type: 'nudge', phase, callSid: call.callSid, nudge });
    this.opts.onNudge?.(call, phase, nudge);
  }

  async callEnded(call: CallInfo, report: CallReport, callId: string | null): Promise<void> {
    this.broadcast({ type: 'call', phase: 'end', call, callId, report });
    await this.opts.onCallEnd?.(call, report, callId);
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, activeCalls: this.activeCalls }));
      return;
    }
    if (this.closing) {
      res.writeHead(503, { connection: 'close' }).end();
      return;
    }
    if (url.pathname !== '/voice') {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 64 * 1024) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(c as Buffer);
    }
    const params: Record<string, string[]> = {};
    if (req.method === 'POST') {
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) (params[k] ??= []).push(v);
    }
    const base = this.baseUrl(req);
    if (this.opts.authToken) {
      const signature = req.headers['x-twilio-signature'];
      if (!validTwilioSignature(this.opts.authToken, base + (req.url ?? '/voice'), params, typeof signature === 'string' ? signature : undefined)) {
        this.log('rejected a /voice request with a missing or invalid X-Twilio-Signature');
        res.writeHead(403, { 'content-type': 'text/plain' }).end('invalid Twilio signature');
        return;
      }
    }
    const streamUrl = `${base.replace(/^http/, 'ws')}/media`;
    res.writeHead(200, { 'content-type': 'text/xml' }).end(voiceTwiml(streamUrl, this.opts.dial));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        this.port = (this.http.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  close(): Promise<CloseResult> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<CloseResult> {
    const stopped = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeIdleConnections();
    const inProgress = (): number => [...this.calls.keys()].filter((c) => c.inProgress).length;
    const atClose = inProgress();
    // The close handshake: each client's answer comes after the media it had already sent, so every
    // call takes in all of its audio (pairer → engine → recording → library) before it ends.
    for (const ws of this.media.clients) ws.close(1001, 'server closing');
    const timeoutMs = this.opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      Promise.all(this.calls.values()).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    const unfinished = inTime ? 0 : inProgress();
    if (unfinished > 0) this.log(`${unfinished} call(s) still ending ${timeoutMs / 1000} s after the close: cut; what was stored is kept and recovered as interrupted at the next start`);
    // A client that never answered the close is cut.
    if (!inTime) for (const ws of this.media.clients) ws.terminate();
    // Agent apps heard every call's end before they are let go.
    for (const ws of this.agents.clients) ws.close(1001, 'server closing');
    this.http.closeAllConnections();
    // The listener reports closed once every socket is gone; an agent app that does not answer its close
    // within a second is cut rather than waited for (ws would wait 30 s).
    let grace: NodeJS.Timeout | undefined;
    const answered = await Promise.race([stopped.then(() => true), new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), 1000)))]);
    clearTimeout(grace);
    if (!answered) for (const ws of [...this.agents.clients, ...this.media.clients]) ws.terminate();
    await stopped;
    if (this.ownHost && this.host) {
      const host = await this.host;
      // A call that is stuck may hold the worker; its process exits without waiting for it.
      if (unfinished === 0) await host.close();
      else void host.close().catch(() => undefined);
    }
    return { ended: atClose - unfinished, unfinished };
  }
}

/** Compares secrets in constant time (hashed first, so their lengths do not leak either). */
function sameSecret(a: string, b: string): boolean {
  const h = (x: string): Buffer => createHash('sha256').update(x, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

export async function startMediaStreamServer(opts: MediaStreamServerOptions): Promise<MediaStreamServer> {
  const server = new MediaStreamServerImpl(opts);
  await server.listen();
  return server;
}
