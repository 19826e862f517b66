/** App settings: validated with zod, stored in the library's settings table under one key. */
import { DEFAULT_SETTINGS, settingsPatchSchema, type AppSettings, type SettingsPatch } from '../shared/rpc';
import type { Library } from '../library/library';

const KEY = 'app.settings';

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
