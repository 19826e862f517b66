/**
 * The one RPC contract between the UI and the app: a typed map of methods (`method → (input) => output`)
 * and a map of events the app pushes. The same map is served over Electron IPC (desktop) and over a
 * WebSocket (`cadence ui`, the browser host), and results cross every boundary as values:
 * `{ok:true,value} | {ok:false,error:{code,message}}`, rebuilt into an Error on the caller's side.
 *
 * The wire types below are plain JSON, each inferred from its zod schema; the method inputs are schemas
 * too (`RPC_INPUTS`), and `dispatch` validates every request with them, so a method's input type and
 * what the app accepts are one definition.
 */
import { feedbackInputSchema, syncLoginSchema, type CallSyncInfo, type SyncStatus, type TeamView } from './sync';
import { z } from 'zod';
import type { StoredReport } from './call-report';
import type { CallInsights } from './insights';
import { callQuerySchema, type CallMeta, type CallPage } from './library';
import type { MetricsSnapshot } from './metrics';
import { playbookTargetsSchema } from './playbook-targets';
import { softphoneCallEndReasonSchema, softphoneCallInfoSchema } from './softphone';
import { channelNameSchema, nudgeFeedbackSchema, nudgeSchema, phaseSchema, type CallEvent, type CallReport, type Phase, type Severity } from './types';

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
// Schemas are the source; each type is inferred from its schema, and every enum is one `z.enum`.

export type { CallListItem, CallQuery } from './library';

/** A call's details as windows see them (the free-form insights stay in the library). */
export type CallMetaView = Omit<CallMeta, 'insights'>;

export const transcriptLineSchema = z
  .object({
    channel: channelNameSchema,
    text: z.string(),
    startMs: z.number(),
    endMs: z.number(),
    /** false: an interim guess the channel's next line replaces; absent or true: final. */
    final: z.boolean().optional(),
    /** When the app received this final from the service, epoch ms (the overlay times its caption's paint from it). */
    receivedAt: z.number().optional(),
    /** A stored line's own pace from its words, wpm (review; null or absent: too short or no words). */
    wpm: z.number().nullable().optional(),
  })
  .readonly();
export type TranscriptLine = z.infer<typeof transcriptLineSchema>;

export interface CallDetail {
  readonly meta: CallMetaView;
  readonly report: CallReport;
  /** The score's breakdown with evidence; null for calls stored before scoring existed. */
  readonly insights: CallInsights | null;
  readonly transcript: readonly TranscriptLine[];
  /** The transcript carries word timings (transcribed); false offers "Transcribe" (none, or the demo's lines). */
  readonly hasWords: boolean;
  /** Where the renderer can stream the recording from (same origin, or the app's media protocol). */
  readonly recordingUrl: string | null;
  readonly recordingError: string | null;
}

const callPatchSchema = z
  .strictObject({ title: z.string().max(200).optional(), notes: z.string().max(20_000).optional(), tags: z.array(z.string().max(50)).max(50).readonly().optional() })
  .readonly();

const captureStateSchema = z.enum([
  /** The device is open, waiting for its first samples. */
  'opening',
  /** Samples are flowing. */
  'capturing',
  /** No samples for a while; the device may have gone away. */
  'stalled',
  /** The device is gone (or failed); capture retries until it returns. */
  'lost',
  'stopped',
]);
export type CaptureState = z.infer<typeof captureStateSchema>;

export const deviceStatusSchema = z.object({ channel: channelNameSchema, state: captureStateSchema, message: z.string() }).readonly();
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

const livePhaseSchema = z.enum(['idle', 'starting', 'live', 'stopping']);

export const liveStateSchema = z
  .object({
    phase: livePhaseSchema,
    callId: z.string().nullable(),
    /** What is being coached ("Demo call", device names). */
    source: z.string().nullable(),
    /** Epoch ms when the call started. */
    startedAt: z.number().nullable(),
    /** Why the last call ended badly, if it did. */
    error: z.string().nullable(),
    /** A call from devices waiting for both sides to speak before it starts (automatic start). */
    waiting: z.boolean().optional(),
    /** Rule ids of the active playbook, for checklist progress. */
    ruleIds: z.array(z.string()).readonly(),
    /** The playbook's call checklist by name, ticked (call ms) as the words arrive; absent before words. */
    checklist: z
      .array(z.object({ id: z.string(), title: z.string(), tickedAtMs: z.number().nullable() }).readonly())
      .readonly()
      .optional(),
    /** Fillers ("um", "you know") and questions counted per side from the words so far; absent before words. */
    talk: z
      .object({
        fillers: z.object({ agent: z.number(), customer: z.number() }).readonly(),
        questions: z.object({ agent: z.number(), customer: z.number() }).readonly(),
      })
      .readonly()
      .optional(),
    /** Live transcription of the running call: absent when the call has its own words (the demo). */
    transcription: z
      .object({ state: z.enum(['on', 'off', 'degraded']), reason: z.string().nullable() })
      .readonly()
      .optional(),
  })
  .readonly();
export type LiveState = z.infer<typeof liveStateSchema>;

export const liveNudgeSchema = z
  .object({
    phase: phaseSchema,
    nudge: nudgeSchema,
    callId: z.string(),
    /** Epoch ms (sub-ms precision) when the nudge left the engine and reached the app. */
    emittedAt: z.number(),
  })
  .readonly();
export type LiveNudge = z.infer<typeof liveNudgeSchema>;

export const playbookStateSchema = z
  .object({
    /** The playbook as editable text (pretty JSON). */
    text: z.string(),
    /** 'default' when the shipped playbook is active, else 'custom'. */
    origin: z.enum(['default', 'custom']),
    /** What the active playbook's rules aim for: the overlay's and the charts' bands, the score's rubric. */
    targets: playbookTargetsSchema,
  })
  .readonly();
export type PlaybookState = z.infer<typeof playbookStateSchema>;

export const playbookCheckSchema = z
  .object({ ok: z.boolean(), problems: z.array(z.object({ path: z.string(), message: z.string() }).readonly()).readonly() })
  .readonly();
export type PlaybookCheck = z.infer<typeof playbookCheckSchema>;

/** The review window's home: the latest calls' score, talk share and pace (oldest first), and the most frequent cards. */
export interface CallTrends {
  readonly calls: readonly {
    readonly id: string;
    readonly title: string;
    readonly startedAt: number;
    readonly durationMs: number;
    readonly score: number | null;
    readonly talkRatio: number | null;
    readonly wpm: number | null;
  }[];
  readonly topCards: readonly { readonly ruleId: string; readonly title: string; readonly count: number; readonly calls: number }[];
}

/** A shipped starting point for the playbook editor (support, sales, collections). */
export interface PlaybookPreset {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly text: string;
}

/** Which cards an unsaved playbook would have raised on a stored call, and when (call time, ms). */
export interface PlaybookTrial {
  readonly callId: string;
  readonly durationMs: number;
  readonly nudges: readonly { readonly ruleId: string; readonly title: string; readonly severity: Severity; readonly atMs: number; readonly endMs: number | null }[];
  /** How many cards the call raised when it was coached. */
  readonly storedNudges: number;
  /** Final transcript utterances given to the phrase, mood and checklist rules (0: the call has no transcript). */
  readonly utterances: number;
}

const overlayModeSchema = z.enum(['compact', 'expanded']);
export type OverlayMode = z.infer<typeof overlayModeSchema>;

const accelerator = z.string().max(60);
const shortcutsSchema = z.strictObject({ toggleOverlay: accelerator, startStopCall: accelerator, markMoment: accelerator, dismissTopCard: accelerator });
const urlOrEmpty = z.union([z.literal(''), z.url()]);

export const transcriptionModelSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/, 'a model name such as nova-3');
export const transcriptionLanguageSchema = z.string().regex(/^(multi|[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2})$/, 'a language code such as en or en-US');

const settingsFields = {
  /** Record the call audio (off: only the analysis is kept). */
  record: z.boolean(),
  /** Delete calls older than this many days; 0 keeps them forever. */
  retentionDays: z.number().int().min(0).max(36500),
  /** Mask long digit runs (card, account, social security and phone numbers) in stored transcripts. */
  redactNumbers: z.boolean(),
  /** Also silence what was masked in the call's recording (its words' time spans), after the call. */
  muteRedactedAudio: z.boolean(),
  /** Hide the overlay from screen sharing and recording. */
  contentProtection: z.boolean(),
  overlayMode: overlayModeSchema,
  /** Seconds before a non-critical open card shrinks to a chip (it stays while its condition holds). */
  cardFadeSeconds: z.number().min(1).max(120),
  /** How opaque the overlay's panels are (cards stay opaque). */
  overlayOpacity: z.number().min(0.4).max(1),
  /** The overlay's text size. */
  overlaySize: z.enum(['small', 'normal', 'large']),
  /**
   * Calls from devices start when both sides speak and stop after `silenceStopSeconds` of silence on
   * both (then wait for the next one, until Stop); softphone calls always follow the call itself.
   */
  autoStartStop: z.boolean(),
  silenceStopSeconds: z.number().int().min(3).max(600),
  /** Update feed (generic provider URL); empty uses the built-in one. */
  updateFeedUrl: urlOrEmpty,
  syncServerUrl: urlOrEmpty,
  /** Softphone mode: where the Twilio access token comes from (empty: softphone off). */
  softphoneTokenUrl: urlOrEmpty,
  /** The first-run flow (devices, level check, demo call) was finished or skipped. */
  firstRunDone: z.boolean(),
  /** Deepgram model for live and after-the-fact transcription. */
  transcriptionModel: transcriptionModelSchema,
  /** Deepgram language code (BCP-47 such as en, en-US, es; or multi). */
  transcriptionLanguage: transcriptionLanguageSchema,
};

export const appSettingsSchema = z
  .strictObject({
    ...settingsFields,
    /** Electron accelerators. */
    shortcuts: shortcutsSchema.readonly(),
  })
  .readonly();
export type AppSettings = z.infer<typeof appSettingsSchema>;

/** What `settings.set` accepts, and what a stored settings value is read back through. */
export const settingsPatchSchema = z.strictObject({ ...settingsFields, shortcuts: shortcutsSchema.partial() }).partial();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const DEFAULT_SETTINGS: AppSettings = {
  redactNumbers: true,
  muteRedactedAudio: false,
  record: true,
  retentionDays: 0,
  contentProtection: true,
  overlayMode: 'expanded',
  cardFadeSeconds: 8,
  overlayOpacity: 0.9,
  overlaySize: 'normal',
  autoStartStop: true,
  silenceStopSeconds: 10,
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
  transcriptionModel: 'nova-3',
  transcriptionLanguage: 'en',
};

const shellSchema = z.enum(['electron', 'browser']);

/** The review window's settings sections a shell can be asked to show. */
const settingsSectionSchema = z.enum(['audio', 'privacy', 'keys']);
export type SettingsSection = z.infer<typeof settingsSectionSchema>;

/** Shell commands for the overlay (global shortcuts, tray). */
export const overlayCommandSchema = z.enum(['dismissTop', 'toggleMode']);
type OverlayCommand = z.infer<typeof overlayCommandSchema>;

export const appInfoSchema = z
  .object({
    version: z.string(),
    /** 'electron' or 'browser' (the `cadence ui` host). */
    shell: shellSchema,
    dataDir: z.string(),
    calls: z.number(),
  })
  .readonly();
export type AppInfo = z.infer<typeof appInfoSchema>;

const audioInputSchema = z
  .object({
    id: z.number(),
    name: z.string(),
    /** The device's own description ("Monitor of Headset", an .asoundrc hint), when the system has one. */
    description: z.string().nullable().optional(),
    hostApi: z.string(),
    channels: z.number(),
    defaultSampleRate: z.number(),
    isDefault: z.boolean(),
  })
  .readonly();

export const deviceListSchema = z
  .object({
    /** False when audio capture is unavailable on this machine (then `reason` says why). */
    available: z.boolean(),
    reason: z.string().nullable(),
    inputs: z.array(audioInputSchema).readonly(),
    /** The devices of the last call. */
    remembered: z.object({ agent: z.string(), customer: z.string() }).readonly().nullable(),
    /** The agent's calibrated speech level, dBFS, from the last level check. */
    calibrationDb: z.number().nullable(),
  })
  .readonly();
export type DeviceList = z.infer<typeof deviceListSchema>;

/** Both inputs heard for a moment: their levels, and whether they carry one signal. */
export interface DeviceLevels {
  readonly agent: { readonly levelDbfs: number; readonly peakDbfs: number };
  readonly customer: { readonly levelDbfs: number; readonly peakDbfs: number };
  /** How alike the two inputs' level envelopes are (Pearson r), null with too little sound. */
  readonly correlation: number | null;
  readonly sameSignal: boolean;
}

const levelVerdictSchema = z.enum(['ok', 'no_signal', 'no_speech', 'too_quiet', 'too_loud', 'noisy']);

export const levelCheckResultSchema = z
  .object({
    device: z.string(),
    seconds: z.number(),
    speechDbfs: z.number().nullable(),
    noiseDbfs: z.number(),
    peakDbfs: z.number(),
    speechMs: z.number(),
    clippedSamples: z.number(),
    verdict: levelVerdictSchema,
    message: z.string(),
  })
  .readonly();
export type LevelCheckResult = z.infer<typeof levelCheckResultSchema>;

/** The API keys of the optional cloud add-ons. */
const secretNameSchema = z.enum(['deepgram', 'openai']);
export type SecretName = z.infer<typeof secretNameSchema>;
export const SECRET_NAMES = secretNameSchema.options;

const secretProtectionSchema = z.enum(['os', 'file']);

/** Which keys are set (never their values) and how they are protected at rest. */
export const secretsStatusSchema = z
  .object({
    ...(Object.fromEntries(SECRET_NAMES.map((n) => [n, z.boolean()])) as Record<SecretName, z.ZodBoolean>),
    /** 'os': encrypted with the operating system's credential store; 'file': with a key file in the data folder. */
    protection: secretProtectionSchema,
  })
  .readonly();
export type SecretsStatus = z.infer<typeof secretsStatusSchema>;

// ---- the contract ----------------------------------------------------------------------------------

/** No input: `undefined` from an in-process caller, `null` over JSON transports. */
const none = z.union([z.undefined(), z.null()]).transform(() => undefined);
const id = z.string().min(1).max(200);
const device = z.string().min(1).max(300);

/**
 * What each method accepts: the one source of every method's input type (`RpcInput`) and of what the
 * app lets in from a window (`dispatch` parses with these), so the two cannot drift apart.
 */
/** Largest knowledge-base file a window may send: its base64 stays well under one WebSocket message. */
export const KB_MAX_FILE_BYTES = 5 * 1024 * 1024;

/** A knowledge-base document as the settings list it. */
export interface KbDocumentInfo {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  readonly passages: number;
  readonly addedAt: number;
}

/** A passage the knowledge base found. */
export interface KbHitInfo {
  readonly source: string;
  readonly heading: string;
  readonly text: string;
}

export const RPC_INPUTS = {
  'app.info': none,
  /** Shows the review window's settings (desktop); `opened: false` where the shell cannot (the browser opens it itself). */
  'app.openSettings': z.strictObject({ section: settingsSectionSchema.optional() }),
  /** Shows a call in the review window (desktop); `opened: false` where the shell cannot (the browser opens it itself). */
  'app.openReview': z.strictObject({ callId: z.string().min(1).max(200) }),

  'live.state': none,
  /** Plays the shipped demo call through the live engine, in real time unless `speed` says otherwise. */
  'live.startDemo': z.strictObject({ speed: z.number().min(0.25).max(100).optional() }),
  /** A real call from audio devices (the given ones, else those of the last call). */
  'live.start': z.strictObject({ agent: device.optional(), customer: device.optional(), autoStart: z.boolean().optional(), title: z.string().max(200).optional() }),
  'live.stop': none,
  /** Marks a key moment now; returns the call time, ms. */
  'live.mark': none,
  /** Thumbs up / down or dismiss on a card of the running (or just finished) call. */
  'live.feedback': z.strictObject({ nudgeId: id, feedback: nudgeFeedbackSchema }),

  'calls.list': callQuerySchema,
  'calls.get': z.strictObject({ id }),
  /** Trends over the latest calls (the review window's home). */
  'calls.trends': z.strictObject({ limit: z.number().int().min(2).max(500).optional() }),
  'calls.update': z.strictObject({ id, patch: callPatchSchema }),
  'calls.delete': z.strictObject({ id }),
  'calls.feedback': z.strictObject({ callId: id, nudgeId: id, feedback: nudgeFeedbackSchema.nullable() }),
  /** Transcribes a stored call from its recording (Deepgram pre-recorded); progress as `calls.transcribeProgress`. */
  'calls.transcribe': z.strictObject({ id }),
  /** Exports the call as a `.cadence` archive: a download URL (browser) or the file written (desktop). */
  'calls.export': z.strictObject({ id }),

  'playbook.get': none,
  'playbook.validate': z.strictObject({ text: z.string().max(1_000_000) }),
  /** Saves and activates the playbook if it is valid; otherwise returns its problems and changes nothing. */
  'playbook.save': z.strictObject({ text: z.string().max(1_000_000) }),
  'playbook.reset': none,
  /** The shipped presets (support, sales, collections) the editor can start from. */
  'playbook.presets': none,
  /** Runs a stored call's recording through the engine with this (unsaved) playbook. */
  'playbook.tryOnCall': z.strictObject({ text: z.string().max(1_000_000), callId: id }),

  /** Softphone mode: the call in the window was answered or placed; coaching starts. */
  'softphone.callStart': z.strictObject({ call: softphoneCallInfoSchema }),
  /** Tapped frames of the softphone call: base64 float32 (see frames-codec), whole 20 ms frames; 100 frames (2 s, 128,000 bytes per side) at most. */
  'softphone.frames': z.strictObject({ tMs: z.number().int().min(0), agent: z.string().max(171_000), customer: z.string().max(171_000) }),
  /** The softphone call ended; the coaching session ends and the call is stored. */
  'softphone.callStop': z.strictObject({ reason: softphoneCallEndReasonSchema }),

  'devices.list': none,
  /** Listens to one input for a few seconds; a usable level becomes the agent's calibration. */
  'devices.levelCheck': z.strictObject({ device, seconds: z.number().min(1).max(30).optional() }),
  /** Remembers the devices to use for calls (also remembered after every call). */
  'devices.choose': z.strictObject({ agent: device, customer: device }),
  /** Listens to both inputs for `ms` (the device setup's meters and same-signal check). */
  'devices.listen': z.strictObject({ agent: device, customer: device, ms: z.number().int().min(200).max(5000) }),

  'settings.get': none,
  'settings.set': settingsPatchSchema,

  /** Which API keys are set; the keys themselves never cross to a window. */
  'secrets.status': none,
  /** Sets (encrypted at rest) or, with null, clears an API key. */
  'secrets.set': z.strictObject({ name: secretNameSchema, value: z.string().max(4000).nullable() }),
  /** The call's stored AI report, or null. */
  'reports.get': z.strictObject({ id }),
  /** Writes (and stores) the call's AI report with the OpenAI key from Settings → Reports or OPENAI_API_KEY. */
  'reports.write': z.strictObject({ id }),
  /** Checks an OpenAI key against the server (OPENAI_BASE_URL honoured) before it is saved. */
  'reports.checkKey': z.strictObject({ key: z.string().trim().min(1).max(4000) }),

  /** The knowledge base behind knowledge cards (also `cadence kb`). */
  'kb.list': none,
  /** A document's bytes, base64 (Markdown, text or PDF, up to KB_MAX_FILE_BYTES). */
  'kb.add': z.strictObject({ name: z.string().trim().min(1).max(200), base64: z.string().max(Math.ceil(KB_MAX_FILE_BYTES / 3) * 4 + 4) }),
  'kb.remove': z.strictObject({ id: z.number().int().positive() }),
  'kb.search': z.strictObject({ text: z.string().trim().min(1).max(500) }),

  /** Asks Deepgram whether a key works: the one given (before saving it), else the stored one. */
  'transcription.checkKey': z.strictObject({ key: z.string().trim().min(1).max(4000).optional() }),

  /** The overlay tells the shell whether the pointer is over something clickable (click-through elsewhere). */
  'overlay.setInteractive': z.strictObject({ interactive: z.boolean() }),

  /** Team sync: the server, who we are there, and the outbox. */
  'sync.status': none,
  /** Checks the token with the server, then keeps it (encrypted). */
  'sync.login': syncLoginSchema,
  'sync.logout': none,
  /** Sends the outbox now, then pulls the team's calls and feedback. */
  'sync.now': none,
  /** A call's sync state and the feedback on it. */
  'sync.call': z.strictObject({ callId: id }),
  /** "Don't sync": a held call never leaves the machine. */
  'sync.hold': z.strictObject({ callId: id, held: z.boolean() }),
  /** A lead's feedback on a team member's call (a comment at a moment, rubric overrides). */
  'sync.addFeedback': z.strictObject({ callId: id, feedback: feedbackInputSchema }),
  /** Per-agent trends and the calls that most need review, over the pulled calls. */
  'sync.team': none,
} as const satisfies Record<string, z.ZodType>;

/** What each method returns. */
interface RpcOutputs {
  'app.info': AppInfo;
  'app.openSettings': { readonly opened: boolean };
  'app.openReview': { readonly opened: boolean };
  'live.state': LiveState;
  'live.startDemo': LiveState;
  'live.start': LiveState;
  'live.stop': LiveState;
  'live.mark': { readonly atMs: number };
  'live.feedback': void;
  'calls.list': CallPage;
  'calls.get': CallDetail;
  'calls.trends': CallTrends;
  'calls.update': void;
  'calls.delete': { readonly deleted: boolean };
  'calls.feedback': void;
  'calls.transcribe': { readonly segments: number };
  'calls.export': { readonly downloadUrl: string | null; readonly path: string | null };
  'playbook.get': PlaybookState;
  'playbook.validate': PlaybookCheck;
  'playbook.save': PlaybookCheck;
  'playbook.reset': PlaybookState;
  'playbook.presets': readonly PlaybookPreset[];
  'playbook.tryOnCall': PlaybookTrial;
  'softphone.callStart': LiveState;
  'softphone.frames': void;
  'softphone.callStop': LiveState;
  'devices.list': DeviceList;
  'devices.levelCheck': LevelCheckResult;
  'devices.choose': DeviceList;
  'devices.listen': DeviceLevels;
  'settings.get': AppSettings;
  'settings.set': AppSettings;
  'secrets.status': SecretsStatus;
  'secrets.set': SecretsStatus;
  'transcription.checkKey': { readonly ok: boolean; readonly message: string };
  'kb.list': readonly KbDocumentInfo[];
  'kb.add': KbDocumentInfo;
  'kb.remove': { readonly removed: boolean };
  'kb.search': readonly KbHitInfo[];
  'reports.get': StoredReport | null;
  'reports.write': StoredReport;
  'reports.checkKey': { readonly ok: true };
  'overlay.setInteractive': void;
  'sync.status': SyncStatus;
  'sync.login': SyncStatus;
  'sync.logout': SyncStatus;
  'sync.now': SyncStatus & { readonly imported: number };
  'sync.call': CallSyncInfo;
  'sync.hold': CallSyncInfo;
  'sync.addFeedback': CallSyncInfo;
  'sync.team': TeamView;
}

export type RpcMethod = keyof typeof RPC_INPUTS;
type Parsed<M extends RpcMethod> = z.output<(typeof RPC_INPUTS)[M]>;
/** What a handler receives (and, but for `null` meaning "no input", what a caller passes); `void` for no input. */
export type RpcInput<M extends RpcMethod> = [Parsed<M>] extends [undefined] ? void : Parsed<M>;
export type RpcOutput<M extends RpcMethod> = RpcOutputs[M];

const rpcEventSchema = z.enum([
  'live.state',
  'live.nudge',
  'live.event',
  'live.metrics',
  'live.transcript',
  'live.status',
  'calls.changed',
  'calls.transcribeProgress',
  'settings.changed',
  'playbook.changed',
  'overlay.command',
]);
export type RpcEvent = z.infer<typeof rpcEventSchema>;

export interface RpcEvents {
  'live.state': LiveState;
  'live.nudge': LiveNudge;
  'live.event': { readonly phase: Phase; readonly event: CallEvent };
  /** Four times a second during a call: hand-typed, never parsed (see metrics.ts). */
  'live.metrics': MetricsSnapshot;
  'live.transcript': TranscriptLine;
  'live.status': DeviceStatus;
  /** A call was added, changed or deleted. */
  'calls.changed': { readonly callId: string };
  /** How far `calls.transcribe` has got (0–1), after each piece of the recording. */
  'calls.transcribeProgress': { readonly callId: string; readonly fraction: number };
  'settings.changed': AppSettings;
  /** The active playbook was saved or reset; the next call uses it. */
  'playbook.changed': PlaybookState;
  /** A shell command for the overlay (global shortcuts, tray). */
  'overlay.command': { readonly command: OverlayCommand };
}

/** Every method and event by name, at run time (the preload and the hosts refuse any other name). */
export const RPC_METHODS = Object.keys(RPC_INPUTS) as readonly RpcMethod[];
export const RPC_EVENTS = rpcEventSchema.options;

/** Electron IPC channels: one for requests, one for pushed events; nothing else crosses. */
export const IPC_INVOKE_CHANNEL = 'cadence:rpc';
export const IPC_EVENT_CHANNEL = 'cadence:event';

// Compile-time: inputs, outputs and events name the same methods and events (a stray one makes these `never`).
type Same<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : never;
const _sameMethods: Same<RpcMethod, keyof RpcOutputs> = true;
const _sameEvents: Same<RpcEvent, keyof RpcEvents> = true;
void _sameMethods;
void _sameEvents;

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
export const wsClientMessageSchema = z.object({ type: z.literal('call'), id: z.number().int(), method: z.string().max(100), input: z.unknown() }).readonly();
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;
export type WsServerMessage = Readonly<
  { type: 'result'; id: number; result: RpcResult<unknown> } | { type: 'event'; event: RpcEvent; payload: unknown } | { type: 'hello'; version: number }
>;
