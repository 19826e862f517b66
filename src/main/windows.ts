/** The two windows: the always-on-top overlay (never takes focus) and the normal review window. */
import { BrowserWindow, screen, session } from 'electron';
import { join } from 'node:path';
import { contentSecurityPolicy } from '../app/csp';
import { overlayBoundsFor, rememberBounds, type SavedBounds } from '../app/overlay-bounds';

export interface WindowPaths {
  readonly preload: string;
  readonly rendererHtml: string;
  /** electron-vite dev server, when running `npm run dev`. */
  readonly devUrl: string | undefined;
}

const secure = (preload: string): Electron.WebPreferences => ({
  preload,
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  webSecurity: true,
  spellcheck: false,
});

function load(win: BrowserWindow, paths: WindowPaths, hash: string): void {
  if (paths.devUrl) void win.loadURL(`${paths.devUrl}#${hash}`);
  else void win.loadFile(paths.rendererHtml, { hash });
}

export interface OverlayWindow {
  readonly win: BrowserWindow;
  setInteractive(interactive: boolean): void;
  setContentProtection(on: boolean): void;
  toggle(): void;
}

export function createOverlayWindow(paths: WindowPaths, saved: SavedBounds, onBoundsChange: (next: SavedBounds) => void, contentProtection: boolean): OverlayWindow {
  const display = screen.getDisplayNearestPoint(screen.getCursorScreenPoint());
  const bounds = overlayBoundsFor({ id: display.id, workArea: display.workArea }, saved);
  const win = new BrowserWindow({
    ...bounds,
    show: false,
    frame: false,
    transparent: true,
    backgroundColor: '#00000000',
    hasShadow: false,
    resizable: true,
    alwaysOnTop: true,
    skipTaskbar: true,
    focusable: false,
    fullscreenable: false,
    minimizable: false,
    maximizable: false,
    title: 'Cadence overlay',
    webPreferences: secure(paths.preload),
  });
  // Above full-screen apps, on every workspace; the softphone keeps the focus.
  win.setAlwaysOnTop(true, 'screen-saver');
  win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
  win.setContentProtection(contentProtection);
  // Click-through except over cards and controls (the renderer reports the pointer's whereabouts).
  win.setIgnoreMouseEvents(true, { forward: true });
  win.once('ready-to-show', () => win.showInactive());

  let current = saved;
  let timer: NodeJS.Timeout | null = null;
  const persist = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      if (win.isDestroyed()) return;
      const b = win.getBounds();
      const d = screen.getDisplayMatching(b);
      current = rememberBounds(current, d.id, b);
      onBoundsChange(current);
    }, 500);
  };
  win.on('moved', persist);
  win.on('resized', persist);
  load(win, paths, '/overlay');

  return {
    win,
    setInteractive(interactive) {
      if (!win.isDestroyed()) win.setIgnoreMouseEvents(!interactive, { forward: true });
    },
    setContentProtection(on) {
      if (!win.isDestroyed()) win.setContentProtection(on);
    },
    toggle() {
      if (win.isDestroyed()) return;
      if (win.isVisible()) win.hide();
      else {
        win.showInactive();
        win.setAlwaysOnTop(true, 'screen-saver');
      }
    },
  };
}

export function createReviewWindow(paths: WindowPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'Cadence',
    webPreferences: secure(paths.preload),
  });
  win.once('ready-to-show', () => win.show());
  // Links to other sites open nowhere inside the app.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  load(win, paths, '/review');
  return win;
}

export function rendererPaths(here: string): WindowPaths {
  return {
    preload: join(here, '../preload/index.cjs'),
    rendererHtml: join(here, '../renderer/index.html'),
    devUrl: process.env.ELECTRON_RENDERER_URL,
  };
}

/**
 * Sets the renderer's Content-Security-Policy on every page the windows load (file:// and the dev
 * server alike), from the settings at that moment: a changed token URL applies at the next load.
 */
export function applyContentSecurityPolicy(paths: WindowPaths, tokenUrl: () => Promise<string>): void {
  const dev = paths.devUrl ? new URL(paths.devUrl) : null;
  const devOrigins = dev ? [dev.origin, `ws://${dev.host}`] : [];
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame') return callback({});
    void tokenUrl()
      .catch(() => '')
      .then((softphoneTokenUrl) => {
        const csp = contentSecurityPolicy({ softphoneTokenUrl, connect: devOrigins, script: dev ? [dev.origin, "'unsafe-inline'"] : [] });
        callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
      });
  });
}
