/**
 * The renderer's RPC client, typed by the shared contract. In Electron it goes through the preload's
 * `window.cadence` bridge; in a browser (`cadence ui`) over the host's WebSocket. Either way, errors
 * arrive as values and are rethrown here as RpcCallError.
 */
import {
  RpcCallError,
  type CadenceBridge,
  type RpcClient,
  type RpcEvent,
  type RpcEvents,
  type RpcMethod,
  type RpcResult,
  type WsClientMessage,
  type WsServerMessage,
  WS_MAX_MESSAGE_BYTES,
} from '../../../shared/rpc';

declare global {
  interface Window {
    cadence?: CadenceBridge;
  }
}

type Listener = (payload: unknown) => void;

function unwrap<T>(method: string, result: RpcResult<unknown>): T {
  if (result.ok) return result.value as T;
  throw new RpcCallError(result.error.code, result.error.message, method);
}

export interface ShellClient extends RpcClient {
  readonly shell: 'electron' | 'browser';
  /** Whether the app is reachable now (the desktop bridge always is while the window lives). */
  readonly connected: boolean;
  /** Tells when the connection to the app drops or comes back. */
  onConnection(listener: (connected: boolean) => void): () => void;
}

function bridgeClient(bridge: CadenceBridge): ShellClient {
  return {
    shell: 'electron',
    connected: true,
    onConnection: () => () => undefined,
    async call(method: RpcMethod, ...input: unknown[]) {
      return unwrap(method, await bridge.invoke(method, input[0]));
    },
    on(event, listener) {
      return bridge.subscribe(event, listener as Listener);
    },
  } as ShellClient;
}

/** A WebSocket client that queues calls until connected and reconnects after the host restarts. */
function wsClient(url: string): ShellClient {
  let ws: WebSocket | null = null;
  let open = false;
  let nextId = 1;
  const queue: string[] = [];
  const pending = new Map<number, { method: string; resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners = new Map<RpcEvent, Set<Listener>>();
  const connection = new Set<(connected: boolean) => void>();
  const setOpen = (next: boolean): void => {
    if (open === next) return;
    open = next;
    for (const l of connection) l(next);
  };

  const connect = (): void => {
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      setOpen(true);
      for (const m of queue.splice(0)) socket.send(m);
    };
    socket.onmessage = (e: MessageEvent<string>) => {
      const msg = JSON.parse(e.data) as WsServerMessage;
      if (msg.type === 'result') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        try {
          p.resolve(unwrap(p.method, msg.result));
        } catch (err) {
          p.reject(err as Error);
        }
      } else if (msg.type === 'event') {
        const set = listeners.get(msg.event);
        if (set) for (const l of set) l(msg.payload);
      }
    };
    socket.onclose = () => {
      setOpen(false);
      ws = null;
      for (const [, p] of pending) p.reject(new RpcCallError('disconnected', 'lost the connection to Cadence', p.method));
      pending.clear();
      setTimeout(connect, 1000);
    };
  };
  connect();

  return {
    shell: 'browser',
    get connected() {
      return open;
    },
    onConnection(listener) {
      connection.add(listener);
      return () => connection.delete(listener);
    },
    call(method: RpcMethod, ...input: unknown[]) {
      const id = nextId++;
      const msg: WsClientMessage = { type: 'call', id, method, input: input[0] ?? null };
      const text = JSON.stringify(msg);
      return new Promise((resolve, reject) => {
        if (new TextEncoder().encode(text).length > WS_MAX_MESSAGE_BYTES) {
          reject(new RpcCallError('too_large', `the request is larger than ${WS_MAX_MESSAGE_BYTES >> 20} MB`, method));
          return;
        }
        pending.set(id, { method, resolve, reject });
        if (open && ws) ws.send(text);
        else queue.push(text);
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
  } as ShellClient;
}

let client: ShellClient | null = null;

export function rpc(): ShellClient {
  if (client) return client;
  const bridge = window.cadence;
  client = bridge ? bridgeClient(bridge) : wsClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`);
  return client;
}

/** Subscribes in an effect: `useEffect(() => onEvent('live.state', set), [])`. */
export function onEvent<E extends RpcEvent>(event: E, listener: (payload: RpcEvents[E]) => void): () => void {
  return rpc().on(event, listener);
}
