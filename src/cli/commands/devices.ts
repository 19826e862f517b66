import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listDevices, type AudioDevice } from '../../capture/portaudio';
import { UserError } from '../../shared/errors';
import type { Command } from '../command';

/** Set in the child process that does the enumeration. */
const ENUMERATE_ENV = 'CADENCE_ENUMERATE_DEVICES';
const CLI = fileURLToPath(new URL('../../../bin/cadence.mjs', import.meta.url));

/**
 * PortAudio's back-ends (ALSA, JACK) print dozens of lines from native code while they probe, straight
 * to file descriptor 2, which Node cannot redirect in-process. The enumeration therefore runs in a child
 * process whose stderr is captured and dropped (its last line is kept for a failure message).
 */
function enumerateQuietly(): AudioDevice[] {
  if (!existsSync(CLI)) return listDevices();
  const child = spawnSync(process.execPath, [CLI, 'devices'], {
    env: { ...process.env, [ENUMERATE_ENV]: '1', JACK_NO_START_SERVER: '1' },
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 16 << 20,
  });
  const line = child.stdout?.split('\n').find((l) => l.startsWith('['));
  if (child.status !== 0 || !line) {
    const last = (child.stderr ?? '').split('\n').filter((l) => l.startsWith('cadence')).pop();
    throw new UserError(last?.replace(/^cadence devices: /, '') ?? `listing audio devices failed (${child.error?.message ?? `exit ${child.status}`})`);
  }
  return JSON.parse(line) as AudioDevice[];
}

export const devicesCommand: Command = {
  name: 'devices',
  summary: 'List the audio devices PortAudio sees (id, name, host API, channels, default rate); use an input id or name with `cadence live`',
  usage: 'cadence devices [--json] [--inputs]',
  options: { json: { type: 'boolean' }, inputs: { type: 'boolean' } },
  run(_args, opts, io) {
    if (process.env[ENUMERATE_ENV] === '1') {
      io.out(JSON.stringify(listDevices()));
      return 0;
    }
    const all = enumerateQuietly();
    const devices = all.filter((d) => !opts.inputs || d.inputChannels > 0);
    // Nothing to capture from is an error for the one thing devices are for.
    if (!all.some((d) => d.inputChannels > 0)) throw new UserError('no audio input devices found (is a sound server or card available?)', 'no_devices');
    if (opts.json) {
      io.out(JSON.stringify({ devices }));
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
