import { UserError } from '../../shared/errors';
import { DeviceSource } from '../../capture/device-source';
import { FileSource } from '../../capture/file-source';
import { rememberDevices, rememberedDevices, type RememberedDevices } from '../../capture/remembered';
import { runCall, type CallResult, type CallSource, type CallStage } from '../../call/session';
import { loadPlaybookFile } from '../../playbook/playbook-file';
import { storeStage, type StoredCall } from '../../call/store-stage';
import { playbookTargets } from '../../shared/playbook-targets';
import { openLibraryFor } from '../library-options';
import type { Library } from '../../library/library';
import type { Command } from '../command';
import { formatReport } from '../format';
import { playbookKeyterms } from '../../transcription/config';
import { LiveTranscriber } from '../../transcription/live';
import { LanguageFeed } from '../../call/language-stage';
import { cliDeepgramConfig } from '../transcription';

function num(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n <= 0) throw new UserError(`--${name} must be a positive number, got "${String(v)}"`);
  return n;
}

export const liveCommand: Command = {
  name: 'live',
  summary: 'Coach a live call from two audio inputs (agent mic, softphone output via a monitor/loopback device); prints nudges as they open and close, then the report',
  usage:
    'cadence live --agent <device> --customer <device> [--seconds N] [--silence-stop S] [--rate HZ] [--chunk-ms MS] [--playbook FILE] [--auto-start] [--title T] [--db FILE] [--no-save] [--no-record] [--transcribe] [--json]   (or --file call.wav)',
  options: {
    agent: { type: 'string' },
    customer: { type: 'string' },
    file: { type: 'string' },
    seconds: { type: 'string' },
    'silence-stop': { type: 'string' },
    rate: { type: 'string' },
    'chunk-ms': { type: 'string' },
    playbook: { type: 'string' },
    json: { type: 'boolean' },
    db: { type: 'string' },
    title: { type: 'string' },
    'no-save': { type: 'boolean' },
    'no-record': { type: 'boolean' },
    'auto-start': { type: 'boolean' },
    transcribe: { type: 'boolean' },
  },
  async run(_args, opts, io) {
    const playbook = loadPlaybookFile(typeof opts.playbook === 'string' ? opts.playbook : undefined);
    const seconds = num(opts.seconds, 'seconds');
    const silenceStop = num(opts['silence-stop'], 'silence-stop');
    const rate = num(opts.rate, 'rate');
    const chunkMs = num(opts['chunk-ms'], 'chunk-ms');
    const json = opts.json === true;
    const emit = (obj: unknown): void => io.out(JSON.stringify(obj));
    // The call lands in the library as it happens (unless --no-save); audio too (unless --no-record).
    // Calls a crashed run left `live` are finalized as the library opens, scored with this playbook.
    const library: Library | null = opts['no-save'] === true ? null : await openLibraryFor(opts, { recovery: { targets: playbookTargets(playbook) } });
    let source: CallSource;
    let devices: RememberedDevices | null = null;
    let dgConfig: Awaited<ReturnType<typeof cliDeepgramConfig>> | null = null;
    try {
      // Checked before anything is stored, so a missing key fails fast.
      if (opts.transcribe === true) dgConfig = await cliDeepgramConfig(library);
      if (typeof opts.file === 'string') source = new FileSource(opts.file);
      else {
        // Devices not named on the command line are the ones used last time.
        const remembered = library ? await rememberedDevices(library) : null;
        const agent = typeof opts.agent === 'string' ? opts.agent : remembered?.agent;
        const customer = typeof opts.customer === 'string' ? opts.customer : remembered?.customer;
        if (agent === undefined || customer === undefined) {
          throw new UserError('both --agent and --customer devices are needed (see `cadence devices`), or --file call.wav');
        }
        devices = { agent, customer };
        source = new DeviceSource({ agent, customer, ...(rate !== undefined ? { sampleRate: rate } : {}), ...(chunkMs !== undefined ? { chunkMs } : {}) });
      }
    } catch (err) {
      await library?.close();
      throw err;
    }
    let stored: StoredCall | null = null;
    if (library) {
      stored = await storeStage(
        library,
        { startedAt: Date.now(), source: typeof opts.file === 'string' ? 'file' : 'device', title: typeof opts.title === 'string' ? opts.title : `Live call ${new Date().toLocaleString()}` },
        {
          recording: opts['no-record'] !== true,
          onWarning: (m) => (json ? emit({ type: 'warning', message: m }) : io.err(`cadence live: warning: ${m}`)),
        },
      );
    }
    if (opts['auto-start'] === true) {
      if (json) emit({ type: 'call', phase: 'waiting' });
      else io.err('waiting for both sides to speak…');
    }
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // The CLI printer: what the command shows as the call goes.
    const printer: CallStage = {
      onCallStart() {
        if (json) emit({ type: 'call', phase: 'start' });
        else io.err('both sides are speaking: call started');
      },
      onStatus(s) {
        if (json) emit({ type: 'status', ...s });
        else io.err(`[${s.channel}] ${s.state}: ${s.message}`);
      },
      onNudge(phase, nudge) {
        if (json) emit({ type: 'nudge', phase, nudge });
        else io.out(`${(nudge.atMs / 1000).toFixed(1).padStart(6)} s  ${phase === 'open' ? '▶' : '■'} ${nudge.severity.padEnd(8)} ${nudge.title}${phase === 'open' ? ` — ${nudge.message}` : ''}`);
      },
    };
    // Live words (Deepgram): finals printed and stored with the call; the call goes on if they stop.
    let transcriber: LiveTranscriber | null = null;
    const language = new LanguageFeed({
      ...(library && { lookup: (text: string) => library.kb.lookup(text) }),
      onCard: (phase, nudge) => {
        stored?.writer.nudge(phase, nudge);
        printer.onNudge!(phase, nudge);
      },
    });
    if (dgConfig) {
      const writer = stored?.writer;
      transcriber = new LiveTranscriber({
        config: dgConfig,
        keyterms: playbookKeyterms(playbook),
        onInterim: (w) => language.push(w, false),
        onFinal: (w) => {
          language.push(w, true);
          writer?.transcript({ channel: w.channel, text: w.text, startMs: w.startMs, endMs: w.endMs, confidence: w.confidence, final: true, words: w.words });
          if (json) emit({ type: 'transcript', channel: w.channel, startMs: w.startMs, endMs: w.endMs, text: w.text, words: w.words });
          else io.out(`${(w.startMs / 1000).toFixed(1).padStart(6)} s  ${w.channel === 'agent' ? 'agent:   ' : 'customer:'} ${w.text}`);
        },
        onStatus: (st) => (json ? emit({ type: 'transcription', ...st }) : st.state !== 'on' && io.err(`transcription ${st.state}: ${st.reason ?? ''}`)),
      });
      transcriber.start();
    }
    let result: CallResult;
    try {
      result = await runCall(
        source,
        {
          playbook,
          signal: controller.signal,
          ...(opts['auto-start'] === true ? { startOnSpeech: true } : {}),
          ...(seconds !== undefined ? { stopAfterMs: seconds * 1000 } : {}),
          ...(silenceStop !== undefined ? { silenceStopMs: silenceStop * 1000 } : {}),
        },
        [printer, language.stage, ...(transcriber ? [transcriber.stage] : []), ...(stored ? [stored.stage] : [])],
      );
      // The devices opened (or runLive would have thrown): remember them for next time.
      if (library && devices) await rememberDevices(library, devices);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await library?.close();
    }
    const callId = stored?.callId ?? null;
    if (json) emit({ type: 'report', callId, report: result.report, stats: result.stats, startedAt: result.startedAt, source: result.source });
    else {
      io.out(formatReport(result.report, source.description));
      if (callId) io.out(`saved as call ${callId}`);
      io.out(`capture: ${result.stats.frames} frames, latency p99 ${result.stats.latencyP99Ms} ms, dropped ${result.stats.engineDropped + result.stats.sourceDroppedSamples / 320} frames, stopped by ${result.stats.stopReason}`);
    }
    return 0;
  },
};
