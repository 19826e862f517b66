/**
 * The desktop's HTTP client for the sync server: every answer is checked against the shared schemas,
 * errors become one-line `SyncError`s that say whether trying again can help.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { Upload } from 'tus-js-client';
import type { z } from 'zod';
import { oneLine, UserError } from '../../shared/errors';
import { callPageSchema, errorBodySchema, feedbackListSchema, meSchema, uploadResultSchema, type FeedbackInput, type ListQuery, type SyncCallPage, type SyncFeedback, type SyncMe, type UploadResult } from '../../shared/sync';

/** Archives up to this size go in one request; larger ones resumably (tus). */
export const DIRECT_UPLOAD_MAX = 8 * 1024 * 1024;
const TUS_CHUNK = 4 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 60_000;

export class SyncError extends UserError {
  constructor(
    message: string,
    readonly status: number | null,
    /** Network trouble, 5xx and 429 pass with time; any other 4xx will not. */
    readonly retryable: boolean,
    code = 'sync',
  ) {
    super(message, code);
  }
}

export interface UploadOptions {
  /** A resumable upload begun earlier for this archive (resumed, not restarted). */
  readonly uploadUrl?: string | null;
  /** Called as soon as a resumable upload has its URL, so it can be stored before any byte is sent. */
  readonly onUploadUrl?: (url: string) => Promise<void> | void;
  readonly onProgress?: (sent: number, total: number) => void;
  /** Bytes per resumable chunk (tests use small ones). */
  readonly chunkSize?: number;
  /** Size from which uploads are resumable. */
  readonly directMax?: number;
}

export class SyncClient {
  readonly baseUrl: string;

  constructor(
    serverUrl: string,
    private readonly token: string,
  ) {
    this.baseUrl = serverUrl.replace(/\/+$/, '');
  }

  private async request(path: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.token}`, ...(init.headers as Record<string, string> | undefined) },
        signal: AbortSignal.timeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new SyncError(`cannot reach the sync server ${this.baseUrl} (${cause ?? oneLine(err)})`, null, true, 'offline');
    }
    if (res.ok) return res;
    let message = `HTTP ${res.status}`;
    let code = 'sync';
    try {
      const body = errorBodySchema.parse(await res.json());
      message = body.error.message;
      code = body.error.code;
    } catch {
      // not our server's error shape: the status says enough
    }
    throw new SyncError(`sync server: ${message}`, res.status, res.status >= 500 || res.status === 429, code);
  }

  private async json<T>(schema: z.ZodType<T>, res: Response): Promise<T> {
    const parsed = schema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new SyncError(`the sync server answered something unexpected (${parsed.error.issues[0]?.path.join('.') ?? ''})`, res.status, false);
    return parsed.data;
  }

  async me(): Promise<SyncMe> {
    return this.json(meSchema, await this.request('/v1/me'));
  }

  async list(q: ListQuery = {}): Promise<SyncCallPage> {
    const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)] as [string, string]));
    return this.json(callPageSchema, await this.request(`/v1/calls?${params}`));
  }

  /** Downloads an archive to `dest`. */
  async download(callId: string, dest: string): Promise<void> {
    const res = await this.request(`/v1/calls/${encodeURIComponent(callId)}/archive`, { timeoutMs: 30 * 60_000 });
    if (!res.body) throw new SyncError('the sync server sent no archive', res.status, true);
    await pipeline(Readable.fromWeb(res.body as unknown as NodeWebStream<Uint8Array>), createWriteStream(dest, { mode: 0o600 }));
  }

  async feedback(since?: number): Promise<SyncFeedback[]> {
    return (await this.json(feedbackListSchema, await this.request(`/v1/feedback${since === undefined ? '' : `?since=${since}`}`))).feedback;
  }

  async addFeedback(callId: string, f: FeedbackInput): Promise<void> {
    await this.request(`/v1/calls/${encodeURIComponent(callId)}/feedback`, { method: 'POST', body: JSON.stringify(f), headers: { 'content-type': 'application/json' } });
  }

  /** Uploads an archive file: in one request when small, else resumably; either way idempotent on the server. */
  async upload(callId: string, path: string, options: UploadOptions = {}): Promise<UploadResult> {
    const size = statSync(path).size;
    if (size <= (options.directMax ?? DIRECT_UPLOAD_MAX) && !options.uploadUrl) {
      const res = await this.request(`/v1/calls/${encodeURIComponent(callId)}`, {
        method: 'PUT',
        body: Readable.toWeb(createReadStream(path)) as unknown as ReadableStream,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
        duplex: 'half',
        timeoutMs: 10 * 60_000,
      } as RequestInit & { timeoutMs: number });
      options.onProgress?.(size, size);
      return this.json(uploadResultSchema, res);
    }
    const url = await this.tusUpload(callId, path, size, options);
    const uploadId = url.split('/').pop() ?? '';
    return this.json(uploadResultSchema, await this.request(`/v1/uploads/${encodeURIComponent(uploadId)}/commit`, { method: 'POST' }));
  }

  private tusUpload(callId: string, path: string, size: number, options: UploadOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      let announced = options.uploadUrl ?? null;
      const upload = new Upload(createReadStream(path), {
        endpoint: `${this.baseUrl}/v1/uploads`,
        ...(options.uploadUrl ? { uploadUrl: options.uploadUrl } : {}),
        chunkSize: options.chunkSize ?? TUS_CHUNK,
        uploadSize: size,
        metadata: { callId },
        headers: { authorization: `Bearer ${this.token}` },
        storeFingerprintForResuming: false,
        // The outbox owns retrying (with backoff across restarts); within one attempt, two quick retries.
        retryDelays: [500, 2000],
        onUploadUrlAvailable: async () => {
          const u = upload.url;
          if (u && u !== announced) {
            announced = u;
            await options.onUploadUrl?.(u);
          }
        },
        onProgress: (sent, total) => options.onProgress?.(sent, total),
        onSuccess: () => resolve(new URL(upload.url ?? '', this.baseUrl).pathname),
        onError: (err) => {
          const status = (err as { originalResponse?: { getStatus(): number } | null }).originalResponse?.getStatus() ?? null;
          reject(new SyncError(`resumable upload failed: ${oneLine(err)}`, status, status === null || status >= 500 || status === 429 || status === 404 || status === 409));
        },
      });
      upload.start();
    });
  }
}
