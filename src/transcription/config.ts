/**
 * Where transcription goes and with what: the Deepgram key (settings or `DEEPGRAM_API_KEY`), the base
 * URL (`DEEPGRAM_URL`, a self-hosted Deepgram or any compatible endpoint; streaming uses its ws(s)
 * counterpart), model and language. The SDK client is built here and nowhere else.
 */
import { DeepgramClient } from '@deepgram/sdk';

export interface DeepgramConfig {
  readonly apiKey: string;
  /** http(s) base URL; null for Deepgram's own service. */
  readonly baseUrl: string | null;
  readonly model: string;
  readonly language: string;
}

export const DEFAULT_MODEL = 'nova-3';
export const DEFAULT_LANGUAGE = 'en';

/**
 * The configuration from a stored key (preferred: the user entered it) or the environment; null when
 * there is no key (transcription is off). A bad `DEEPGRAM_URL` is a one-line error.
 */
export function deepgramConfig(
  storedKey: string | null,
  env: Readonly<Record<string, string | undefined>> = process.env,
  settings: { readonly model?: string; readonly language?: string } = {},
): DeepgramConfig | null {
  const apiKey = (storedKey ?? env.DEEPGRAM_API_KEY ?? '').trim();
  if (!apiKey) return null;
  const raw = env.DEEPGRAM_URL?.trim();
  let baseUrl: string | null = null;
  if (raw) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`DEEPGRAM_URL is not a URL: ${raw}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`DEEPGRAM_URL must be http(s)://…, not ${url.protocol}`);
    baseUrl = url.toString().replace(/\/+$/, '');
  }
  return { apiKey, baseUrl, model: settings.model || DEFAULT_MODEL, language: settings.language || DEFAULT_LANGUAGE };
}

/** The SDK client for a configuration. Its own retries are off: the callers decide when to try again. */
export function deepgramClient(config: DeepgramConfig): DeepgramClient {
  const base = config.baseUrl;
  return new DeepgramClient({
    apiKey: config.apiKey,
    maxRetries: 0,
    reconnect: false,
    ...(base !== null && {
      environment: { base, production: base.replace(/^http/, 'ws'), agent: base.replace(/^http/, 'ws'), agentRest: base },
    }),
  });
}

/** A one-line reason from an SDK or socket error, naming auth and quota failures as what they are. */
export function failureOf(err: unknown): { readonly kind: 'auth' | 'quota' | 'other'; readonly reason: string } {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  const code = typeof status === 'number' ? status : Number(/\b(401|403|429)\b/.exec(text ?? '')?.[1] ?? NaN);
  if (code === 401 || code === 403) return { kind: 'auth', reason: `Deepgram refused the API key (${code})` };
  if (code === 429) return { kind: 'quota', reason: 'Deepgram quota or rate limit reached (429)' };
  return { kind: 'other', reason: (text ?? 'unknown error').split('\n')[0]!.slice(0, 200) };
}

/**
 * Asks the service whether a key works (it lists the key's projects, as Deepgram's own console does):
 * "Key works", or the service's own error message with its status.
 */
export async function checkDeepgramKey(config: DeepgramConfig): Promise<{ readonly ok: boolean; readonly message: string }> {
  try {
    await deepgramClient(config).manage.v1.projects.list({ timeoutInSeconds: 10 });
    return { ok: true, message: 'Key works' };
  } catch (err) {
    const e = err as { statusCode?: unknown; body?: { err_msg?: unknown; message?: unknown } };
    const said = typeof e.body?.err_msg === 'string' ? e.body.err_msg : typeof e.body?.message === 'string' ? e.body.message : null;
    if (typeof e.statusCode === 'number' && said) return { ok: false, message: `Deepgram: ${said.slice(0, 200)} (${e.statusCode})` };
    return { ok: false, message: `Could not check the key: ${failureOf(err).reason}` };
  }
}

/** Key terms from a playbook: its enabled rules' titles (the words a coach expects to hear), deduplicated. */
export function playbookKeyterms(playbook: { readonly rules: readonly { readonly title: string; readonly enabled: boolean }[] }): string[] {
  return [...new Set(playbook.rules.filter((r) => r.enabled).map((r) => r.title.trim()))].filter((t) => t.length > 0).slice(0, 20);
}
