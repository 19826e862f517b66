/**
 * Softphone mode contracts shared by the renderer (the Twilio Voice SDK controller and its audio tap)
 * and the Node side (the bridge that turns tapped frames into engine frames).
 */

export type SoftphoneStatus = 'idle' | 'registering' | 'ready' | 'incoming' | 'connecting' | 'in-call' | 'error';

export interface SoftphoneCallInfo {
  /** Twilio's CallSid once known. */
  readonly sid: string | null;
  readonly direction: 'outgoing' | 'incoming';
  /** The number or client dialled, or the caller. */
  readonly peer: string;
}

export interface SoftphoneError {
  /** Where it went wrong: fetching the token, Twilio (SDK / signaling / media), audio, or the browser. */
  readonly source: 'token' | 'twilio' | 'audio' | 'browser';
  /** Twilio's error code when there is one. */
  readonly code: number | null;
  /** One line for people: what happened and what to do. */
  readonly message: string;
}

export interface SoftphoneState {
  readonly status: SoftphoneStatus;
  /** One line for people describing the state. */
  readonly message: string;
  readonly identity: string | null;
  readonly call: SoftphoneCallInfo | null;
  readonly muted: boolean;
  readonly error: SoftphoneError | null;
}

export type SoftphoneCallEndReason = 'hangup' | 'remote-hangup' | 'cancelled' | 'rejected' | 'error' | 'stopped';

/** Renderer → Node: tapped frames (whole 20 ms frames, 16 kHz, agent and customer of equal length). */
export interface SoftphoneFramesMessage {
  readonly type: 'softphone-frames';
  /** Tap time of the first frame, ms since the call's audio started (a multiple of 20). */
  readonly tMs: number;
  readonly agent: Float32Array;
  readonly customer: Float32Array;
}

