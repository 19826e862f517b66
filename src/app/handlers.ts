/**
 * The RPC contract's server side: one typed handler map and `dispatch`, which checks every input with
 * the contract's own schemas (RPC_INPUTS in src/shared/rpc.ts) and which every transport (Electron IPC, the WebSocket browser host, tests)
 * uses to turn a request into an `RpcResult` value. Nothing here knows about a transport.
 */
import { z } from 'zod';
import { isRpcMethod, RPC_INPUTS, type RpcError, type RpcInput, type RpcMethod, type RpcOutput, type RpcResult } from '../shared/rpc';
import { UserError } from '../shared/errors';

export type RpcHandlers = { readonly [M in RpcMethod]: (input: RpcInput<M>) => Promise<RpcOutput<M>> | RpcOutput<M> };

export function toRpcError(err: unknown): RpcError {
  if (err instanceof UserError) return { code: err.code, message: err.message };
  if (err instanceof z.ZodError) {
    return { code: 'bad_input', message: err.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ') };
  }
  const code = (err as { code?: unknown } | null)?.code;
  return { code: typeof code === 'string' ? code : 'internal', message: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
}

/** Runs one request; never throws. Unknown methods and bad inputs come back as errors. */
export async function dispatch(handlers: RpcHandlers, method: unknown, input: unknown): Promise<RpcResult<unknown>> {
  if (!isRpcMethod(method)) return { ok: false, error: { code: 'unknown_method', message: `unknown method ${String(method)}` } };
  try {
    const parsed: unknown = RPC_INPUTS[method].parse(input);
    const handler = handlers[method] as (input: unknown) => Promise<unknown> | unknown;
    const value = await handler(parsed);
    return { ok: true, value: value === undefined ? null : value };
  } catch (err) {
    return { ok: false, error: toRpcError(err) };
  }
}

/** A typed in-process caller over `dispatch` (tests, benches), with errors rebuilt as thrown Errors. */
export function localClient(handlers: RpcHandlers): <M extends RpcMethod>(method: M, input?: RpcInput<M>) => Promise<RpcOutput<M>> {
  return async (method, input) => {
    const result = await dispatch(handlers, method, input);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value as RpcOutput<typeof method>;
  };
}

