/**
 * The preload exposes one small, named API through contextBridge — never raw ipcRenderer: `invoke`
 * takes only the contract's method names and `subscribe` only its event names.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, isRpcEvent, isRpcMethod, type CadenceBridge, type RpcResult } from '../shared/rpc';

const bridge = {
  shell: 'electron',
  invoke(method, input): Promise<RpcResult<unknown>> {
    if (!isRpcMethod(method)) return Promise.resolve({ ok: false, error: { code: 'unknown_method', message: `unknown method ${String(method)}` } });
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, input) as Promise<RpcResult<unknown>>;
  },
  subscribe(event, listener) {
    if (!isRpcEvent(event)) throw new Error(`unknown event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
} satisfies CadenceBridge;

contextBridge.exposeInMainWorld('cadence', bridge);
