/** Deletes calls older than the retention period (with their recordings); never a call in progress. */
import type { Library } from './library';

export async function applyRetention(library: Library, days: number, now = Date.now()): Promise<string[]> {
  if (!(days > 0)) return [];
  const cutoff = now - days * 86_400_000;
  const deleted: string[] = [];
  for (const id of await library.calls.finishedBefore(cutoff)) if (await library.calls.delete(id)) deleted.push(id);
  return deleted;
}
