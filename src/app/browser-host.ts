/**
 * The browser host behind `cadence ui`: serves the built renderer over HTTP and backs the RPC contract
 * over a WebSocket (`/rpc`) with the real services, so the whole UI runs in any browser (and Playwright).
 * Recordings stream from `/media/<callId>` with Range support, so the player can seek.
 *
 * It listens on 127.0.0.1 only and accepts WebSocket connections from its own origin only: a web page
 * elsewhere in the same browser cannot drive the app.
 */
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_MAX_MESSAGE_BYTES, wsClientMessageSchema, type RpcEvent, type WsServerMessage } from '../shared/rpc';
import { archiveFileName, exportCall } from '../library/archive';
import type { Library } from '../library/library';
import { recordingFile, type CadenceApp } from './app';
import { contentSecurityPolicy } from './csp';
import { dispatch } from './handlers';

export interface BrowserHostOptions {
  readonly app: CadenceApp;
  /** The built renderer (index.html and assets). */
  readonly rendererDir: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly onLog?: (line: string) => void;
}

export interface BrowserHost {
  /** e.g. http://127.0.0.1:5178/ */
  readonly url: string;
  readonly port: number;
  /** Connected windows. */
  readonly clients: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Events a slow client may miss (the next one supersedes them). */
const DROPPABLE: ReadonlySet<RpcEvent> = new Set(['live.metrics']);
const MAX_BUFFERED = 1 << 20;

/** The media URL path of a call's recording (what `CallDetail.recordingUrl` points at). */
export function mediaPath(callId: string): string {
  return `/media/${encodeURIComponent(callId)}`;
}

/** In the browser an export is a download from the host (built when it is fetched). */
export function exportAsDownload(_library: Library, callId: string): Promise<{ downloadUrl: string; path: null }> {
  return Promise.resolve({ downloadUrl: `/export/${encodeURIComponent(callId)}`, path: null });
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Streams a file, honouring a single `Range: bytes=a-b` request. */
function serveFile(req: IncomingMessage, res: ServerResponse, path: string, type: string, cache: string, extra: Record<string, string> = {}): void {
  const size = statSync(path).size;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  const base = { ...extra, 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': cache };
  if (range && (range[1] || range[2])) {
    let start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    let end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (!range[1]) end = size - 1;
    if (start >= size || start > end) {
      res.writeHead(416, { ...base, 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    start = Math.max(0, start);
    end = Math.max(start, end);
    res.writeHead(206, { ...base, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    if (req.method === 'HEAD') res.end();
    else createReadStream(path, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...base, 'content-length': size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const { app } = options;
  const root = resolve(options.rendererDir);
  if (!existsSync(join(root, 'index.html'))) throw new Error(`no built renderer in ${root} (run \`npm run build\`)`);
  const hostName = options.host ?? '127.0.0.1';

  // Filled in once the port is known. Every route (files, media, export, the /rpc upgrade) answers only
  // requests addressed to this host (no DNS rebinding) from this origin (no other page driving it).
  let hosts = new Set<string>();
  let origins = new Set<string>();
  const refusal = (req: IncomingMessage): { status: number; reason: string } | null => {
    if (!hosts.has(req.headers.host ?? '')) return { status: 421, reason: 'wrong host' };
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin)) return { status: 403, reason: 'cross-origin request' };
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, reason: 'cross-site request' };
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = refusal(req);
    if (refused) return send(res, refused.status, refused.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const media = /^\/media\/([^/]+)$/.exec(url.pathname);
    if (media) {
      const rec = await recordingFile(app.library, decodeURIComponent(media[1]!));
      if (!rec || !existsSync(rec.path)) return send(res, 404, 'no recording');
      return serveFile(req, res, rec.path, rec.codec.includes('ogg') ? 'audio/ogg' : 'audio/wav', 'no-store');
    }
    const exp = /^\/export\/([^/]+)$/.exec(url.pathname);
    if (exp) {
      const callId = decodeURIComponent(exp[1]!);
      if (!(await app.library.calls.resolveId(callId))) return send(res, 404, 'no such call');
      const dir = mkdtempSync(join(tmpdir(), 'cadence-export-'));
      const name = archiveFileName(callId);
      const file = join(dir, name);
      try {
        await exportCall(app.library, callId, file);
        res.setHeader('content-disposition', `attachment; filename="${name}"`);
        await new Promise<void>((done) => {
          res.once('close', done);
          serveFile(req, res, file, 'application/zip', 'no-store');
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = resolve(root, rel);
    if (file !== root && !file.startsWith(root + sep)) return send(res, 403, 'forbidden');
    // Client-side routes fall back to the app shell.
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    if (!file.endsWith('index.html')) return serveFile(req, res, file, type, 'max-age=3600');
    // The page's policy follows the settings at load time (the softphone's token URL).
    const { softphoneTokenUrl } = await app.settings.get();
    const csp = contentSecurityPolicy({ softphoneTokenUrl, connect: [...hosts].map((h) => `ws://${h}`) });
    serveFile(req, res, file, type, 'no-cache', { 'content-security-policy': csp });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, (err as Error).message);
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, hostName, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  hosts = new Set([`${hostName}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  origins = new Set([...hosts].map((h) => `http://${h}`));

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    server,
    path: '/rpc',
    maxPayload: WS_MAX_MESSAGE_BYTES,
    // A window of this app always sends its Origin; refusing its absence keeps non-browser clients out too.
    verifyClient: (info: { origin: string; req: IncomingMessage }) => origins.has(info.origin) && refusal(info.req) === null,
  });
  // A malformed frame or a reset closes only that window's connection (ws picks the close code).
  wss.on('error', (err) => options.onLog?.(`browser host: ${err.message}`));
  wss.on('connection', (ws) => {
    ws.on('error', (err) => options.onLog?.(`browser host: closed a connection: ${err.message}`));
    sockets.add(ws);
    const out = (msg: WsServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    out({ type: 'hello', version: 1 });
    const unsubscribe = app.events.subscribe((event, payload) => {
      if (DROPPABLE.has(event) && ws.bufferedAmount > MAX_BUFFERED) return;
      out({ type: 'event', event, payload });
    });
    ws.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return;
      }
      const parsed = wsClientMessageSchema.safeParse(json);
      if (!parsed.success) return;
      const msg = parsed.data;
      void dispatch(app.handlers, msg.method, msg.input).then((result) => out({ type: 'result', id: msg.id, result }));
    });
    ws.on('close', () => {
      sockets.delete(ws);
      unsubscribe();
    });
  });

  return {
    url: `http://${hostName}:${port}/`,
    port,
    get clients() {
      return sockets.size;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((ok) => wss.close(() => ok()));
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
