/**
 * Twilio Media Streams WebSocket messages (bidirectional stream, Twilio → app direction), validated
 * with zod. Numbers such as sequenceNumber, chunk and timestamp travel as strings.
 */
import { z } from 'zod';

const numeric = z.union([z.string(), z.number()]).transform((v) => Number(v)).pipe(z.number().finite());

export const connectedMessage = z.object({ event: z.literal('connected'), protocol: z.string(), version: z.string() });

export const startMessage = z.object({
  event: z.literal('start'),
  sequenceNumber: numeric,
  streamSid: z.string(),
  start: z.object({
    accountSid: z.string(),
    streamSid: z.string(),
    callSid: z.string(),
    tracks: z.array(z.enum(['inbound', 'outbound'])),
    mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() }),
    customParameters: z.record(z.string(), z.string()).optional(),
  }),
});

export const mediaMessage = z.object({
  event: z.literal('media'),
  sequenceNumber: numeric,
  streamSid: z.string(),
  media: z.object({
    track: z.enum(['inbound', 'outbound']),
    chunk: numeric,
    /** ms since the stream started */
    timestamp: numeric,
    /** base64 audio in mediaFormat (8 kHz μ-law) */
    payload: z.string(),
  }),
});

export const markMessage = z.object({ event: z.literal('mark'), sequenceNumber: numeric, streamSid: z.string(), mark: z.object({ name: z.string() }) });

export const stopMessage = z.object({
  event: z.literal('stop'),
  sequenceNumber: numeric,
  streamSid: z.string(),
  stop: z.object({ accountSid: z.string(), callSid: z.string() }),
});

export const dtmfMessage = z.object({ event: z.literal('dtmf'), streamSid: z.string(), sequenceNumber: numeric, dtmf: z.object({ track: z.string(), digit: z.string() }) });

export const twilioMessage = z.discriminatedUnion('event', [connectedMessage, startMessage, mediaMessage, markMessage, stopMessage, dtmfMessage]);
export type TwilioMessage = z.infer<typeof twilioMessage>;
export type TwilioStart = z.infer<typeof startMessage>;

/** Escapes text for XML attributes and content. */
export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * TwiML that forks both tracks of the call to `streamUrl`, then connects the call (`<Dial>` to a
 * number or client) or, with nothing to dial, keeps it open.
 */
export function voiceTwiml(streamUrl: string, dial?: string): string {
  const connect = dial
    ? dial.startsWith('client:')
      ? `<Dial><Client>${xmlEscape(dial.slice('client:'.length))}</Client></Dial>`
      : `<Dial>${xmlEscape(dial)}</Dial>`
    : '<Pause length="3600"/>';
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Start><Stream url="${xmlEscape(streamUrl)}" track="both_tracks"/></Start>${connect}</Response>`;
}
