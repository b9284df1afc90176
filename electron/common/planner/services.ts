import { about, type PlannedService, type ServiceDraft } from '../contracts/stack-plan.js';
import { health, PACE, pythonGet } from './health-checks.js';
import type { ModelSpec } from '../catalog/models.js';
import { DEFAULT_IMAGES, LOCAL_VLLM_CPU_IMAGE, volumeNames } from '../catalog/images.js';
import { GiB } from '../units.js';

export const GENERATED_FILES = {
  litellmConfig: 'generated/litellm/config.yaml',
  prometheusConfig: 'generated/monitoring/prometheus.yaml',
  prometheusRules: 'generated/monitoring/rules.yaml',
  grafanaProvisioning: 'generated/monitoring/grafana/provisioning',
  grafanaDashboards: 'generated/monitoring/grafana/dashboards',
} as const;

/**
 * Generated files a running service re-reads when sent SIGHUP, so a change to them reloads the service instead of
 * recreating it: Prometheus's rule file, which carries the plan's and the last start's figures and so changes after
 * every measured start (Prometheus reloads its configuration and rules on SIGHUP:
 * https://prometheus.io/docs/prometheus/latest/configuration/configuration/).
 */
export const RELOADED_ON_HUP: ReadonlySet<string> = new Set([GENERATED_FILES.prometheusRules]);

/**
 * How the stack's containers reach the host: Docker Desktop, Colima and OrbStack answer this name themselves, and on
 * Linux `host-gateway` maps it to the default bridge's gateway address (Docker 20.10+:
 * https://docs.docker.com/reference/cli/docker/container/run/#add-host).
 */
export const HOST_ALIAS = 'host.docker.internal';
export const HOST_ALIAS_ENTRY = `${HOST_ALIAS}:host-gateway`;
/** Where the wake gateway serves Berth's series; no service name starts with "-", so no model's path is taken. */
export const WAKE_METRICS_PATH = '/-/metrics';
/**
 * The variable litellm reads the wake gateway's key from: each model on demand has `api_key: os.environ/<this>` in
 * litellm's config, and Berth fills it with the stack's key (node/secrets/wake-key.ts) when it creates litellm.
 */
export const WAKE_KEY_ENV = 'BERTH_WAKE_KEY';
/** The series the wake gateway serves there: a counter of wakes, and a histogram of their seconds. */
export const WAKE_SERIES = { wakes: 'berth_model_wakes_total', seconds: 'berth_model_wake_seconds' } as const;

/** vLLM's series (vllm:*) at /metrics: every model in one job, so the dashboards read them by service. */
export const VLLM_SCRAPE = { job: 'vllm', path: '/metrics' } as const;

export const CONTAINER_PORTS = {
  model: 8000,
  litellm: 4000,
  openWebui: 8080,
  prometheus: 9090,
  grafana: 3000,
} as const;

/**
 * vLLM's flags for tool calls: a request with `tools` and `tool_choice` "auto" (what a client sends when it names no
 * choice) is refused with `"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set`
 * unless both are given (vllm/entrypoints/openai/serving_chat.py).
 */
function toolCallArgs(model: ModelSpec): string[] {
  return model.toolCallParser ? ['--enable-auto-tool-choice', '--tool-call-parser', model.toolCallParser] : [];
}

/**
 * A vLLM server: the parts every model shares; the planner adds cores, memory, cards and context. The images run
 * `vllm serve`, which takes the model as its positional argument (`--model` is deprecated there).
 */
export function modelService(
  model: ModelSpec,
  image: string,
  extraArgs: string[],
  stack: string,
): ServiceDraft & { model: NonNullable<PlannedService['model']> } {
  return {
    name: model.service,
    role: 'model',
    image,
    model: {
      id: model.id,
      servedName: model.servedName,
      device: model.device,
      maxModelLen: 1,
      gated: model.gated,
      weightsBytes: model.weightsBytes,
    },
    command: [
      model.id,
      '--served-model-name',
      model.servedName,
      '--host',
      '0.0.0.0',
      '--port',
      String(CONTAINER_PORTS.model),
      ...toolCallArgs(model),
      ...extraArgs,
    ],
    env: { HF_TOKEN: '${HF_TOKEN}' },
    dependsOn: [],
    mounts: [
      { kind: 'volume', source: volumeNames(stack).hfCache, target: '/root/.cache/huggingface', readOnly: false },
    ],
    // Weights download on first start: a generous start period keeps that from counting as failures.
    health: health(pythonGet(CONTAINER_PORTS.model, '/health'), CONTAINER_PORTS.model, '/health', 1800, PACE.model),
    shmBytes: 4 * GiB,
    restart: 'unless-stopped',
    scrape: VLLM_SCRAPE,
    reasons: [
      about(
        'role',
        `serves ${model.id} as "${model.servedName}"` +
          (model.gated ? '; gated on Hugging Face, so HF_TOKEN must belong to an account that was granted access' : ''),
      ),
      about(
        'runtime',
        'shared memory 4 GiB: PyTorch moves tensors between processes through /dev/shm, and Docker gives 64 ' +
          'MB by default',
      ),
      about(
        'role',
        model.toolCallParser
          ? `tool calls on (--enable-auto-tool-choice --tool-call-parser ${model.toolCallParser}): Open ` +
              `WebUI's native function calling and agents send "tools", which vLLM refuses without them`
          : model.toolCallsOff
            ? `tool calls off: ${model.toolCallsOff}, so a request with "tools" is refused by vLLM rather than ` +
              'answered with its calls as text'
            : 'tool calls off: no --tool-call-parser is known for this model (set models[].toolCallParser), so a ' +
              'request with "tools" is refused by vLLM',
      ),
    ],
  };
}

export function defaultVllmImage(device: 'cpu' | 'gpu', arch: 'x86_64' | 'aarch64', localBuild: boolean): string {
  if (device === 'gpu') return DEFAULT_IMAGES.vllmGpu;
  if (localBuild) return LOCAL_VLLM_CPU_IMAGE;
  return arch === 'aarch64' ? DEFAULT_IMAGES.vllmCpuArm : DEFAULT_IMAGES.vllmCpuX86;
}
