/**
 * A Deepgram stand-in on 127.0.0.1 that speaks the real protocol (the SDK's own types describe every
 * message below), so the tests run the real `@deepgram/sdk` against it:
 *
 * - `GET /v1/listen` upgraded to a WebSocket: `Authorization: Token <key>` (401 otherwise, or a 429 on
 *   command), Deepgram's query parameters, binary linear16 audio (interleaved when channels=2), and the
 *   text messages KeepAlive, Finalize and CloseStream. It answers with Results (interim, then final; per
 *   channel with `channel_index: [ch, channels]`), SpeechStarted, UtteranceEnd and, on close, Metadata;
 *   an idle socket (no audio and no KeepAlive) is closed with 1011 like the service's NET-0001.
 * - `POST /v1/listen`: a WAV body, answered with `results.channels[ch].alternatives[0]` (multichannel);
 *   a word the body's edge cuts comes back as the fragment heard (see heardIn).
 * - `GET /v1/projects`: the key check (the key's projects, or 401 with Deepgram's error body).
 *
 * It does not recognise speech: it answers from a SCRIPT of known words at known times per channel.
 * Times in a streaming connection count from that connection's first byte of audio, as the service's
 * do; so that a client reconnecting mid-call is judged on where its audio really is in the call, test
 * audio carries its own clock (see `clockFrames`): the first sample of each 20 ms block on channel 0
 * holds that block's index in the call, the way speech carries its words. Without a clock the stream
 * starts at call time 0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseWavHeader, decodeWavFrames } from '../../src/dsp/wav';

export interface ScriptWord {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence?: number;
}

/** One utterance: words on one channel, finalised together (after `endpointingMs` of silence). */
export interface ScriptPhrase {
  readonly channel: number;
  readonly words: readonly ScriptWord[];
}

export interface StandinOptions {
  readonly apiKey: string;
  readonly script: readonly ScriptPhrase[];
  /** Close a socket that received neither audio nor KeepAlive for this long (the service: ~10 s). */
  readonly idleTimeoutMs?: number;
  /** Silence after a phrase's last word before its final result, ms (default 300). */
  readonly endpointingMs?: number;
}

export interface ConnectionLog {
  readonly query: URLSearchParams;
  /** Audio bytes received. */
  bytes: number;
  keepAlives: number;
  finalizes: number;
  closeStreams: number;
  /** Call time of the connection's first audio, ms (from the embedded clock, else 0). */
  baseMs: number | null;
  closeCode: number | null;
}

/** Samples per 20 ms block at 16 kHz: the embedded clock's unit. */
const BLOCK = 320;

/**
 * Test audio for `count` 20 ms blocks from block `start`: silence on both channels but for the clock
 * sample leading each block on channel 0 (exactly representable in 16 bits: k / 32768).
 */
export function clockFrames(start: number, count: number): { agent: Float32Array; customer: Float32Array } {
  const agent = new Float32Array(count * BLOCK);
  for (let k = 0; k < count; k++) agent[k * BLOCK] = ((start + k) % 32768) / 32768;
  return { agent, customer: new Float32Array(count * BLOCK) };
}

/**
 * The call time at which interleaved int16 audio starts: from the embedded clock when its first two
 * blocks carry consecutive indices on channel 0 (nothing else does), else 0 (plain audio starts the call).
 */
function clockOf(pcm: Buffer, offset: number, channels: number): number {
  const stride = 2 * channels;
  if (pcm.length - offset < 2 * BLOCK * stride) return 0;
  const a = pcm.readInt16LE(offset);
  const b = pcm.readInt16LE(offset + BLOCK * stride);
  return b === a + 1 ? a * 20 : 0;
}

/**
 * What a recogniser makes of a word in a piece of audio from `fromMs` to `toMs`: the word when it is
 * all there; when the piece's edge cuts it, the part it heard — as many letters as the share of the word's
 * time inside (at least one), timed to the edge — as a real recogniser returns a fragment or a guess;
 * nothing when it is outside.
 */
function heardIn(w: ScriptWord, fromMs: number, toMs: number): ScriptWord[] {
  if (w.startMs >= fromMs && w.endMs <= toMs) return [w];
  const startMs = Math.max(w.startMs, fromMs);
  const endMs = Math.min(w.endMs, toMs);
  if (endMs <= startMs) return [];
  const letters = Math.max(1, Math.round((w.word.length * (endMs - startMs)) / (w.endMs - w.startMs)));
  const word = w.startMs < fromMs ? w.word.slice(-letters) : w.word.slice(0, letters);
  return [{ ...w, word, startMs, endMs }];
}

export class DeepgramStandin {
  readonly connections: ConnectionLog[] = [];
  /** Pre-recorded requests: their query parameters. */
  readonly uploads: URLSearchParams[] = [];
  /** Statuses of refused requests, in order. */
  readonly refusals: number[] = [];
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private failures: { status: number; left: number } | null = null;
  private port = 0;

  private constructor(private readonly options: StandinOptions) {
    this.server = createServer((req, res) => void this.http(req, res));
    // Idle keep-alive connections stay open as long as a real service's (Node's 5 s default closes one
    // just as a client reuses it, failing a request the service would have answered).
    this.server.keepAliveTimeout = 65_000;
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  static async start(options: StandinOptions): Promise<DeepgramStandin> {
    const s = new DeepgramStandin(options);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  /** The base URL to hand the client (`DEEPGRAM_URL`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next `times` requests (streaming or pre-recorded) are refused with `status` (e.g. 429). */
  failWith(status: number, times = Number.POSITIVE_INFINITY): void {
    this.failures = { status, left: times };
  }

  /** Drops every open streaming connection abruptly (no close frame), as a network failure does. */
  drop(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The status a request is refused with, or null to serve it. */
  private refusal(req: IncomingMessage): { status: number; body: object } | null {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Token ${this.options.apiKey}`) {
      return { status: 401, body: { err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.', request_id: crypto.randomUUID() } };
    }
    if (this.failures && this.failures.left > 0) {
      this.failures.left--;
      const status = this.failures.status;
      return { status, body: { err_code: status === 429 ? 'TOO_MANY_REQUESTS' : 'ERROR', err_msg: status === 429 ? 'Too many requests. Please try again later' : 'Error', request_id: crypto.randomUUID() } };
    }
    return null;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.url);
    const refused = url.pathname !== '/v1/listen' ? { status: 404, body: { err_msg: 'Not found' } } : this.refusal(req);
    if (refused) {
      this.refusals.push(refused.status);
      const body = JSON.stringify(refused.body);
      socket.end(`HTTP/1.1 ${refused.status} ${refused.status === 401 ? 'Unauthorized' : refused.status === 429 ? 'Too Many Requests' : 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.stream(ws, url.searchParams));
  }

  private stream(ws: WebSocket, query: URLSearchParams): void {
    this.sockets.add(ws);
    const log: ConnectionLog = { query, bytes: 0, keepAlives: 0, finalizes: 0, closeStreams: 0, baseMs: null, closeCode: null };
    this.connections.push(log);
    const channels = Number(query.get('channels') ?? '1');
    const rate = Number(query.get('sample_rate') ?? '16000');
    const interim = query.get('interim_results') === 'true';
    const vad = query.get('vad_events') === 'true';
    const utteranceEndMs = query.get('utterance_end_ms') !== null ? Number(query.get('utterance_end_ms')) : null;
    const endpointing = this.options.endpointingMs ?? 300;
    const requestId = crypto.randomUUID();
    // Per phrase: words already sent in an interim result, whether its final went out, SpeechStarted sent.
    const state = this.options.script.map(() => ({ interimWords: 0, final: false, started: false, utteranceEnd: false }));
    let samples = 0; // per channel, since the connection's first audio
    let pending = Buffer.alloc(0);
    let idle: NodeJS.Timeout | null = null;
    const idleMs = this.options.idleTimeoutMs ?? 10_000;
    const armIdle = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => ws.close(1011, 'Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001'), idleMs);
    };
    armIdle();
    const send = (msg: object): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const rel = (ms: number): number => Math.max(0, (ms - (log.baseMs ?? 0)) / 1000);
    const results = (p: ScriptPhrase, words: readonly ScriptWord[], isFinal: boolean, speechFinal: boolean, fromFinalize: boolean): object => {
      const first = words[0];
      const last = words.at(-1);
      const start = first ? rel(first.startMs) : 0;
      return {
        type: 'Results',
        channel_index: [p.channel, channels],
        duration: last ? rel(last.endMs) - start : 0,
        start,
        is_final: isFinal,
        speech_final: speechFinal,
        ...(fromFinalize && { from_finalize: true }),
        channel: {
          alternatives: [
            {
              transcript: words.map((w) => w.word).join(' '),
              confidence: words.length ? words.reduce((s, w) => s + (w.confidence ?? 0.99), 0) / words.length : 0,
              words: words.map((w) => ({ word: w.word.toLowerCase(), start: rel(w.startMs), end: rel(w.endMs), confidence: w.confidence ?? 0.99, punctuated_word: w.word })),
            },
          ],
        },
        metadata: { request_id: requestId, model_info: { name: query.get('model') ?? 'general', version: '2024-01-01.0', arch: 'nova-3' }, model_uuid: crypto.randomUUID() },
      };
    };
    /** Words of a phrase the connection heard (from its first audio on), up to `untilMs`. */
    const heard = (p: ScriptPhrase, untilMs: number): ScriptWord[] => p.words.filter((w) => w.startMs >= (log.baseMs ?? 0) && w.endMs <= untilMs);
    const advance = (nowMs: number): void => {
      this.options.script.forEach((p, i) => {
        const st = state[i]!;
        if (st.final || p.channel >= channels) return;
        const words = heard(p, nowMs);
        const first = p.words[0];
        if (vad && !st.started && first && first.startMs >= (log.baseMs ?? 0) && first.startMs <= nowMs) {
          st.started = true;
          send({ type: 'SpeechStarted', channel: [p.channel, channels], timestamp: rel(first.startMs) });
        }
        const last = p.words.at(-1)!;
        if (nowMs >= last.endMs + endpointing && words.length > 0) {
          st.final = true;
          send(results(p, words, true, true, false));
        } else if (interim && words.length > st.interimWords) {
          st.interimWords = words.length;
          send(results(p, words, false, false, false));
        }
        if (st.final && utteranceEndMs !== null && !st.utteranceEnd && nowMs >= last.endMs + utteranceEndMs) {
          st.utteranceEnd = true;
          send({ type: 'UtteranceEnd', channel: [p.channel, channels], last_word_end: rel(last.endMs) });
        }
      });
    };
    const finalize = (): void => {
      const nowMs = (log.baseMs ?? 0) + (samples / rate) * 1000;
      this.options.script.forEach((p, i) => {
        const st = state[i]!;
        if (st.final || p.channel >= channels) return;
        const words = heard(p, nowMs);
        if (words.length === 0) return;
        st.final = true;
        send(results(p, words, true, true, true));
      });
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        armIdle();
        const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        log.bytes += chunk.length;
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        const stride = 2 * channels;
        const whole = pending.length - (pending.length % stride);
        if (whole === 0) return;
        if (log.baseMs === null) {
          // Two blocks tell whether the audio carries a clock.
          if (whole < 2 * BLOCK * stride) return;
          log.baseMs = clockOf(pending, 0, channels);
        }
        samples += whole / stride;
        pending = pending.subarray(whole);
        advance((log.baseMs ?? 0) + (samples / rate) * 1000);
        return;
      }
      let msg: { type?: unknown };
      try {
        msg = JSON.parse(data.toString()) as { type?: unknown };
      } catch {
        ws.close(1008, 'invalid JSON');
        return;
      }
      switch (msg.type) {
        case 'KeepAlive':
          log.keepAlives++;
          armIdle();
          break;
        case 'Finalize':
          log.finalizes++;
          finalize();
          break;
        case 'CloseStream':
          log.closeStreams++;
          finalize();
          send({ type: 'Metadata', transaction_key: 'deprecated', request_id: requestId, sha256: '', created: new Date().toISOString(), duration: samples / rate, channels });
          ws.close(1000);
          break;
        default:
          ws.close(1008, 'unknown message type');
      }
    });
    ws.on('close', (code) => {
      log.closeCode = code;
      if (idle) clearTimeout(idle);
      this.sockets.delete(ws);
    });
    ws.on('error', () => undefined);
  }

  private async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/v1/projects') {
      // What a key check asks: the projects the key belongs to (Deepgram answers 401 with its own message otherwise).
      const refused = this.refusal(req);
      if (refused) {
        this.refusals.push(refused.status);
        return reply(refused.status, refused.body);
      }
      return reply(200, { projects: [{ project_id: 'standin-project', name: 'Stand-in project' }] });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/listen') return reply(404, { err_msg: 'Not found' });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const refused = this.refusal(req);
    if (refused) {
      this.refusals.push(refused.status);
      return reply(refused.status, refused.body);
    }
    this.uploads.push(url.searchParams);
    const body = new Uint8Array(Buffer.concat(chunks));
    let info: ReturnType<typeof parseWavHeader>;
    try {
      info = parseWavHeader(body);
    } catch (err) {
      return reply(400, { err_code: 'Bad Request', err_msg: `Bad Request: failed to process audio: ${(err as Error).message}`, request_id: crypto.randomUUID() });
    }
    // Decoded only to prove the body is audio; the words come from the script.
    const probe = info.channels > 0 ? Array.from({ length: info.channels }, () => new Float32Array(Math.min(info.frames, 1))) : [];
    decodeWavFrames(body, info, 0, Math.min(info.frames, 1), probe);
    const durationMs = (info.frames / info.sampleRate) * 1000;
    const baseMs = info.codec === 'pcm_s16' ? clockOf(Buffer.from(body.buffer, body.byteOffset, body.byteLength), info.dataOffset, info.channels) : 0;
    const rel = (ms: number): number => (ms - baseMs) / 1000;
    const multichannel = url.searchParams.get('multichannel') === 'true';
    const nChannels = multichannel ? info.channels : 1;
    const channels = Array.from({ length: nChannels }, (_, ch) => {
      const words = this.options.script
        .filter((p) => (multichannel ? p.channel === ch : true))
        .flatMap((p) => p.words)
        .flatMap((w) => heardIn(w, baseMs, baseMs + durationMs))
        .sort((a, b) => a.startMs - b.startMs);
      return {
        alternatives: [
          {
            transcript: words.map((w) => w.word).join(' '),
            confidence: words.length ? words.reduce((s, w) => s + (w.confidence ?? 0.99), 0) / words.length : 0,
            words: words.map((w) => ({ word: w.word.toLowerCase(), start: rel(w.startMs), end: rel(w.endMs), confidence: w.confidence ?? 0.99, punctuated_word: w.word })),
          },
        ],
      };
    });
    reply(200, {
      metadata: {
        transaction_key: 'deprecated',
        request_id: crypto.randomUUID(),
        sha256: '',
        created: new Date().toISOString(),
        duration: durationMs / 1000,
        channels: info.channels,
        models: [crypto.randomUUID()],
        model_info: {},
      },
      results: { channels },
    });
  }
}
