/**
 * A protocol-faithful S3 stand-in on 127.0.0.1 for tests: path-style PUT/GET/HEAD/DELETE of objects in
 * one bucket, every request's AWS Signature Version 4 `Authorization` header verified from first
 * principles (canonical request, string to sign, derived key) — independently of the signer the server
 * uses — and a PUT body checked against its signed `x-amz-content-sha256`. Errors are S3's XML documents:
 * 403 SignatureDoesNotMatch / InvalidAccessKeyId / RequestTimeTooSkewed, 404 NoSuchKey / NoSuchBucket.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3StandIn {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Stored objects by key. */
  readonly objects: Map<string, Buffer>;
  /** Every request answered, in order. */
  readonly requests: { method: string; key: string; status: number }[];
  close(): Promise<void>;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const MAX_SKEW_MS = 15 * 60_000;

/** RFC 3986 encoding as SigV4 wants it (S3 paths are encoded once, as sent). */
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(search: URLSearchParams): string {
  return [...search.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Checks the request's signature; returns the S3 error (status, code) or null when it verifies. */
function verify(req: IncomingMessage, url: URL, creds: { accessKeyId: string; secretAccessKey: string; region: string }): [number, string] | null {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return [403, 'AccessDenied'];
  const [, akid, day, region, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
  if (akid !== creds.accessKeyId) return [403, 'InvalidAccessKeyId'];
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!dm || amzDate.slice(0, 8) !== day || region !== creds.region) return [403, 'SignatureDoesNotMatch'];
  const at = Date.UTC(+dm[1]!, +dm[2]! - 1, +dm[3]!, +dm[4]!, +dm[5]!, +dm[6]!);
  if (Math.abs(Date.now() - at) > MAX_SKEW_MS) return [403, 'RequestTimeTooSkewed'];
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date') || !names.includes('x-amz-content-sha256')) return [403, 'SignatureDoesNotMatch'];
  const headerLines = names.map((n) => {
    const v = req.headers[n];
    return `${n}:${(Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonical = [req.method, url.pathname, canonicalQuery(url.searchParams), headerLines.join(''), signedHeaders, String(req.headers['x-amz-content-sha256'])].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const expected = hmac(key, toSign);
  return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? null : [403, 'SignatureDoesNotMatch'];
}

function xmlError(res: ServerResponse, status: number, code: string, method: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': method === 'HEAD' ? '0' : Buffer.byteLength(body) });
  res.end(method === 'HEAD' ? undefined : body);
}

export async function startS3StandIn(opts: { bucket?: string; region?: string; accessKeyId?: string; secretAccessKey?: string } = {}): Promise<S3StandIn> {
  const creds = { bucket: opts.bucket ?? 'cadence-archives', region: opts.region ?? 'eu-west-1', accessKeyId: opts.accessKeyId ?? 'AKIATESTSTANDIN00001', secretAccessKey: opts.secretAccessKey ?? 'stand-in/secret+key/0123456789abcdefghij' };
  const objects = new Map<string, Buffer>();
  const requests: S3StandIn['requests'] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const answer = (status: number, code?: string): void => {
      requests.push({ method, key, status });
      if (code) xmlError(res, status, code, method);
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bad = verify(req, url, creds);
      if (bad) return answer(...bad);
      if (bucket !== creds.bucket) return answer(404, 'NoSuchBucket');
      if (key === '') return answer(400, 'InvalidRequest');
      const body = Buffer.concat(chunks);
      if (method === 'PUT') {
        const declared = String(req.headers['x-amz-content-sha256']);
        if (declared !== 'UNSIGNED-PAYLOAD' && declared !== sha256(body)) return answer(400, 'XAmzContentSHA256Mismatch');
        objects.set(key, body);
        answer(200);
        res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"`, 'content-length': '0' });
        return res.end();
      }
      if (method === 'DELETE') {
        objects.delete(key);
        answer(204);
        res.writeHead(204);
        return res.end();
      }
      if (method === 'GET' || method === 'HEAD') {
        const obj = objects.get(key);
        if (!obj) return answer(404, 'NoSuchKey');
        answer(200);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': obj.length, etag: `"${createHash('md5').update(obj).digest('hex')}"` });
        return res.end(method === 'HEAD' ? undefined : obj);
      }
      answer(405, 'MethodNotAllowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...creds,
    objects,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
