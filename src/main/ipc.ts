/**
 * The RPC contract over Electron IPC: one invoke channel for requests (answered with RpcResult values
 * by the same `dispatch` the browser host uses) and one channel for pushed events. Requests from any
 * frame other than our own windows' main frames are refused.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { CadenceApp } from '../app/app';
import { dispatch } from '../app/handlers';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type RpcResult } from '../shared/rpc';

export function registerRpc(app: CadenceApp, windows: () => readonly BrowserWindow[]): () => void {
  const trusted = (e: IpcMainInvokeEvent): boolean => windows().some((w) => !w.isDestroyed() && w.webContents === e.sender) && e.senderFrame === e.sender.mainFrame;
  ipcMain.handle(IPC_INVOKE_CHANNEL, (e, method: unknown, input: unknown): Promise<RpcResult<unknown>> => {
    if (!trusted(e)) return Promise.resolve({ ok: false, error: { code: 'forbidden', message: 'request from an unknown frame' } });
    return dispatch(app.handlers, method, input);
  });
  const unsubscribe = app.events.subscribe((event, payload) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  });
  return () => {
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
    unsubscribe();
  };
}
