import { UserError } from '../../shared/errors';
import { createApp } from '../../app/app';
import { exportAsDownload, mediaPath, startBrowserHost } from '../../app/browser-host';
import { DEFAULT_RENDERER_OUT, ensureRenderer } from '../../app/renderer-build';
import { dbPathFor } from '../library-options';
import type { Command } from '../command';

export const uiCommand: Command = {
  name: 'ui',
  summary: 'Serve the Cadence UI (overlay at #/overlay, review window at #/review) to a browser on 127.0.0.1, backed by the real library and engine over WebSocket',
  usage: 'cadence ui [--port N] [--db FILE] [--renderer DIR] [--build] [--demo] [--json]',
  options: {
    port: { type: 'string' },
    db: { type: 'string' },
    renderer: { type: 'string' },
    build: { type: 'boolean' },
    demo: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(_args, opts, io) {
    const port = opts.port === undefined ? 5178 : Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port: expected a port number, got ${String(opts.port)}`);
    const rendererDir = await ensureRenderer(typeof opts.renderer === 'string' ? opts.renderer : DEFAULT_RENDERER_OUT, opts.build === true);
    const json = opts.json === true;
    const app = await createApp({
      dbPath: dbPathFor(opts),
      shell: 'browser',
      mediaUrl: mediaPath,
      exportCall: exportAsDownload,
      onLog: (line) => io.err(line),
    });
    let host;
    try {
      host = await startBrowserHost({ app, rendererDir, port, onLog: (line) => io.err(line) });
    } catch (err) {
      await app.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`port ${port} is in use (try --port 0 for any free port)`);
      throw err;
    }
    if (json) io.out(JSON.stringify({ type: 'listening', url: host.url, port: host.port, overlay: `${host.url}#/overlay`, review: `${host.url}#/review`, db: app.library.path }));
    else io.out(`Cadence UI on ${host.url}  (overlay: ${host.url}#/overlay, review: ${host.url}#/review; Ctrl+C to stop)`);
    if (opts.demo === true) await app.live.startDemo();
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await host.close();
    await app.close();
    if (json) io.out(JSON.stringify({ type: 'closed' }));
    return 0;
  },
};
