import { UserError } from '../../shared/errors';
import { playbookTargets } from '../../shared/playbook-targets';
import { openLibraryFor, parseIntOption } from '../library-options';
import { loadPlaybookFile } from '../../playbook/playbook-file';
import { startMediaStreamServer } from '../../telephony/media-stream-server';
import type { Command } from '../command';
import { cliDeepgramConfig } from '../transcription';
import { playbookKeyterms } from '../../transcription/config';

export const mediaStreamServerCommand: Command = {
  name: 'media-stream-server',
  summary: "Coach calls on a Twilio number: answers the voice webhook (POST /voice) with a both-tracks Media Stream, runs the engine per call (/media), pushes nudges to agent apps (/agent)",
  usage: 'cadence media-stream-server [--port N] [--host ADDR] [--public-url URL] [--auth-token T] [--agent-secret S] [--agent-origin URL]… [--max-streams N] [--dial NUMBER|client:ID] [--agent-track inbound|outbound] [--transcribe] [--playbook FILE] [--db FILE] [--no-save] [--json]',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'public-url': { type: 'string' },
    'auth-token': { type: 'string' },
    'agent-secret': { type: 'string' },
    'agent-origin': { type: 'string', multiple: true },
    'max-streams': { type: 'string' },
    dial: { type: 'string' },
    'agent-track': { type: 'string' },
    playbook: { type: 'string' },
    json: { type: 'boolean' },
    db: { type: 'string' },
    'no-save': { type: 'boolean' },
    transcribe: { type: 'boolean' },
  },
  async run(_args, opts, io) {
    const playbook = loadPlaybookFile(typeof opts.playbook === 'string' ? opts.playbook : undefined);
    const port = opts.port === undefined ? 8080 : Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be 0–65535, got "${String(opts.port)}"`);
    const agentTrack = opts['agent-track'];
    if (agentTrack !== undefined && agentTrack !== 'inbound' && agentTrack !== 'outbound') throw new UserError('--agent-track must be inbound or outbound');
    const authToken = typeof opts['auth-token'] === 'string' ? opts['auth-token'] : process.env.TWILIO_AUTH_TOKEN;
    const agentSecret = typeof opts['agent-secret'] === 'string' ? opts['agent-secret'] : process.env.CADENCE_AGENT_SECRET;
    const agentOrigins = Array.isArray(opts['agent-origin']) ? opts['agent-origin'] : [];
    const maxStreams = parseIntOption('max-streams', typeof opts['max-streams'] === 'string' ? opts['max-streams'] : undefined, 1, 10_000);
    const json = opts.json === true;
    const emit = (obj: unknown): void => io.out(JSON.stringify(obj));
    // Every call lands in the library as it happens, with its recording (unless --no-save); calls a
    // crashed server left behind are finalized first.
    const recovery = { targets: playbookTargets(playbook), onWarning: (m: string) => io.err(`cadence media-stream-server: ${m}`) };
    const library = opts['no-save'] === true ? null : await openLibraryFor(opts, { recovery });
    let server;
    try {
      // Live words per call (Deepgram); a refused key or an outage is told to agent apps, the calls go on.
      const transcription = opts.transcribe === true ? { config: await cliDeepgramConfig(library), keyterms: playbookKeyterms(playbook) } : null;
      server = await startMediaStreamServer({
        ...(transcription && { transcription }),
        playbook,
        port,
        host: typeof opts.host === 'string' ? opts.host : '127.0.0.1',
        ...(authToken ? { authToken } : {}),
        ...(agentSecret ? { agentSecret } : {}),
        agentOrigins,
        ...(maxStreams !== undefined ? { maxStreams } : {}),
        ...(typeof opts['public-url'] === 'string' ? { publicUrl: opts['public-url'] } : {}),
        ...(typeof opts.dial === 'string' ? { dial: opts.dial } : {}),
        ...(agentTrack ? { agentTrack } : {}),
        ...(library ? { library } : {}),
        onLog: (m) => io.err(m),
        onCallStart: (call) => (json ? emit({ type: 'call', phase: 'start', call }) : io.out(`call ${call.callSid} started`)),
        onNudge: (call, phase, nudge) =>
          json ? emit({ type: 'nudge', phase, callSid: call.callSid, nudge }) : io.out(`call ${call.callSid} ${(nudge.atMs / 1000).toFixed(1)} s ${phase} ${nudge.title}`),
        onCallEnd: (call, report, callId) => {
          if (json) emit({ type: 'call', phase: 'end', call, callId, report });
          else io.out(`call ${call.callSid} ended: ${report.nudges.length} nudges${callId ? `, saved as ${callId}` : ''}`);
        },
      });
    } catch (err) {
      await library?.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`port ${port} is already in use; pick another with --port`);
      throw err;
    }
    const s = server;
    if (json) emit({ type: 'listening', url: s.url, voiceWebhook: `${s.url}/voice`, media: `${s.url.replace('http', 'ws')}/media`, agent: `${s.url.replace('http', 'ws')}/agent`, signatureCheck: Boolean(authToken) });
    else io.out(`listening on ${s.url}: voice webhook POST /voice, media stream /media, agent app /agent${authToken ? '' : ' (no auth token: webhook and stream signatures are not checked)'}`);
    if (!agentSecret) io.err('cadence media-stream-server: no agent secret (--agent-secret or CADENCE_AGENT_SECRET): agent apps on /agent are refused');
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    // A second signal is a user who will not wait: what is on disk now is recovered at the next start.
    const now = (again: NodeJS.Signals): void => {
      io.err(`cadence media-stream-server: ${again} again: exiting now; calls in progress are recovered at the next start`);
      process.exit(again === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', now);
    process.once('SIGTERM', now);
    io.err(`cadence media-stream-server: ${signal}: closing ${s.activeCalls} media stream(s); calls in progress end with the audio already received (${signal} again to exit at once)`);
    const { ended, unfinished } = await s.close();
    if (unfinished > 0) {
      // The calls still ending hold the engine or the library; leaving now keeps what they committed.
      io.err(`cadence media-stream-server: ${unfinished} call(s) did not end in time; the next start recovers them as interrupted`);
      process.exit(1);
    }
    await library?.close();
    process.off('SIGINT', now);
    process.off('SIGTERM', now);
    if (ended > 0) io.err(`cadence media-stream-server: ${ended} call(s) ended and ${library ? 'saved' : 'closed'}`);
    return 0;
  },
};
