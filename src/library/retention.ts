/** Deletes calls older than the retention period (with their recordings); never a call in progress. */
import type { Library } from './library';

export async function applyRetention(library: Library, days: number, now = Date.now()): Promise<string[]> {
  if (!(days > 0)) return [];
  const cutoff = now - days * 86_400_000;
  const old = await library.db.selectFrom('calls').select('id').where('started_at', '<', cutoff).where('status', '!=', 'live').execute();
  const deleted: string[] = [];
  for (const { id } of old) if (await library.deleteCall(id)) deleted.push(id);
  return deleted;
}
