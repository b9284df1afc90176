import { z } from 'zod';
import { VllmFiguresSchema } from './measurement.js';
import { TrialOutcomeSchema } from './upgrade.js';

export const ServiceStateSchema = z.enum([
  'missing',
  'created',
  'starting',
  'healthy',
  'unhealthy',
  'running',
  'exited',
  'restarting',
  'oom-killed',
  /** A model on demand whose container is stopped (docs/decisions/0013): its next request wakes it. */
  'asleep',
  /** A model on demand starting for a request. */
  'waking',
]);

export const ServiceStatusSchema = z.object({
  name: z.string(),
  state: ServiceStateSchema,
  exitCode: z.number().int().optional(),
  containerId: z.string().optional(),
  since: z.string().optional(),
  ports: z.array(z.number().int()),
  problem: z.object({ message: z.string(), fix: z.string() }).optional(),
  /** The image its container runs, as it was created with it. */
  image: z.string().optional(),
  /** Its last trial by `berth upgrade`: when it ended (or began, while it runs), of which image, what came of it. */
  trial: z.object({ at: z.string(), image: z.string(), outcome: TrialOutcomeSchema }).optional(),
  /**
   * A model server's figures in vLLM's terms: what its plan expects, and what it reported at its last start of this
   * image on this engine (with when).
   */
  vllm: z
    .object({ planned: VllmFiguresSchema, measured: VllmFiguresSchema.extend({ at: z.string() }).optional() })
    .optional(),
});

/** `berth status --json`: a stable contract. */
export const StackStatusSchema = z.object({
  schema: z.literal(1),
  engine: z.string().nullable(),
  services: z.array(ServiceStatusSchema),
});

export type ServiceState = z.infer<typeof ServiceStateSchema>;
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;
export type StackStatus = z.infer<typeof StackStatusSchema>;
