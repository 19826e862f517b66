/**
 * Live calls as the UI sees them: starts a call — from the agent's audio devices, or the shipped demo
 * call played through the real engine worker in real time — stores it as it goes (LiveCallWriter), and
 * pushes cards, metrics, transcript lines and device status to every connected window.
 */
import type { SessionOutput } from '../shared/engine-protocol';
import type { AppSettings, LiveState, TranscriptLine } from '../shared/rpc';
import { redactNumbers } from '../shared/redact';
import type { SoftphoneCallInfo, SoftphoneFramesMessage } from '../shared/softphone';
import type { CallEvent, NudgeFeedback } from '../shared/types';
import { DeviceSource } from '../capture/device-source';
import { FileSource } from '../capture/file-source';
import { rememberDevices, rememberedDevices } from '../capture/remembered';
import { createSoftphoneBridge, type SoftphoneBridge } from '../telephony/softphone-bridge';
import type { FrameSource } from '../capture/source';
import type { EngineHost } from '../engine/host';
import type { CoachingSession } from '../engine/session';
import { oneLine, UserError } from '../shared/errors';
import { runCall, type CallStage } from './session';
import { storeStage } from './store-stage';
import type { LiveCallWriter } from '../library/live-writer';
import type { Library } from '../library/library';
import { demoCallPath, loadDemoTranscript } from './demo';
import type { AppEvents } from '../app/events';
import type { PlaybookService } from '../playbook/playbook-service';
import type { SettingsService } from '../app/settings';
import type { Playbook } from '../shared/playbook';
import { deepgramConfig, playbookKeyterms, type DeepgramConfig } from '../transcription/config';
import type { LiveTranscriber } from '../transcription/live';
import { callTranscriber } from '../transcription/call-transcriber';
import { muteStep } from '../transcription/mute';
import { LanguageFeed } from './language-stage';

const IDLE: LiveState = { phase: 'idle', callId: null, source: null, startedAt: null, error: null, ruleIds: [] };

/** Epoch ms with sub-ms precision (comparable across processes on one machine). */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

interface Running {
  readonly callId: string;
  readonly writer: LiveCallWriter;
  readonly abort: AbortController;
  done: Promise<void>;
  /** An automatic start: still waiting for both sides to speak. */
  waiting: boolean;
  tMs: number;
  marks: number;
  session: CoachingSession | null;
}

/** The agent's calibrated speech level from the first-run level check, dBFS. */
export const CALIBRATION_KEY = 'capture.calibrationDb';

type CallSpec =
  | { readonly kind: 'demo'; readonly speed: number }
  | { readonly kind: 'softphone'; readonly call: SoftphoneCallInfo; readonly bridge: SoftphoneBridge }
  | { readonly kind: 'devices'; readonly agent: string; readonly customer: string; readonly autoStart: boolean; readonly silenceStopMs?: number; readonly title?: string };

export class LiveService {
  private current: LiveState = IDLE;
  private running: Running | null = null;
  /** The running softphone call's frame bridge. */
  private bridge: SoftphoneBridge | null = null;
  /** The last call, so feedback on its cards still lands after it ended. */
  private lastCallId: string | null = null;

  constructor(
    private readonly deps: {
      readonly library: Library;
      readonly engine: EngineHost;
      readonly events: AppEvents;
      readonly playbooks: PlaybookService;
      readonly settings: SettingsService;
      /** Where the Deepgram key is kept (settings); without it, or a key, calls run with transcription off. */
      readonly secrets?: { get(name: 'deepgram'): Promise<string | null> };
      readonly onLog?: (line: string) => void;
    },
  ) {}

  get state(): LiveState {
    return this.current;
  }

  get inCall(): boolean {
    return this.current.phase !== 'idle';
  }

  private setState(next: LiveState): LiveState {
    this.current = next;
    this.deps.events.emit('live.state', next);
    return next;
  }

  startDemo(speed = 1): Promise<LiveState> {
    return this.begin({ kind: 'demo', speed });
  }

  /** A real call from the agent's devices (the ones given, else the ones used last time). */
  async startDevices(input: { agent?: string; customer?: string; autoStart?: boolean; title?: string } = {}): Promise<LiveState> {
    const remembered = await rememberedDevices(this.deps.library);
    const agent = input.agent ?? remembered?.agent;
    const customer = input.customer ?? remembered?.customer;
    if (agent === undefined || customer === undefined) {
      throw new UserError('choose your microphone and the softphone output first (Settings → Audio)', 'no_devices');
    }
    // By default a call starts when both sides speak and stops after the set silence (then the next one is awaited).
    const settings = await this.deps.settings.get();
    const auto = settings.autoStartStop;
    return this.begin({
      kind: 'devices',
      agent,
      customer,
      autoStart: input.autoStart ?? auto,
      ...(auto && { silenceStopMs: settings.silenceStopSeconds * 1000 }),
      ...(input.title !== undefined ? { title: input.title } : {}),
    });
  }

  /**
   * A softphone call (Twilio Voice SDK in the window): its tapped frames arrive through
   * `softphoneFrames` until the call ends (`stop`).
   */
  startSoftphone(call: SoftphoneCallInfo): Promise<LiveState> {
    if (this.current.phase !== 'idle') return Promise.reject(new UserError('a call is already running; stop it first', 'call_running'));
    // Frames can arrive before the engine session is up: keep up to 10 s of them rather than drop any.
    const bridge = createSoftphoneBridge({ description: `softphone ${call.direction} ${call.peer}`, maxBacklogMs: 10_000 });
    this.bridge = bridge;
    return this.begin({ kind: 'softphone', call, bridge });
  }

  /** Frames tapped from the softphone call in the window. */
  softphoneFrames(msg: SoftphoneFramesMessage): void {
    if (!this.bridge || this.current.phase === 'idle') throw new UserError('no softphone call is running', 'no_call');
    this.bridge.push(msg);
  }

  private async begin(spec: CallSpec): Promise<LiveState> {
    if (this.current.phase !== 'idle') throw new UserError('a call is already running; stop it first', 'call_running');
    const label = spec.kind === 'demo' ? 'Demo call' : spec.kind === 'softphone' ? `Softphone: ${spec.call.peer}` : `${spec.agent} + ${spec.customer}`;
    this.setState({ ...IDLE, phase: 'starting', source: label });
    try {
      const playbook = await this.deps.playbooks.active();
      const settings = await this.deps.settings.get();
      const transcript = spec.kind === 'demo' ? loadDemoTranscript().segments : [];
      const calibration = await this.deps.library.settings.get(CALIBRATION_KEY);
      const startedAt = Date.now();
      const meta =
        spec.kind === 'demo'
          ? ({ startedAt, source: 'file', title: 'Demo call', customerLabel: 'Demo customer', tags: ['demo'] } as const)
          : spec.kind === 'softphone'
            ? ({ startedAt, source: 'softphone', title: `${spec.call.direction === 'incoming' ? 'Call from' : 'Call to'} ${spec.call.peer}`, customerLabel: spec.call.peer } as const)
            : ({ startedAt, source: 'device', title: spec.title ?? `Call ${new Date(startedAt).toLocaleString()}` } as const);
      const stored = await storeStage(this.deps.library, meta, {
        recording: settings.record,
        onWarning: (m) => this.deps.onLog?.(m),
        // What was masked in the words is silenced in the recording too, once the last words are in.
        ...(settings.record && settings.redactNumbers && settings.muteRedactedAudio && { postCall: [muteStep()] }),
      });
      const writer = stored.writer;
      const abort = new AbortController();
      const source: FrameSource =
        spec.kind === 'demo'
          ? new FileSource(demoCallPath(), { speed: spec.speed })
          : spec.kind === 'softphone'
            ? spec.bridge
            : new DeviceSource({ agent: spec.agent, customer: spec.customer });
      // Live words for every call but the demo (which brings its own).
      // Words reach the engine's phrase rules and checklist, from the transcriber or the demo's script.
      const language = new LanguageFeed({
        lookup: (text) => this.deps.library.kb.lookup(text),
        onCard: (phase, nudge) => {
          writer.nudge(phase, nudge);
          this.deps.events.emit('live.nudge', { phase, nudge, callId: writer.id, emittedAt: nowEpochMs() });
        },
      });
      const transcriber = spec.kind === 'demo' ? null : await this.transcriber(writer, playbook, settings, language);
      let next = 0;
      const waiting = spec.kind === 'devices' && spec.autoStart;
      const running: Running = { callId: writer.id, writer, abort, done: Promise.resolve(), waiting, tMs: 0, marks: 0, session: null };
      const feedTranscript = (tMs: number, all = false): void => {
        while (next < transcript.length && (all || transcript[next]!.endMs <= tMs)) {
          const raw: TranscriptLine = transcript[next++]!;
          const line: TranscriptLine = settings.redactNumbers ? { ...raw, text: redactNumbers(raw.text) } : raw;
          writer.transcript({ ...line, confidence: null, final: true });
          language.push({ ...line, words: [] }, true);
          this.deps.events.emit('live.transcript', line);
        }
      };
      // What the windows are told; storage is the stored call's own stage, ahead of it.
      const windows: CallStage = {
        onOutput: (msg: SessionOutput): void => {
          switch (msg.type) {
            case 'nudge':
              this.deps.events.emit('live.nudge', { phase: msg.phase, nudge: msg.nudge, callId: writer.id, emittedAt: nowEpochMs() });
              break;
            case 'event':
              this.deps.events.emit('live.event', { phase: msg.phase, event: msg.event });
              break;
            case 'language': {
              // Checklist ticks and counts ride on the live state, so a window opened mid-call shows them too.
              const ticked = msg.snapshot.ticked;
              const checklist = playbook.checklist.map((c) => ({ id: c.id, title: c.title, tickedAtMs: ticked[c.id] ?? null }));
              const talk = { fillers: msg.snapshot.fillers, questions: msg.snapshot.questions };
              if (this.current.callId === writer.id) this.setState({ ...this.current, checklist, talk });
              break;
            }
            case 'metrics':
              running.tMs = msg.snapshot.tMs;
              feedTranscript(msg.snapshot.tMs);
              this.deps.events.emit('live.metrics', msg.snapshot);
              break;
            default:
              break;
          }
        },
        onSession: (session) => {
          running.session = session;
        },
        onStatus: (s) => this.deps.events.emit('live.status', { channel: s.channel, state: s.state, message: s.message }),
        onCallStart: () => {
          running.waiting = false;
          if (this.current.callId === writer.id) this.setState({ ...this.current, waiting: false });
        },
      };
      const finishing: CallStage = {
        // Runs before the store stage ends the call, so the last transcript lines are in it.
        onEnd: async () => {
          feedTranscript(Infinity, true);
          if (spec.kind === 'devices') await rememberDevices(this.deps.library, { agent: spec.agent, customer: spec.customer });
        },
      };
      running.done = runCall(
        source,
        {
          playbook,
          engine: this.deps.engine,
          signal: abort.signal,
          ...(typeof calibration === 'number' ? { agentCalibrationDb: calibration } : {}),
          ...(spec.kind === 'devices' && spec.autoStart ? { startOnSpeech: true } : {}),
          ...(spec.kind === 'devices' && spec.silenceStopMs !== undefined ? { silenceStopMs: spec.silenceStopMs } : {}),
        },
        // The card should paint before anything else happens: the windows hear of a nudge first.
        [windows, finishing, language.stage, ...(transcriber ? [transcriber.stage] : []), stored.stage],
      ).then(
        (result) => this.ended(null, result.stats.stopReason === 'silence' && spec.kind === 'devices' && spec.autoStart ? spec : null),
        (err: unknown) => this.ended(oneLine(err)),
      );
      this.running = running;
      this.lastCallId = writer.id;
      this.deps.events.emit('calls.changed', { callId: writer.id });
      return this.setState({
        phase: 'live',
        callId: writer.id,
        source: label,
        startedAt,
        error: null,
        ruleIds: playbook.rules.filter((r) => r.enabled).map((r) => r.id),
        ...(waiting && { waiting: true }),
        ...(transcriber && { transcription: transcriber.status }),
      });
    } catch (err) {
      this.setState({ ...IDLE, error: oneLine(err) });
      throw err;
    }
  }

  /**
   * The call's live transcriber: finals stored with the call (redacted as the settings say) and pushed
   * to the windows like interims; its state (on, off or degraded and why) rides on the live state.
   */
  private async transcriber(writer: LiveCallWriter, playbook: Playbook, settings: AppSettings, language: LanguageFeed): Promise<LiveTranscriber> {
    let config: DeepgramConfig | null = null;
    let offReason: string | null = null;
    try {
      config = deepgramConfig((await this.deps.secrets?.get('deepgram')) ?? null, process.env, { model: settings.transcriptionModel, language: settings.transcriptionLanguage });
    } catch (err) {
      offReason = oneLine(err);
    }
    return callTranscriber({
      config,
      ...(offReason !== null && { offReason }),
      redact: settings.redactNumbers,
      keyterms: playbookKeyterms(playbook),
      writer,
      onLine: (w) => {
        // Interims too: a phrase card can open before the sentence ends.
        language.push(w, w.final);
        this.deps.events.emit('live.transcript', { channel: w.channel, text: w.text, startMs: w.startMs, endMs: w.endMs, final: w.final, ...(w.final && { receivedAt: Date.now() }) });
      },
      onStatus: (status) => {
        if (status.state !== 'on') this.deps.onLog?.(`transcription ${status.state}: ${status.reason ?? ''}`);
        if (this.current.phase === 'live' && this.current.callId === writer.id) this.setState({ ...this.current, transcription: status });
      },
    });
  }

  /** `next`: an automatic call that stopped on silence; the next one is awaited on the same devices. */
  private ended(error: string | null, next: CallSpec | null = null): void {
    const r = this.running;
    const callId = r?.callId ?? null;
    this.running = null;
    this.bridge = null;
    this.setState({ ...IDLE, error });
    if (!callId) return;
    // Waiting for a call that never came is not a call.
    if (r?.waiting && error === null) {
      void this.deps.library.calls.delete(callId).then(() => this.deps.events.emit('calls.changed', { callId }), () => undefined);
      return;
    }
    this.deps.events.emit('calls.changed', { callId });
    if (next) this.begin(next).catch((err: unknown) => this.deps.onLog?.(`automatic start: ${oneLine(err)}`));
  }

  /** Ends the running call; resolves once it is stored. */
  async stop(): Promise<LiveState> {
    const r = this.running;
    if (!r) return this.current;
    this.setState({ ...this.current, phase: 'stopping' });
    r.abort.abort();
    await r.done;
    return this.current;
  }

  /** Resolves when the running call (if any) has ended and been stored. */
  async whenIdle(): Promise<void> {
    await this.running?.done;
  }

  async mark(): Promise<{ atMs: number }> {
    const r = this.running;
    if (!r) throw new UserError('no call is running', 'no_call');
    if (r.session && !r.session.ended) {
      // The engine stamps it with call time; it comes back as an event and is stored like the rest.
      const ev = await r.session.mark();
      return { atMs: ev.startMs };
    }
    const atMs = Math.round(r.tMs);
    const event: CallEvent = { id: `mark#${++r.marks}`, type: 'mark', channel: 'agent', startMs: atMs, endMs: atMs };
    r.writer.event('open', event);
    this.deps.events.emit('live.event', { phase: 'close', event });
    return { atMs };
  }

  /** Stores feedback on a card of the running call, or of the call that just ended. */
  async feedback(nudgeId: string, feedback: NudgeFeedback): Promise<void> {
    const r = this.running;
    const callId = r?.callId ?? this.lastCallId;
    if (!callId) throw new UserError('no call to give feedback on', 'no_call');
    // A dismissed card closes in the engine too, so its rule can open again after its cooldown.
    if (r && feedback === 'dismissed' && r.session && !r.session.ended) await r.session.dismiss(nudgeId).catch(() => false);
    // The card may be younger than the last once-a-second commit.
    if (r) await r.writer.flush();
    await this.deps.library.calls.setNudgeFeedback(callId, nudgeId, feedback);
  }
}
