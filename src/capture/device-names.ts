/**
 * Friendly names for ALSA inputs: PortAudio lists an ALSA device by its PCM name ("pulse",
 * "cadence_agent"), while `arecord -L` also prints each PCM's description (the `hint` an .asoundrc or
 * the system gives it, PulseAudio's "Monitor of …"). Best effort: without arecord there are no
 * descriptions, and the names are shown as they are.
 */
import { execFileSync } from 'node:child_process';

/** Parses `arecord -L`: a PCM name at the start of a line, its description on the indented lines after. */
export function parseAlsaList(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | null = null;
  let desc: string[] = [];
  const flush = (): void => {
    if (name !== null && desc.length > 0) out.set(name, desc.join(' — '));
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (!/^\s/.test(line)) {
      flush();
      name = line.trim();
      desc = [];
    } else desc.push(line.trim());
  }
  flush();
  return out;
}

export function alsaDescriptions(): Map<string, string> {
  try {
    return parseAlsaList(execFileSync('arecord', ['-L'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return new Map();
  }
}
