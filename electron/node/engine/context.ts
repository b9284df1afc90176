import type Docker from 'dockerode';
import type { ProgressListener } from '../../common/contracts/progress.js';
import type { Secrets } from '../../common/contracts/secrets.js';
import type { Measurement } from '../../common/contracts/measurement.js';
import type { GpuDevices } from './container-spec.js';

/** What the engine acts on, passed in so the CLI, `berth serve`, the app and tests build it the same way. */
export interface EngineContext {
  docker: Docker;
  home: string;
  secrets: Secrets;
  gpuRuntime: boolean;
  /** How the engine gives containers GPUs (facts.engine.gpuDevices): the nvidia runtime unless it uses CDI. */
  gpuDevices?: GpuDevices;
  /** The engine's address, which measurements are kept under (facts.engine.endpoint). */
  engineEndpoint?: string;
  /** Keeps what a model server measured as it started (BERTH_HOME/measured.json); nothing is kept without it. */
  record?: (measurement: Measurement) => Promise<void>;
  /** Where published ports answer (127.0.0.1 for a local engine); undefined for a remote one. */
  probeHost: string | undefined;
  /** The engine runs on this machine: host ports can be checked before they are published. */
  local: boolean;
  prefetchWeights: boolean;
  emit: ProgressListener;
}

export interface UpResult {
  healthy: string[];
  /** Models on demand left asleep: ready, stopped, woken by their first request. */
  asleep: string[];
  failed: { service: string; message: string; fix: string }[];
  skipped: string[];
}
