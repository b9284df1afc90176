import type { StackPlan } from '../contracts/stack-plan.js';
import { CONTAINER_PORTS } from '../planner/services.js';

/** litellm's config.yaml: one entry per model the plan serves; the key is read from the environment. */
export function litellmConfig(plan: StackPlan): object {
  return {
    model_list: plan.services
      .filter((s) => s.role === 'model' && s.model)
      .map((s) => ({
        model_name: s.model?.servedName,
        litellm_params: { model: `hosted_vllm/${s.model?.servedName}`, api_base: `http://${s.name}:${CONTAINER_PORTS.model}/v1` },
      })),
    general_settings: { master_key: 'os.environ/LITELLM_MASTER_KEY' },
    litellm_settings: { callbacks: ['prometheus'] },
  };
}
