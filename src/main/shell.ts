/** Tray menu and global shortcuts: thin wrappers over the app's own calls. */
import { globalShortcut, Menu, nativeImage, Tray } from 'electron';
import type { CadenceApp } from '../app/app';
import type { AppSettings } from '../shared/rpc';

export interface ShellActions {
  toggleOverlay(): void;
  showReview(): void;
  /** Opens the review window on the audio settings (no devices chosen yet). */
  showAudioSettings(): void;
  quit(): void;
}

/** Start a call on the remembered devices, or stop the running one; with no devices, ask for them. */
async function startStop(app: CadenceApp, actions: ShellActions): Promise<void> {
  if (app.live.inCall) {
    await app.live.stop();
    return;
  }
  try {
    await app.live.startDevices();
  } catch (err) {
    if ((err as { code?: string }).code === 'no_devices') actions.showAudioSettings();
    else throw err;
  }
}

export function createTray(app: CadenceApp, actions: ShellActions, iconPath: string): Tray {
  const image = nativeImage.createFromPath(iconPath);
  const tray = new Tray(image.isEmpty() ? nativeImage.createEmpty() : image);
  tray.setToolTip('Cadence');
  const rebuild = (): void => {
    const inCall = app.live.inCall;
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: inCall ? 'Stop call' : 'Start call', click: () => void startStop(app, actions).catch(() => undefined) },
        { label: 'Start demo call', enabled: !inCall, click: () => void app.live.startDemo().catch(() => undefined) },
        { label: 'Show / hide overlay', click: actions.toggleOverlay },
        { label: 'Open review', click: actions.showReview },
        { type: 'separator' },
        { label: 'Quit Cadence', click: actions.quit },
      ]),
    );
  };
  rebuild();
  app.events.subscribe((event) => {
    if (event === 'live.state') rebuild();
  });
  tray.on('click', actions.showReview);
  return tray;
}

/** (Re)registers the configurable global shortcuts; returns the accelerators that could not be taken. */
export function registerShortcuts(app: CadenceApp, actions: ShellActions, keys: AppSettings['shortcuts']): string[] {
  globalShortcut.unregisterAll();
  const failed: string[] = [];
  const bind = (accelerator: string, fn: () => void): void => {
    if (!accelerator.trim()) return;
    try {
      if (!globalShortcut.register(accelerator, fn)) failed.push(accelerator);
    } catch {
      failed.push(accelerator);
    }
  };
  bind(keys.toggleOverlay, actions.toggleOverlay);
  bind(keys.startStopCall, () => void startStop(app, actions).catch(() => undefined));
  bind(keys.markMoment, () => {
    if (app.live.inCall) void app.live.mark().catch(() => undefined);
  });
  bind(keys.dismissTopCard, () => app.events.emit('overlay.command', { command: 'dismissTop' }));
  return failed;
}
