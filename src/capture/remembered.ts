/** The devices of the last call, remembered in the library's settings (shared by the CLI and the app). */
import type { Library } from '../library/library';

export const DEVICES_KEY = 'capture.devices';

export interface RememberedDevices {
  readonly agent: string;
  readonly customer: string;
}

export async function rememberedDevices(library: Library): Promise<RememberedDevices | null> {
  const v = await library.getSetting<RememberedDevices>(DEVICES_KEY);
  return v && typeof v.agent === 'string' && typeof v.customer === 'string' ? v : null;
}

export function rememberDevices(library: Library, devices: RememberedDevices): Promise<void> {
  return library.setSetting(DEVICES_KEY, devices);
}
