import type { HostFacts } from '../contracts/host-facts.js';
import { about, type PlannedService, type Reason } from '../contracts/stack-plan.js';
import type { ModelSpec } from '../catalog/models.js';
import { DEFAULT_IMAGES, vllmImageVersion } from '../catalog/images.js';
import { measurementKey, type Measurement } from '../contracts/measurement.js';
import { GiB } from '../units.js';
import type { PlanOptions } from './plan-inputs.js';
import { implausibleMeasurement } from './measured-bounds.js';

/** What the CPU and GPU model planners share: a service before its ports, what was measured, the KV flag. */

/** The measurement of this model's last start with this image on this engine, if there was one. */
export function measurementFor(
  options: PlanOptions,
  facts: HostFacts,
  model: ModelSpec,
  image: string,
  device: Measurement['device'] = model.device,
): Measurement | undefined {
  const engine = facts.engine?.endpoint ?? 'none';
  const key = measurementKey({ engine, image, model: model.id, device });
  return (options.measurements ?? [])
    .filter((m) => measurementKey(m) === key && !implausibleMeasurement(m, facts))
    .sort((a, b) => b.at.localeCompare(a.at))[0];
}

/**
 * vLLM's current flag for the KV cache, which its CPU backend maps VLLM_CPU_KVCACHE_SPACE onto; images before 0.11 lack
 * it.
 */
export function kvCacheFlag(image: string, kvCacheGiB: number): string[] {
  const version = vllmImageVersion(image);
  const current =
    image === DEFAULT_IMAGES.vllmCpuArm ||
    image === DEFAULT_IMAGES.vllmCpuX86 ||
    (version !== undefined && (version[0] > 0 || version[1] >= 11));
  return current ? ['--kv-cache-memory-bytes', String(kvCacheGiB * GiB)] : [];
}

/** Upstream's recipe for the CPU image; max_jobs defaults to 32 there, too many for a laptop. */
export function localVllmBuild(
  context: string,
  arch: 'x86_64' | 'aarch64',
  dtype: string,
  cores: number,
): NonNullable<PlannedService['build']> {
  return {
    context,
    dockerfile: 'docker/Dockerfile.cpu',
    target: 'vllm-openai',
    platform: arch === 'aarch64' ? 'linux/arm64' : 'linux/amd64',
    args: {
      max_jobs: String(Math.max(2, cores)),
      ...(arch === 'aarch64' ? { VLLM_CPU_ARM_BF16: dtype === 'bfloat16' ? 'true' : 'false' } : {}),
    },
  };
}

/**
 * A vLLM container that makes no call to the Hugging Face Hub: with prefetchWeights, Berth downloads the weights into
 * the cache volume before the container is created (node/engine/weights.ts), so the server reads them from the cache
 * with `HF_HUB_OFFLINE=1` (huggingface_hub: no HTTP calls, files from the local cache only:
 * https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables#hfhuboffline). Without
 * prefetch, vLLM downloads them itself and must reach the Hub.
 */
export function offlineModel(prefetchWeights: boolean): { env: Record<string, string>; reason?: Reason } {
  if (!prefetchWeights) return { env: {} };
  return {
    env: { HF_HUB_OFFLINE: '1' },
    reason: about(
      'network',
      'offline once its weights are here: Berth downloads them before it is created, and vLLM reads them from the ' +
        'cache with HF_HUB_OFFLINE=1',
    ),
  };
}
