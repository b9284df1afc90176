import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';

/** What the preload exposes as window.berth. */
export interface BerthBridge {
  overview(): Promise<{ facts: HostFacts; plan: StackPlan } | { error: string }>;
}

declare global {
  interface Window {
    berth?: BerthBridge;
  }
}
