import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import si from 'systeminformation';
import { engineTrouble, type EngineTrouble } from '../../common/contracts/engine-trouble.js';
import type { HostEngine, HostFacts } from '../../common/contracts/host-facts.js';
import { connectEngine, type EngineConnection } from '../docker/connect.js';
import { LOCAL_FILES, readEngineFacts } from '../docker/engine-facts.js';
import { queryNvidiaGpus } from './nvidia.js';
import { readCpuTopology } from './topology.js';

const run = promisify(execFile);

export interface ProbeEnvironment {
  env: NodeJS.ProcessEnv;
  home: string;
  platform: NodeJS.Platform;
  arch: string;
  sysRoot: string;
  nvidiaSmi: string;
  pingTimeoutMs: number;
  /** The engine connection its caller already holds: the probe then asks that engine instead of finding one. */
  connection?: EngineConnection;
  /** The commands of model servers on the host as settings name them (metal.vllmPath), looked at first. */
  hostEnginePaths?: Partial<Record<HostEngine['kind'], string | undefined>>;
}

export function defaultProbeEnvironment(): ProbeEnvironment {
  return {
    env: process.env,
    home: os.homedir(),
    platform: process.platform,
    arch: process.arch,
    sysRoot: '/sys',
    nvidiaSmi: 'nvidia-smi',
    pingTimeoutMs: 1500,
  };
}

/** macOS reports core tiers exactly through sysctl; systeminformation may misclassify newer chips. */
async function appleCoreTiers(): Promise<{ performanceCores?: number; efficiencyCores?: number }> {
  try {
    const { stdout } = await run('sysctl', ['-n', 'hw.perflevel0.physicalcpu', 'hw.perflevel1.physicalcpu'], {
      timeout: 1000,
    });
    const [p, e] = stdout
      .trim()
      .split('\n')
      .map((n) => Number.parseInt(n, 10));
    return { performanceCores: p, efficiencyCores: e };
  } catch {
    return {};
  }
}

async function probeCpu(platform: NodeJS.Platform): Promise<HostFacts['cpu']> {
  const cpu = await si.cpu();
  const brand = cpu.brand.toLowerCase().startsWith(cpu.manufacturer.toLowerCase())
    ? cpu.brand
    : `${cpu.manufacturer} ${cpu.brand}`.trim();
  const tiers = platform === 'darwin' ? await appleCoreTiers() : {};
  const logical = Math.max(1, cpu.cores || os.cpus().length);
  return {
    brand,
    logical,
    physical: Math.max(1, cpu.physicalCores || logical),
    ...(tiers.performanceCores
      ? tiers
      : cpu.efficiencyCores
        ? { performanceCores: cpu.performanceCores, efficiencyCores: cpu.efficiencyCores }
        : {}),
    flags: cpu.flags.split(/\s+/).filter(Boolean),
  };
}

async function probeGpus(environment: ProbeEnvironment): Promise<{ gpus: HostFacts['gpus']; problem?: string }> {
  if (environment.platform === 'darwin') {
    // Apple GPUs share the system's memory and Docker cannot reach them: listed for the summary only.
    const graphics = await si.graphics().catch(() => ({ controllers: [] }));
    return {
      gpus: graphics.controllers.map((c, index) => ({
        index,
        vendor: c.vendor || 'Apple',
        model: c.model,
        memoryBytes: c.vram ? c.vram * 1024 * 1024 : null,
      })),
    };
  }
  const nvidia = await queryNvidiaGpus(3000, environment.nvidiaSmi);
  return {
    gpus: nvidia.gpus.map((g) => ({
      index: g.index,
      vendor: 'NVIDIA',
      model: g.name,
      memoryBytes: g.memoryTotalBytes || null,
    })),
    ...(nvidia.problem ? { problem: nvidia.problem } : {}),
  };
}

async function probeEngine(
  environment: ProbeEnvironment,
): Promise<{ engine: HostFacts['engine']; trouble?: EngineTrouble }> {
  const connection =
    environment.connection ??
    (await connectEngine(
      { env: environment.env, home: environment.home, platform: environment.platform },
      environment.pingTimeoutMs,
    ));
  if (!connection.docker) return { engine: null, trouble: connection.trouble };
  const endpoint = connection.candidate.endpoint;
  try {
    // A unix socket on Linux is an engine on this machine's kernel (or in a VM, which readEngineFacts tells apart).
    const onThisHost = endpoint.startsWith('unix://') && environment.platform === 'linux';
    const engine = await readEngineFacts(connection.docker, endpoint, {
      ...(onThisHost
        ? { host: { ...LOCAL_FILES, topology: (cpus: number) => readCpuTopology(environment.sysRoot, cpus) } }
        : {}),
    });
    return { engine };
  } catch (error) {
    const message = `${endpoint} answered /_ping but not /info: ${(error as Error).message}`;
    return { engine: null, trouble: engineTrouble('not-docker', message) };
  }
}

/** HostFacts for this machine: everything probed at once, the engine and GPUs under timeouts. */
/**
 * On a Mac with Apple silicon: vllm-metal where it is installed, and how much memory Metal lets the GPU wire (read
 * through vllm-metal's own MLX, else the sysctl a user set).
 */
async function probeMac(
  environment: ProbeEnvironment,
): Promise<Pick<HostFacts, 'hostEngines'> & Pick<HostFacts['memory'], 'gpuWorkingSetBytes' | 'gpuWorkingSetFrom'>> {
  if (environment.platform !== 'darwin' || environment.arch !== 'arm64') return {};
  const { gpuWorkingSet } = await import('../model-servers/vllm-metal/find.js');
  const { HOST_SERVER_RUNTIMES } = await import('../model-servers/host-kinds.js');
  const found = await Promise.all(
    Object.entries(HOST_SERVER_RUNTIMES).map(([kind, runtime]) =>
      runtime.find(environment.home, environment.hostEnginePaths?.[kind as HostEngine['kind']]),
    ),
  );
  const hostEngines = found.filter((e): e is HostEngine => e !== undefined);
  const metal = hostEngines.find((e) => e.kind === 'vllm-metal');
  return { ...(await gpuWorkingSet(metal?.path)), ...(hostEngines.length ? { hostEngines } : {}) };
}

export async function probeHostFacts(environment: ProbeEnvironment = defaultProbeEnvironment()): Promise<HostFacts> {
  const [cpu, mem, gpus, engine, mac] = await Promise.all([
    probeCpu(environment.platform),
    si.mem(),
    probeGpus(environment),
    probeEngine(environment),
    probeMac(environment),
  ]);
  const { hostEngines, gpuWorkingSetBytes, gpuWorkingSetFrom } = mac;
  const platform =
    environment.platform === 'darwin' || environment.platform === 'win32' ? environment.platform : 'linux';
  return {
    schema: 1,
    os: { platform, arch: environment.arch === 'arm64' ? 'arm64' : 'x64' },
    cpu,
    memory: {
      totalBytes: mem.total,
      availableBytes: mem.available,
      ...(gpuWorkingSetBytes ? { gpuWorkingSetBytes, gpuWorkingSetFrom } : {}),
    },
    gpus: gpus.gpus,
    engine: engine.engine,
    ...(hostEngines ? { hostEngines } : {}),
    ...(engine.trouble ? { engineProblem: engine.trouble.message, engineTrouble: engine.trouble } : {}),
    ...(gpus.problem ? { gpuProblem: gpus.problem } : {}),
  };
}
