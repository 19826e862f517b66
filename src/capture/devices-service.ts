/** Audio devices for the app: the inputs there are, the ones chosen, and the first-run level check. */
import type { DeviceLevels, DeviceList, LevelCheckResult } from '../shared/rpc';
import { listenBoth } from './device-compare';
import { alsaDescriptions } from './device-names';
import { checkLevel } from './level-check';
import { listDevices, resolveInputDevice } from './portaudio';
import { rememberDevices, rememberedDevices } from './remembered';
import { oneLine } from '../shared/errors';
import type { Library } from '../library/library';

export class DeviceService {
  constructor(private readonly library: Library) {}

  async list(): Promise<DeviceList> {
    const remembered = await rememberedDevices(this.library);
    const calibrationDb = (await this.library.settings.get('capture.calibrationDb')) ?? null;
    try {
      const devices = listDevices().filter((d) => d.inputChannels > 0);
      const descriptions = devices.some((d) => d.hostApi === 'ALSA') ? alsaDescriptions() : new Map<string, string>();
      const inputs = devices.map((d) => ({
        id: d.id,
        name: d.name,
        description: descriptions.get(d.name) ?? null,
        hostApi: d.hostApi,
        channels: d.inputChannels,
        defaultSampleRate: d.defaultSampleRate,
        isDefault: d.defaultInput,
      }));
      return { available: true, reason: null, inputs, remembered, calibrationDb };
    } catch (err) {
      // No audio backend (e.g. naudiodon not built): the app still works for review and the demo call.
      return { available: false, reason: oneLine(err), inputs: [], remembered, calibrationDb };
    }
  }

  async choose(devices: { agent: string; customer: string }): Promise<DeviceList> {
    // Refuses names that match no input (or several), with the inputs there are.
    const all = listDevices();
    resolveInputDevice(devices.agent, all);
    resolveInputDevice(devices.customer, all);
    await rememberDevices(this.library, devices);
    return this.list();
  }

  listen(agent: string, customer: string, ms: number): Promise<DeviceLevels> {
    return listenBoth(agent, customer, ms);
  }

  async levelCheck(device: string, seconds: number): Promise<LevelCheckResult> {
    const result = await checkLevel(device, seconds);
    if (result.verdict === 'ok' && result.speechDbfs !== null) await this.library.settings.set('capture.calibrationDb', result.speechDbfs);
    return result;
  }
}
