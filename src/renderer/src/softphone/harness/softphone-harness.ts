/**
 * A page that drives the softphone controller in a real browser (test/softphone/softphone.test.ts, or
 * by hand): `window.cadenceSoftphone`. It also plays the far end of a call — a WebRTC peer sending a
 * tone — so a test's local signaling server can put a real media path behind an `invite`.
 */
import type { HarnessLog } from './harness-log';
import { TAP_PROCESSOR_URL } from '../processor-url';
import { Softphone } from '../softphone';


const log: HarnessLog = { states: [], errors: [], starts: [], stops: [], tokenRefreshes: 0, frames: 0, frameSizes: [], agentRms: 0, customerRms: 0, recentAgentRms: 0, recentCustomerRms: 0, dtmf: '' };
const recent: [number, number][] = [];
let sumA = 0;
let sumC = 0;
let samples = 0;
let phone: Softphone | null = null;

// Observe (not replace) in-band DTMF: the tones the SDK hands to the browser.
const insertDTMF = RTCDTMFSender.prototype.insertDTMF;
RTCDTMFSender.prototype.insertDTMF = function (tones: string, duration?: number, gap?: number) {
  log.dtmf += tones;
  return insertDTMF.call(this, tones, duration, gap);
};

function start(tokenUrl: string, deviceOptions: Record<string, unknown> = {}, tokenRefreshMs?: number): void {
  phone = new Softphone({
    tokenUrl,
    processorUrl: TAP_PROCESSOR_URL,
    deviceOptions,
    ...(tokenRefreshMs !== undefined ? { tokenRefreshMs } : {}),
  });
  phone.on('state', (s) => log.states.push(s));
  phone.on('error', (e) => log.errors.push(e));
  phone.on('callStart', (c) => log.starts.push(c));
  phone.on('callStop', (call, reason) => log.stops.push({ call, reason }));
  phone.on('tokenRefreshed', () => log.tokenRefreshes++);
  phone.on('frames', (a, c) => {
    log.frames++;
    if (!log.frameSizes.includes(a.length)) log.frameSizes.push(a.length);
    for (let i = 0; i < a.length; i++) {
      sumA += a[i]! * a[i]!;
      sumC += c[i]! * c[i]!;
    }
    samples += a.length;
    log.agentRms = Math.sqrt(sumA / samples);
    log.customerRms = Math.sqrt(sumC / samples);
    let ea = 0;
    let ec = 0;
    for (let i = 0; i < a.length; i++) {
      ea += a[i]! * a[i]!;
      ec += c[i]! * c[i]!;
    }
    recent.push([ea / a.length, ec / a.length]);
    if (recent.length > 50) recent.shift();
    log.recentAgentRms = Math.sqrt(recent.reduce((t, r) => t + r[0], 0) / recent.length);
    log.recentCustomerRms = Math.sqrt(recent.reduce((t, r) => t + r[1], 0) / recent.length);
  });
  void phone.start();
}

const must = (): Softphone => {
  if (!phone) throw new Error('start() first');
  return phone;
};

// The far end: a peer that sends a tone, offering or answering through the test's signaling relay.
let edge: RTCPeerConnection | null = null;
async function edgePeer(): Promise<RTCPeerConnection> {
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  osc.frequency.value = 700;
  const gain = ctx.createGain();
  gain.gain.value = 0.3;
  const dest = ctx.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  await ctx.resume();
  const pc = new RTCPeerConnection();
  for (const t of dest.stream.getAudioTracks()) pc.addTrack(t, dest.stream);
  return pc;
}
async function complete(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((ok) => {
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && ok());
      setTimeout(ok, 3000);
    });
  }
  return pc.localDescription!.sdp;
}

window.cadenceSoftphone = {
  log,
  start,
  dial: (to: string) => must().dial(to),
  answer: () => must().answer(),
  reject: () => must().reject(),
  hangUp: () => must().hangUp(),
  mute: (m: boolean) => must().setMuted(m),
  digits: (d: string) => must().sendDigits(d),
  stop: () => must().stop(),
  state: () => must().state,
  async edgeOffer() {
    edge = await edgePeer();
    await edge.setLocalDescription(await edge.createOffer());
    return complete(edge);
  },
  async edgeAnswer(offer: string) {
    edge = await edgePeer();
    await edge.setRemoteDescription({ type: 'offer', sdp: offer });
    await edge.setLocalDescription(await edge.createAnswer());
    return complete(edge);
  },
  async edgeSetAnswer(sdp: string) {
    await edge!.setRemoteDescription({ type: 'answer', sdp });
  },
  callStreams() {
    const c = phone?.activeCall;
    const d = (m: MediaStream | undefined) => m && m.getAudioTracks().map((t) => ({ id: t.id, state: t.readyState, muted: t.muted, enabled: t.enabled }));
    return c ? { local: d(c.getLocalStream()), remote: d(c.getRemoteStream()) } : null;
  },
  async sdkStats() {
    const c = phone?.activeCall as unknown as { _mediaHandler?: { version?: { pc?: RTCPeerConnection } } } | null;
    const pc = c?._mediaHandler?.version?.pc;
    if (!pc) return null;
    const out: unknown[] = [];
    (await pc.getStats()).forEach((r: { type: string; audioLevel?: number; totalAudioEnergy?: number; bytesReceived?: number; bytesSent?: number }) => {
      if (r.type === 'inbound-rtp' || r.type === 'outbound-rtp' || r.type === 'media-source') out.push([r.type, r.audioLevel, r.totalAudioEnergy, r.bytesReceived, r.bytesSent]);
    });
    return out;
  },
  async edgeStats() {
    if (!edge) return null;
    const out: Record<string, unknown>[] = [];
    (await edge.getStats()).forEach((r: { type: string }) => {
      if (r.type === 'outbound-rtp' || r.type === 'inbound-rtp') out.push(r as unknown as Record<string, unknown>);
    });
    return { state: edge.connectionState, transceivers: edge.getTransceivers().map((t) => [t.mid, t.direction, t.currentDirection]), out };
  },
  edgeClose() {
    edge?.close();
    edge = null;
  },
};

declare global {
  interface Window {
    cadenceSoftphone: Record<string, unknown>;
  }
}
