/**
 * File names built from data (a call id from an archive, a title) are base names of safe characters
 * only, so no value can name a path outside the folder it is written to.
 */
export function safeBaseName(text: string, fallback = 'call'): string {
  const name = text.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
  return name || fallback;
}
