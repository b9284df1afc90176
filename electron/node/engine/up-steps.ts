import { isOnDemand, type PlannedService, type StackPlan } from '../../common/contracts/stack-plan.js';
import type { OwnedContainer } from './owned.js';

/** A service `up` waits for before it acts on another: started, or answering as its users reach it. */
export interface Gate {
  service: string;
  condition: 'started' | 'healthy';
}

/**
 * What `up` does to one service, decided before anything is done:
 * - create: no container yet; recreate: its container was made from another plan (removed, then made again);
 * - start: made from this plan and stopped; keep: made from this plan and running (its reloadable files reloaded).
 * `asleep` is a model on demand that nobody named and that is not running: its container is made from this plan if it
 * must be, and left stopped for its first request to start.
 */
export interface ServiceStep {
  kind: 'create' | 'recreate' | 'start' | 'keep';
  service: string;
  /** The container there now (recreate, start, keep). */
  containerId?: string;
  after: Gate[];
  asleep: boolean;
}

/** A container of this stack that the plan no longer has (a model turned off, the other profile): removed. */
export interface RemoveStep {
  kind: 'remove';
  service: string;
  containerId: string;
}

/** Waiting for a service's own health check, after acting on it; what depends on it waits on its gate instead. */
export interface WaitStep {
  kind: 'wait-for';
  service: string;
}

export type UpStep = RemoveStep | ServiceStep | WaitStep;

/**
 * The steps of `up`, in order, from the plan and the engine's state: what to remove, then each selected service in
 * dependency order, each acted on and then waited for. Pure: `up` executes these, and `berth up --dry-run` prints them.
 * `hashes` are the containers' plan hashes as this plan makes them (container-spec.ts).
 */
export function upSteps(args: {
  plan: StackPlan;
  selected: readonly PlannedService[];
  owned: ReadonlyMap<string, Pick<OwnedContainer, 'id' | 'planHash' | 'state'>>;
  hashes: ReadonlyMap<string, string>;
  names?: readonly string[];
}): UpStep[] {
  const { plan, selected, owned, hashes, names } = args;
  const steps: UpStep[] = [];
  if (!names?.length) {
    for (const [service, container] of owned)
      if (!plan.services.some((s) => s.name === service))
        steps.push({ kind: 'remove', service, containerId: container.id });
  }
  for (const service of selected) {
    const existing = owned.get(service.name);
    const asleep = isOnDemand(service) && !names?.includes(service.name) && existing?.state !== 'running';
    const after = service.dependsOn.filter((d) => selected.some((s) => s.name === d.service));
    const same = existing !== undefined && existing.planHash === hashes.get(service.name);
    const kind = !existing ? 'create' : !same ? 'recreate' : existing.state === 'running' || asleep ? 'keep' : 'start';
    steps.push({ kind, service: service.name, ...(existing ? { containerId: existing.id } : {}), after, asleep });
    if (!asleep) steps.push({ kind: 'wait-for', service: service.name });
  }
  return steps;
}

/** One line a person reads per step, for `berth up --dry-run`. */
export function describeStep(step: UpStep): string {
  if (step.kind === 'remove') return `remove    ${step.service} (not in this plan)`;
  if (step.kind === 'wait-for') return `wait for  ${step.service} to pass its health check`;
  const after = step.after.length
    ? ` after ${step.after.map((g) => `${g.service} ${g.condition === 'healthy' ? 'answers' : 'starts'}`).join(', ')}`
    : '';
  const asleep = !step.asleep
    ? ''
    : step.kind === 'keep'
      ? ' (asleep: its first request starts it)'
      : ', left asleep (its first request starts it)';
  return `${step.kind.padEnd(9)} ${step.service}${after}${asleep}`;
}
