/** Tray menu and global shortcuts: thin wrappers over the app's own calls. */
import { globalShortcut, Menu, nativeImage, Tray } from 'electron';
import type { CadenceApp } from '../core/app/app';
import type { AppSettings } from '../shared/rpc';

export interface ShellActions {
  toggleOverlay(): void;
  showReview(): void;
  quit(): void;
}

async function startStop(app: CadenceApp): Promise<void> {
  if (app.live.inCall) await app.live.stop();
  else await app.live.startDemo();
}

export function createTray(app: CadenceApp, actions: ShellActions, iconPath: string): Tray {
  const image = nativeImage.createFromPath(iconPath);
  const tray = new Tray(image.isEmpty() ? nativeImage.createEmpty() : image);
  tray.setToolTip('Cadence');
  const rebuild = (): void => {
    const inCall = app.live.inCall;
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: inCall ? 'Stop call' : 'Start demo call', click: () => void startStop(app).catch(() => undefined) },
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
  bind(keys.startStopCall, () => void startStop(app).catch(() => undefined));
  bind(keys.markMoment, () => {
    if (app.live.inCall) app.live.mark();
  });
  bind(keys.dismissTopCard, () => app.events.emit('overlay.command', { command: 'dismissTop' }));
  return failed;
}
