import type { HostEngine, HostFacts } from '../contracts/host-facts.js';
import type { Settings } from '../contracts/settings.js';
import type { PlanWarning, ServiceDraft, StackPlan } from '../contracts/stack-plan.js';
import type { ModelSpec } from '../catalog/models.js';
import type { PlanOptions } from '../planner/plan-inputs.js';
import { metalPlacement } from './vllm-metal/placement.js';
import { planMetalModels } from './vllm-metal/plan.js';

/** What a kind of model server on the host plans: the models' drafts, the host's memory account, their turns. */
export interface HostPlan {
  drafts: ServiceDraft[];
  host: NonNullable<StackPlan['host']>;
  onDemand?: { budgetBytes: number; atOnce: number };
}

/**
 * A kind of model server that runs on the host (docs/decisions/0014): whether it takes this host's development models,
 * and their plan when it does. A new kind adds its folder and one entry to HOST_SERVER_PLANNERS.
 */
export interface HostServerPlanner {
  id: 'vllm-metal';
  placement(facts: HostFacts, settings: Settings): { engine?: HostEngine; warning?: PlanWarning };
  plan(
    models: readonly ModelSpec[],
    facts: HostFacts,
    settings: Settings,
    options: PlanOptions,
    engine: HostEngine & { vmNeedsBytes: number },
    warnings: PlanWarning[],
  ): HostPlan;
}

export const HOST_SERVER_PLANNERS: readonly HostServerPlanner[] = [
  { id: 'vllm-metal', placement: metalPlacement, plan: planMetalModels },
];
