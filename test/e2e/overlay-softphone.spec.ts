/**
 * Softphone mode on the REAL app page (the browser host's overlay with its Content-Security-Policy),
 * not a harness page: the token URL is on another local port, and Twilio's signaling hostname
 * (voice-js.roaming.twilio.com) is resolved by Chromium to the local signaling stand-in, so the
 * policy is checked against the very names the Voice SDK uses. Anything else stays blocked.
 */
import { expect, test } from './fixtures';
import { chromiumMissing } from './chromium';
import { mintVoiceToken, startTokenServer, type TokenServer } from '../../src/telephony/token-endpoint';
import { launchChromium, tempDir } from './softphone/harness';
import { startFakeSignaling, type FakeSignaling } from './softphone/signaling';

const SECRET = 'overlay-csp-secret';
const creds = { accountSid: 'AC' + '4'.repeat(32), apiKeySid: 'SK' + '5'.repeat(32), outgoingApplicationSid: 'AP' + '6'.repeat(32) };

test.describe('softphone mode on the app page', () => {
  const missing = chromiumMissing();
  test.skip(missing !== null, missing ?? '');
  let signaling: FakeSignaling;
  let tmp: ReturnType<typeof tempDir>;

  test.beforeAll(async () => {
    tmp = tempDir('cadence-overlay-sp-');
    signaling = await startFakeSignaling({ dir: tmp.dir, apiKeySecret: SECRET });
  });
  test.afterAll(async () => {
    await signaling?.close();
    tmp?.cleanup();
  });

  test('connects to a token server on another port and registers through Twilio signaling; other origins stay blocked', async ({ ui }) => {
    const origin = ui.host.url.replace(/\/$/, '');
    const tokens: TokenServer = await startTokenServer({ allowOrigins: [origin], mint: () => mintVoiceToken({ ...creds, apiKeySecret: SECRET, identity: 'agent-9' }) });
    // Another local server the page has no business with (same machine, different port).
    const other: TokenServer = await startTokenServer({ allowOrigins: ['*'], mint: () => mintVoiceToken({ ...creds, apiKeySecret: SECRET, identity: 'x' }) });
    const browser = await launchChromium({ extraArgs: ['--ignore-certificate-errors', `--host-resolver-rules=MAP voice-js.roaming.twilio.com ${signaling.host}`] });
    try {
      await ui.app.handlers['settings.set']({ softphoneTokenUrl: tokens.url });
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      const res = await page.goto(`${ui.host.url}#/overlay`);
      const csp = res?.headers()['content-security-policy'] ?? '';
      expect(csp).toContain(`connect-src 'self'`);
      expect(csp).toContain(new URL(tokens.url).origin);
      expect(csp).not.toContain(new URL(other.url).origin);

      const panel = page.getByTestId('softphone');
      await panel.getByRole('button', { name: 'Connect softphone' }).click();
      await expect.poll(() => panel.getAttribute('data-status'), { timeout: 20_000 }).toBe('ready');
      await expect(panel.getByRole('status')).toContainText('agent-9');
      const listen = await signaling.waitFor((m) => m.type === 'listen');
      expect(String(listen.payload.token)).toMatch(/^ey/);
      expect(violations.filter((v) => v.includes(new URL(tokens.url).origin))).toEqual([]);

      // The same request to an origin the settings do not name is refused by the policy.
      const blocked = await page.evaluate(async (url) => {
        type Doc = { addEventListener(t: string, f: (e: { violatedDirective: string }) => void, o: object): void };
        const doc = (globalThis as unknown as { document: Doc }).document;
        const seen = new Promise<string>((ok) => doc.addEventListener('securitypolicyviolation', (e) => ok(e.violatedDirective), { once: true }));
        const result = await fetch(url).then(
          () => 'fetched',
          () => 'refused',
        );
        return { result, directive: await Promise.race([seen, new Promise<string>((ok) => setTimeout(() => ok('none'), 2000))]) };
      }, other.url);
      expect(blocked).toEqual({ result: 'refused', directive: 'connect-src' });
      await page.close();
    } finally {
      await browser.close();
      await Promise.all([tokens.close(), other.close()]);
    }
  });

  test('without a token URL the page allows only itself', async ({ ui }) => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const res = await page.goto(`${ui.host.url}#/overlay`);
      const csp = res?.headers()['content-security-policy'] ?? '';
      expect(csp).not.toContain('twilio');
      expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
      await page.close();
    } finally {
      await browser.close();
    }
  });
});
