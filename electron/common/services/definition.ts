import type { Settings } from '../contracts/settings.js';
import type { PlannedService, ServiceDraft } from '../contracts/stack-plan.js';
import type { ModelSpec } from '../catalog/models.js';

/** What a service's draft is made from: its image (settings' or its pinned one), the settings, the models served. */
export interface DraftContext {
  image: string;
  settings: Settings;
  served: readonly ModelSpec[];
}

/**
 * One service of the stack beside the models: everything the planner, the exports, the monitoring configuration, the
 * settings and the window need of it. Adding a service is a file like litellm.ts and a line in registry.ts.
 */
export interface StackServiceDefinition {
  name: string;
  role: PlannedService['role'];
  /** The image it runs unless settings name another: pinned in catalog/images.ts, its evidence in docs/upstream.md. */
  image: string;
  /** The port it listens on inside its container. */
  containerPort: number;
  /** Its host port unless settings give another: the reference setup's. */
  hostPort: number;
  /** The memory the plan keeps for it on the engine (no hard limit is set on it). */
  budgetBytes: number;
  /** Prometheus scrapes it: its job's name and its metrics path. */
  scrape?: { job: string; path: string };
  /** What the window and `berth up` call its link, when it has a page people open. */
  link?: string;
  /** Its part of the plan: command, environment, mounts, health check, dependencies and reasons. */
  draft(context: DraftContext): ServiceDraft;
}
