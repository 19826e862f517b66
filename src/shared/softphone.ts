/**
 * Softphone mode contracts shared by the renderer (the Twilio Voice SDK controller and its audio tap)
 * and the Node side (the bridge that turns tapped frames into engine frames).
 */
import { z } from 'zod';

const softphoneStatusSchema = z.enum(['idle', 'registering', 'ready', 'incoming', 'connecting', 'in-call', 'error']);
export type SoftphoneStatus = z.infer<typeof softphoneStatusSchema>;

export const softphoneCallInfoSchema = z
  .strictObject({
    /** Twilio's CallSid once known. */
    sid: z.string().max(100).nullable(),
    direction: z.enum(['outgoing', 'incoming']),
    /** The number or client dialled, or the caller. */
    peer: z.string().min(1).max(200),
  })
  .readonly();
export type SoftphoneCallInfo = z.infer<typeof softphoneCallInfoSchema>;

const softphoneErrorSchema = z
  .object({
    /** Where it went wrong: fetching the token, Twilio (SDK / signaling / media), audio, or the browser. */
    source: z.enum(['token', 'twilio', 'audio', 'browser']),
    /** Twilio's error code when there is one. */
    code: z.number().nullable(),
    /** One line for people: what happened and what to do. */
    message: z.string(),
  })
  .readonly();
export type SoftphoneError = z.infer<typeof softphoneErrorSchema>;

export const softphoneStateSchema = z
  .object({
    status: softphoneStatusSchema,
    /** One line for people describing the state. */
    message: z.string(),
    identity: z.string().nullable(),
    call: softphoneCallInfoSchema.nullable(),
    muted: z.boolean(),
    error: softphoneErrorSchema.nullable(),
  })
  .readonly();
export type SoftphoneState = z.infer<typeof softphoneStateSchema>;

export const softphoneCallEndReasonSchema = z.enum(['hangup', 'remote-hangup', 'cancelled', 'rejected', 'error', 'stopped']);
export type SoftphoneCallEndReason = z.infer<typeof softphoneCallEndReasonSchema>;

// The two messages below carry audio (transferred Float32Arrays, 50 a second) and stay hand-typed:
// nothing parses them per frame, and zod has no schema for a transferable typed array.

/** Renderer → Node: tapped frames (whole 20 ms frames, 16 kHz, agent and customer of equal length). */
export interface SoftphoneFramesMessage {
  readonly type: 'softphone-frames';
  /** Tap time of the first frame, ms since the call's audio started (a multiple of 20). */
  readonly tMs: number;
  readonly agent: Float32Array;
  readonly customer: Float32Array;
}

