/** The app's pushed events, typed by the RPC contract; every transport subscribes and forwards them. */
import type { RpcEvent, RpcEvents } from '../shared/rpc';

export type AppEventListener = <E extends RpcEvent>(event: E, payload: RpcEvents[E]) => void;

export class AppEvents {
  private readonly listeners = new Set<AppEventListener>();

  emit<E extends RpcEvent>(event: E, payload: RpcEvents[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // A broken transport must not stop the others (or the call).
      }
    }
  }

  subscribe(listener: AppEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
