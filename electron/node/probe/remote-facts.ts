import type Docker from 'dockerode';
import type { HostFacts } from '../../common/contracts/host-facts.js';
import { readEngineFacts, type EngineHost } from '../docker/engine-facts.js';
import type { SshMaster } from '../ssh/ssh-master.js';
import { NVIDIA_QUERY, parseNvidiaSmi } from './nvidia.js';
import { readCpuTopology } from './topology.js';

// What the remote host's kernel says of its CPUs, NUMA nodes and memory, read in one round trip: `grep -H .` prints
// every line as FILE:LINE.
const HOST_FILES = [
  '/sys/devices/system/cpu/online',
  '/sys/devices/system/cpu/cpu[0-9]*/topology/core_id',
  '/sys/devices/system/cpu/cpu[0-9]*/topology/physical_package_id',
  '/sys/devices/system/node/online',
  '/sys/devices/system/node/node[0-9]*/cpulist',
  '/proc/meminfo',
  '/proc/cpuinfo',
];

/** FILE → its lines, from `grep -H .` output. */
export function parseGrepH(output: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const file = line.slice(0, at);
    files.set(file, [...(files.get(file) ?? []), line.slice(at + 1)]);
  }
  return files;
}

function cpuinfoField(lines: readonly string[], name: string): string[] {
  return lines.filter((l) => l.split(':')[0]?.trim() === name).map((l) => l.slice(l.indexOf(':') + 1).trim());
}

function meminfoBytes(lines: readonly string[], name: string): number | undefined {
  const value = lines.find((l) => l.startsWith(`${name}:`))?.match(/(\d+)\s*kB/)?.[1];
  return value === undefined ? undefined : Number(value) * 1024;
}

/** nvidia-smi on the remote host, under a timeout; a host without it has no NVIDIA GPUs. */
async function remoteGpus(ssh: SshMaster): Promise<{ gpus: HostFacts['gpus']; problem?: string }> {
  try {
    const output = await ssh.exec(['nvidia-smi', ...NVIDIA_QUERY.map((a) => `'${a}'`)], 5000);
    return {
      gpus: parseNvidiaSmi(output).map((g) => ({
        index: g.index,
        vendor: 'NVIDIA',
        model: g.name,
        memoryBytes: g.memoryTotalBytes || null,
      })),
    };
  } catch (error) {
    const sshSaid = (error as Error).message;
    if (/not found|No such file/i.test(sshSaid)) return { gpus: [] };
    return { gpus: [], problem: `nvidia-smi on ${ssh.destination}: ${sshSaid}` };
  }
}

/**
 * HostFacts of the machine an ssh:// engine runs on, read over the engine's own SSH connection: the engine from
 * Docker's /info, the CPUs and memory from the remote kernel, the GPUs from the remote nvidia-smi.
 */
export async function probeRemoteHost(docker: Docker, endpoint: string, ssh: SshMaster): Promise<HostFacts> {
  const [files, gpus] = await Promise.all([
    ssh.exec(['grep', '-H', '.', ...HOST_FILES, '2>/dev/null;', 'true'], 10_000).then(parseGrepH),
    remoteGpus(ssh),
  ]);
  const read = async (file: string) => files.get(file)?.join('\n').trim();
  const host: EngineHost = {
    topology: (cpus) => readCpuTopology('/sys', cpus, read),
    listDir: async (dir) => {
      const out = await ssh.exec(['ls', '-1', `'${dir.replace(/'/g, '')}'`, '2>/dev/null;', 'true']).catch(() => '');
      return out.split('\n').filter(Boolean);
    },
  };
  const engine = await readEngineFacts(docker, endpoint, { host });
  const cpuinfo = files.get('/proc/cpuinfo') ?? [];
  const meminfo = files.get('/proc/meminfo') ?? [];
  const logical = Math.max(1, cpuinfoField(cpuinfo, 'processor').length || engine.cpus);
  const cores = new Set(engine.cpuTopology?.map((p) => p.core));
  const totalBytes = meminfoBytes(meminfo, 'MemTotal') ?? engine.memoryBytes;
  return {
    schema: 1,
    os: { platform: 'linux', arch: engine.arch === 'aarch64' ? 'arm64' : 'x64' },
    cpu: {
      brand: cpuinfoField(cpuinfo, 'model name')[0] ?? (engine.arch === 'aarch64' ? 'Arm CPU' : 'x86-64 CPU'),
      logical,
      physical: cores.size || logical,
      flags: (cpuinfoField(cpuinfo, 'flags')[0] ?? cpuinfoField(cpuinfo, 'Features')[0] ?? '')
        .split(/\s+/)
        .filter(Boolean),
    },
    memory: { totalBytes, availableBytes: meminfoBytes(meminfo, 'MemAvailable') ?? totalBytes },
    gpus: gpus.gpus,
    engine,
    ...(gpus.problem ? { gpuProblem: gpus.problem } : {}),
  };
}
