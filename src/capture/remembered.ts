/** The devices of the last call, remembered in the library's settings (shared by the CLI and the app). */
import type { Library } from '../library/library';

export interface RememberedDevices {
  readonly agent: string;
  readonly customer: string;
}

export async function rememberedDevices(library: Library): Promise<RememberedDevices | null> {
  return (await library.settings.get('capture.devices')) ?? null;
}

export function rememberDevices(library: Library, devices: RememberedDevices): Promise<void> {
  return library.settings.set('capture.devices', devices);
}
