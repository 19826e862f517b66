/**
 * A private PulseAudio for tests that need real audio devices without a sound card: two null sinks
 * ("agent", "customer") whose monitors PortAudio sees as named ALSA inputs (cadence_agent,
 * cadence_customer) through an .asoundrc in a temporary HOME. PortAudio reads the ALSA configuration
 * when it starts, so capture runs in a child process with `env`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePulse {
  readonly dir: string;
  /** Environment for child processes that should see this PulseAudio and ALSA config. */
  readonly env: NodeJS.ProcessEnv;
  /** Plays a WAV file into a sink; resolves when playback has finished. */
  play(sink: 'agent' | 'customer', wav: string): Promise<void>;
  /** Starts playback of a WAV file into a sink and returns the paplay process. */
  spawnPlay(sink: 'agent' | 'customer', wav: string): ChildProcess;
  pactl(...args: string[]): string;
  /** Removes a sink (its monitor disappears) and returns a function that brings it back. */
  unloadSink(sink: 'agent' | 'customer'): () => void;
  stop(): void;
  /** Stops the daemon, keeping the directory (to start it again with restart()). */
  kill(): void;
  restart(): void;
}

/** Why the real-device tests cannot run here, or null when they can. */
export function pulseUnavailable(): string | null {
  for (const bin of ['pulseaudio', 'pactl', 'paplay']) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return `${bin} is not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)`;
    }
  }
  return null;
}

/** Why PortAudio capture cannot run here (naudiodon does not load), or null when it can. */
export function naudiodonUnavailable(): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('naudiodon');
    return null;
  } catch (err) {
    return `naudiodon cannot load: ${(err as Error).message.split('\n')[0]}`;
  }
}

const ASOUNDRC = `pcm.!default { type pulse }
ctl.!default { type pulse }
pcm.cadence_agent { type pulse device "agent.monitor" hint { show on description "Cadence test: agent sink monitor" } }
pcm.cadence_customer { type pulse device "customer.monitor" hint { show on description "Cadence test: customer sink monitor" } }
# Listed like any input but cannot be opened: what a device held by another program looks like.
pcm.cadence_busy { type pulse device "held-by-another-program" hint { show on description "Cadence test: a device that cannot be opened" } }
`;

export function startPulse(): PrivatePulse {
  const dir = mkdtempSync(join(tmpdir(), 'cadence-pulse-'));
  const run = join(dir, 'run');
  mkdirSync(run, { recursive: true });
  writeFileSync(join(dir, '.asoundrc'), ASOUNDRC);
  // The library goes to the test's own folder too (`cadence live` saves every call).
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, PULSE_RUNTIME_PATH: run, XDG_RUNTIME_DIR: run, CADENCE_DATA_DIR: join(dir, 'cadence-data'), ALSA_CONFIG_PATH: undefined, PULSE_SERVER: undefined };
  delete env.ALSA_CONFIG_PATH;
  delete env.PULSE_SERVER;
  const start = (): void => {
    execFileSync(
      'pulseaudio',
      ['-n', '--daemonize=yes', '--exit-idle-time=-1', '--load=module-native-protocol-unix', '--load=module-null-sink sink_name=agent', '--load=module-null-sink sink_name=customer'],
      { env, stdio: 'ignore' },
    );
    // Wait until the server answers.
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('pactl', ['info'], { env, stdio: 'ignore' });
        return;
      } catch {
        execFileSync('sleep', ['0.1']);
      }
    }
    throw new Error('private PulseAudio did not start');
  };
  const running = (): boolean => {
    try {
      execFileSync('pulseaudio', ['--check'], { env, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const kill = (): void => {
    try {
      execFileSync('pulseaudio', ['--kill'], { env, stdio: 'ignore' });
    } catch {
      // not running
    }
    // --kill only signals; wait for the daemon to be gone so its files are not rewritten after cleanup.
    for (let i = 0; i < 50 && running(); i++) execFileSync('sleep', ['0.1']);
  };
  start();
  const pactl = (...args: string[]): string => execFileSync('pactl', args, { env, encoding: 'utf8' });
  const spawnPlay = (sink: 'agent' | 'customer', wav: string): ChildProcess => spawn('paplay', [`--device=${sink}`, wav], { env, stdio: 'ignore' });
  return {
    dir,
    env,
    pactl,
    spawnPlay,
    play(sink, wav) {
      return new Promise((resolve, reject) => {
        const p = spawnPlay(sink, wav);
        p.on('error', reject);
        p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited with ${code}`))));
      });
    },
    unloadSink(sink) {
      const line = pactl('list', 'short', 'modules')
        .split('\n')
        .find((l) => l.includes(`sink_name=${sink}`));
      const id = line?.split('\t')[0];
      if (id) pactl('unload-module', id);
      return () => void pactl('load-module', 'module-null-sink', `sink_name=${sink}`);
    },
    kill,
    restart: start,
    stop() {
      kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
