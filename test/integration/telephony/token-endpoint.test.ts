/** The token endpoint helper: Twilio-format voice access tokens and the token URL (JSON / text, CORS, errors). */
import { describe, expect, it } from 'vitest';
import { mintVoiceToken, startTokenServer, verifyJwt } from '../../../src/telephony/token-endpoint';

const creds = { accountSid: 'AC' + '1'.repeat(32), apiKeySid: 'SK' + '2'.repeat(32), apiKeySecret: 's3cret' };

describe('softphone token endpoint', () => {
  it('mints an HS256 access token with a voice grant, verifiable only with the secret', () => {
    const t = mintVoiceToken({ ...creds, identity: 'agent-1', outgoingApplicationSid: 'AP' + '3'.repeat(32), ttlSeconds: 600, nowSeconds: 1_000_000 });
    const header = JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    expect(header).toEqual({ typ: 'JWT', alg: 'HS256', cty: 'twilio-fpa;v=1' });
    const claims = verifyJwt(t, 's3cret')!;
    expect(claims).toMatchObject({
      iss: creds.apiKeySid,
      sub: creds.accountSid,
      iat: 1_000_000,
      exp: 1_000_600,
      grants: { identity: 'agent-1', voice: { incoming: { allow: true }, outgoing: { application_sid: 'AP' + '3'.repeat(32) } } },
    });
    expect(verifyJwt(t, 'other')).toBeNull();
    expect(verifyJwt('a.b', 's3cret')).toBeNull();
  });

  it('serves tokens as JSON or text, with CORS only for allowed origins, and a clear 500 when minting fails', async () => {
    const json = await startTokenServer({ allowOrigins: ['http://app.local'], mint: () => mintVoiceToken({ ...creds, identity: 'a' }) });
    const text = await startTokenServer({ format: 'text', mint: () => mintVoiceToken({ ...creds, identity: 'b' }) });
    const broken = await startTokenServer({
      mint: () => {
        throw new Error('no API key configured');
      },
    });
    try {
      const r1 = await fetch(json.url, { headers: { origin: 'http://app.local' } });
      expect(r1.headers.get('access-control-allow-origin')).toBe('http://app.local');
      const body = (await r1.json()) as { token: string };
      expect(verifyJwt(body.token, 's3cret')).not.toBeNull();
      const r2 = await fetch(json.url, { headers: { origin: 'http://evil.local' } });
      expect(r2.headers.get('access-control-allow-origin')).toBeNull();
      const r3 = await fetch(text.url);
      expect(r3.headers.get('content-type')).toBe('text/plain');
      expect(verifyJwt(await r3.text(), 's3cret')).not.toBeNull();
      const r4 = await fetch(broken.url);
      expect(r4.status).toBe(500);
      expect(await r4.text()).toBe('cannot issue a token: no API key configured');
    } finally {
      await Promise.all([json.close(), text.close(), broken.close()]);
    }
  });
});
