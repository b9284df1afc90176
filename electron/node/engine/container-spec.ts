import { createHash } from 'node:crypto';
import path from 'node:path';
import type Docker from 'dockerode';
import { isOnDemand, type PlannedService, type StackPlan } from '../../common/contracts/stack-plan.js';
import { RELOADED_ON_HUP } from '../../common/planner/services.js';
import { LABELS, containerName, stackLabels } from './labels.js';
import { resolveEnv } from '../secrets/secrets-file.js';
import { WAKE_KEY_ENV, wakeKey } from '../secrets/wake-key.js';
import { type Secrets } from '../../common/contracts/secrets.js';

const NS_PER_S = 1e9;

export interface ContainerSpec {
  name: string;
  options: Docker.ContainerCreateOptions;
  /** Changes exactly when this service's part of the plan, its secrets or its mounted files change. */
  hash: string;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export type GpuDevices = 'nvidia-runtime' | 'cdi';

/**
 * The cards a model runs on, as the engine takes them: the nvidia runtime's request (what `docker run --gpus
 * '"device=0,1"'` sends), or CDI device names, one request of driver `cdi` (what `docker run --device nvidia.com/gpu=0`
 * sends to Docker 25+, as moby's integration/container/cdi_test.go expects it), named as `nvidia-ctk cdi generate`
 * names
 * the cards: `nvidia.com/gpu=<index>`.
 */
export function gpuRequest(gpus: readonly number[], devices: GpuDevices = 'nvidia-runtime'): Docker.DeviceRequest {
  if (devices === 'cdi') return { Driver: 'cdi', DeviceIDs: gpus.map((g) => `nvidia.com/gpu=${g}`) };
  return { Driver: 'nvidia', DeviceIDs: gpus.map(String), Capabilities: [['gpu']] };
}

interface SpecContext {
  home: string;
  secrets: Secrets;
  gpuRuntime: boolean;
  gpuDevices?: GpuDevices;
  files: Map<string, string>;
  local?: boolean;
}

/** Docker's health check for the plan's: its test, and its pace in nanoseconds. */
function healthcheckOf(service: PlannedService): Docker.HealthConfig | undefined {
  if (!service.health) return undefined;
  return {
    Test: service.health.test,
    Interval: service.health.intervalS * NS_PER_S,
    Timeout: service.health.timeoutS * NS_PER_S,
    Retries: service.health.retries,
    StartPeriod: service.health.startPeriodS * NS_PER_S,
    // Engines from Docker 25 check every second while a service starts, so `status` turns healthy
    // as soon as `up` says so; older engines ignore the field.
    StartInterval: NS_PER_S,
  };
}

/** Ports, mounts, limits, cards and network, as Docker's HostConfig takes them. */
function hostConfigOf(plan: StackPlan, service: PlannedService, context: SpecContext): Docker.HostConfig {
  const bindings = Object.fromEntries(
    service.ports.map((p) => [`${p.container}/tcp`, [{ HostIp: p.bind, HostPort: String(p.host) }]]),
  );
  // An engine on another machine cannot bind this one's files: its configs are copied in (configArchive).
  const mounts: Docker.MountSettings[] = service.mounts.flatMap((m): Docker.MountSettings[] => {
    if (m.kind === 'volume') return [{ Type: 'volume', Source: m.source, Target: m.target, ReadOnly: m.readOnly }];
    return context.local === false
      ? []
      : [{ Type: 'bind', Source: path.join(context.home, m.source), Target: m.target, ReadOnly: m.readOnly }];
  });
  const gpus = context.gpuRuntime && service.gpus?.length ? service.gpus : undefined;
  return {
    PortBindings: bindings,
    Mounts: mounts,
    RestartPolicy: { Name: service.restart === 'no' ? '' : service.restart },
    NetworkMode: plan.network,
    ...(service.cpuset ? { CpusetCpus: service.cpuset } : {}),
    // No swap beyond the limit: a model that outgrows its plan is stopped, not slowed to a crawl.
    ...(service.memoryBytes ? { Memory: service.memoryBytes, MemorySwap: service.memoryBytes } : {}),
    ...(service.shmBytes ? { ShmSize: service.shmBytes } : {}),
    ...(service.capAdd?.length ? { CapAdd: service.capAdd } : {}),
    ...(service.extraHosts?.length ? { ExtraHosts: service.extraHosts } : {}),
    ...(gpus ? { DeviceRequests: [gpuRequest(gpus, context.gpuDevices)] } : {}),
  };
}

/**
 * The plan hash: the options with each secret as its digest, and the digests of the files the service mounts. A file
 * the service reloads on SIGHUP is left out: changing it reloads the running container (stack-files.ts).
 */
function planHash(options: Docker.ContainerCreateOptions, service: PlannedService, files: Map<string, string>): string {
  const secretFingerprints = (options.Env ?? []).map((entry) => {
    const [key, ...rest] = entry.split('=');
    return `${key}=${digest(rest.join('='))}`;
  });
  const fileFingerprints = service.mounts
    .filter((m) => m.kind === 'config' && !RELOADED_ON_HUP.has(m.source))
    .map(
      (m) =>
        `${m.source}:${digest(
          [...files]
            .filter(([p]) => p === m.source || p.startsWith(`${m.source}/`))
            .map(([p, c]) => `${p}\n${c}`)
            .join('\n'),
        )}`,
    );
  return digest(JSON.stringify({ ...options, Env: secretFingerprints, files: fileFingerprints })).slice(0, 16);
}

/**
 * The Docker create options for one planned service. `files` holds the generated files' contents by path
 * relative to BERTH_HOME, so a changed litellm or Prometheus config recreates the container that mounts it.
 */
export function containerSpec(plan: StackPlan, service: PlannedService, context: SpecContext): ContainerSpec {
  const name = containerName(plan.stack, service.name);
  const master = context.secrets.LITELLM_MASTER_KEY;
  const env = resolveEnv(service.env, context.secrets, {
    [WAKE_KEY_ENV]: master ? wakeKey(master, plan.stack) : undefined,
  });
  const health = healthcheckOf(service);
  const options: Docker.ContainerCreateOptions = {
    name,
    Image: service.image,
    Cmd: service.command,
    Env: env,
    ExposedPorts: Object.fromEntries(service.ports.map((p) => [`${p.container}/tcp`, {}])),
    Labels: {
      ...stackLabels(plan.stack),
      [LABELS.service]: service.name,
      ...(isOnDemand(service) ? { [LABELS.onDemand]: 'true' } : {}),
    },
    HostConfig: hostConfigOf(plan, service, context),
    NetworkingConfig: { EndpointsConfig: { [plan.network]: { Aliases: [service.name] } } },
    ...(health ? { Healthcheck: health } : {}),
  };
  const hash = planHash(options, service, context.files);
  options.Labels = { ...options.Labels, [LABELS.planHash]: hash };
  return { name, options, hash };
}
