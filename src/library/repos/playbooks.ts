/** Saved playbooks (stored as given; src/playbook validates them). */
import type { LibraryDb } from './handle';

export interface StoredPlaybook {
  readonly id: string;
  readonly name: string;
  readonly playbook: unknown;
}

export class PlaybooksRepo {
  constructor(private readonly db: LibraryDb) {}

  async save(id: string, name: string, playbook: unknown): Promise<void> {
    const json = JSON.stringify(playbook);
    const now = Date.now();
    await this.db
      .insertInto('playbooks')
      .values({ id, name, json, updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name, json, updated_at: now }))
      .execute();
  }

  async get(id: string): Promise<StoredPlaybook | undefined> {
    const row = await this.db.selectFrom('playbooks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, name: row.name, playbook: JSON.parse(row.json) as unknown } : undefined;
  }

  async list(): Promise<{ id: string; name: string; updatedAt: number }[]> {
    const rows = await this.db.selectFrom('playbooks').select(['id', 'name', 'updated_at']).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, updatedAt: r.updated_at }));
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('playbooks').where('id', '=', id).execute();
  }
}
