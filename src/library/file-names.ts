/** File names made from data (call ids, titles): always one safe base name, never a path. */

/** Anything but `[A-Za-z0-9_-]` becomes `_`, at most 64 characters, never empty, never a dot file. */
export function safeBaseName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return name.length > 0 ? name : '_';
}
