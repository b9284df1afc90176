import { z } from 'zod';
import type { EngineTrouble } from '../contracts/engine-trouble.js';
import type { HostFacts } from '../contracts/host-facts.js';
import type { ProgressEvent } from '../contracts/progress.js';
import type { ServiceStatus } from '../contracts/status.js';
import type { StackPlan } from '../contracts/stack-plan.js';
import type { Settings } from '../contracts/settings.js';
import type { PlanInputs } from '../planner/what-if.js';
import { SettingsSchema } from '../contracts/settings.js';

/**
 * The one API the renderer sees, declared once: the Electron preload and `berth serve` both carry exactly these
 * calls (validated here, at the edge) and these events. Adding a call is adding an entry and a method.
 */
const serviceName = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'a service name such as vllm-qwen3');
export const SECRET_NAMES = ['HF_TOKEN', 'LITELLM_MASTER_KEY', 'GRAFANA_ADMIN_PASSWORD'] as const;

export const ChatRequestSchema = z.object({
  /** Chosen by the caller, so no piece of the reply can arrive before the caller knows which stream it is. */
  streamId: z.string().regex(/^[\w-]{8,100}$/, 'letters, digits, "_" or "-", 8 to 100'),
  model: z.string().min(1).max(200),
  system: z.string().max(20_000).optional(),
  messages: z
    .array(z.object({ role: z.enum(['user', 'assistant']), content: z.string().max(200_000) }))
    .min(1)
    .max(500),
});

const field = SettingsSchema.shape;

/**
 * What Settings may change, as a patch: only the keys sent change, and `null` removes an optional one. No defaults
 * are filled in (a save never resets what it did not send) and unknown keys are refused (a typo is not ignored).
 * Secrets go through setSecret and are never read back.
 */
export const SettingsPatchSchema = z.strictObject({
  profile: field.profile.unwrap().optional(),
  network: field.network.unwrap().optional(),
  exposePorts: field.exposePorts.unwrap().optional(),
  ports: field.ports.unwrap().optional(),
  images: field.images.unwrap().optional(),
  disabledModels: field.disabledModels.unwrap().optional(),
  models: field.models.unwrap().optional(),
  tuning: field.tuning.unwrap().optional(),
  litellmUrl: field.litellmUrl.unwrap().nullable().optional(),
  trustedLitellmUrl: field.trustedLitellmUrl.unwrap().nullable().optional(),
  startAtLogin: field.startAtLogin.unwrap().optional(),
  onQuit: field.onQuit.unwrap().optional(),
  autoUpdate: field.autoUpdate.unwrap().optional(),
  engines: field.engines.unwrap().optional(),
  engine: field.engine.unwrap().optional(),
});

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

export const API_CALLS = {
  snapshot: z.tuple([]),
  up: z.tuple([z.array(serviceName).max(50).optional()]),
  down: z.tuple([z.array(serviceName).max(50).optional()]),
  restart: z.tuple([serviceName]),
  logTail: z.tuple([serviceName, z.number().int().min(0).max(10_000)]),
  followLogs: z.tuple([serviceName]),
  unfollowLogs: z.tuple([serviceName]),
  chatModels: z.tuple([]),
  chatSend: z.tuple([ChatRequestSchema]),
  chatStop: z.tuple([z.string().max(100)]),
  updateSettings: z.tuple([SettingsPatchSchema]),
  setSecret: z.tuple([z.enum(SECRET_NAMES), z.string().max(4096)]),
  importEnv: z.tuple([z.string().max(100_000)]),
  metrics: z.tuple([]),
  doctor: z.tuple([]),
  chooseFolder: z.tuple([]),
  lookupModel: z.tuple([z.string().min(1).max(200)]),
  exportStack: z.tuple([ExportRequestSchema]),
} as const satisfies { [K in keyof BerthApi]: z.ZodType<Parameters<BerthApi[K]>> };

export type ApiMethod = keyof typeof API_CALLS;
export type ChatRequest = z.infer<typeof ChatRequestSchema>;
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
export type ExportRequest = z.infer<typeof ExportRequestSchema>;

/** A model's numbers read from the Hugging Face Hub, or what stopped the reading. */
export type ModelLookup =
  | {
      ok: true;
      model: {
        id: string;
        gated: boolean;
        layers: number;
        kvHeads: number;
        headDim: number;
        maxModelLen: number;
        weightsGiB: number;
        weightFiles: number;
        slidingWindow?: { layers: number; tokens: number };
        architecture?: string;
      };
    }
  | { ok: false; reason: 'unknown' | 'gated' | 'offline' | 'unreadable'; message: string };

/** The files an export wrote, and the ones it kept because they may hold the user's secrets. */
export interface ExportOutcome {
  dir: string;
  written: string[];
  kept: string[];
}

export interface Snapshot {
  /** The engine in use: its name ("local" or one from settings), its endpoint while it answers, and for a remote one whether the forwarded ports are up. */
  engine: { endpoint: string | null; problem?: string; trouble?: EngineTrouble; name?: string; forwardsUp?: boolean };
  /** Where each service answers from this machine (a remote engine's ports forwarded here). Extension of the contract. */
  urls?: Record<string, string>;
  facts: HostFacts;
  plan: StackPlan | null;
  planProblem?: string;
  status: ServiceStatus[];
  settings: Settings;
  /** Which secrets are set; their values never leave the backend. */
  secretsSet: Record<(typeof SECRET_NAMES)[number], boolean>;
  /** Where the secrets are kept: the OS keychain (the app), or a file only the user can read, and why. */
  secretsStorage: { encrypted: boolean; note?: string };
  /** What the plan was made from (settings with the environment applied, the profile chosen outside them): the window re-plans what-ifs from it. Extension of the contract. */
  planInputs?: PlanInputs;
  /** The tray app's own state (start at login as the OS sees it); absent when `berth serve` answers. */
  app?: { startAtLogin: { enabled: boolean; note?: string } };
}

export interface LogLineView {
  stream: 'stdout' | 'stderr';
  time?: string;
  text: string;
}

/** One of `berth doctor`'s checks, as the app shows it too. */
export interface DoctorOutcome {
  id: string;
  title: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

export interface ActionResult {
  ok: boolean;
  summary: string;
  failed: { service: string; message: string; fix: string }[];
}

export interface BerthApi {
  snapshot(): Promise<Snapshot>;
  up(services?: string[]): Promise<ActionResult>;
  down(services?: string[]): Promise<ActionResult>;
  restart(service: string): Promise<ActionResult>;
  logTail(service: string, lines: number): Promise<LogLineView[]>;
  followLogs(service: string): Promise<void>;
  unfollowLogs(service: string): Promise<void>;
  chatModels(): Promise<string[]>;
  /** Starts a streamed reply; its pieces arrive as `chat` events with the request's streamId. */
  chatSend(request: ChatRequest): Promise<void>;
  chatStop(streamId: string): Promise<void>;
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  setSecret(name: (typeof SECRET_NAMES)[number], value: string): Promise<void>;
  /** Reads a reference-setup .env (HF_TOKEN, LITELLM_MASTER_KEY, LITELLM_ENVIRONMENT, LITELLM_URL); returns the names taken. */
  importEnv(text: string): Promise<string[]>;
  /** Sparklines per model, from Prometheus when it runs, from the model servers otherwise. Read on demand only. */
  metrics(): Promise<ModelMetrics>;
  /** Every check of `berth doctor`, each failing one with its fix. */
  doctor(): Promise<DoctorOutcome[]>;
  /** The system's folder picker (the app); null where there is none (`berth serve`) or the user cancelled. */
  chooseFolder(): Promise<string | null>;
  /** Reads a model's config.json and weight sizes from the Hub (HF_ENDPOINT, HF_TOKEN), for Settings' add-a-model. */
  lookupModel(id: string): Promise<ModelLookup>;
  /** Writes what `berth export compose` or `berth export k8s` writes, for the same plan, into the folder. */
  exportStack(request: ExportRequest): Promise<ExportOutcome>;
}

/** The charts' series: [unix seconds, value] pairs. */
export type MetricPanel =
  'generationTokensPerS' | 'ttftP50Seconds' | 'ttftP95Seconds' | 'running' | 'waiting' | 'kvCachePercent';

export interface ModelMetrics {
  source: 'prometheus' | 'servers' | 'none';
  models: {
    service: string;
    generationTokensPerS: number[];
    ttftP50Seconds: number[];
    running: number[];
    waiting: number[];
    kvCachePercent: number[];
    /** Each series with its times, for charts with a time axis. Extension of the contract. */
    timeline?: Record<MetricPanel, [number, number][]>;
  }[];
}

export type BerthEvent =
  | { type: 'status'; services: ServiceStatus[] }
  | { type: 'engine'; endpoint: string | null; problem?: string; trouble?: EngineTrouble; name?: string }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'log'; service: string; lines: LogLineView[] }
  | {
      type: 'chat';
      streamId: string;
      delta?: string;
      done?: { ttftMs: number | null; tokensPerS: number | null; tokens: number };
      error?: string;
    }
  /** The tray asked the window to show one service's logs. */
  | { type: 'navigate'; view: 'logs'; service: string }
  /** Settings changed outside the window (the tray's start-at-login item, a migration): read them again. */
  | { type: 'settings-changed' };

/** Errors cross the boundary as data and become errors again on the other side. */
export interface ApiFailure {
  message: string;
  fix?: string;
  field?: string;
}

export type ApiResponse = { ok: true; value: unknown } | { ok: false; error: ApiFailure };

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(API_CALLS, name);
}
