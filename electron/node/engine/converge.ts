import { blockingWarnings, type PlannedService, type StackPlan } from '../../common/contracts/stack-plan.js';
import { stackFiles } from '../../common/export/files.js';
import { EngineError } from './errors.js';
import { containerSpec, type ContainerSpec } from './container-spec.js';
import { edgesOf, withDependencies } from './graph.js';
import { writeStackFiles } from './stack-files.js';
import { enginePlatform, imageProblem, resolveImages } from './image-preflight.js';
import { withStackLock } from './lock.js';
import { listOwned, type OwnedContainer } from './owned.js';
import { checkNameCollisions, checkPorts, ensureNetwork, ensureVolumes } from './preflight.js';
import type { EngineContext, UpResult } from './context.js';
import { upSteps, type UpStep } from './up-steps.js';
import { runSteps } from './up-run.js';
import { containerServices, runsOnHost } from '../../common/model-servers/registry.js';
import { hostRuns } from '../model-servers/host-process/host-up.js';
import { sweepOrphans } from '../model-servers/host-process/host-status.js';

/** The plan's services that `up` acts on: the named ones and what they need, or all; a blocked plan is refused. */
function selectedServices(plan: StackPlan, names?: readonly string[]): PlannedService[] {
  const blocking = blockingWarnings(plan)[0];
  if (blocking)
    throw new EngineError(
      `this stack cannot start: ${blocking.code}: ${blocking.message}`,
      'nothing was created or stopped; berth plan shows the whole plan',
    );
  return withDependencies(edgesOf(plan.services), names).map((e) => e.planned);
}

/** Each selected service's container as this plan makes it, with the generated files it mounts. */
function containerSpecs(
  ctx: Pick<EngineContext, 'home' | 'secrets' | 'gpuRuntime' | 'gpuDevices' | 'local'>,
  plan: StackPlan,
  selected: readonly PlannedService[],
  files: Map<string, string>,
): Map<string, ContainerSpec> {
  const context = { ...ctx, files };
  return new Map(containerServices(selected).map((s) => [s.name, containerSpec(plan, s, context)]));
}

async function steps(
  home: string,
  plan: StackPlan,
  selected: readonly PlannedService[],
  owned: ReadonlyMap<string, OwnedContainer>,
  specs: ReadonlyMap<string, ContainerSpec>,
  names?: readonly string[],
): Promise<UpStep[]> {
  const hashes = new Map([...specs].map(([name, spec]) => [name, spec.hash]));
  const host = await hostRuns(home, plan, selected.filter(runsOnHost));
  return upSteps({ plan, selected, owned, hashes, names, host });
}

/**
 * What `up` would do now, step by step, with nothing changed: the engine's containers read, the plan's files and
 * containers computed in memory (`berth up --dry-run`).
 */
export async function upDryRun(ctx: EngineContext, plan: StackPlan, names?: readonly string[]): Promise<UpStep[]> {
  const selected = selectedServices(plan, names);
  const contents = new Map(stackFiles(plan).map((f) => [f.path, f.content]));
  const owned = await listOwned(ctx.docker, plan.stack);
  return steps(ctx.home, plan, selected, owned, containerSpecs(ctx, plan, selected, contents), names);
}

/** Everything `up` checks before it changes anything, and the network and volumes it needs. */
async function prepare(
  ctx: EngineContext,
  plan: StackPlan,
  selected: readonly PlannedService[],
  owned: Map<string, OwnedContainer>,
): Promise<void> {
  const containers = containerServices(selected);
  await checkNameCollisions(ctx.docker, plan, containers);
  await checkPorts(ctx.docker, containers, owned, ctx.local);
  for (const service of containers) {
    if (service.gpus?.length && !ctx.gpuRuntime) {
      ctx.emit({
        kind: 'warning',
        message:
          `${service.name}: the engine has no NVIDIA runtime, so its GPU request (${service.gpus.join(',')}` +
          ') is dropped and it runs without a GPU',
      });
    }
  }
  if ((await ensureNetwork(ctx.docker, plan)) === 'created')
    ctx.emit({ kind: 'step', message: `created network ${plan.network}` });
  for (const volume of await ensureVolumes(ctx.docker, plan, selected))
    ctx.emit({ kind: 'step', message: `created volume ${volume}` });
}

/**
 * Makes Docker match the plan: network, volumes, generated files, images, weights and containers, started in
 * dependency order and gated on health, independent services in parallel. Nothing is created before the checks pass;
 * a failed service stops only what waits for it. Decided first (up-steps.ts: the same steps `--dry-run` prints), then
 * executed (up-run.ts). Serialised per stack.
 */
export async function up(ctx: EngineContext, plan: StackPlan, names?: readonly string[]): Promise<UpResult> {
  await checkImages(ctx, plan, names);
  return withStackLock(
    ctx.home,
    plan.stack,
    () => upLocked(ctx, plan, names),
    (pid) => ctx.emit({ kind: 'step', message: `waiting for another Berth (pid ${pid}) that is changing this stack` }),
  );
}

/**
 * Every image is resolved (here, built from a checkout, or in its registry for this engine's platform) before
 * anything is created or stopped.
 */
export async function checkImages(ctx: EngineContext, plan: StackPlan, names?: readonly string[]): Promise<void> {
  const selected = selectedServices(plan, names);
  const platform = await enginePlatform(ctx.docker);
  const unavailable = imageProblem(await resolveImages(ctx.docker, containerServices(selected), platform), platform);
  if (unavailable) throw unavailable;
}

/** `up` for a caller holding the stack's lock already (withStackLock): `berth upgrade`'s trial holds it throughout. */
export async function upLocked(ctx: EngineContext, plan: StackPlan, names?: readonly string[]): Promise<UpResult> {
  const selected = selectedServices(plan, names);
  // A model server on the host left without its supervisor is ended before anything starts again.
  for (const ended of await sweepOrphans(ctx.home))
    ctx.emit({ kind: 'warning', message: `${ended} was running without its supervisor: ended` });
  const owned = await listOwned(ctx.docker, plan.stack);
  await prepare(ctx, plan, selected, owned);
  const files = await writeStackFiles(ctx.home, plan);
  const specs = containerSpecs(ctx, plan, selected, files.contents);
  const planned = await steps(ctx.home, plan, selected, owned, specs, names);
  return runSteps(ctx, plan, planned, { selected, specs, files });
}
