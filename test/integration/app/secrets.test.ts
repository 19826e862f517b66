/**
 * API keys at rest: the SecretStore keeps only ciphertext in the library's settings table, under an
 * injected cipher; the browser host's fallback is AES-256-GCM with a key file of mode 0600.
 */
import Database from 'better-sqlite3';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileCipher, SecretStore, type SecretCipher } from '../../../src/app/secrets';
import { openLibrary, type Library } from '../../../src/library/library';
import { tempDir } from '../library/helpers';

const KEY = 'dg_live_0123456789abcdef0123456789abcdef';

describe('secrets', () => {
  const tmp = tempDir('cadence-secrets-');
  let library: Library;

  beforeAll(async () => {
    library = await openLibrary(join(tmp.dir, 'library.sqlite'));
  });
  afterAll(async () => {
    await library.close();
    tmp.cleanup();
  });

  it('file cipher: round-trips, the ciphertext differs from the plaintext (and between encryptions), the key file is 0600', () => {
    const cipher = fileCipher(tmp.dir);
    expect(cipher.kind).toBe('file');
    const a = cipher.encrypt(KEY);
    const b = cipher.encrypt(KEY);
    expect(cipher.decrypt(a)).toBe(KEY);
    expect(a.toString('utf8')).not.toContain(KEY);
    expect(a.toString('latin1')).not.toContain(KEY);
    expect(a.equals(b)).toBe(false); // a fresh IV each time
    expect(statSync(join(tmp.dir, 'secrets.key')).mode & 0o777).toBe(0o600);
    // A second cipher on the same folder reads the same key; a tampered ciphertext is refused.
    expect(fileCipher(tmp.dir).decrypt(a)).toBe(KEY);
    const tampered = Buffer.from(a);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => cipher.decrypt(tampered)).toThrow();
    // Another folder's key cannot read it.
    const other = tempDir('cadence-secrets-other-');
    try {
      expect(() => fileCipher(other.dir).decrypt(a)).toThrow();
    } finally {
      other.cleanup();
    }
  });

  it('a damaged key file is an error, not a silent new key', () => {
    const dir = tempDir('cadence-secrets-bad-');
    try {
      writeFileSync(join(dir.dir, 'secrets.key'), 'short', { mode: 0o600 });
      expect(() => fileCipher(dir.dir).encrypt('x')).toThrow(/damaged/);
    } finally {
      dir.cleanup();
    }
  });

  it('store: status, set, read back in the core only, clear; the settings row holds no plaintext', async () => {
    const store = new SecretStore(library, fileCipher(tmp.dir));
    expect(await store.status()).toEqual({ deepgram: false, openai: false, protection: 'file' });
    expect(await store.set('deepgram', `  ${KEY}\n`)).toEqual({ deepgram: true, openai: false, protection: 'file' });
    expect(await store.get('deepgram')).toBe(KEY);
    expect(await store.get('openai')).toBeNull();

    const db = new Database(library.path, { readonly: true });
    try {
      const rows = db.prepare("SELECT key, value FROM settings WHERE key LIKE 'secret.%'").all() as { key: string; value: string }[];
      expect(rows.map((r) => r.key)).toEqual(['secret.deepgram']);
      expect(rows[0]!.value).not.toContain(KEY);
      expect(readFileSync(library.path).toString('latin1')).not.toContain(KEY);
    } finally {
      db.close();
    }

    expect(await store.set('deepgram', null)).toEqual({ deepgram: false, openai: false, protection: 'file' });
    expect(await store.get('deepgram')).toBeNull();
    expect(await store.set('openai', '')).toMatchObject({ openai: false });
  });

  it('an injected OS cipher is used as given; a key stored under another protection is not readable with it', async () => {
    const calls: string[] = [];
    const os: SecretCipher = {
      kind: 'os',
      encrypt: (text) => (calls.push('encrypt'), Buffer.from([...Buffer.from(text, 'utf8')].map((b) => b ^ 0x5a))),
      decrypt: (data) => (calls.push('decrypt'), Buffer.from([...data].map((b) => b ^ 0x5a)).toString('utf8')),
    };
    const fileStore = new SecretStore(library, fileCipher(tmp.dir));
    await fileStore.set('openai', 'sk-file');
    const store = new SecretStore(library, os);
    expect((await store.status()).protection).toBe('os');
    expect(await store.get('openai')).toBeNull();
    await store.set('openai', 'sk-os-key');
    expect(await store.get('openai')).toBe('sk-os-key');
    expect(calls).toEqual(['encrypt', 'decrypt']);
    await store.set('openai', null);
  });
});
