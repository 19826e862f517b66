/**
 * Electron main process: window glue only. Everything else (engine, store, services behind the RPC
 * contract) is the Electron-free core in src/app, shared with `cadence ui` and the tests.
 */
import { app, globalShortcut, safeStorage, shell, type BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { archiveFileName, exportCall } from '../library/archive';
import { createApp, type CadenceApp } from '../app/app';
import type { SavedBounds } from '../app/overlay-bounds';
import type { SecretCipher } from '../app/secrets';
import { defaultDbPath } from '../library/paths';
import { registerRpc } from './ipc';
import { handleMedia, mediaUrl, registerMediaScheme } from './media';
import { createTray, registerShortcuts, type ShellActions } from './shell';
import { startUpdater } from './updater';
import { applyContentSecurityPolicy, createOverlayWindow, createReviewWindow, rendererPaths, type OverlayWindow } from './windows';

const here = dirname(fileURLToPath(import.meta.url));

let core: CadenceApp | null = null;
let overlay: OverlayWindow | null = null;
let review: BrowserWindow | null = null;
let quitting = false;

const log = (line: string): void => console.log(`[cadence] ${line}`);

function showReview(): void {
  if (!core) return;
  if (!review || review.isDestroyed()) review = createReviewWindow(rendererPaths(here));
  else {
    if (review.isMinimized()) review.restore();
    review.show();
    review.focus();
  }
}

/**
 * API keys encrypted by the OS credential store (Keychain, DPAPI, libsecret / KWallet). On Linux without
 * a keyring Electron falls back to a hard-coded key ('basic_text'): no better than the core's own
 * file-key cipher, so that one is used instead (and the UI says so).
 */
function osCipher(): SecretCipher | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  if (process.platform === 'linux' && ['basic_text', 'unknown'].includes(safeStorage.getSelectedStorageBackend())) return undefined;
  return { kind: 'os', encrypt: (text) => safeStorage.encryptString(text), decrypt: (data) => safeStorage.decryptString(data) };
}

function showHash(hash: string): void {
  showReview();
  review?.webContents.executeJavaScript(`location.hash = ${JSON.stringify(hash)}`).catch(() => undefined);
}

function showSettings(section?: string): void {
  showHash(section ? `#/settings/${section}` : '#/settings');
}

async function start(): Promise<void> {
  process.env.CADENCE_RESOURCES ??= app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources');
  process.env.CADENCE_DATA_DIR ??= app.getPath('userData');
  const secretCipher = osCipher();
  core = await createApp({
    dbPath: defaultDbPath(),
    shell: 'electron',
    mediaUrl,
    exportCall: async (library, callId) => {
      const res = await exportCall(library, callId, join(app.getPath('downloads'), archiveFileName(callId, 'cadence-')));
      shell.showItemInFolder(res.path);
      return { downloadUrl: null, path: res.path };
    },
    engine: { workerUrl: new URL('./engine-worker.js', import.meta.url) },
    setOverlayInteractive: (interactive) => overlay?.setInteractive(interactive),
    openSettings: (section) => showSettings(section),
    openReview: (callId) => showHash(`#/review/${encodeURIComponent(callId)}`),
    ...(secretCipher ? { secretCipher } : {}),
    onLog: log,
  });
  const c = core;
  handleMedia(c);
  registerRpc(c, () => [overlay?.win, review].filter((w): w is BrowserWindow => !!w && !w.isDestroyed()));

  applyContentSecurityPolicy(rendererPaths(here), async () => (await c.settings.get()).softphoneTokenUrl);
  const settings = await c.settings.get();
  const saved: SavedBounds = (await c.library.settings.get('overlay.bounds')) ?? {};
  overlay = createOverlayWindow(rendererPaths(here), saved, (next) => void c.library.settings.set('overlay.bounds', next), settings.contentProtection);
  // Windows drops always-on-top levels after focus changes elsewhere: re-assert it.
  if (process.platform === 'win32') app.on('browser-window-blur', () => overlay?.win.setAlwaysOnTop(true, 'screen-saver'));
  showReview();

  const actions: ShellActions = {
    toggleOverlay: () => overlay?.toggle(),
    showReview,
    showAudioSettings: () => showSettings('audio'),
    quit: () => app.quit(),
  };
  createTray(c, actions, join(process.env.CADENCE_RESOURCES, 'icons', 'tray.png'));
  const failed = registerShortcuts(c, actions, settings.shortcuts);
  if (failed.length) log(`shortcuts already taken by another app: ${failed.join(', ')}`);
  c.events.subscribe((event, payload) => {
    if (event !== 'settings.changed') return;
    const s = payload as typeof settings;
    overlay?.setContentProtection(s.contentProtection);
    registerShortcuts(c, actions, s.shortcuts);
  });
  if (app.isPackaged) startUpdater(c, log);
}

registerMediaScheme();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showReview);
  void app.whenReady().then(() =>
    start().catch((err: unknown) => {
      log(`could not start: ${(err as Error).message}`);
      app.exit(1);
    }),
  );
  app.on('activate', showReview);
  // The overlay and tray keep Cadence running without a review window.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin' && !overlay) app.quit();
  });
  app.on('before-quit', (e) => {
    if (quitting || !core) return;
    // A running call is stopped and stored before the app goes.
    e.preventDefault();
    quitting = true;
    globalShortcut.unregisterAll();
    const c = core;
    core = null;
    void c.close().finally(() => app.quit());
  });
}
