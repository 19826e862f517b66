import { listDevices } from '../../capture/portaudio';
import type { Command } from '../command';

export const devicesCommand: Command = {
  name: 'devices',
  summary: 'List the audio devices PortAudio sees (id, name, host API, channels, default rate); use an input id or name with `cadence live`',
  usage: 'cadence devices [--json] [--inputs]',
  options: { json: { type: 'boolean' }, inputs: { type: 'boolean' } },
  run(_args, opts, io) {
    const devices = listDevices().filter((d) => !opts.inputs || d.inputChannels > 0);
    if (opts.json) {
      io.out(JSON.stringify({ devices }));
      return 0;
    }
    if (devices.length === 0) {
      io.out('no audio devices found');
      return 0;
    }
    io.out('  id  in out    rate  host API  name');
    for (const d of devices) {
      const mark = d.defaultInput ? '*' : ' ';
      io.out(`${mark}${String(d.id).padStart(3)} ${String(d.inputChannels).padStart(3)} ${String(d.outputChannels).padStart(3)} ${String(d.defaultSampleRate).padStart(7)}  ${d.hostApi.padEnd(8)} ${d.name}`);
    }
    io.out('(* = default input)');
    return 0;
  },
};
