import type { HostFacts } from '../contracts/host-facts.js';
import { InputError } from '../contracts/errors.js';
import type { CustomModel, ModelTuning, Settings } from '../contracts/settings.js';
import { blockingWarnings, sameWarning, type PlannedService, type StackPlan } from '../contracts/stack-plan.js';
import { catalogFor, modelFromCustom } from '../catalog/resolve.js';
import { formatGiB, formatTokens } from '../units.js';
import { engineMemory, engineMemoryBytes } from './memory-account.js';
import { planStack } from './plan.js';
import type { PlanInputs } from './plan-inputs.js';

/**
 * What-if: the planner run on settings the user has not saved yet, in the window, as a slider moves. Pure and
 * fast (the planner is), so every change re-plans at once; nothing here touches a file or the engine.
 */

export type Replanned = { ok: true; plan: StackPlan } | { ok: false; field: string; message: string };

export function replan(facts: HostFacts, inputs: PlanInputs, change: Partial<Settings>): Replanned {
  try {
    return { ok: true, plan: planStack(facts, { ...inputs.settings, ...change }, inputs.options) };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, field: error.field, message: error.allowed };
    throw error;
  }
}

/** A container as `up` creates it: what the plan says of it, less the words. */
function containerSpec(service: PlannedService): string {
  const { reasons: _reasons, ...spec } = service;
  return JSON.stringify(spec);
}

/** The services `up` would create again after this change: those whose container the plan describes differently. */
export function recreatedBy(before: StackPlan, after: StackPlan): string[] {
  const old = new Map(before.services.map((s) => [s.name, containerSpec(s)]));
  return after.services.filter((s) => old.has(s.name) && old.get(s.name) !== containerSpec(s)).map((s) => s.name);
}

/** The limits a slider offers for one model: what the settings schema and the model allow. */
export function tuningLimits(
  settings: Settings,
  service: string,
  facts: HostFacts,
): { maxContext: number; maxKvCacheGiB: number } | undefined {
  const model = catalogFor(settings).find((m) => m.service === service);
  if (!model) return undefined;
  const engineGiB = Math.floor(engineMemoryBytes(facts) / 1024 ** 3);
  return { maxContext: model.maxModelLen, maxKvCacheGiB: Math.max(1, engineGiB) };
}

export function withTuning(settings: Settings, service: string, tuning: ModelTuning): Partial<Settings> {
  const next = { ...settings.tuning, [service]: tuning };
  if (Object.values(tuning).every((v) => v === undefined)) delete next[service];
  return { tuning: next };
}

export interface Fit {
  verdict: 'fits' | 'shorter' | 'no';
  /** The context the model gets where it fits. */
  context?: number;
  message: string;
  plan?: StackPlan;
}

/**
 * Whether a model would fit this host beside the others, computed by the planner: fits, fits with a shorter context, or
 * not (and why).
 */
export function modelFit(facts: HostFacts, inputs: PlanInputs, custom: CustomModel): Fit {
  const spec = modelFromCustom(custom);
  const settings = inputs.settings;
  const before = replan(facts, inputs, {});
  const after = replan(facts, inputs, {
    models: [...settings.models, custom],
    disabledModels: settings.disabledModels.filter((d) => d !== spec.service),
  });
  if (!after.ok) return { verdict: 'no', message: `${after.field}: ${after.message}` };
  const plan = after.plan;
  const service = plan.services.find((s) => s.name === spec.service);
  const profile = plan.profile;
  if (!service) {
    if ((custom.device === 'gpu') !== (profile === 'production')) {
      return {
        verdict: 'no',
        plan,
        message:
          `this is a ${custom.device.toUpperCase()} model, and the ${profile} profile runs ` +
          `${profile === 'production' ? 'GPU' : 'CPU'} models: ${plan.profileReason}`,
      };
    }
    const why = plan.warnings.find((w) => w.service === spec.service);
    return { verdict: 'no', plan, message: why?.message ?? `the planner leaves ${spec.service} out on this machine` };
  }
  const blocking = blockingWarnings(plan).find(
    (w) => !before.ok || !before.plan.warnings.some((o) => sameWarning(o, w)),
  );
  if (blocking) return { verdict: 'no', plan, message: blocking.message };
  // Memory: a model that makes the plan ask for more than the engine has (or more than it already did) does not fit.
  const over = engineMemory(plan, facts).overBytes;
  const overBefore = before.ok ? engineMemory(before.plan, facts).overBytes : 0;
  if (over > overBefore + 1024 ** 2) {
    const memory = plan.warnings.find((w) => w.code === 'insufficient-memory');
    return {
      verdict: 'no',
      plan,
      message:
        (memory ? `${memory.message} ` : '') +
        `With it the plan needs ${formatGiB(over - overBefore)} more than the engine has.`,
    };
  }
  const context = service.model?.maxModelLen ?? 0;
  // The same words as the plan's fit badge, in vLLM's terms.
  const fit = service.model?.fit;
  if (fit)
    return {
      verdict: fit.verdict,
      context,
      plan,
      message:
        fit.verdict === 'shorter' ? `${fit.words} (the model allows ${formatTokens(custom.maxModelLen)})` : fit.words,
    };
  return {
    verdict: context < custom.maxModelLen ? 'shorter' : 'fits',
    context,
    plan,
    message: `fits ${formatTokens(context)} context`,
  };
}
