import type { ProfileChoice, Settings } from '../contracts/settings.js';
import type { StackServiceDefinition } from '../services/definition.js';
import { type Measurement } from '../contracts/measurement.js';
import type { ImageHold } from '../contracts/upgrade.js';

/** What a plan is made from besides the facts: settings, and the options chosen outside them. */

export interface PlanOptions {
  /** A profile chosen outside settings (a --profile flag, LITELLM_ENVIRONMENT) and who chose it. */
  profile?: { choice: ProfileChoice; source: string };
  /** What earlier starts measured (BERTH_HOME/measured.json): a plan for the same image, model and engine uses them. */
  measurements?: readonly Measurement[];
  /**
   * Images kept back by `berth upgrade` (BERTH_HOME/upgrades.json), by service: where the plan would run a hold's
   * `instead`, it runs its `image` (planner/holds.ts).
   */
  holds?: Readonly<Record<string, ImageHold>>;
  /** The services beside the models: the registry's (services/registry.ts) unless given. */
  stackServices?: readonly StackServiceDefinition[];
}

/** The exact inputs a plan was made from: the settings with the environment applied, and the options outside them. */
export interface PlanInputs {
  settings: Settings;
  options: PlanOptions;
}
