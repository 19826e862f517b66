/**
 * The preload exposes one small, named API through contextBridge — never raw ipcRenderer.
 */
import { contextBridge } from 'electron';

const api = {
  platform: process.platform,
} as const;

export type CadenceApi = typeof api;

contextBridge.exposeInMainWorld('cadence', api);
