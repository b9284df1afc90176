import { z } from 'zod';

/**
 * What `berth upgrade` measured of one image of a service on this machine: a model server's start, memory, KV cache,
 * speed and answers; for the other services, the wiring checks it passed.
 */
export const TrialFiguresSchema = z.object({
  image: z.string(),
  /** From the container's creation to the first answer of a chat, in seconds (model servers). */
  startSeconds: z.number().nonnegative().optional(),
  /** The container's peak memory (cgroup memory.peak) after the prompts. */
  peakBytes: z.number().nonnegative().optional(),
  /** "KV cache size: N tokens", as vLLM logged it at this start. */
  kvTokens: z.number().int().nonnegative().optional(),
  /** Median time to the first token over the prompt set, in seconds. */
  ttftSeconds: z.number().nonnegative().optional(),
  /** Median decode rate over the prompt set: tokens after the first, per second after the first. */
  tokensPerSecond: z.number().nonnegative().optional(),
  /** The answer to each fixed question at temperature 0, in the question set's order. */
  answers: z.array(z.string()).optional(),
  /** The wiring checks that passed (the services beside the models). */
  checks: z.array(z.string()).optional(),
});

/** A copy of a volume taken before a candidate starts on it: a tar of its folder, in BERTH_HOME. */
export const VolumeBackupSchema = z.object({ volume: z.string(), target: z.string(), file: z.string() });

export const TrialOutcomeSchema = z.enum(['running', 'kept', 'rolled-back']);

/** One trial of a candidate image in place of the running one. */
export const TrialSchema = z.object({
  service: z.string(),
  from: z.string(),
  to: z.string(),
  startedAt: z.string(),
  /** `running` while it runs: a trial found running by the next Berth was interrupted, and is rolled back. */
  outcome: TrialOutcomeSchema,
  endedAt: z.string().optional(),
  before: TrialFiguresSchema.optional(),
  after: TrialFiguresSchema.optional(),
  /** The volumes copied before the candidate started on them: put back where it is rolled back. */
  backups: z.array(VolumeBackupSchema).optional(),
  /** Why it was kept or rolled back, in one sentence. */
  reason: z.string().optional(),
});

/** An image the plan runs instead of the one it would run: a candidate rolled back, or a rollback by hand. */
export const ImageHoldSchema = z.object({
  image: z.string(),
  instead: z.string(),
  reason: z.string(),
  at: z.string(),
});

export const ServiceUpgradesSchema = z.object({
  /** The image the service ran before its last switch: what `berth upgrade --rollback` returns to. */
  previous: z.string().optional(),
  hold: ImageHoldSchema.optional(),
  /** The last trial, whatever its outcome. */
  trial: TrialSchema.optional(),
});

/** BERTH_HOME/upgrades.json. */
export const UpgradesFileSchema = z.object({
  schema: z.literal(1),
  services: z.record(z.string(), ServiceUpgradesSchema),
});

export type VolumeBackup = z.infer<typeof VolumeBackupSchema>;
export type TrialFigures = z.infer<typeof TrialFiguresSchema>;
export type Trial = z.infer<typeof TrialSchema>;
export type ImageHold = z.infer<typeof ImageHoldSchema>;
export type ServiceUpgrades = z.infer<typeof ServiceUpgradesSchema>;
export type UpgradesFile = z.infer<typeof UpgradesFileSchema>;

/** A service whose planned image is not the one its container runs: what `berth upgrade` offers to try. */
export interface UpgradeCandidate {
  service: string;
  /** The image its container runs. */
  running: string;
  /** The image settings or Berth's defaults plan for it. */
  candidate: string;
  /** Where the candidate comes from: settings, or Berth's default with the ledger's source. */
  source: string;
  model: boolean;
  /** The plan keeps the running image, as a trial or a rollback decided. */
  hold?: ImageHold;
  lastTrial?: Trial;
}

/** What the window's Updates view shows: the candidates, and each service's last trial with its figures. */
export interface UpgradesView {
  candidates: UpgradeCandidate[];
  trials: Trial[];
  /** Services that can go back to the image they ran before their last switch. */
  rollbacks: { service: string; image: string }[];
}
