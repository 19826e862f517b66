/** App settings: validated with zod, stored in the library's settings table under one key. */
import { DEFAULT_SETTINGS, settingsPatchSchema, type AppSettings, type SettingsPatch } from '../shared/rpc';
import type { Library } from '../library/library';
import { acceleratorProblem, shortcutConflicts } from '../shared/accelerator';
import { UserError } from '../shared/errors';

/** Settings that hold a web address: only http(s) makes sense for any of them. */
const URL_FIELDS = ['updateFeedUrl', 'syncServerUrl', 'softphoneTokenUrl'] as const;

/**
 * Refuses what the schema lets through but the app cannot use: odd shortcuts, shared ones, non-web URLs
 * (the URLs being set now: an old stored value does not block saving something else).
 */
function check(next: AppSettings, patch: SettingsPatch): void {
  for (const [action, acc] of Object.entries(next.shortcuts)) {
    const problem = acceleratorProblem(acc);
    if (problem) throw new UserError(`shortcut ${action}: ${problem}`, 'bad_input');
  }
  const [clash] = shortcutConflicts(next.shortcuts);
  if (clash) throw new UserError(`shortcuts ${clash[0]} and ${clash[1]} use the same keys`, 'bad_input');
  for (const f of URL_FIELDS) {
    if (patch[f] !== undefined && next[f] !== '' && !/^https?:\/\//i.test(next[f])) throw new UserError(`${f}: use an http:// or https:// address`, 'bad_input');
  }
}


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
    const parsed = settingsPatchSchema.parse(patch);
    const next = merge(await this.get(), parsed);
    check(next, parsed);
    await this.library.settings.set('app.settings', next);
    this.cached = next;
    return next;
  }
}
