import { z } from 'zod';
import type { EngineTrouble } from '../contracts/engine-trouble.js';
import type { HostFacts } from '../contracts/host-facts.js';
import type { ProgressEvent } from '../contracts/progress.js';
import type { ServiceStatus } from '../contracts/status.js';
import type { StackPlan } from '../contracts/stack-plan.js';
import type { Settings } from '../contracts/settings.js';
import type { PlanInputs } from '../planner/plan-inputs.js';
import { ChatRequestSchema, type ChatRequest } from '../contracts/chat.js';
import type { DoctorOutcome } from '../contracts/doctor.js';
import { ExportRequestSchema, type ExportOutcome, type ExportRequest } from '../contracts/export-request.js';
import type { LogLineView } from '../contracts/logs.js';
import type { ModelMetrics } from '../contracts/metrics.js';
import type { ModelLookup } from '../contracts/model-lookup.js';
import { SECRET_NAMES, type SecretName } from '../contracts/secrets.js';
import type { UpgradesView } from '../contracts/upgrade.js';
import { SettingsPatchSchema, type SettingsPatch } from '../contracts/settings-patch.js';

/**
 * The one API the renderer sees, declared once: the Electron preload and `berth serve` both carry exactly these
 * calls (validated here, at the edge) and these events. Adding a call is adding an entry and a method.
 */
const serviceName = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'a service name such as vllm-qwen3');

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
  installVllmMetal: z.tuple([]),
  upgrades: z.tuple([]),
  upgradePull: z.tuple([]),
  upgradeTrial: z.tuple([z.array(serviceName).max(50).optional()]),
  upgradeRollback: z.tuple([serviceName]),
} as const satisfies { [K in keyof BerthApi]: z.ZodType<Parameters<BerthApi[K]>> };

export type ApiMethod = keyof typeof API_CALLS;

export interface Snapshot {
  /**
   * The engine in use: its name ("local" or one from settings), its endpoint while it answers, and for a remote one
   * whether the forwarded ports are up.
   */
  /** Why the engine is not answering is its `trouble` (a kind and the words for it), the one field that says so. */
  engine: { endpoint: string | null; trouble?: EngineTrouble; name?: string; forwardsUp?: boolean };
  /** Where each service answers from this machine (a remote engine's ports forwarded here). */
  urls?: Record<string, string>;
  facts: HostFacts;
  plan: StackPlan | null;
  planProblem?: string;
  status: ServiceStatus[];
  settings: Settings;
  /** Which secrets are set; their values never leave the backend. */
  secretsSet: Record<SecretName, boolean>;
  /** Where the secrets are kept: the OS keychain (the app), or a file only the user can read, and why. */
  secretsStorage: { encrypted: boolean; note?: string };
  /**
   * What the plan was made from (settings with the environment applied, the profile chosen outside them): the window
   * re-plans what-ifs from it.
   */
  planInputs?: PlanInputs;
  /** When each model on demand was last asked for through the wake gateway (ISO time), while this backend runs. */
  lastUsed?: Record<string, string>;
  /** Why the wake gateway is not running though the plan has models on demand: they cannot wake until it is. */
  wakeGateway?: { problem: string; fix: string };
  /** How many services have a newer image planned than the one they run, not rolled back before: the tray says so. */
  upgradesWaiting?: number;
  /** The tray app's own state (start at login as the OS sees it); absent when `berth serve` answers. */
  app?: { startAtLogin: { enabled: boolean; note?: string } };
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
  setSecret(name: SecretName, value: string): Promise<void>;
  /**
   * Reads a reference-setup .env (HF_TOKEN, LITELLM_MASTER_KEY, LITELLM_ENVIRONMENT, LITELLM_URL); returns the names
   * taken.
   */
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
  /**
   * Installs vllm-metal on this Mac as its project documents it (never as root), its output sent as `install` events;
   * the facts and the plan follow once it is there.
   */
  installVllmMetal(): Promise<ActionResult>;
  /** The services whose planned image is newer than the running one, each service's last trial, and rollbacks. */
  upgrades(): Promise<UpgradesView>;
  /** Pulls the candidates' images, with progress events. */
  upgradePull(): Promise<ActionResult>;
  /** Tries each candidate (those named, or all not rolled back before) now: kept only when no worse. */
  upgradeTrial(services?: string[]): Promise<ActionResult>;
  /** Returns a service to the image it ran before its last switch. */
  upgradeRollback(service: string): Promise<ActionResult>;
}

/** What the backend tells the window and the tray as it happens. */
export type BerthEvent =
  | { type: 'status'; services: ServiceStatus[] }
  | { type: 'engine'; endpoint: string | null; trouble?: EngineTrouble; name?: string }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'log'; service: string; lines: LogLineView[] }
  | {
      type: 'chat';
      streamId: string;
      delta?: string;
      done?: { ttftMs: number | null; tokensPerS: number | null; tokens: number };
      error?: string;
    }
  /** The tray asked the window to show one service's logs, or the newer images to try. */
  | { type: 'navigate'; view: 'logs'; service: string }
  | { type: 'navigate'; view: 'updates' }
  /** Settings changed outside the window (the tray's start-at-login item, a migration): read them again. */
  | { type: 'settings-changed' }
  /** The Mac's memory pressure turned critical while models run on its GPU, and what Berth did. */
  | { type: 'memory-pressure'; message: string }
  /** A line of vllm-metal's install, or its end. */
  | { type: 'install'; line?: string; done?: { ok: boolean; message: string } }
  /** The wake gateway could not start (with why), or runs again (no problem). */
  | { type: 'wake-gateway'; problem?: { problem: string; fix: string } };

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
