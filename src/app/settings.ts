/** App settings: validated with zod, stored in the library's settings table under one key. */
import { z } from 'zod';
import { DEFAULT_SETTINGS, type AppSettings } from '../shared/rpc';
import type { Library } from '../library/library';

const KEY = 'app.settings';

const accelerator = z.string().max(60);

export const settingsPatchSchema = z.strictObject({
  record: z.boolean().optional(),
  retentionDays: z.number().int().min(0).max(36500).optional(),
  redactNumbers: z.boolean().optional(),
  contentProtection: z.boolean().optional(),
  overlayMode: z.enum(['compact', 'expanded']).optional(),
  cardFadeSeconds: z.number().min(1).max(120).optional(),
  shortcuts: z
    .strictObject({ toggleOverlay: accelerator, startStopCall: accelerator, markMoment: accelerator, dismissTopCard: accelerator })
    .partial()
    .optional(),
  updateFeedUrl: z.union([z.literal(''), z.url()]).optional(),
  syncServerUrl: z.union([z.literal(''), z.url()]).optional(),
  softphoneTokenUrl: z.union([z.literal(''), z.url()]).optional(),
  firstRunDone: z.boolean().optional(),
});

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

function merge(base: AppSettings, patch: SettingsPatch): AppSettings {
  const { shortcuts, ...rest } = patch;
  const clean = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<AppSettings>;
  const keys = Object.fromEntries(Object.entries(shortcuts ?? {}).filter(([, v]) => v !== undefined)) as Partial<AppSettings['shortcuts']>;
  return { ...base, ...clean, shortcuts: { ...base.shortcuts, ...keys } };
}

export class SettingsService {
  private cached: AppSettings | null = null;

  constructor(private readonly library: Library) {}

  async get(): Promise<AppSettings> {
    if (this.cached) return this.cached;
    const stored = await this.library.getSetting<unknown>(KEY);
    const parsed = settingsPatchSchema.safeParse(stored ?? {});
    // A stored value from an older or newer version keeps what still parses; the rest is default.
    this.cached = merge(DEFAULT_SETTINGS, parsed.success ? parsed.data : {});
    return this.cached;
  }

  async set(patch: SettingsPatch): Promise<AppSettings> {
    const next = merge(await this.get(), settingsPatchSchema.parse(patch));
    await this.library.setSetting(KEY, next);
    this.cached = next;
    return next;
  }
}
