/**
 * The Electron-free app: the library, the engine worker and the services behind the RPC contract.
 * The Electron main process and the browser host (`cadence ui`) both build exactly this, and differ
 * only in how they reach windows (IPC or WebSocket), how recordings are served, and the window glue.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CallInsights } from '../shared/insights';
import { KB_MAX_FILE_BYTES, type AppInfo, type CallDetail, type SettingsSection } from '../shared/rpc';
import { decodeFloat32 } from '../shared/frames-codec';
import { EngineHost, type EngineHostOptions } from '../engine/host';
import { UserError } from '../shared/errors';
import { resourcesDir } from './resources';
import { openLibrary, type Library } from '../library/library';
import { recoverCalls } from '../call/finalize';
import { AppEvents } from './events';
import type { RpcHandlers } from './handlers';
import { DeviceService } from '../capture/devices-service';
import { LiveService } from '../call/live-service';
import { PlaybookService } from '../playbook/playbook-service';
import { tryPlaybookOnCall } from '../playbook/try-on-call';
import { applyRetention } from '../library/retention';
import { fileCipher, SecretStore, type SecretCipher } from './secrets';
import { SyncService } from '../sync/client/service';
import { linePace } from '../dsp/word-pace';
import { kbDocument } from '../insights/knowledge';
import { languageStep } from '../insights/language';
import { checkReportKey, reportConfig, writeReport } from '../insights/report';
import { SettingsService } from './settings';
import { checkDeepgramKey, deepgramConfig, playbookKeyterms, type DeepgramConfig } from '../transcription/config';
import { transcribeStoredCall } from '../transcription/prerecorded';
import { muteRedactedSpans } from '../transcription/mute';

export interface AppOptions {
  /** The library file (see src/library/paths.ts for the default). */
  readonly dbPath: string;
  readonly shell: AppInfo['shell'];
  /** The URL a window can stream a call's recording from, or null when this shell cannot serve it. */
  readonly mediaUrl: (callId: string) => string | null;
  /** How this shell hands out an exported call: a download URL, or a file it writes. */
  readonly exportCall: (library: Library, callId: string) => Promise<{ downloadUrl: string | null; path: string | null }>;
  readonly engine?: EngineHostOptions;
  /** Window glue (Electron): the overlay's click-through. */
  readonly setOverlayInteractive?: (interactive: boolean) => void;
  /** Window glue (Electron): shows the review window's settings. */
  readonly openSettings?: (section: SettingsSection | undefined) => void;
  /** Window glue (Electron): shows a call in the review window. */
  readonly openReview?: (callId: string) => void;
  /** How API keys are encrypted at rest (Electron: safeStorage); default: a key file in the data folder. */
  readonly secretCipher?: SecretCipher;
  readonly onLog?: (line: string) => void;
}

export interface CadenceApp {
  readonly library: Library;
  readonly engine: EngineHost;
  readonly events: AppEvents;
  readonly live: LiveService;
  readonly settings: SettingsService;
  readonly playbooks: PlaybookService;
  readonly secrets: SecretStore;
  readonly handlers: RpcHandlers;
  close(): Promise<void>;
}

function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(`${dirname(resourcesDir())}/package.json`, 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function createApp(options: AppOptions): Promise<CadenceApp> {
  const library = await openLibrary(options.dbPath);
  let engine: EngineHost;
  try {
    // Calls a dead process left behind are finalised before anything else reads the library, scored
    // against the active playbook (the one they were most likely coached with).
    await recoverCalls(library, { targets: await new PlaybookService(library).targets(), ...(options.onLog ? { onWarning: options.onLog } : {}) });
    engine = await EngineHost.start({
      ...options.engine,
      onLog: (level, message) => options.onLog?.(`engine ${level}: ${message}`),
    });
  } catch (err) {
    await library.close();
    throw err;
  }
  const events = new AppEvents();
  const settings = new SettingsService(library);
  const playbooks = new PlaybookService(library);
  const devices = new DeviceService(library);
  const secrets = new SecretStore(library, options.secretCipher ?? fileCipher(dirname(library.path)));
  // Retention: at start, daily, and whenever the period changes.
  const retain = async (): Promise<void> => {
    const deleted = await applyRetention(library, (await settings.get()).retentionDays).catch((err: unknown) => {
      options.onLog?.(`retention: ${(err as Error).message}`);
      return [];
    });
    for (const callId of deleted) events.emit('calls.changed', { callId });
  };
  await retain();
  const retentionTimer = setInterval(() => void retain(), 86_400_000);
  retentionTimer.unref();
  const live = new LiveService({ library, engine, events, playbooks, settings, secrets, ...(options.onLog ? { onLog: options.onLog } : {}) });
  // Background upload: the same cipher as the API keys keeps the device token.
  const sync = new SyncService(library, options.secretCipher ?? fileCipher(dirname(library.path)), (callId) => events.emit('calls.changed', { callId }), options.onLog);
  events.subscribe((event) => {
    // A finished call wakes the outbox (a round with nothing due changes nothing, so this settles).
    if (event === 'calls.changed') sync.kick();
  });
  sync.start();
  const version = appVersion();

  /** Calls being transcribed after the fact (one run per call at a time). */
  const transcribing = new Set<string>();
  /** Deepgram as the settings say: a key given (to check it before saving) or the stored one, model and language. */
  const transcriptionConfig = async (key?: string): Promise<DeepgramConfig> => {
    const s = await settings.get();
    let config: DeepgramConfig | null;
    try {
      config = deepgramConfig(key ?? (await secrets.get('deepgram')), process.env, { model: s.transcriptionModel, language: s.transcriptionLanguage });
    } catch (err) {
      throw new UserError((err as Error).message);
    }
    if (!config) throw new UserError('no Deepgram API key: enter one in Settings → Transcription', 'no_key');
    return config;
  };

  const handlers: RpcHandlers = {
    'app.info': async () => ({ version, shell: options.shell, dataDir: dirname(library.path), calls: (await library.calls.list({ limit: 1 })).total }),
    'app.openSettings': ({ section }) => {
      if (!options.openSettings) return { opened: false };
      options.openSettings(section);
      return { opened: true };
    },
    'app.openReview': ({ callId }) => {
      if (!options.openReview) return { opened: false };
      options.openReview(callId);
      return { opened: true };
    },

    'live.state': () => live.state,
    'live.startDemo': (input) => live.startDemo(input.speed ?? 1),
    'live.start': (input) => live.startDevices(input),
    'live.stop': () => live.stop(),
    'live.mark': () => live.mark(),
    'live.feedback': (input) => live.feedback(input.nudgeId, input.feedback),

    'calls.list': (q) => library.calls.list(q),
    'calls.get': async ({ id }): Promise<CallDetail> => {
      const call = await library.calls.get(id);
      if (!call) throw new UserError(`no call with id ${id}`, 'not_found');
      const { insights, ...meta } = call.meta;
      const i = insights as Partial<CallInsights> | null;
      return {
        meta,
        report: call.report,
        insights: i && i.version === 1 && Array.isArray(i.items) ? (i as CallInsights) : null,
        transcript: call.transcript.map((t) => ({ channel: t.channel, text: t.text, startMs: t.startMs, endMs: t.endMs, wpm: linePace(t.words) })),
        hasWords: call.transcript.some((t) => (t.words?.length ?? 0) > 0),
        recordingUrl: call.recording && call.recording.error === null && call.recording.sizeBytes > 0 ? options.mediaUrl(id) : null,
        recordingError: call.recording?.error ?? null,
      };
    },
    'calls.trends': ({ limit }) => library.trends.trends(limit ?? 50),
    'calls.update': async ({ id, patch }) => {
      await library.calls.update(id, patch);
      events.emit('calls.changed', { callId: id });
    },
    'calls.delete': async ({ id }) => {
      if (live.state.callId === id) throw new UserError('this call is still running', 'call_running');
      const deleted = await library.calls.delete(id);
      if (deleted) events.emit('calls.changed', { callId: id });
      return { deleted };
    },
    'calls.feedback': ({ callId, nudgeId, feedback }) => library.calls.setNudgeFeedback(callId, nudgeId, feedback),
    'calls.transcribe': async ({ id }) => {
      const callId = await library.calls.resolveId(id);
      if (!callId) throw new UserError(`no call with id ${id}`, 'not_found');
      if (live.state.callId === callId) throw new UserError('this call is still running', 'call_running');
      if (transcribing.has(callId)) throw new UserError('this call is already being transcribed', 'busy');
      transcribing.add(callId);
      try {
        const config = await transcriptionConfig();
        const s = await settings.get();
        const playbook = await playbooks.active();
        const segments = await transcribeStoredCall(library, callId, config, {
          redact: s.redactNumbers,
          keyterms: playbookKeyterms(playbook),
          onProgress: (fraction) => events.emit('calls.transcribeProgress', { callId, fraction }),
        });
        if (s.redactNumbers && s.muteRedactedAudio) await muteRedactedSpans(library, callId);
        // The words are new: the language insights and the score follow them, as after a live call.
        await languageStep(playbook).run(library, callId);
        events.emit('calls.changed', { callId });
        return { segments: segments.length };
      } finally {
        transcribing.delete(callId);
      }
    },
    'calls.export': async ({ id }) => {
      if (!(await library.calls.resolveId(id))) throw new UserError(`no call with id ${id}`, 'not_found');
      return options.exportCall(library, id);
    },

    'playbook.get': () => playbooks.state(),
    'playbook.validate': ({ text }) => playbooks.validate(text),
    'playbook.save': async ({ text }) => {
      const check = await playbooks.save(text);
      if (check.ok) events.emit('playbook.changed', await playbooks.state());
      return check;
    },
    'playbook.reset': async () => {
      const state = await playbooks.reset();
      events.emit('playbook.changed', state);
      return state;
    },

    'playbook.presets': () => playbooks.presets(),
    'playbook.tryOnCall': ({ text, callId }) => {
      // It runs the engine inline over a whole recording: not while a call needs this process.
      if (live.inCall) throw new UserError('a call is running: try the playbook between calls', 'call_running');
      return tryPlaybookOnCall(library, text, callId);
    },

    'softphone.callStart': ({ call }) => live.startSoftphone(call),
    'softphone.frames': ({ tMs, agent, customer }) => {
      try {
        live.softphoneFrames({ type: 'softphone-frames', tMs, agent: decodeFloat32(agent), customer: decodeFloat32(customer) });
      } catch (err) {
        if (err instanceof TypeError) throw new UserError(err.message, 'bad_input');
        throw err;
      }
    },
    'softphone.callStop': () => live.stop(),
    'devices.list': () => devices.list(),
    'devices.levelCheck': ({ device, seconds }) => {
      if (live.inCall) throw new UserError('a call is running: check the level between calls', 'call_running');
      return devices.levelCheck(device, seconds ?? 10);
    },
    'devices.choose': (input) => devices.choose(input),
    'devices.listen': ({ agent, customer, ms }) => {
      if (live.inCall) throw new UserError('a call is running: check the devices between calls', 'call_running');
      return devices.listen(agent, customer, ms);
    },

    'settings.get': () => settings.get(),
    'settings.set': async (patch) => {
      const before = (await settings.get()).retentionDays;
      const next = await settings.set(patch);
      events.emit('settings.changed', next);
      if (next.retentionDays !== before) await retain();
      return next;
    },

    'secrets.status': () => secrets.status(),
    'secrets.set': ({ name, value }) => secrets.set(name, value),
    'transcription.checkKey': async ({ key }) => checkDeepgramKey(await transcriptionConfig(key)),

    'kb.list': () => library.kb.list(),
    'kb.add': async ({ name, base64 }) => {
      const data = Buffer.from(base64, 'base64');
      if (data.byteLength > KB_MAX_FILE_BYTES) throw new UserError(`${name}: larger than ${KB_MAX_FILE_BYTES / 1024 / 1024} MB; add it with cadence kb add`, 'too_large');
      const doc = await kbDocument(name, data);
      return library.kb.add(doc.name, doc.kind, doc.passages);
    },
    'kb.remove': async ({ id }) => {
      await library.kb.remove(String(id));
      return { removed: true };
    },
    'kb.search': async ({ text }) => (await library.kb.search(text)).map(({ source, heading, text: t }) => ({ source, heading, text: t })),

    'reports.get': ({ id }) => library.reports.get(id),
    'reports.write': async ({ id }) => {
      const config = reportConfig(await secrets.get('openai'));
      if (!config) throw new UserError('reports need an OpenAI key: enter it in Settings → Keys & reports (or set OPENAI_API_KEY)', 'no_key');
      const call = await library.calls.get(id);
      if (!call) throw new UserError(`no call with id ${id}`, 'not_found');
      return library.reports.save(id, config.model, await writeReport(call, config));
    },
    'reports.checkKey': async ({ key }) => {
      await checkReportKey(reportConfig(key)!);
      return { ok: true } as const;
    },

    'overlay.setInteractive': ({ interactive }) => options.setOverlayInteractive?.(interactive),

    'sync.status': () => sync.status(),
    'sync.login': ({ url, token }) => sync.login(url, token),
    'sync.logout': () => sync.logout(),
    'sync.now': () => sync.syncNow(),
    'sync.call': ({ callId }) => sync.callInfo(callId),
    'sync.hold': ({ callId, held }) => sync.hold(callId, held),
    'sync.addFeedback': ({ callId, feedback }) => sync.addFeedback(callId, feedback),
    'sync.team': () => sync.team(),
  };

  return {
    library,
    engine,
    events,
    live,
    settings,
    playbooks,
    secrets,
    handlers,
    async close() {
      clearInterval(retentionTimer);
      sync.close();
      await live.stop().catch(() => undefined);
      await engine.close();
      await library.close();
    },
  };
}

/** The recording file of a call, for a shell's media route. */
export async function recordingFile(library: Library, callId: string): Promise<{ path: string; codec: string } | null> {
  const rec = await library.recordings.get(callId);
  if (!rec || rec.error !== null) return null;
  return { path: rec.path, codec: rec.codec };
}
