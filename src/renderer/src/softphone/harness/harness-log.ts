/**
 * What the softphone harness page records (its own file, free of DOM types, so the Node tests that
 * read the log share the type with the page).
 */
import type { SoftphoneCallEndReason, SoftphoneCallInfo, SoftphoneError, SoftphoneState } from '../../../../shared/softphone';

export interface HarnessLog {
  states: SoftphoneState[];
  errors: SoftphoneError[];
  starts: SoftphoneCallInfo[];
  stops: { call: SoftphoneCallInfo; reason: SoftphoneCallEndReason }[];
  tokenRefreshes: number;
  frames: number;
  frameSizes: number[];
  /** RMS of each side over the frames so far. */
  agentRms: number;
  customerRms: number;
  /** RMS over the last second of frames. */
  recentAgentRms: number;
  recentCustomerRms: number;
  /** Tones handed to the browser's RTCDTMFSender (the SDK sends DTMF in-band when it can). */
  dtmf: string;
}
