/**
 * The softphone controller with the real Twilio Voice SDK in Debian's Chromium. Twilio's signaling
 * servers cannot be reached here, so the Device talks (through its `chunderw` option) to a local WSS
 * server speaking the SDK's signaling protocol (test/softphone/signaling.ts), and the far end of a call is
 * a real WebRTC peer in the page; tokens come from a real token endpoint (src/telephony). Covered:
 * token URL failures, a token Twilio would refuse, registration, token refresh on tokenWillExpire, an
 * incoming call answered and an outgoing call placed (state, call start / stop, DTMF, mute, tapped
 * frames carrying both sides' audio), hang-up from either side.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { mintVoiceToken, startTokenServer, type TokenServer } from '../../../src/telephony/token-endpoint';
import { encodeWav16 } from '../../../src/dsp/wav';
import { synth } from '../../fixtures/speech';
import { chromiumMissing } from '../chromium';
import { buildHarness, launchChromium, serveDir, tempDir, type Served } from './harness';
import { startFakeSignaling, type FakeSignaling } from './signaling';
import type { HarnessLog } from '../../../src/renderer/src/softphone/harness/harness-log';

const SECRET = 'test-api-key-secret';
const creds = { accountSid: 'AC' + '1'.repeat(32), apiKeySid: 'SK' + '2'.repeat(32), outgoingApplicationSid: 'AP' + '3'.repeat(32) };

type Log = HarnessLog;

test.describe('softphone controller (real Voice SDK in Chromium, local signaling)', () => {
  const missing = chromiumMissing();
  test.skip(missing !== null, missing ?? '');
  let tmp: ReturnType<typeof tempDir>;
  let served: Served;
  let browser: Browser;
  let signaling: FakeSignaling;
  let tokens: TokenServer;
  let badTokens: TokenServer;
  let plainTokens: TokenServer;
  let minted = 0;

  test.beforeAll(async () => {
    tmp = tempDir('cadence-softphone-ctl-');
    const out = await buildHarness(join(tmp.dir, 'web'));
    writeFileSync(join(out, 'silence.wav'), encodeWav16([new Float32Array(1600)], 16000));
    served = await serveDir(out);
    const mic = join(tmp.dir, 'mic.wav');
    writeFileSync(mic, encodeWav16([synth('Thanks for calling, how can I help you today').samples], 16000));
    browser = await launchChromium({ fakeAudioFile: mic, extraArgs: ['--ignore-certificate-errors'] });
    signaling = await startFakeSignaling({ dir: tmp.dir, apiKeySecret: SECRET });
    const allowOrigins = [served.url];
    tokens = await startTokenServer({
      allowOrigins,
      mint: () => {
        minted++;
        return mintVoiceToken({ ...creds, apiKeySecret: SECRET, identity: 'agent-7', ttlSeconds: 60 });
      },
    });
    plainTokens = await startTokenServer({ allowOrigins, format: 'text', mint: () => mintVoiceToken({ ...creds, apiKeySecret: SECRET, identity: 'agent-8' }) });
    badTokens = await startTokenServer({ allowOrigins, mint: () => mintVoiceToken({ ...creds, apiKeySecret: 'not-the-secret', identity: 'agent-7' }) });
  });
  test.afterAll(async () => {
    await browser?.close();
    await Promise.all([served?.close(), signaling?.close(), tokens?.close(), badTokens?.close(), plainTokens?.close()]);
    tmp?.cleanup();
  });

  const sounds = (): Record<string, string> =>
    Object.fromEntries(['incoming', 'outgoing', 'disconnect', ...'0123456789sh'.split('').map((d) => `dtmf${d}`)].map((n) => [n, `${served.url}/silence.wav`]));

  async function openPhone(tokenUrl: string, tokenRefreshMs?: number): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${String(e)}`));
    await page.goto(`${served.url}/softphone.html`);
    await page.waitForFunction(() => 'cadenceSoftphone' in globalThis);
    await page.evaluate(
      ([url, opts, refresh]) => (globalThis as unknown as Phone).cadenceSoftphone.start(url, opts, refresh),
      [tokenUrl, { chunderw: signaling.host, publishEvents: false, sounds: sounds() }, tokenRefreshMs] as const,
    );
    return page;
  }
  type Phone = { cadenceSoftphone: { log: Log; start(u: string, o: object, r?: number): void } };
  const log = (page: Page): Promise<Log> => page.evaluate(() => (globalThis as unknown as Phone).cadenceSoftphone.log);
  const call = (page: Page, fn: string, arg?: unknown): Promise<unknown> =>
    page.evaluate(([f, a]) => (globalThis as unknown as { cadenceSoftphone: Record<string, (x: unknown) => unknown> }).cadenceSoftphone[f as string]!(a), [fn, arg] as const);
  async function until(page: Page, pred: (l: Log) => boolean, what: string, timeoutMs = 15_000): Promise<Log> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const l = await log(page);
      if (pred(l)) return l;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; states: ${l.states.map((s) => `${s.status} (${s.message})`).join(' → ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** The page's own WebRTC peer plays the far end of calls the signaling server sets up. */
  const usePageAsFarEnd = (page: Page): void => {
    signaling.peer = {
      offer: () => call(page, 'edgeOffer') as Promise<string>,
      answer: (o) => call(page, 'edgeAnswer', o) as Promise<string>,
      setAnswer: async (sdp) => void (await call(page, 'edgeSetAnswer', sdp)),
    };
  };
  const status = (l: Log): string => l.states.at(-1)?.status ?? 'idle';

  test('a token URL that cannot be reached, fails, or sends no token gives a clear error state', async () => {
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:9/token', /Cannot reach the token URL http:\/\/127\.0\.0\.1:9\/token/],
      [`${served.url}/no-such-token`, /answered HTTP 404/],
      [`${served.url}/softphone.html`, /did not send an access token/],
      ['', /No token URL is set/],
    ];
    for (const [url, re] of cases) {
      const page = await openPhone(url);
      const l = await until(page, (x) => status(x) === 'error', `error for ${url}`);
      const last = l.states.at(-1)!;
      expect(last.message).toMatch(re);
      expect(last.error).toMatchObject({ source: 'token' });
      expect(l.states.map((s) => s.status)).toEqual(['registering', 'error']);
      await page.close();
    }
  });

  test('a token Twilio refuses surfaces the SDK error (AccessTokenInvalid) as a clear message', async () => {
    const page = await openPhone(badTokens.url);
    const l = await until(page, (x) => status(x) === 'error', 'the SDK error');
    const last = l.states.at(-1)!;
    console.log(`softphone: invalid token → ${last.message}`);
    expect(last.error).toMatchObject({ source: 'twilio', code: 20101 });
    expect(last.message).toMatch(/Twilio does not accept the token/);
    await page.close();
  });

  test('registers (JSON and plain-text tokens) and refreshes the token on tokenWillExpire', async () => {
    const plain = await openPhone(plainTokens.url);
    const lp = await until(plain, (x) => status(x) === 'ready', 'ready (plain-text token)');
    expect(lp.states.at(-1)).toMatchObject({ identity: 'agent-8', message: 'Ready: receiving calls as agent-8' });
    await plain.close();

    const before = minted;
    const listensBefore = signaling.listens.length;
    // The token lives 60 s; refreshing 58.5 s early fires tokenWillExpire after ≈ 1.5 s.
    const page = await openPhone(tokens.url, 58_500);
    const l = await until(page, (x) => status(x) === 'ready', 'ready');
    expect(l.states.map((s) => s.status)).toContain('registering');
    expect(l.states.at(-1)).toMatchObject({ identity: 'agent-7', error: null });
    const r = await until(page, (x) => x.tokenRefreshes >= 1, 'token refresh', 10_000);
    expect(status(r)).toBe('ready');
    expect(minted - before).toBeGreaterThanOrEqual(2);
    // The refreshed token went to the gateway in a new `listen`.
    const sent = signaling.listens.slice(listensBefore);
    expect(new Set(sent).size).toBeGreaterThanOrEqual(2);
    await call(page, 'stop');
    await page.close();
  });

  test('answers an incoming call: in-call state, call start/stop, DTMF, mute, tapped frames from both sides, remote hang-up', async () => {
    const page = await openPhone(tokens.url);
    await until(page, (x) => status(x) === 'ready', 'ready');
    usePageAsFarEnd(page);
    const sid = 'CA' + 'a'.repeat(32);
    await signaling.invite('+15550100', sid);
    const inc = await until(page, (x) => status(x) === 'incoming', 'incoming');
    expect(inc.states.at(-1)).toMatchObject({ message: 'Incoming call from +15550100', call: { direction: 'incoming', peer: '+15550100', sid } });

    await call(page, 'answer');
    const live = await until(page, (x) => status(x) === 'in-call' && x.frames > 60 && x.recentCustomerRms > 0.1, 'in-call with the far end audible');
    expect(live.starts).toEqual([{ sid, direction: 'incoming', peer: '+15550100' }]);
    expect(live.frameSizes).toEqual([320]);
    console.log(`softphone: in call, ${live.frames} frames, agent rms ${live.agentRms.toFixed(4)}, customer rms ${live.customerRms.toFixed(4)}`);
    // The customer side is the peer's tone (amplitude 0.3 → rms ≈ 0.21 through Opus); the agent side the fake mic.
    expect(live.recentCustomerRms).toBeLessThan(0.3);
    expect(live.agentRms).toBeGreaterThan(0.005);

    await call(page, 'digits', '12#');
    // In-band (RTCDTMFSender) when the browser can, else a `dtmf` signaling message.
    const d = await until(page, (x) => x.dtmf.length > 0 || signaling.received.some((m) => m.type === 'dtmf'), 'DTMF', 5000);
    expect(d.dtmf || String(signaling.received.find((m) => m.type === 'dtmf')?.payload.dtmf)).toBe('12#');
    await expect(call(page, 'digits', '12x')).rejects.toThrow(/not DTMF/);
    await call(page, 'mute', true);
    await until(page, (x) => x.states.at(-1)?.muted === true, 'muted');

    signaling.hangup(sid);
    const ended = await until(page, (x) => x.stops.length === 1 && status(x) === 'ready', 'call stop');
    expect(ended.stops[0]).toMatchObject({ reason: 'remote-hangup', call: { peer: '+15550100' } });
    expect(ended.states.at(-1)).toMatchObject({ call: null, muted: false, message: 'Call ended by +15550100' });
    await call(page, 'edgeClose');
    await call(page, 'stop');
    await page.close();
  });

  test('places an outgoing call (To reaches the gateway) and hangs up locally', async () => {
    const page = await openPhone(tokens.url);
    await until(page, (x) => status(x) === 'ready', 'ready');
    usePageAsFarEnd(page);
    await call(page, 'dial', '+15550199');
    const invite = await signaling.waitFor((m) => m.type === 'invite');
    expect(String((invite.payload.twilio as { params?: string } | undefined)?.params ?? '')).toContain('To=%2B15550199');
    const live = await until(page, (x) => status(x) === 'in-call' && x.frames > 50 && x.recentCustomerRms > 0.1, 'in-call with the far end audible');
    expect(live.states.map((s) => s.status)).toContain('connecting');
    expect(live.starts.at(-1)).toMatchObject({ direction: 'outgoing', peer: '+15550199', sid: 'CA' + '0'.repeat(32) });
    await call(page, 'hangUp');
    await signaling.waitFor((m) => m.type === 'hangup');
    const ended = await until(page, (x) => x.stops.length === 1 && status(x) === 'ready', 'call stop');
    expect(ended.stops[0]!.reason).toBe('hangup');
    await call(page, 'stop');
    await page.close();
  });
});
