/**
 * Default images: released, versioned tags that upstream publishes for the platform each runs on. This is the one
 * place that names them; settings override any of them (`images.<service>`). A test fails if a floating tag
 * (latest, main, main-stable, nightly…) comes back, since the same Berth must give the same stack on every day.
 */

/**
 * vLLM 0.29.0 (September 2026) publishes all three images below. Since 0.17.0 its x86 CPU build runs on AVX2 as well
 * as AVX-512, and stable Arm CPU images exist since 0.12.0.
 * - CPU, x86_64 and arm64: `vllm/vllm-openai-cpu:v<version>-x86_64` / `-arm64`, documented in vLLM's
 *   docs/getting_started/installation/cpu.x86.inc.md and cpu.arm.inc.md ("pre-built images";
 *   https://docs.vllm.ai/en/stable/getting_started/installation/cpu.html).
 * - GPU (CUDA, amd64 and arm64): `vllm/vllm-openai:v<version>`, documented in docs/deployment/docker.md
 *   (https://docs.vllm.ai/en/stable/deployment/docker.html).
 */
export const VLLM_VERSION = '0.29.0';

export const DEFAULT_IMAGES = {
  vllmCpuX86: `vllm/vllm-openai-cpu:v${VLLM_VERSION}-x86_64`,
  vllmCpuArm: `vllm/vllm-openai-cpu:v${VLLM_VERSION}-arm64`,
  vllmGpu: `vllm/vllm-openai:v${VLLM_VERSION}`,
  // LiteLLM's long-term-support release 1.108.5 (amd64 and arm64), whose proxy serves the free Prometheus callback:
  // https://github.com/BerriAI/litellm/releases/tag/v1.108.5 and https://docs.litellm.ai/docs/proxy/deploy
  litellm: 'ghcr.io/berriai/litellm:v1.108.5',
  // Open WebUI's release v0.11.4 (amd64 and arm64): https://github.com/open-webui/open-webui/releases/tag/v0.11.4
  // and https://docs.openwebui.com/getting-started/quick-start (versioned tags of ghcr.io/open-webui/open-webui).
  openWebui: 'ghcr.io/open-webui/open-webui:v0.11.4',
  // Prometheus 3.5, a long-term-support release: https://prometheus.io/docs/introduction/release-cycle/
  // and https://hub.docker.com/r/prom/prometheus/tags
  prometheus: 'prom/prometheus:v3.5.0',
  // Grafana 12.1.0: https://grafana.com/docs/grafana/latest/setup-grafana/installation/docker/ and
  // https://hub.docker.com/r/grafana/grafana/tags
  grafana: 'grafana/grafana:12.1.0',
} as const;

/** Tags that move: never a default, since they make the same settings run a different stack tomorrow. */
export const FLOATING_TAGS = /^(latest|main|main-stable|main-latest|stable|nightly|dev|edge|lts)(-|$)/;

/** The tag of an image reference (`latest` when none is written, as Docker reads it). */
export function imageTag(reference: string): string {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(colon + 1) : 'latest';
}

/** The vLLM release an image is tagged with (`v0.16.0`, `v0.29.0-x86_64`, `0.11.0`), or undefined when its tag names none. */
export function vllmImageVersion(reference: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(imageTag(reference));
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Named volumes, shared by both profiles so weights and dashboards survive a change of profile. */
export function volumeNames(stack: string) {
  return {
    hfCache: `${stack}-hf-cache`,
    openWebui: `${stack}-open-webui`,
    prometheus: `${stack}-prometheus`,
    grafana: `${stack}-grafana`,
  } as const;
}

/** The tag of the vLLM CPU image built from a local checkout (settings.vllmSource). */
export const LOCAL_VLLM_CPU_IMAGE = 'berth/vllm-cpu:local';

/** Host ports of the reference setup; models past the first two take the next free port from 8002. */
export const DEFAULT_PORTS: Record<string, number> = {
  'vllm-qwen3': 8000,
  'vllm-llama3': 8001,
  'vllm-coder': 8000,
  'vllm-gpt-oss': 8001,
  litellm: 4000,
  'open-webui': 8080,
  prometheus: 9090,
  grafana: 3000,
};
