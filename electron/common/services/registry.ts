import type { StackServiceDefinition } from './definition.js';
import { grafana } from './grafana.js';
import { litellm } from './litellm.js';
import { openWebui } from './open-webui.js';
import { prometheus } from './prometheus.js';

/**
 * The stack's services beside the models, in the order the plan lists them. The planner drafts each from here, the
 * settings know their names, the exports write what the plan says of them, Prometheus scrapes those with series, and
 * the window links to those with a page.
 */
export const STACK_SERVICES: readonly StackServiceDefinition[] = [litellm, openWebui, prometheus, grafana];

/** The memory the plan keeps for these services on the engine. */
export function companionBytes(services: readonly StackServiceDefinition[] = STACK_SERVICES): number {
  return services.reduce((sum, s) => sum + s.budgetBytes, 0);
}

/** The memory kept for one service by name (0 for a model or a name not in the registry). */
export function budgetOf(name: string): number {
  return STACK_SERVICES.find((s) => s.name === name)?.budgetBytes ?? 0;
}
