/** The settings table, typed by the key registry in ../settings-keys. */
import { oneLine, UserError } from '../../shared/errors';
import { SETTINGS, type SettingKey, type SettingValue } from '../settings-keys';
import type { LibraryDb } from './handle';

export class SettingsRepo {
  constructor(private readonly db: LibraryDb) {}

  /** The stored value; undefined when unset or when what is stored no longer fits the key's schema. */
  async get<K extends SettingKey>(key: K): Promise<SettingValue<K> | undefined> {
    const schema = SETTINGS[key] as (typeof SETTINGS)[SettingKey] | undefined;
    if (!schema) throw new UserError(`unknown setting ${String(key)}`, 'bad_input');
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(row.value);
    } catch {
      return undefined;
    }
    const parsed = schema.safeParse(raw);
    return parsed.success ? (parsed.data as SettingValue<K>) : undefined;
  }

  /** Stores a value (checked against the key's schema); undefined clears the key. */
  async set<K extends SettingKey>(key: K, value: SettingValue<K> | undefined): Promise<void> {
    if (value === undefined) {
      await this.db.deleteFrom('settings').where('key', '=', key).execute();
      return;
    }
    const schema = SETTINGS[key] as (typeof SETTINGS)[SettingKey] | undefined;
    if (!schema) throw new UserError(`unknown setting ${String(key)}`, 'bad_input');
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new UserError(`invalid value for setting ${key}: ${oneLine(parsed.error.issues[0]?.message ?? 'rejected')}`, 'bad_input');
    const json = JSON.stringify(parsed.data);
    await this.db
      .insertInto('settings')
      .values({ key, value: json })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json }))
      .execute();
  }
}
