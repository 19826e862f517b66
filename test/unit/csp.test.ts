import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/app/csp';

const directive = (csp: string, name: string): string[] =>
  (csp.split('; ').find((d) => d.startsWith(`${name} `)) ?? '').split(' ').slice(1);

describe('contentSecurityPolicy', () => {
  it('allows only the app itself when softphone mode is off', () => {
    const csp = contentSecurityPolicy({ softphoneTokenUrl: '' });
    expect(directive(csp, 'connect-src')).toEqual(["'self'"]);
    expect(csp).not.toContain('twilio');
    expect(directive(csp, 'object-src')).toEqual(["'none'"]);
  });

  it("adds the token URL's origin (not its path) and Twilio's endpoints when it is set", () => {
    const csp = contentSecurityPolicy({ softphoneTokenUrl: 'https://tokens.example.com:8443/voice/token?x=1', connect: ['ws://127.0.0.1:5000'] });
    const connect = directive(csp, 'connect-src');
    expect(connect).toContain('https://tokens.example.com:8443');
    expect(connect).toContain('ws://127.0.0.1:5000');
    expect(connect).toContain('wss://*.twilio.com');
    expect(connect.some((c) => c.includes('/voice'))).toBe(false);
    expect(directive(csp, 'media-src')).toContain('https://sdk.twilio.com');
  });

  it('ignores a token URL that is not a URL', () => {
    expect(contentSecurityPolicy({ softphoneTokenUrl: 'not a url' })).not.toContain('twilio');
  });
});
