/**
 * Keyboard shortcuts as Electron accelerators ("CommandOrControl+Alt+M"): built from a key press (the
 * settings' shortcut recorder) and checked wherever settings are saved, so "banana" or one combination
 * on two actions never reaches the shell.
 */
const MODIFIERS = ['CommandOrControl', 'Control', 'Alt', 'Shift', 'Super'] as const;
const NAMED_KEYS = ['Space', 'Tab', 'Backspace', 'Delete', 'Insert', 'Enter', 'Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PageUp', 'PageDown', 'Escape', 'Plus'];
const PUNCTUATION = [',', '.', '/', ';', "'", '[', ']', '\\', '-', '=', '`'];

const isKey = (k: string): boolean => /^[A-Z0-9]$/.test(k) || /^F([1-9]|1\d|2[0-4])$/.test(k) || NAMED_KEYS.includes(k) || PUNCTUATION.includes(k);

/** Why `text` is not a usable global shortcut, in words; null when it is. */
export function acceleratorProblem(text: string): string | null {
  const parts = text.split('+').map((p) => p.trim());
  // "Plus" is the key; a trailing "+" split leaves an empty part.
  if (parts.some((p) => p === '')) return `“${text}” is not a key combination.`;
  const key = parts.at(-1)!;
  const mods = parts.slice(0, -1);
  if (!isKey(key) || mods.some((m) => !(MODIFIERS as readonly string[]).includes(m))) return `“${text}” is not a key combination.`;
  if (new Set(mods).size !== mods.length) return `“${text}” repeats a modifier.`;
  // A global shortcut on a bare key (or Shift+key) would swallow ordinary typing in every app.
  if (!/^F\d+$/.test(key) && mods.filter((m) => m !== 'Shift').length === 0) return 'Use Ctrl, Alt or ⌘ with the key, so typing elsewhere is not caught.';
  return null;
}

const CODE_KEYS: Record<string, string> = { ' ': 'Space', ArrowUp: 'Up', ArrowDown: 'Down', ArrowLeft: 'Left', ArrowRight: 'Right', '+': 'Plus' };

/** The accelerator for a key press, or null while only modifiers are down. */
export function acceleratorFromKey(e: { readonly key: string; readonly code: string; readonly ctrlKey: boolean; readonly metaKey: boolean; readonly altKey: boolean; readonly shiftKey: boolean }): string | null {
  if (['Control', 'Meta', 'Alt', 'Shift', 'AltGraph', 'OS'].includes(e.key)) return null;
  // The physical key for letters and digits, so Shift or Alt (which change e.key) do not change the name.
  let key = /^Key[A-Z]$/.test(e.code) ? e.code.slice(3) : /^Digit\d$/.test(e.code) ? e.code.slice(5) : (CODE_KEYS[e.key] ?? (e.key.length === 1 ? e.key.toUpperCase() : e.key));
  if (key === 'Del') key = 'Delete';
  const mods = [e.ctrlKey || e.metaKey ? 'CommandOrControl' : null, e.altKey ? 'Alt' : null, e.shiftKey ? 'Shift' : null].filter((m): m is string => m !== null);
  return [...mods, key].join('+');
}

/** Shortcuts that share one combination: `[first action, second action]` pairs. */
export function shortcutConflicts(shortcuts: Readonly<Record<string, string>>): [string, string][] {
  const seen = new Map<string, string>();
  const out: [string, string][] = [];
  for (const [action, acc] of Object.entries(shortcuts)) {
    const norm = acc.toLowerCase();
    const other = seen.get(norm);
    if (other !== undefined) out.push([other, action]);
    else seen.set(norm, action);
  }
  return out;
}
