import { readdir } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { CpuPlace, EngineFacts, EngineKind } from '../../common/contracts/host-facts.js';

/** The parts of Docker's /info Berth reads. */
export interface DockerInfo {
  NCPU?: number;
  MemTotal?: number;
  ServerVersion?: string;
  Architecture?: string;
  OperatingSystem?: string;
  Name?: string;
  Runtimes?: Record<string, unknown>;
  CDISpecDirs?: string[];
  DiscoveredDevices?: { Source?: string; ID?: string }[];
}

export function engineKind(info: DockerInfo, endpoint: string, components: string[] = []): EngineKind {
  const os = (info.OperatingSystem ?? '').toLowerCase();
  const name = (info.Name ?? '').toLowerCase();
  if (components.some((c) => /podman/i.test(c)) || /podman/.test(endpoint)) return 'podman';
  if (os.includes('docker desktop')) return 'docker-desktop';
  if (os.includes('orbstack') || endpoint.includes('.orbstack')) return 'orbstack';
  if (name.includes('colima') || endpoint.includes('.colima')) return 'colima';
  if (name.includes('rancher-desktop') || endpoint.includes('/.rd/')) return 'rancher-desktop';
  if (endpoint.startsWith('unix://') || endpoint.startsWith('ssh://') || endpoint.startsWith('tcp://'))
    return 'docker-engine';
  return 'unknown';
}

export function engineArch(architecture: string | undefined): 'x86_64' | 'aarch64' {
  return /^(aarch64|arm64)$/i.test(architecture ?? '') ? 'aarch64' : 'x86_64';
}

/**
 * The machine an engine runs on, where Berth can read it: this one for a local engine, the remote host over SSH for
 * an ssh:// one; none for tcp://.
 */
export interface EngineHost {
  /** The CPUs' places as the engine's kernel has them, when it describes `cpus` online CPUs. */
  topology(cpus: number): Promise<CpuPlace[] | undefined>;
  /** A folder's file names; empty when it does not exist. */
  listDir(dir: string): Promise<string[]>;
}

export const LOCAL_FILES: Pick<EngineHost, 'listDir'> = {
  listDir: (dir) => readdir(dir).catch(() => []),
};

/**
 * How containers reach NVIDIA GPUs: through the nvidia runtime (the NVIDIA Container Toolkit's `nvidia-ctk runtime
 * configure`), else through CDI devices (Docker 25+ lists its CDI spec folders in /info, Docker 28 the devices found
 * there); undefined when neither.
 */
export async function gpuDevices(
  info: DockerInfo,
  host: Pick<EngineHost, 'listDir'> | undefined,
): Promise<'nvidia-runtime' | 'cdi' | undefined> {
  if (info.Runtimes && 'nvidia' in info.Runtimes) return 'nvidia-runtime';
  if (info.DiscoveredDevices?.some((d) => d.Source === 'cdi' && /nvidia/i.test(d.ID ?? ''))) return 'cdi';
  for (const dir of host ? (info.CDISpecDirs ?? []) : []) {
    if ((await host?.listDir(dir))?.some((file) => /nvidia/i.test(file))) return 'cdi';
  }
  return undefined;
}

async function gpuFacts(
  info: DockerInfo,
  host: EngineHost | undefined,
): Promise<Pick<EngineFacts, 'gpuRuntime' | 'gpuDevices'>> {
  const devices = await gpuDevices(info, host);
  return devices ? { gpuRuntime: true, gpuDevices: devices } : { gpuRuntime: false };
}

export async function readEngineFacts(
  docker: Docker,
  endpoint: string,
  options: { host?: EngineHost },
): Promise<EngineFacts> {
  const [info, version] = await Promise.all([
    docker.info() as Promise<DockerInfo>,
    docker.version().catch(() => undefined) as Promise<{ Components?: { Name?: string }[] } | undefined>,
  ]);
  const kind = engineKind(
    info,
    endpoint,
    (version?.Components ?? []).map((c) => c.Name ?? ''),
  );
  const cpus = Math.max(1, info.NCPU ?? 1);
  // Only an engine on the host's own kernel shares its /sys; Docker Desktop runs a VM even on Linux.
  const sharesKernel = kind === 'docker-engine' || kind === 'podman' || kind === 'unknown';
  const cpuTopology = sharesKernel && options.host ? await options.host.topology(cpus) : undefined;
  return {
    endpoint,
    kind,
    version: info.ServerVersion ?? 'unknown',
    arch: engineArch(info.Architecture),
    cpus,
    memoryBytes: Math.max(1, info.MemTotal ?? 1),
    ...(cpuTopology ? { cpuTopology } : {}),
    ...(await gpuFacts(info, options.host)),
  };
}
