/**
 * `cadence-media://call/<id>`: a call's recording for the review window's player, with Range support
 * so it can seek. Registered as a privileged, streaming scheme before the app is ready.
 */
import { protocol } from 'electron';
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { recordingFile, type CadenceApp } from '../app/app';

export const MEDIA_SCHEME = 'cadence-media';

export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } }]);
}

export function mediaUrl(callId: string): string {
  return `${MEDIA_SCHEME}://call/${encodeURIComponent(callId)}`;
}

export function handleMedia(app: CadenceApp): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const rec = await recordingFile(app.library, decodeURIComponent(url.pathname.replace(/^\//, '')));
    if (!rec) return new Response('no recording', { status: 404 });
    const size = statSync(rec.path).size;
    const type = rec.codec.includes('ogg') ? 'audio/ogg' : 'audio/wav';
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get('range') ?? '');
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
      const body = Readable.toWeb(createReadStream(rec.path, { start, end })) as ReadableStream;
      return new Response(body, {
        status: 206,
        headers: { 'content-type': type, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) },
      });
    }
    const body = Readable.toWeb(createReadStream(rec.path)) as ReadableStream;
    return new Response(body, { status: 200, headers: { 'content-type': type, 'accept-ranges': 'bytes', 'content-length': String(size) } });
  });
}
