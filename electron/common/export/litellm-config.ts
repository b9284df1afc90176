import { isOnDemand, type StackPlan } from '../contracts/stack-plan.js';
import { HOST_ALIAS, WAKE_KEY_ENV } from '../planner/services.js';
import { addressFromStack } from '../model-servers/registry.js';

/**
 * litellm's config.yaml: one entry per model the plan serves; the key is read from the environment.
 *
 * - `hosted_vllm/<served name>` with `api_base` on the model's service: litellm strips the provider prefix and sends
 *   the rest as the model name to `<api_base>/chat/completions`, where vLLM answers only to its --served-model-name.
 * - a model on demand is reached through Berth's wake gateway on the host (docs/decisions/0013), which wakes it, with
 *   the stack's wake key as its `api_key`: litellm sends it as `Authorization: Bearer <api_key>` (hosted_vllm's
 *   `_get_openai_compatible_provider_info` takes `api_key`, else HOSTED_VLLM_API_KEY, else "fake-api-key";
 *   `OpenAIGPTConfig.validate_environment` sets the header: litellm/llms/hosted_vllm/chat/transformation.py and
 *   litellm/llms/openai/chat/gpt_transformation.py, read at BerriAI/litellm commits 062ec42 and 0026911; not read at
 *   the pinned tag), and the gateway refuses any request without it;
 * - `require_auth_for_metrics_endpoint: false`: litellm's auth middleware asks for the master key on every path that
 *   contains /metrics unless this is false (litellm/proxy/middleware/prometheus_auth_middleware.py:
 *   `require_auth_for_metrics_endpoint is not False`; auth is the default since 1.85), and the stack's Prometheus sends
 *   no key. The series hold request counts, latencies and hashed key ids, never a key; litellm's port is on 127.0.0.1
 *   unless the user opens the ports (exposePorts), and chat still needs the key.
 * - a model on the Mac's GPU (vllm-metal, a process on the host) is reached at the host's alias and its own port.
 */
export function litellmConfig(plan: StackPlan): object {
  return {
    model_list: plan.services
      .filter((s) => s.role === 'model' && s.model)
      .map((s) => ({
        model_name: s.model?.servedName,
        litellm_params: {
          model: `hosted_vllm/${s.model?.servedName}`,
          ...(plan.onDemand && isOnDemand(s)
            ? {
                api_base: `http://${HOST_ALIAS}:${plan.onDemand.gatewayPort}/${s.name}/v1`,
                api_key: `os.environ/${WAKE_KEY_ENV}`,
              }
            : { api_base: `http://${addressFromStack(s)}/v1` }),
        },
      })),
    general_settings: { master_key: 'os.environ/LITELLM_MASTER_KEY' },
    litellm_settings: { callbacks: ['prometheus'], require_auth_for_metrics_endpoint: false },
  };
}
