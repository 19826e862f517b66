/**
 * Electron main process: window glue only. Everything else (engine, store, capture) is the
 * Electron-free core, shared with the CLI and the browser host.
 */
import { app, BrowserWindow } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function createReviewWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    show: false,
    title: 'Cadence',
    webPreferences: {
      preload: join(here, '../preload/index.mjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(join(here, '../renderer/index.html'));
  return win;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  process.env.CADENCE_RESOURCES ??= app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources');
  void app.whenReady().then(() => {
    createReviewWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createReviewWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
