import { z } from 'zod';
import { MODEL_LIMITS, ModelNumbersSchema } from './model-numbers.js';
import { endpointProblem } from './engine-endpoint.js';

const serviceName = z
  .string()
  .max(63, 'at most 63 characters')
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');
/** The networks every Docker engine has, which no stack may take as its own. */
const DOCKER_NETWORKS = ['bridge', 'host', 'none'];
const hostPort = z.number().int().min(1, 'a port from 1 to 65535').max(65535, 'a port from 1 to 65535');

/** A model a user adds by its Hugging Face id, with the numbers from its config.json. */
export const CustomModelSchema = z.object({
  // Hugging Face's own rule for names: letters, digits, "-", "_", ".", not at either end, no "--" or "..".
  id: z
    .string()
    .max(200)
    .regex(
      /^(?!.*(?:--|\.\.))[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?\/[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?$/,
      'a Hugging Face id such as "Qwen/Qwen3-4B"',
    ),
  service: serviceName.optional(),
  servedName: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\s\p{Cc}]+$/u, 'a name without spaces or control characters')
    .optional(),
  device: z.enum(['cpu', 'gpu']),
  gated: z.boolean().default(false),
  ...ModelNumbersSchema.shape,
  weightsGiB: z.number().positive().max(MODEL_LIMITS.weightsGiB, `at most ${MODEL_LIMITS.weightsGiB} GiB`),
  /** vLLM's --tool-call-parser for the model's chat template (hermes, llama3_json, mistral…); else tools are off. */
  toolCallParser: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a vLLM tool-call parser name such as "hermes" or "llama3_json"')
    .optional(),
});

export const ModelTuningSchema = z.object({
  kvCacheGiB: z
    .number()
    .int()
    .min(1, 'whole GiB, at least 1')
    .max(MODEL_LIMITS.weightsGiB, `at most ${MODEL_LIMITS.weightsGiB} GiB`)
    .optional(),
  maxModelLen: z
    .number()
    .int()
    .min(256)
    .max(MODEL_LIMITS.context, `at most ${MODEL_LIMITS.context.toLocaleString('en-US')} tokens`)
    .optional(),
  gpuMemoryUtilization: z.number().gt(0).max(0.95, 'at most 0.95').optional(),
  gpus: z.array(z.number().int().nonnegative().max(255, 'a GPU index from 0 to 255')).min(1).max(64).optional(),
});

/**
 * How long a model stays awake with no request (docs/decisions/0013): whole minutes, after which it sleeps and wakes on
 * its next request, or "always" (started with the stack, never put to sleep for being idle).
 */
const KEEP_ALIVE_ALLOWED = 'whole minutes from 1 to 1440, or "always"';
export const KeepAliveSchema = z.union(
  [z.number().int(KEEP_ALIVE_ALLOWED).min(1, KEEP_ALIVE_ALLOWED).max(1440, KEEP_ALIVE_ALLOWED), z.literal('always')],
  { error: KEEP_ALIVE_ALLOWED },
);

/** A Docker engine the user named, such as the team's GPU box: `gpu-box → ssh://me@gpu-box`. */
export const EngineEntrySchema = z.object({
  name: z
    .string()
    .regex(
      /^(?!local$)[a-z0-9][a-z0-9_.-]{0,62}$/,
      'a name such as gpu-box: lowercase letters, digits, ".", "_" or "-" (not "local")',
    ),
  endpoint: z.string().superRefine((endpoint, ctx) => {
    const problem = endpointProblem(endpoint);
    // The address itself is not repeated: it may hold a password.
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

export const ProfileChoiceSchema = z.enum(['auto', 'development', 'production']);

/**
 * Models on a Mac's GPU (docs/decisions/0014): where the models run, the room kept for the user's own apps, the guard
 * that puts a model to sleep when memory pressure turns critical, and the vllm-metal command where it is not found.
 */
export const MetalSettingsSchema = z.object({
  appsRoomGiB: z.number().min(1, 'at least 1 GiB').max(512, 'at most 512 GiB').default(4),
  pressureGuard: z.boolean().default(true),
  vllmPath: z
    .string()
    .min(1)
    .max(4096)
    .regex(/^\/[^\p{Cc}]*$/u, 'an absolute path to the vllm command, such as ~/.venv-vllm-metal/bin/vllm expanded')
    .optional(),
});

/** settings.json in BERTH_HOME; the app and the CLI read the same file. Secrets are not kept here. */
export const SETTINGS_SCHEMA_VERSION = 2;

export const SettingsSchema = z.object({
  /** The settings format; files from older versions are migrated when the app or the CLI opens them. */
  schema: z.literal(SETTINGS_SCHEMA_VERSION).default(SETTINGS_SCHEMA_VERSION),
  /** Names Berth's containers (`<stack>-<service>`) and volumes, and labels them: two stacks never touch each other. */
  stack: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lowercase letters, digits and "-", at most 31')
    .default('berth'),
  profile: ProfileChoiceSchema.default('auto'),
  network: z
    .string()
    .max(128, 'at most 128 characters')
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a Docker network name: letters, digits, ".", "_" or "-"')
    // Docker's own networks: the stack cannot own them (the Engine API answers a delete of one with 403, "operation
    // not supported for pre-defined networks"), and on "host" or "none" its containers could not reach each other.
    .refine((name) => !DOCKER_NETWORKS.includes(name), {
      message: "one of Docker's own networks (bridge, host, none); name one for the stack, e.g. common_network",
    })
    .default('common_network'),
  /** Bind host ports on every interface instead of 127.0.0.1. */
  exposePorts: z.boolean().default(false),
  /** Engines besides this machine's, by name; `berth --engine NAME`, the tray and the window switch between them. */
  engines: z
    .array(EngineEntrySchema)
    .max(50)
    .default([])
    .refine(
      (engines) => new Set(engines.map((e) => e.name)).size === engines.length,
      'each engine needs a name of its own',
    ),
  /** The engine in use: "local" (found as the docker CLI finds it) or a name from `engines`. */
  engine: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'local, or the name of an engine in engines')
    .default('local'),
  /** A remote litellm (the team's GPU host) for Open WebUI and Chat, instead of the local one. */
  litellmUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://gpu-host:4000' }).optional(),
  /**
   * The remote litellm the user confirmed in Settings. `litellmUrl` is used (and sent the master key) only while it
   * equals this, so setting a URL alone (an imported .env, an API call) sends no secret anywhere.
   */
  trustedLitellmUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://gpu-host:4000' }).optional(),
  ports: z.record(serviceName, hostPort).default({}),
  images: z
    .record(
      serviceName,
      z
        .string()
        .max(512, 'at most 512 characters')
        .regex(/^[^\s\p{Cc}]+$/u, 'an image reference without spaces'),
    )
    .default({}),
  models: z.array(CustomModelSchema).default([]),
  disabledModels: z.array(serviceName).default([]),
  tuning: z.record(serviceName, ModelTuningSchema).default({}),
  /** Per model: minutes idle before it sleeps, or "always"; a model not named takes the plan's default. */
  keepAlive: z.record(serviceName, KeepAliveSchema).default({}),
  /** A local vllm checkout: the CPU image is built from it (Apple Silicon, where the published image lags). */
  vllmSource: z
    .string()
    .min(1)
    .max(4096)
    .regex(/^[^\p{Cc}]+$/u, 'a folder path without control characters')
    .optional(),
  /**
   * Where models run: `auto` puts them on a Mac's GPU when vllm-metal is installed (containers elsewhere), `containers`
   * keeps them in the engine, `metal` asks for the Mac's GPU (and says what is missing where it cannot).
   */
  modelsOn: z
    .enum(['auto', 'containers', 'metal'], { error: 'where models run: "auto", "containers" or "metal"' })
    .default('auto'),
  metal: MetalSettingsSchema.default({ appsRoomGiB: 4, pressureGuard: true }),
  /**
   * How much worse than the running image a candidate's figure may be (0.1: 10% slower, bigger or fewer KV tokens) and
   * still be kept by `berth upgrade`; any answer that differs rolls it back whatever the margin.
   */
  upgradeMargin: z.number({ error: 'a fraction from 0 to 1, such as 0.1 for 10%' }).min(0).max(1).default(0.1),
  /** Download model weights into the shared cache before a model server starts, with progress. */
  prefetchWeights: z.boolean().default(true),
  /** The app starts at login (hidden in the tray); off unless the user turns it on. */
  startAtLogin: z.boolean().default(false),
  /** What quitting the app does to the stack: leave it running (default) or stop it. */
  onQuit: z.enum(['leave-running', 'stop-stack']).default('leave-running'),
  /** The app checks for updates at start and daily, downloads them in the background and asks before restarting. */
  autoUpdate: z.boolean().default(true),
});

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;
export type EngineEntry = z.infer<typeof EngineEntrySchema>;
export type CustomModel = z.infer<typeof CustomModelSchema>;
export type ModelTuning = z.infer<typeof ModelTuningSchema>;
export type MetalSettings = z.infer<typeof MetalSettingsSchema>;
export type KeepAlive = z.infer<typeof KeepAliveSchema>;
export type ProfileChoice = z.infer<typeof ProfileChoiceSchema>;

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});
