import fc from 'fast-check';
import type { CpuPlace, HostFacts } from '../../electron/common/contracts/host-facts.js';
import { SettingsSchema, type Settings } from '../../electron/common/contracts/settings.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** Linux numbering: first threads 0..cores-1, then their siblings; cores split evenly across nodes. */
export function linuxTopology(cores: number, threadsPerCore: number, nodes: number): CpuPlace[] {
  const perNode = Math.ceil(cores / nodes);
  const places: CpuPlace[] = [];
  for (let t = 0; t < threadsPerCore; t++)
    for (let c = 0; c < cores; c++) places.push({ cpu: t * cores + c, core: c, node: Math.floor(c / perNode) });
  return places.sort((a, b) => a.cpu - b.cpu);
}

const arbTopologyEngine = fc
  .record({
    cores: fc.integer({ min: 1, max: 96 }),
    threads: fc.constantFrom(1, 2),
    nodes: fc.constantFrom(1, 2, 4),
    memoryGiB: fc.integer({ min: 2, max: 1024 }),
    gpuRuntime: fc.boolean(),
    withTopology: fc.boolean(),
  })
  .map(({ cores, threads, nodes, memoryGiB, gpuRuntime, withTopology }) => {
    const topology = linuxTopology(cores, threads, Math.min(nodes, cores));
    return {
      endpoint: 'unix:///var/run/docker.sock',
      kind: withTopology ? ('docker-engine' as const) : ('docker-desktop' as const),
      version: '28.2.2',
      arch: 'x86_64' as const,
      cpus: withTopology ? topology.length : cores,
      memoryBytes: memoryGiB * GiB - 300 * MiB,
      ...(withTopology ? { cpuTopology: topology } : {}),
      gpuRuntime,
    };
  });

export const arbHost: fc.Arbitrary<HostFacts> = fc
  .record({
    platform: fc.constantFrom('linux' as const, 'darwin' as const),
    engine: fc.option(arbTopologyEngine, { freq: 6 }),
    gpus: fc.array(fc.constantFrom(16, 24, 40, 48, 80, 141), { maxLength: 4 }),
    flags: fc.subarray(['avx2', 'avx512f', 'avx512_bf16', 'amx_bf16', 'bf16']),
    hostGiB: fc.integer({ min: 4, max: 512 }),
  })
  .map(({ platform, engine, gpus, flags, hostGiB }) => ({
    schema: 1 as const,
    os: { platform, arch: 'x64' as const },
    cpu: {
      brand: 'Test CPU',
      logical: engine?.cpus ?? 8,
      physical: Math.max(1, Math.floor((engine?.cpus ?? 8) / 2)),
      flags,
    },
    memory: { totalBytes: hostGiB * GiB, availableBytes: Math.floor(hostGiB / 2) * GiB },
    gpus: gpus.map((gib, index) => ({
      index,
      vendor: 'NVIDIA',
      model: `Test ${gib}GB`,
      memoryBytes: gib * 1024 * MiB,
    })),
    engine,
  }));

export const arbSettings: fc.Arbitrary<Settings> = fc
  .record({
    profile: fc.constantFrom('auto' as const, 'development' as const, 'production' as const),
    exposePorts: fc.boolean(),
    disabledModels: fc.subarray(['vllm-qwen3', 'vllm-llama3', 'vllm-coder', 'vllm-gpt-oss']),
    withCustom: fc.boolean(),
  })
  .map(({ profile, exposePorts, disabledModels, withCustom }) =>
    SettingsSchema.parse({
      profile,
      exposePorts,
      disabledModels,
      models: withCustom
        ? [
            {
              id: 'Qwen/Qwen3-0.6B',
              device: 'cpu',
              layers: 28,
              kvHeads: 8,
              headDim: 128,
              maxModelLen: 40960,
              weightsGiB: 1.2,
            },
          ]
        : [],
    }),
  );
