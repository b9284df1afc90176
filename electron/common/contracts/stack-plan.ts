import { z } from 'zod';
import { VllmFiguresSchema } from './measurement.js';
import { KeepAliveSchema } from './settings.js';

export const ServiceRoleSchema = z.enum(['model', 'gateway', 'webui', 'metrics', 'dashboards']);

export const PortSchema = z.object({ host: z.number().int(), container: z.number().int(), bind: z.string() });

/** A volume or a file Berth generates, mounted into the container. */
export const MountSchema = z.object({
  kind: z.enum(['volume', 'config']),
  /** Volume name, or a path relative to BERTH_HOME for generated configuration. */
  source: z.string(),
  target: z.string(),
  readOnly: z.boolean(),
});

/** How the container reports health; the engine and the compose export both use it. */
export const HealthSchema = z.object({
  test: z.array(z.string()),
  path: z.string(),
  port: z.number().int(),
  intervalS: z.number().positive(),
  timeoutS: z.number().positive(),
  retries: z.number().int().positive(),
  startPeriodS: z.number().nonnegative(),
});

/** What a reason of the plan is about. */
export const REASON_TOPICS = [
  'role',
  'image',
  'cores',
  'cpuset',
  'memory',
  'kv-cache',
  'context',
  'fit',
  'gpu',
  'gpu-share',
  'start-order',
  'network',
  'security',
  'runtime',
  'on-demand',
] as const;

export type ReasonTopic = (typeof REASON_TOPICS)[number];

/** One reason of the plan: its sentence for people, and what it is about for code. */
export const ReasonSchema = z.object({ topic: z.enum(REASON_TOPICS), text: z.string() });
export type Reason = z.infer<typeof ReasonSchema>;

export const PlannedServiceSchema = z.object({
  name: z.string(),
  role: ServiceRoleSchema,
  image: z.string(),
  model: z
    .object({
      id: z.string(),
      servedName: z.string(),
      device: z.enum(['cpu', 'gpu', 'metal']),
      /**
       * Which model server runs it, and so where (model-servers/registry.ts): absent or `vllm`, a vLLM container on the
       * engine; `vllm-metal`, a process on the Mac itself, on its GPU.
       */
      server: z.enum(['vllm', 'vllm-metal']).optional(),
      /** What runs a model on the host before the plan's command: vllm-metal's `vllm serve` (its path as found). */
      hostCommand: z.array(z.string()).optional(),
      maxModelLen: z.number().int().positive(),
      /** Needs HF_TOKEN from an account granted access. */
      gated: z.boolean().optional(),
      /** The weights as vLLM loads them; sizes the Kubernetes export's volumes and host memory. */
      weightsBytes: z.number().positive().optional(),
      /** What the plan expects vLLM to report when it starts, in vLLM's terms. */
      expected: VllmFiguresSchema.optional(),
      /** What vLLM reported the last time this image served this model on this engine, and when. */
      measured: VllmFiguresSchema.extend({ at: z.string() }).optional(),
      /** Whether it fits, in vLLM's terms: "fits: 32k context, 4 requests at once". */
      fit: z.object({ verdict: z.enum(['fits', 'shorter', 'no']), words: z.string() }).optional(),
      /** Minutes idle before it sleeps (it then wakes on request), or "always"; absent in older plans: always. */
      keepAlive: KeepAliveSchema.optional(),
    })
    .optional(),
  command: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  cpuset: z.string().optional(),
  memoryBytes: z.number().int().positive().optional(),
  gpus: z.array(z.number().int().nonnegative()).optional(),
  gpuMemoryUtilization: z.number().positive().max(1).optional(),
  ports: z.array(PortSchema),
  dependsOn: z.array(z.object({ service: z.string(), condition: z.enum(['started', 'healthy']) })),
  /** Why the plan chose what it did: each sentence with its topic, which the pictures and what-if find it by. */
  reasons: z.array(ReasonSchema),
  // What a container needs beyond the fields above.
  kvCacheGiB: z.number().int().positive().optional(),
  shmBytes: z.number().int().positive().optional(),
  capAdd: z.array(z.string()).optional(),
  /** Extra /etc/hosts entries, "name:address" as Docker takes them: the host's alias for the wake gateway. */
  extraHosts: z.array(z.string()).optional(),
  mounts: z.array(MountSchema),
  health: HealthSchema.optional(),
  restart: z.enum(['no', 'unless-stopped']),
  /** Prometheus scrapes it: its job and metrics path (models: vLLM's /metrics; the others as the registry says). */
  scrape: z.object({ job: z.string(), path: z.string() }).optional(),
  /** What the window and `berth up` call its link, when it has a page people open. */
  link: z.string().optional(),
  /** Build the image from a local checkout instead of pulling it. */
  build: z
    .object({
      context: z.string(),
      dockerfile: z.string(),
      target: z.string(),
      platform: z.string(),
      args: z.record(z.string(), z.string()),
    })
    .optional(),
});

export const StackPlanSchema = z.object({
  schema: z.literal(1),
  profile: z.enum(['development', 'production']),
  /** Prefix and label of every container and volume of this stack. */
  stack: z.string(),
  network: z.string(),
  services: z.array(PlannedServiceSchema),
  warnings: z.array(
    z.object({
      code: z.string(),
      message: z.string(),
      /** The stack cannot start as planned: `up` and the exports refuse it and `plan` exits 1. */
      blocking: z.boolean().optional(),
      /** The service the warning concerns, where it concerns one. */
      service: z.string().optional(),
    }),
  ),
  /** Why the profile was chosen. */
  profileReason: z.string(),
  /**
   * The models that sleep when idle and wake on request (docs/decisions/0013), and the room they take turns in: what
   * the engine gives containers less the always-on services', the always-on models' and the engine's own.
   */
  /**
   * Where models run on the host itself (a Mac's GPU), the one memory account of the whole machine: the GPU's
   * working-set limit, the Mac's memory less the engine's VM and the room kept for the user's apps, and what the
   * models take of it. Absent when every model runs in a container.
   */
  host: z
    .object({
      totalBytes: z.number().positive(),
      workingSetBytes: z.number().positive(),
      vmBytes: z.number().nonnegative(),
      appsRoomBytes: z.number().nonnegative(),
      /** What the models may take: the working-set limit, or what the VM and the apps leave, whichever is less. */
      budgetBytes: z.number().nonnegative(),
      /** What the models take, awake at once (those on demand: the largest). */
      usedBytes: z.number().nonnegative(),
      /** What the engine's VM needs now that the models have left it: the other services and its own. */
      vmNeedsBytes: z.number().nonnegative(),
    })
    .optional(),
  onDemand: z
    .object({
      services: z.array(z.string()),
      budgetBytes: z.number().nonnegative(),
      /** How many of them fit awake at once, smallest first: "one of these at a time". */
      atOnce: z.number().int().nonnegative(),
      /** The host port of Berth's wake gateway, which litellm's api_base and Prometheus reach. */
      gatewayPort: z.number().int().positive(),
    })
    .optional(),
});

export type StackPlan = z.infer<typeof StackPlanSchema>;
export type PlannedService = z.infer<typeof PlannedServiceSchema>;
/** A service as the planner drafts it, before its host port is given. */
export type ServiceDraft = Omit<PlannedService, 'ports'>;
export type PlannedPort = z.infer<typeof PortSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type PlanWarning = StackPlan['warnings'][number];
export type Profile = StackPlan['profile'];
export type OnDemandPlan = NonNullable<StackPlan['onDemand']>;

/**
 * The plan as it runs without Berth (a compose or Kubernetes export): every model always on, litellm at the models
 * themselves, since no wake gateway is there to wake them.
 */
export function withoutOnDemand(plan: StackPlan): StackPlan {
  const { onDemand, ...rest } = plan;
  if (!onDemand) return plan;
  return {
    ...rest,
    services: plan.services.map((s) => {
      if (s.role === 'model' && s.model && isOnDemand(s))
        return { ...s, model: { ...s.model, keepAlive: 'always' }, restart: 'unless-stopped' };
      const { extraHosts, ...others } = s;
      return extraHosts ? others : s;
    }),
  };
}

/** A model that sleeps when idle and wakes on request; one without a keep-alive in its plan is always on. */
export function isOnDemand(service: Pick<PlannedService, 'model'>): boolean {
  return typeof service.model?.keepAlive === 'number';
}

/**
 * Whether two warnings are the same one: its code and the service it is about, never its words (a warning whose
 * figures moved with a slider is the same warning).
 */
export function sameWarning(a: PlanWarning, b: PlanWarning): boolean {
  return a.code === b.code && a.service === b.service;
}

/** Warnings that mean the stack cannot start as planned. */
export function blockingWarnings(plan: Pick<StackPlan, 'warnings'>): PlanWarning[] {
  return plan.warnings.filter((w) => w.blocking);
}

/** A reason about a topic. */
export function about(topic: ReasonTopic, text: string): Reason {
  return { topic, text };
}

/** The plan's sentence about a topic of a service, if it gave one. */
export function reasonAbout(service: Pick<PlannedService, 'reasons'>, topic: ReasonTopic): string | undefined {
  return service.reasons.find((r) => r.topic === topic)?.text;
}
