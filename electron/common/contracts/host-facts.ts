import { z } from 'zod';
import { ENGINE_TROUBLE_KINDS, type EngineTrouble } from './engine-trouble.js';

/** Why no engine answers (engine-trouble.ts), as a facts file carries it. */
export const EngineTroubleSchema = z.object({
  kind: z.enum(ENGINE_TROUBLE_KINDS),
  message: z.string().max(10_000),
  fix: z.string().max(10_000),
}) satisfies z.ZodType<EngineTrouble>;

/**
 * Bounds past any machine Berth can plan for (Linux builds for at most 8,192 CPUs; no host has a PiB of memory or a
 * card of a TiB), so a facts file with absurd counts is refused with its field instead of planned.
 */
const cpuCount = z.number().int().positive().max(16_384, 'at most 16,384 CPUs');
const cpuIndex = z.number().int().nonnegative().max(16_383, 'a CPU number below 16,384');
const bytes = z
  .number()
  .int()
  .max(2 ** 50, 'at most 1 PiB');
const text = z.string().max(512, 'at most 512 characters');

/** A model server found on the host: its kind, its version (null where it could not be read) and its command. */
export const HostEngineSchema = z.object({
  kind: z.enum(['vllm-metal']),
  version: text.nullable(),
  path: z.string().min(1).max(4096),
});

/** What `berth facts --json` prints and `--facts FILE` reads: the machine as Berth sees it. Stable contract. */
export const HostFactsSchema = z.object({
  schema: z.literal(1),
  os: z.object({
    platform: z.enum(['darwin', 'linux', 'win32']),
    arch: z.enum(['arm64', 'x64']),
  }),
  cpu: z.object({
    brand: text,
    logical: cpuCount,
    physical: cpuCount,
    performanceCores: cpuIndex.optional(),
    efficiencyCores: cpuIndex.optional(),
    flags: z.array(z.string().max(64)).max(2048),
  }),
  memory: z.object({
    totalBytes: bytes.positive(),
    availableBytes: bytes.nonnegative(),
    /**
     * On a Mac: how much memory the GPU may wire, Metal's `recommendedMaxWorkingSetSize` (read through MLX's
     * `device_info()`, the figure vllm-metal sizes its cache from), or `iogpu.wired_limit_mb` where that is set.
     */
    gpuWorkingSetBytes: bytes.positive().optional(),
    /** Where gpuWorkingSetBytes was read: Metal itself, or the sysctl a user set. */
    gpuWorkingSetFrom: z.enum(['metal', 'wired-limit']).optional(),
  }),
  gpus: z
    .array(
      z.object({
        index: z.number().int().nonnegative().max(255),
        vendor: text,
        model: text,
        memoryBytes: bytes
          .positive()
          .max(2 ** 40, 'at most 1 TiB on one card')
          .nullable(),
      }),
    )
    .max(64, 'at most 64 GPUs'),
  engine: z
    .object({
      endpoint: text.min(1),
      kind: z.enum(['docker-desktop', 'colima', 'orbstack', 'podman', 'rancher-desktop', 'docker-engine', 'unknown']),
      version: text,
      arch: z.enum(['x86_64', 'aarch64']),
      cpus: cpuCount,
      memoryBytes: bytes.positive(),
      cpuTopology: z
        .array(z.object({ cpu: cpuIndex, core: cpuIndex, node: z.number().int().nonnegative().max(1023) }))
        .min(1)
        .max(16_384)
        .optional(),
      gpuRuntime: z.boolean(),
      /**
       * How containers reach the GPUs when gpuRuntime is true: the nvidia runtime's device requests, or CDI devices
       * (`nvidia.com/gpu=<index>`, Docker 25+ with CDI specs from `nvidia-ctk cdi generate`).
       */
      gpuDevices: z.enum(['nvidia-runtime', 'cdi']).optional(),
    })
    .nullable(),
  /** Why `engine` is null, as one line: "not running", "permission denied", … */
  engineProblem: z.string().max(10_000).optional(),
  /** Why `engine` is null, as a kind to act on, with the line and its fix (absent in facts saved before it). */
  engineTrouble: EngineTroubleSchema.optional(),
  /** Why GPUs could not be listed (nvidia-smi timed out or failed). */
  gpuProblem: z.string().max(10_000).optional(),
  /** Model servers installed on the host itself, beside the container engine: vllm-metal on a Mac. */
  hostEngines: z.array(HostEngineSchema).max(8).optional(),
});

export type HostFacts = z.infer<typeof HostFactsSchema>;
export type EngineFacts = NonNullable<HostFacts['engine']>;
export type EngineKind = EngineFacts['kind'];
export type HostEngine = z.infer<typeof HostEngineSchema>;
export type CpuPlace = NonNullable<EngineFacts['cpuTopology']>[number];
