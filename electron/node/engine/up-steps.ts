import { isOnDemand, type PlannedService, type StackPlan } from '../../common/contracts/stack-plan.js';
import type { OwnedContainer } from './owned.js';
import { containerServices, runsOnHost, serverOf } from '../../common/model-servers/registry.js';

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

/**
 * A model server on the host (model-servers/registry.ts): started under Berth's supervisor, kept when the same one
 * runs, restarted when its plan changed, or recorded asleep (a model on demand nobody named); it is then waited for.
 */
export interface HostStep {
  kind: 'host';
  service: string;
  action: 'start' | 'restart' | 'keep' | 'asleep';
  product: string;
}

export type UpStep = RemoveStep | ServiceStep | WaitStep | HostStep;

/** What runs on the host now, by service: the hash of the plan it was started from, and whether it runs. */
export type HostRuns = ReadonlyMap<string, { specHash: string; running: boolean }>;

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
  /** What runs on the host, and the hashes this plan gives its host models (host-models.ts, recordFor). */
  host?: { runs: HostRuns; hashes: ReadonlyMap<string, string> };
}): UpStep[] {
  const { plan, selected, owned, hashes, names } = args;
  const steps: UpStep[] = [];
  if (!names?.length) {
    // A container the plan no longer has, or a model that now runs on the host instead, is removed.
    for (const [service, container] of owned)
      if (!containerServices(plan.services).some((s) => s.name === service))
        steps.push({ kind: 'remove', service, containerId: container.id });
  }
  for (const service of selected.filter(runsOnHost)) {
    const now = args.host?.runs.get(service.name);
    const asleep = isOnDemand(service) && !names?.includes(service.name) && !now?.running;
    const same = now?.running && now.specHash === args.host?.hashes.get(service.name);
    const action = asleep ? 'asleep' : same ? 'keep' : now?.running ? 'restart' : 'start';
    steps.push({ kind: 'host', service: service.name, action, product: serverOf(service).product });
  }
  for (const service of containerServices(selected)) {
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
  if (step.kind === 'host') {
    const what = {
      start: `on this machine (${step.product}), then wait for it to answer`,
      restart: `on this machine (${step.product}): its plan changed, so it stops and starts again`,
      keep: `on this machine (${step.product}): it runs as planned`,
      asleep: `on this machine (${step.product}), left asleep (its first request starts it)`,
    }[step.action];
    const verb = step.action === 'asleep' ? 'keep' : step.action;
    return `${verb.padEnd(9)} ${step.service} ${what}`;
  }
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
