/**
 * Every key of the library's settings table and the shape of its value, in one registry: a value is
 * checked against its schema when it is written, and one that no longer parses (written by an older
 * or newer Cadence) reads as absent. Adding a setting means adding a line here.
 */
import { z } from 'zod';
import { transcriptionLanguageSchema, transcriptionModelSchema } from '../shared/rpc';

const accelerator = z.string().max(60);

/** The app's settings as stored (and as a patch from the UI: every field optional). */
export const appSettingsSchema = z.strictObject({
  record: z.boolean().optional(),
  retentionDays: z.number().int().min(0).max(36500).optional(),
  redactNumbers: z.boolean().optional(),
  muteRedactedAudio: z.boolean().optional(),
  contentProtection: z.boolean().optional(),
  overlayMode: z.enum(['compact', 'expanded']).optional(),
  cardFadeSeconds: z.number().min(1).max(120).optional(),
  overlayOpacity: z.number().min(0.4).max(1).optional(),
  overlaySize: z.enum(['small', 'normal', 'large']).optional(),
  autoStartStop: z.boolean().optional(),
  silenceStopSeconds: z.number().int().min(3).max(600).optional(),
  shortcuts: z
    .strictObject({ toggleOverlay: accelerator, startStopCall: accelerator, markMoment: accelerator, dismissTopCard: accelerator })
    .partial()
    .optional(),
  updateFeedUrl: z.union([z.literal(''), z.url()]).optional(),
  syncServerUrl: z.union([z.literal(''), z.url()]).optional(),
  softphoneTokenUrl: z.union([z.literal(''), z.url()]).optional(),
  firstRunDone: z.boolean().optional(),
  transcriptionModel: transcriptionModelSchema.optional(),
  transcriptionLanguage: transcriptionLanguageSchema.optional(),
});

/** An API key at rest: which protection encrypted it, and the ciphertext (base64). */
const storedSecretSchema = z.object({ kind: z.enum(['os', 'file']), data: z.string() });

const rectSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const SETTINGS = {
  'app.settings': appSettingsSchema,
  /** Speech level (dBFS) measured by the first-run level check; sets the engine's gates. */
  'capture.calibrationDb': z.number().min(-120).max(0),
  /** The devices of the last call (shared by the CLI and the app). */
  'capture.devices': z.object({ agent: z.string(), customer: z.string() }),
  /** Where the overlay sat, per display id. */
  'overlay.bounds': z.record(z.string(), rectSchema),
  'secret.deepgram': storedSecretSchema,
  'secret.openai': storedSecretSchema,
  /** The sync server this library uploads to / pulls from, and who the token says we are. */
  'sync.server': z.object({ url: z.url(), user: z.string(), role: z.enum(['agent', 'lead', 'admin']), team: z.string().nullable() }),
  /** The device token, encrypted like the API keys. */
  'sync.token': storedSecretSchema,
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]>;
