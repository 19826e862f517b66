/**
 * The RPC contract's server side: one typed handler map, input schemas for everything that arrives
 * from a window, and `dispatch`, which every transport (Electron IPC, the WebSocket browser host, tests)
 * uses to turn a request into an `RpcResult` value. Nothing here knows about a transport.
 */
import { z } from 'zod';
import { isRpcMethod, type RpcError, type RpcInput, type RpcMethod, type RpcOutput, type RpcResult } from '../shared/rpc';
import { UserError } from '../shared/errors';
import { settingsPatchSchema } from './settings';

export type RpcHandlers = { readonly [M in RpcMethod]: (input: RpcInput<M>) => Promise<RpcOutput<M>> | RpcOutput<M> };

const none = z.undefined().or(z.null()).transform(() => undefined);
const id = z.string().min(1).max(200);
const feedback = z.enum(['dismissed', 'helpful', 'not_helpful']);

/** What each method accepts. Typed against the contract: a schema that drifts from it does not compile. */
export const INPUT_SCHEMAS: { readonly [M in RpcMethod]: z.ZodType<RpcInput<M>, unknown> } = {
  'app.info': none,
  'app.openSettings': z.strictObject({ section: z.enum(['audio', 'privacy', 'keys']).optional() }),
  'live.state': none,
  'live.startDemo': z.strictObject({ speed: z.number().min(0.25).max(100).optional() }),
  'live.start': z.strictObject({ agent: z.string().min(1).max(300).optional(), customer: z.string().min(1).max(300).optional(), autoStart: z.boolean().optional(), title: z.string().max(200).optional() }),
  'live.stop': none,
  'live.mark': none,
  'live.feedback': z.strictObject({ nudgeId: id, feedback }),
  'calls.list': z.strictObject({
    search: z.string().max(500).optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    ruleId: z.string().max(100).optional(),
    minScore: z.number().optional(),
    maxScore: z.number().optional(),
    tag: z.string().max(100).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).optional(),
  }),
  'calls.get': z.strictObject({ id }),
  'calls.update': z.strictObject({
    id,
    patch: z.strictObject({ title: z.string().max(200).optional(), notes: z.string().max(20_000).optional(), tags: z.array(z.string().max(50)).max(50).optional() }),
  }),
  'calls.delete': z.strictObject({ id }),
  'calls.feedback': z.strictObject({ callId: id, nudgeId: id, feedback: feedback.nullable() }),
  'calls.export': z.strictObject({ id }),
  'playbook.get': none,
  'playbook.validate': z.strictObject({ text: z.string().max(1_000_000) }),
  'playbook.save': z.strictObject({ text: z.string().max(1_000_000) }),
  'playbook.reset': none,
  'softphone.callStart': z.strictObject({
    call: z.strictObject({ sid: z.string().max(100).nullable(), direction: z.enum(['outgoing', 'incoming']), peer: z.string().min(1).max(200) }),
  }),
  // 100 frames (2 s) per message at most: 128,000 bytes of float32 per side, base64.
  'softphone.frames': z.strictObject({ tMs: z.number().int().min(0), agent: z.string().max(171_000), customer: z.string().max(171_000) }),
  'softphone.callStop': z.strictObject({ reason: z.enum(['hangup', 'remote-hangup', 'cancelled', 'rejected', 'error', 'stopped']) }),
  'devices.list': none,
  'devices.levelCheck': z.strictObject({ device: z.string().min(1).max(300), seconds: z.number().min(1).max(30).optional() }),
  'devices.choose': z.strictObject({ agent: z.string().min(1).max(300), customer: z.string().min(1).max(300) }),
  'settings.get': none,
  'settings.set': settingsPatchSchema as z.ZodType<RpcInput<'settings.set'>, unknown>,
  'secrets.status': none,
  'secrets.set': z.strictObject({ name: z.enum(['deepgram', 'openai']), value: z.string().max(4000).nullable() }),
  'overlay.setInteractive': z.strictObject({ interactive: z.boolean() }),
};

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
    const parsed = INPUT_SCHEMAS[method].parse(input);
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

