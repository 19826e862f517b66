/** App settings: validated with zod, stored in the library's settings table under one key. */
import { DEFAULT_SETTINGS, settingsPatchSchema, type AppSettings, type SettingsPatch } from '../shared/rpc';
import type { Library } from '../library/library';


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
    // A stored value that no longer parses (from an older or newer version) reads as absent: defaults.
    this.cached = merge(DEFAULT_SETTINGS, (await this.library.settings.get('app.settings')) ?? {});
    return this.cached;
  }

  async set(patch: SettingsPatch): Promise<AppSettings> {
    const next = merge(await this.get(), settingsPatchSchema.parse(patch));
    await this.library.settings.set('app.settings', next);
    this.cached = next;
    return next;
  }
}
