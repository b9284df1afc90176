/** Default images; every one can be overridden in settings (`images.<service>`). */
export const VLLM_VERSION = '0.11.0';

export const DEFAULT_IMAGES = {
  vllmCpuX86: `public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v${VLLM_VERSION}`,
  vllmCpuArm: `public.ecr.aws/q9t5s3a7/vllm-arm64-cpu-release-repo:v${VLLM_VERSION}`,
  vllmGpu: `vllm/vllm-openai:v${VLLM_VERSION}`,
  litellm: 'ghcr.io/berriai/litellm:main-stable',
  openWebui: 'ghcr.io/open-webui/open-webui:main',
  prometheus: 'prom/prometheus:v3.5.0',
  grafana: 'grafana/grafana:12.1.0',
} as const;

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
