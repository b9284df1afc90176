import { z } from 'zod';

/** What Settings → Export asks for: the format, the folder (absolute, or under ~), and the Kubernetes options. */
export const ExportRequestSchema = z.strictObject({
  format: z.enum(['compose', 'k8s']),
  dir: z.string().min(1, 'a folder to write into').max(4096),
  k8s: z
    .strictObject({
      namespace: z.string().max(63),
      replicas: z.number().int().min(1).max(100).optional(),
      autoscale: z
        .strictObject({ min: z.number().int().min(1).max(100), max: z.number().int().min(1).max(100) })
        .optional(),
      gpuSharing: z.enum(['whole', 'hami']),
    })
    .optional(),
});

export type ExportRequest = z.infer<typeof ExportRequestSchema>;

/** The files an export wrote, and the ones it kept because they may hold the user's secrets. */
export interface ExportOutcome {
  dir: string;
  written: string[];
  kept: string[];
}
