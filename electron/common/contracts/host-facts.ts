import { z } from 'zod';

/** What `berth facts --json` prints and `--facts FILE` reads: the machine as Berth sees it. Stable contract. */
export const HostFactsSchema = z.object({
  schema: z.literal(1),
  os: z.object({
    platform: z.enum(['darwin', 'linux', 'win32']),
    arch: z.enum(['arm64', 'x64']),
  }),
  cpu: z.object({
    brand: z.string(),
    logical: z.number().int().positive(),
    physical: z.number().int().positive(),
    performanceCores: z.number().int().nonnegative().optional(),
    efficiencyCores: z.number().int().nonnegative().optional(),
    flags: z.array(z.string()),
  }),
  memory: z.object({
    totalBytes: z.number().int().positive(),
    availableBytes: z.number().int().nonnegative(),
  }),
  gpus: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      vendor: z.string(),
      model: z.string(),
      memoryBytes: z.number().int().positive().nullable(),
    }),
  ),
  engine: z
    .object({
      endpoint: z.string().min(1),
      kind: z.enum(['docker-desktop', 'colima', 'orbstack', 'podman', 'rancher-desktop', 'docker-engine', 'unknown']),
      version: z.string(),
      arch: z.enum(['x86_64', 'aarch64']),
      cpus: z.number().int().positive(),
      memoryBytes: z.number().int().positive(),
      cpuTopology: z
        .array(z.object({ cpu: z.number().int().nonnegative(), core: z.number().int().nonnegative(), node: z.number().int().nonnegative() }))
        .min(1)
        .optional(),
      gpuRuntime: z.boolean(),
      /**
       * How containers reach the GPUs when gpuRuntime is true: the nvidia runtime's device requests, or CDI devices
       * (`nvidia.com/gpu=<index>`, Docker 25+ with CDI specs from `nvidia-ctk cdi generate`). Extension of the contract.
       */
      gpuDevices: z.enum(['nvidia-runtime', 'cdi']).optional(),
    })
    .nullable(),
  /** Why `engine` is null: "not running", "permission denied", … Extension of the contract. */
  engineProblem: z.string().optional(),
  /** Why GPUs could not be listed (nvidia-smi timed out or failed). Extension of the contract. */
  gpuProblem: z.string().optional(),
});

export type HostFacts = z.infer<typeof HostFactsSchema>;
export type EngineFacts = NonNullable<HostFacts['engine']>;
export type EngineKind = EngineFacts['kind'];
export type CpuPlace = NonNullable<EngineFacts['cpuTopology']>[number];
