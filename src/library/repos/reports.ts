/** AI-written call reports: the latest per call, validated on the way in and out. */
import { aiReportSchema, storedReportSchema, type AiReport, type StoredReport } from '../../shared/call-report';
import { UserError } from '../../shared/errors';
import { parseJson, type LibraryDb } from './handle';

export class ReportsRepo {
  constructor(private readonly db: LibraryDb) {}

  async save(callId: string, model: string, report: AiReport): Promise<StoredReport> {
    const checked = aiReportSchema.parse(report);
    const call = await this.db.selectFrom('calls').select('id').where('id', '=', callId).executeTakeFirst();
    if (!call) throw new UserError(`no call with id ${callId}`, 'not_found');
    const createdAt = Date.now();
    const json = JSON.stringify(checked);
    await this.db
      .insertInto('call_reports')
      .values({ call_id: callId, model, created_at: createdAt, json })
      .onConflict((oc) => oc.column('call_id').doUpdateSet({ model, created_at: createdAt, json }))
      .execute();
    return { model, createdAt, report: checked };
  }

  /** The stored report, or null (none, or one that no longer fits the schema). */
  async get(callId: string): Promise<StoredReport | null> {
    const row = await this.db.selectFrom('call_reports').selectAll().where('call_id', '=', callId).executeTakeFirst();
    if (!row) return null;
    const parsed = storedReportSchema.safeParse({ model: row.model, createdAt: row.created_at, report: parseJson<unknown>(row.json, null) });
    return parsed.success ? parsed.data : null;
  }
}
