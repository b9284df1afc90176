/**
 * The vllm-metal release Berth plans for and its tests stand in for (docs/upstream.md): its flags are those of the
 * vLLM core its install script pins (install.sh: `VLLM_VERSION="0.27.1"`), its memory accounting that of
 * vllm_metal/v1/cache_policy.py at this tag. Its install script installs the newest release; `berth doctor` says which
 * one is there.
 */
export const VLLM_METAL = {
  version: '0.3.0.dev20260822182524',
  repository: 'https://github.com/vllm-project/vllm-metal',
  vllmCore: '0.27.1',
} as const;
