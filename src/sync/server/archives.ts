/**
 * Where accepted archives live, named by call id and sha256 so a second body for a known id can never
 * overwrite the first: files under `<data>/archives` by default, or objects in any S3-compatible store
 * (path-style requests signed with AWS Signature Version 4). Either way a body is received into a local
 * temporary file, checked, and stored durably before the database row that acknowledges it is committed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import aws4 from 'aws4';
import { UserError } from '../../shared/errors';

export interface ArchiveStore {
  /** A fresh local path for a body being received. */
  tempPath(): string;
  /** Stores a checked file under the call's id and sha256. The file itself is left for the caller to remove. */
  put(tmpPath: string, callId: string, sha256: string): Promise<void>;
  open(callId: string, sha256: string): Promise<{ stream: Readable; size: number }>;
  remove(callId: string, sha256: string): Promise<void>;
}

const archiveName = (callId: string, sha256: string): string => `${callId}.${sha256}.cadence`;

/** Receiving happens on local disk for both stores: the temporary folder is shared. */
class IncomingFolder {
  readonly incoming: string;
  constructor(dataDir: string) {
    this.incoming = join(dataDir, 'incoming');
    mkdirSync(this.incoming, { recursive: true, mode: 0o700 });
  }
  tempPath(): string {
    return join(this.incoming, `${randomBytes(12).toString('hex')}.partial`);
  }
}

export class DiskArchiveStore extends IncomingFolder implements ArchiveStore {
  readonly dir: string;

  constructor(dataDir: string) {
    super(dataDir);
    this.dir = join(dataDir, 'archives');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private pathFor(callId: string, sha256: string): string {
    return join(this.dir, archiveName(callId, sha256));
  }

  /** Moves the file into place durably (same file system as `incoming`). */
  put(tmpPath: string, callId: string, sha256: string): Promise<void> {
    const fd = openSync(tmpPath, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmpPath, this.pathFor(callId, sha256));
    return Promise.resolve();
  }

  open(callId: string, sha256: string): Promise<{ stream: Readable; size: number }> {
    const path = this.pathFor(callId, sha256);
    return Promise.resolve({ size: statSync(path).size, stream: createReadStream(path) });
  }

  remove(callId: string, sha256: string): Promise<void> {
    rmSync(this.pathFor(callId, sha256), { force: true });
    return Promise.resolve();
  }
}

export interface S3Config {
  /** `http(s)://host[:port]` of the object store; requests are path-style (`/bucket/key`). */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** The object store could not be reached or refused a request: the server answers 503 and stores nothing. */
export class ObjectStoreError extends Error {}

const S3_TIMEOUT_MS = 60_000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export class S3ArchiveStore extends IncomingFolder implements ArchiveStore {
  private readonly base: URL;

  constructor(
    dataDir: string,
    private readonly config: S3Config,
  ) {
    super(dataDir);
    this.base = new URL(config.endpoint.endsWith('/') ? config.endpoint : `${config.endpoint}/`);
  }

  /**
   * One signed request. The payload hash is signed too: for a PUT it is the archive's sha256, already
   * known, so the store itself rejects a body altered on the way.
   */
  private send(method: 'PUT' | 'GET' | 'DELETE', callId: string, sha256: string, body?: { path: string; bytes: number }): Promise<IncomingMessage> {
    const key = archiveName(callId, sha256);
    const url = new URL(`${this.config.bucket}/${key}`, this.base);
    const headers: Record<string, string> = { Host: url.host, 'X-Amz-Content-Sha256': body ? sha256 : EMPTY_SHA256 };
    if (body) {
      headers['Content-Length'] = String(body.bytes);
      headers['Content-Type'] = 'application/vnd.cadence+zip';
    }
    const signed = aws4.sign({ host: url.host, path: url.pathname, method, service: 's3', region: this.config.region, headers }, this.config);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(new ObjectStoreError(`object store ${method} ${key}: ${err.message}`));
      const req = request(url, { method, headers: signed.headers, timeout: S3_TIMEOUT_MS }, (res) => {
        if ((res.statusCode ?? 500) < 300) return resolve(res);
        // The store's error is a small XML document; its <Code> is the one line worth reporting.
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => void (text.length < 4096 && (text += s)));
        res.on('end', () => {
          const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
          reject(new ObjectStoreError(`object store answered ${res.statusCode}${code ? ` ${code}` : ''} to ${method} ${key}`));
        });
        res.on('error', fail);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer in ${S3_TIMEOUT_MS} ms`)));
      req.on('error', fail);
      if (body) createReadStream(body.path).on('error', (e) => req.destroy(e)).pipe(req);
      else req.end();
    });
  }

  async put(tmpPath: string, callId: string, sha256: string): Promise<void> {
    const res = await this.send('PUT', callId, sha256, { path: tmpPath, bytes: statSync(tmpPath).size });
    res.resume();
  }

  async open(callId: string, sha256: string): Promise<{ stream: Readable; size: number }> {
    const res = await this.send('GET', callId, sha256);
    return { stream: res, size: Number(res.headers['content-length']) };
  }

  async remove(callId: string, sha256: string): Promise<void> {
    (await this.send('DELETE', callId, sha256)).resume();
  }
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * S3 settings from the command line (`--s3-endpoint`, `--s3-bucket`, `--s3-region`) or the environment
 * (`S3_ENDPOINT`, `S3_BUCKET`, `S3_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`); undefined when none is given (archives stay on disk). Half a configuration is an error.
 */
export function s3ConfigFrom(opts: { endpoint?: string | undefined; bucket?: string | undefined; region?: string | undefined }, env: NodeJS.ProcessEnv): S3Config | undefined {
  const endpoint = opts.endpoint ?? (env.S3_ENDPOINT || undefined);
  const bucket = opts.bucket ?? (env.S3_BUCKET || undefined);
  const region = opts.region ?? (env.S3_REGION || env.AWS_REGION || 'us-east-1');
  if (endpoint === undefined && bucket === undefined) return undefined;
  if (endpoint === undefined || bucket === undefined) throw new UserError(`S3 storage needs both an endpoint and a bucket (--s3-endpoint/S3_ENDPOINT, --s3-bucket/S3_BUCKET); ${endpoint === undefined ? 'the endpoint' : 'the bucket'} is missing`, 'bad_config');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UserError(`S3 endpoint ${JSON.stringify(endpoint)} is not a URL`, 'bad_config');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError('S3 endpoint must be an http:// or https:// URL', 'bad_config');
  if (!BUCKET.test(bucket)) throw new UserError(`S3 bucket ${JSON.stringify(bucket)} is not a valid bucket name`, 'bad_config');
  if (!/^[a-z0-9-]{1,40}$/.test(region)) throw new UserError(`S3 region ${JSON.stringify(region)} is not valid`, 'bad_config');
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new UserError('S3 storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment', 'bad_config');
  return { endpoint, bucket, region, accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}
