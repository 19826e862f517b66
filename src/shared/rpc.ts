/**
 * The one RPC contract between the UI and the app: a typed map of methods (`method → (input) => output`)
 * and a map of events the app pushes. The same map is served over Electron IPC (desktop) and over a
 * WebSocket (`cadence ui`, the browser host), and results cross every boundary as values:
 * `{ok:true,value} | {ok:false,error:{code,message}}`, rebuilt into an Error on the caller's side.
 *
 * The wire types below are plain JSON. Those that mirror the library's own types (src/library/types)
 * are checked against them where the services return them, so the two cannot drift apart silently.
 */
import type { CallInsights } from './insights';
import type { CallMeta, CallPage, CallQuery } from './library';
import type { SoftphoneCallEndReason, SoftphoneCallInfo } from './softphone';
import type { MetricsSnapshot } from './metrics';
import type { PlaybookProblem } from './playbook';
import type { CallEvent, CallReport, ChannelName, Nudge, NudgeFeedback } from './types';

// ---- results ----------------------------------------------------------------------------------------

export interface RpcError {
  readonly code: string;
  readonly message: string;
}

export type RpcResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RpcError };

/** An RpcError rebuilt on the caller's side. */
export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  constructor(
    readonly code: string,
    message: string,
    readonly method: string,
  ) {
    super(message);
  }
}

// ---- wire types ------------------------------------------------------------------------------------

export type { CallListItem, CallPage, CallQuery, CallSource, CallStatus } from './library';

/** A call's details as windows see them (the free-form insights stay in the library). */
export type CallMetaView = Omit<CallMeta, 'insights'>;

export interface TranscriptLine {
  readonly channel: ChannelName;
  readonly text: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface CallDetail {
  readonly meta: CallMetaView;
  readonly report: CallReport;
  /** The score's breakdown with evidence; null for calls stored before scoring existed. */
  readonly insights: CallInsights | null;
  readonly transcript: readonly TranscriptLine[];
  /** Where the renderer can stream the recording from (same origin, or the app's media protocol). */
  readonly recordingUrl: string | null;
  readonly recordingError: string | null;
}

export interface CallPatch {
  readonly title?: string;
  readonly notes?: string;
  readonly tags?: readonly string[];
}

export type CaptureState = 'opening' | 'capturing' | 'stalled' | 'lost' | 'stopped';

export interface DeviceStatus {
  readonly channel: ChannelName;
  readonly state: CaptureState;
  readonly message: string;
}

export interface LiveState {
  readonly phase: 'idle' | 'starting' | 'live' | 'stopping';
  readonly callId: string | null;
  /** What is being coached ("Demo call", device names). */
  readonly source: string | null;
  /** Epoch ms when the call started. */
  readonly startedAt: number | null;
  /** Why the last call ended badly, if it did. */
  readonly error: string | null;
  /** Rule ids of the active playbook, for checklist progress. */
  readonly ruleIds: readonly string[];
}

export interface LiveNudge {
  readonly phase: 'open' | 'close';
  readonly nudge: Nudge;
  readonly callId: string;
  /** Epoch ms (sub-ms precision) when the nudge left the engine and reached the app. */
  readonly emittedAt: number;
}

export interface PlaybookState {
  /** The playbook as editable text (pretty JSON). */
  readonly text: string;
  /** 'default' when the shipped playbook is active, else 'custom'. */
  readonly origin: 'default' | 'custom';
}

export interface PlaybookCheck {
  readonly ok: boolean;
  readonly problems: readonly PlaybookProblem[];
}

export interface AppSettings {
  /** Record the call audio (off: only the analysis is kept). */
  readonly record: boolean;
  /** Delete calls older than this many days; 0 keeps them forever. */
  readonly retentionDays: number;
  /** Mask long digit runs (card, account, social security and phone numbers) in stored transcripts. */
  readonly redactNumbers: boolean;
  /** Hide the overlay from screen sharing and recording. */
  readonly contentProtection: boolean;
  readonly overlayMode: 'compact' | 'expanded';
  /** Seconds a non-critical card stays before it fades. */
  readonly cardFadeSeconds: number;
  /** Electron accelerators. */
  readonly shortcuts: {
    readonly toggleOverlay: string;
    readonly startStopCall: string;
    readonly markMoment: string;
    readonly dismissTopCard: string;
  };
  /** Update feed (generic provider URL); empty uses the built-in one. */
  readonly updateFeedUrl: string;
  readonly syncServerUrl: string;
  /** Softphone mode: where the Twilio access token comes from (empty: softphone off). */
  readonly softphoneTokenUrl: string;
  /** The first-run flow (devices, level check, demo call) was finished or skipped. */
  readonly firstRunDone: boolean;
}

export const DEFAULT_SETTINGS: AppSettings = {
  redactNumbers: true,
  record: true,
  retentionDays: 0,
  contentProtection: true,
  overlayMode: 'expanded',
  cardFadeSeconds: 8,
  shortcuts: {
    toggleOverlay: 'CommandOrControl+Alt+O',
    startStopCall: 'CommandOrControl+Alt+S',
    markMoment: 'CommandOrControl+Alt+M',
    dismissTopCard: 'CommandOrControl+Alt+D',
  },
  updateFeedUrl: '',
  syncServerUrl: '',
  softphoneTokenUrl: '',
  firstRunDone: false,
};

export interface AppInfo {
  readonly version: string;
  /** 'electron' or 'browser' (the `cadence ui` host). */
  readonly shell: 'electron' | 'browser';
  readonly dataDir: string;
  readonly calls: number;
}

export interface AudioInput {
  readonly id: number;
  readonly name: string;
  readonly hostApi: string;
  readonly channels: number;
  readonly defaultSampleRate: number;
  readonly isDefault: boolean;
}

export interface DeviceList {
  /** False when audio capture is unavailable on this machine (then `reason` says why). */
  readonly available: boolean;
  readonly reason: string | null;
  readonly inputs: readonly AudioInput[];
  /** The devices of the last call. */
  readonly remembered: { readonly agent: string; readonly customer: string } | null;
  /** The agent's calibrated speech level, dBFS, from the last level check. */
  readonly calibrationDb: number | null;
}

export interface LevelCheckResult {
  readonly device: string;
  readonly seconds: number;
  readonly speechDbfs: number | null;
  readonly noiseDbfs: number;
  readonly peakDbfs: number;
  readonly speechMs: number;
  readonly clippedSamples: number;
  readonly verdict: 'ok' | 'no_signal' | 'no_speech' | 'too_quiet' | 'too_loud' | 'noisy';
  readonly message: string;
}

/** The API keys of the optional cloud add-ons. */
export type SecretName = 'deepgram' | 'openai';

/** Which keys are set (never their values) and how they are protected at rest. */
export interface SecretsStatus {
  readonly deepgram: boolean;
  readonly openai: boolean;
  /** 'os': encrypted with the operating system's credential store; 'file': with a key file in the data folder. */
  readonly protection: 'os' | 'file';
}

// ---- the contract ----------------------------------------------------------------------------------

export interface RpcMethods {
  'app.info': (input: void) => AppInfo;
  /** Shows the review window's settings (desktop); `opened: false` where the shell cannot (the browser opens it itself). */
  'app.openSettings': (input: { readonly section?: 'audio' | 'privacy' | 'keys' }) => { readonly opened: boolean };

  'live.state': (input: void) => LiveState;
  /** Plays the shipped demo call through the live engine, in real time unless `speed` says otherwise. */
  'live.startDemo': (input: { readonly speed?: number }) => LiveState;
  /** A real call from audio devices (the given ones, else those of the last call). */
  'live.start': (input: { readonly agent?: string; readonly customer?: string; readonly autoStart?: boolean; readonly title?: string }) => LiveState;
  'live.stop': (input: void) => LiveState;
  /** Marks a key moment now; returns the call time, ms. */
  'live.mark': (input: void) => { readonly atMs: number };
  /** Thumbs up / down or dismiss on a card of the running (or just finished) call. */
  'live.feedback': (input: { readonly nudgeId: string; readonly feedback: NudgeFeedback }) => void;

  'calls.list': (input: CallQuery) => CallPage;
  'calls.get': (input: { readonly id: string }) => CallDetail;
  'calls.update': (input: { readonly id: string; readonly patch: CallPatch }) => void;
  'calls.delete': (input: { readonly id: string }) => { readonly deleted: boolean };
  'calls.feedback': (input: { readonly callId: string; readonly nudgeId: string; readonly feedback: NudgeFeedback | null }) => void;
  /** Exports the call as a `.cadence` archive: a download URL (browser) or the file written (desktop). */
  'calls.export': (input: { readonly id: string }) => { readonly downloadUrl: string | null; readonly path: string | null };

  'playbook.get': (input: void) => PlaybookState;
  'playbook.validate': (input: { readonly text: string }) => PlaybookCheck;
  /** Saves and activates the playbook if it is valid; otherwise returns its problems and changes nothing. */
  'playbook.save': (input: { readonly text: string }) => PlaybookCheck;
  'playbook.reset': (input: void) => PlaybookState;

  /** Softphone mode: the call in the window was answered or placed; coaching starts. */
  'softphone.callStart': (input: { readonly call: SoftphoneCallInfo }) => LiveState;
  /** Tapped frames of the softphone call: base64 float32 (see frames-codec), whole 20 ms frames. */
  'softphone.frames': (input: { readonly tMs: number; readonly agent: string; readonly customer: string }) => void;
  /** The softphone call ended; the coaching session ends and the call is stored. */
  'softphone.callStop': (input: { readonly reason: SoftphoneCallEndReason }) => LiveState;

  'devices.list': (input: void) => DeviceList;
  /** Listens to one input for a few seconds; a usable level becomes the agent's calibration. */
  'devices.levelCheck': (input: { readonly device: string; readonly seconds?: number }) => LevelCheckResult;
  /** Remembers the devices to use for calls (also remembered after every call). */
  'devices.choose': (input: { readonly agent: string; readonly customer: string }) => DeviceList;

  'settings.get': (input: void) => AppSettings;
  'settings.set': (input: Partial<AppSettings>) => AppSettings;

  /** Which API keys are set; the keys themselves never cross to a window. */
  'secrets.status': (input: void) => SecretsStatus;
  /** Sets (encrypted at rest) or, with null, clears an API key. */
  'secrets.set': (input: { readonly name: SecretName; readonly value: string | null }) => SecretsStatus;

  /** The overlay tells the shell whether the pointer is over something clickable (click-through elsewhere). */
  'overlay.setInteractive': (input: { readonly interactive: boolean }) => void;
}

export interface RpcEvents {
  'live.state': LiveState;
  'live.nudge': LiveNudge;
  'live.event': { readonly phase: 'open' | 'close'; readonly event: CallEvent };
  'live.metrics': MetricsSnapshot;
  'live.transcript': TranscriptLine;
  'live.status': DeviceStatus;
  /** A call was added, changed or deleted. */
  'calls.changed': { readonly callId: string };
  'settings.changed': AppSettings;
  /** A shell command for the overlay (global shortcuts, tray). */
  'overlay.command': { readonly command: 'dismissTop' | 'toggleMode' };
}

export type RpcMethod = keyof RpcMethods;
export type RpcEvent = keyof RpcEvents;
export type RpcInput<M extends RpcMethod> = Parameters<RpcMethods[M]>[0];
export type RpcOutput<M extends RpcMethod> = ReturnType<RpcMethods[M]>;

/** Every method and event by name, at run time (the preload and the hosts refuse any other name). */
export const RPC_METHODS = [
  'app.info',
  'app.openSettings',
  'live.state',
  'live.startDemo',
  'live.start',
  'live.stop',
  'live.mark',
  'live.feedback',
  'calls.list',
  'calls.get',
  'calls.update',
  'calls.delete',
  'calls.feedback',
  'calls.export',
  'playbook.get',
  'playbook.validate',
  'playbook.save',
  'playbook.reset',
  'softphone.callStart',
  'softphone.frames',
  'softphone.callStop',
  'devices.list',
  'devices.levelCheck',
  'devices.choose',
  'settings.get',
  'settings.set',
  'secrets.status',
  'secrets.set',
  'overlay.setInteractive',
] as const satisfies readonly RpcMethod[];

export const RPC_EVENTS = [
  'live.state',
  'live.nudge',
  'live.event',
  'live.metrics',
  'live.transcript',
  'live.status',
  'calls.changed',
  'settings.changed',
  'overlay.command',
] as const satisfies readonly RpcEvent[];

/** Electron IPC channels: one for requests, one for pushed events; nothing else crosses. */
export const IPC_INVOKE_CHANNEL = 'cadence:rpc';
export const IPC_EVENT_CHANNEL = 'cadence:event';

// Compile-time: the lists above name every method and event (a missing one makes these `never`).
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
const _allMethods: Missing<RpcMethod, (typeof RPC_METHODS)[number]> = true;
const _allEvents: Missing<RpcEvent, (typeof RPC_EVENTS)[number]> = true;
void _allMethods;
void _allEvents;

export function isRpcMethod(name: unknown): name is RpcMethod {
  return typeof name === 'string' && (RPC_METHODS as readonly string[]).includes(name);
}

export function isRpcEvent(name: unknown): name is RpcEvent {
  return typeof name === 'string' && (RPC_EVENTS as readonly string[]).includes(name);
}

/** A typed client: what the renderer codes against, whatever the transport. */
export interface RpcClient {
  call<M extends RpcMethod>(method: M, ...input: RpcInput<M> extends void ? [] : [RpcInput<M>]): Promise<RpcOutput<M>>;
  on<E extends RpcEvent>(event: E, listener: (payload: RpcEvents[E]) => void): () => void;
}

/**
 * What the Electron preload exposes as `window.cadence` (and nothing more): one invoke restricted to
 * the contract's method names, one subscription restricted to its event names. Results come back as
 * values; the renderer's client turns them into thrown RpcCallErrors.
 */
export interface CadenceBridge {
  readonly shell: 'electron';
  invoke(method: RpcMethod, input: unknown): Promise<RpcResult<unknown>>;
  subscribe(event: RpcEvent, listener: (payload: unknown) => void): () => void;
}

/**
 * The largest message either side of the browser host's WebSocket sends: a bigger one closes the
 * connection (1009), so the client refuses to send it and fails that call instead.
 */
export const WS_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** The WebSocket protocol of the browser host. */
export type WsClientMessage = Readonly<{ type: 'call'; id: number; method: string; input: unknown }>;
export type WsServerMessage = Readonly<
  { type: 'result'; id: number; result: RpcResult<unknown> } | { type: 'event'; event: RpcEvent; payload: unknown } | { type: 'hello'; version: number }
>;
