/**
 * API keys for the optional cloud add-ons (Deepgram, OpenAI), kept in the library's settings table as
 * ciphertext only. The cipher is injected: the Electron main process passes one built on `safeStorage`
 * (the OS keychain / DPAPI / libsecret), the browser host a file-key cipher that is honest about being
 * weaker (AES-256-GCM with a key file of mode 0600 beside the library: it protects the keys in a copied
 * library file or a backup, not from someone who can read the user's data folder).
 *
 * Keys never leave the core through the RPC contract: windows can set or clear one and see whether it
 * is set, never read it back.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_NAMES, type SecretName, type SecretsStatus } from '../shared/rpc';
import { UserError } from '../shared/errors';
import type { Library } from '../library/library';

export interface SecretCipher {
  /** 'os': the operating system's credential store protects the key; 'file': a key file in the data folder. */
  readonly kind: 'os' | 'file';
  encrypt(text: string): Buffer;
  decrypt(data: Buffer): string;
}

const keyOf = (name: SecretName): `secret.${SecretName}` => `secret.${name}`;
const KEY_FILE = 'secrets.key';
const IV_BYTES = 12;
const TAG_BYTES = 16;


function loadOrCreateKey(path: string): Buffer {
  if (!existsSync(path)) {
    try {
      // 'wx': never overwrite a key another process just created (its ciphertexts would become unreadable).
      writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  // The mode of an existing file is tightened too (umask, copies).
  try {
    chmodSync(path, 0o600);
  } catch {
    // not ours to change (read-only mounts): the key still works
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`the secrets key file ${path} is damaged (expected 32 bytes)`);
  return key;
}

/** AES-256-GCM with a random key kept in `<dataDir>/secrets.key` (mode 0600); output is iv | tag | ciphertext. */
export function fileCipher(dataDir: string): SecretCipher {
  const path = join(dataDir, KEY_FILE);
  let key: Buffer | null = null;
  const getKey = (): Buffer => (key ??= loadOrCreateKey(path));
  return {
    kind: 'file',
    encrypt(text) {
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', getKey(), iv);
      const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(data) {
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
      const d = createDecipheriv('aes-256-gcm', getKey(), data.subarray(0, IV_BYTES));
      d.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([d.update(data.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
    },
  };
}

export class SecretStore {
  constructor(
    private readonly library: Library,
    private readonly cipher: SecretCipher,
  ) {}

  get protection(): 'os' | 'file' {
    return this.cipher.kind;
  }

  async status(): Promise<SecretsStatus> {
    const set = await Promise.all(SECRET_NAMES.map(async (n) => [n, (await this.library.settings.get(keyOf(n))) !== undefined] as const));
    return { ...(Object.fromEntries(set) as Record<SecretName, boolean>), protection: this.cipher.kind };
  }

  /** Stores (encrypted) or, with null or an empty value, clears a key. */
  async set(name: SecretName, value: string | null): Promise<SecretsStatus> {
    if (!SECRET_NAMES.includes(name)) throw new UserError(`unknown secret ${name}`, 'bad_input');
    const text = value?.trim() ?? '';
    if (text === '') await this.library.settings.set(keyOf(name), undefined);
    else {
      await this.library.settings.set(keyOf(name), { kind: this.cipher.kind, data: this.cipher.encrypt(text).toString('base64') });
    }
    return this.status();
  }

  /** How a key was stored ('os' keychain or 'file' key), or null when none is set: a reader that cannot decrypt it can say why. */
  async protectionOf(name: SecretName): Promise<'os' | 'file' | null> {
    return (await this.library.settings.get(keyOf(name)))?.kind ?? null;
  }

  /**
   * The key in clear, for the core's own use (the STT and insight clients); null when none is set or it
   * was stored under another protection (e.g. by the browser host) and cannot be read with this one.
   */
  async get(name: SecretName): Promise<string | null> {
    const stored = await this.library.settings.get(keyOf(name));
    if (!stored || stored.kind !== this.cipher.kind) return null;
    try {
      return this.cipher.decrypt(Buffer.from(stored.data, 'base64'));
    } catch {
      return null;
    }
  }
}
