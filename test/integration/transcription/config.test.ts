import { describe, expect, it } from 'vitest';
import { deepgramConfig, failureOf, playbookKeyterms } from '../../../src/transcription/config';

describe('Deepgram configuration', () => {
  it('prefers the stored key, falls back to DEEPGRAM_API_KEY, and is off without either', () => {
    expect(deepgramConfig('stored', { DEEPGRAM_API_KEY: 'env' })).toEqual({ apiKey: 'stored', baseUrl: null, model: 'nova-3', language: 'en' });
    expect(deepgramConfig(null, { DEEPGRAM_API_KEY: ' env ' })?.apiKey).toBe('env');
    expect(deepgramConfig(null, {})).toBeNull();
    expect(deepgramConfig(null, { DEEPGRAM_API_KEY: '  ' })).toBeNull();
  });

  it('takes DEEPGRAM_URL as an http(s) base URL and refuses anything else in one line', () => {
    expect(deepgramConfig('k', { DEEPGRAM_URL: 'http://127.0.0.1:8080/' })?.baseUrl).toBe('http://127.0.0.1:8080');
    expect(() => deepgramConfig('k', { DEEPGRAM_URL: 'not a url' })).toThrow('DEEPGRAM_URL is not a URL: not a url');
    expect(() => deepgramConfig('k', { DEEPGRAM_URL: 'ftp://host' })).toThrow(/must be http\(s\)/);
  });

  it('names auth and quota failures, from a status or a socket message', () => {
    expect(failureOf({ statusCode: 401 })).toEqual({ kind: 'auth', reason: 'Deepgram refused the API key (401)' });
    expect(failureOf(new Error('Unexpected server response: 403'))).toMatchObject({ kind: 'auth' });
    expect(failureOf(new Error('Unexpected server response: 429'))).toMatchObject({ kind: 'quota' });
    expect(failureOf(new Error('connect ECONNREFUSED 127.0.0.1:1\nstack'))).toEqual({ kind: 'other', reason: 'connect ECONNREFUSED 127.0.0.1:1' });
  });

  it('sends the enabled rules\' titles as key terms, once each', () => {
    const rules = [
      { title: 'Slow down', enabled: true },
      { title: 'Slow down', enabled: true },
      { title: 'Off', enabled: false },
    ];
    expect(playbookKeyterms({ rules })).toEqual(['Slow down']);
  });
});
