import type { Measurement } from '../../../common/contracts/measurement.js';
import type { PlannedService, StackPlan } from '../../../common/contracts/stack-plan.js';
import type { EngineContext } from '../../engine/context.js';
import { HOST_SERVER_RUNTIMES } from '../host-kinds.js';
import {
  linesSinceStart,
  recordFor,
  startHostModel,
  stopHostModel,
  waitHostHealthy,
  type HostContext,
} from './host-models.js';
import { alive, listRecords, type HostModelRecord } from './records.js';
import type { HostRuns } from '../../engine/up-steps.js';

/** What a model server on the host gets from the engine's context: where Berth keeps it, and its token. */
export function hostContext(ctx: Pick<EngineContext, 'home' | 'secrets'>, stack: string): HostContext {
  return { home: ctx.home, stack, env: ctx.secrets.HF_TOKEN ? { HF_TOKEN: ctx.secrets.HF_TOKEN } : {} };
}

/** What runs on the host for this stack, and the hashes this plan gives its host models. */
export async function hostRuns(
  home: string,
  plan: StackPlan,
  selected: readonly PlannedService[],
): Promise<{ runs: HostRuns; hashes: ReadonlyMap<string, string> }> {
  const records = await listRecords(home, plan.stack);
  return {
    runs: new Map(records.map((r) => [r.service, { specHash: r.specHash, running: alive(r.supervisorPid) }])),
    hashes: new Map(selected.map((s) => [s.name, recordFor(home, plan, s).specHash])),
  };
}

/** What the server reported as it started, as a measurement kept under its version and this machine. */
function measurement(ctx: EngineContext, service: PlannedService, lines: readonly string[]): Measurement | undefined {
  const model = service.model;
  const runtime = model?.server && model.server !== 'vllm' ? HOST_SERVER_RUNTIMES[model.server] : undefined;
  if (!model || !runtime) return undefined;
  const measured = runtime.figuresFromLog(lines);
  if (Object.keys(measured).length === 0) return undefined;
  return {
    service: service.name,
    image: service.image,
    model: model.id,
    device: model.device,
    engine: ctx.engineEndpoint ?? 'none',
    at: new Date().toISOString(),
    planned: model.expected ?? {},
    measured,
  };
}

/**
 * `up` for a model server on the host: started (or restarted, kept, left asleep), then waited for until it answers,
 * and what it reported at start kept in the measured store. A start that fails says why, from its log; what it
 * reported before it stopped (vllm-metal's refusal) is kept too, so the next plan follows it.
 */
export async function upHostModel(
  ctx: EngineContext,
  plan: StackPlan,
  service: PlannedService,
  action: 'start' | 'restart' | 'keep' | 'asleep',
): Promise<'healthy' | 'asleep'> {
  const host = hostContext(ctx, plan.stack);
  if (action === 'restart') {
    ctx.emit({ kind: 'stopping', service: service.name });
    await stopHostModel(ctx.home, plan.stack, service.name, 'exited');
  }
  ctx.emit(
    action === 'keep' ? { kind: 'unchanged', service: service.name } : { kind: 'starting', service: service.name },
  );
  const outcome = await startHostModel(host, plan, service, { asleep: action === 'asleep' });
  if (outcome === 'asleep') {
    ctx.emit({ kind: 'asleep', service: service.name });
    return 'asleep';
  }
  const startPeriodMs = (service.health?.startPeriodS ?? 1800) * 1000;
  let record: HostModelRecord;
  try {
    record = await waitHostHealthy(ctx.home, plan.stack, service.name, startPeriodMs, (elapsedS) =>
      ctx.emit({ kind: 'waiting', service: service.name, elapsedS, on: 'its health check' }),
    );
  } catch (error) {
    const { readRecord } = await import('./records.js');
    const failed = await readRecord(ctx.home, plan.stack, service.name);
    const kept = failed && measurement(ctx, service, await linesSinceStart(failed));
    if (kept && kept.measured.kvTokens === 0) await ctx.record?.(kept);
    throw error;
  }
  if (outcome === 'started') {
    const kept = measurement(ctx, service, await linesSinceStart(record));
    if (kept) await ctx.record?.(kept);
  }
  return 'healthy';
}

/** A model server on the host stopped and started again under its supervisor (the window's restart). */
export async function restartHostModel(
  ctx: Pick<EngineContext, 'home' | 'secrets'>,
  plan: StackPlan,
  service: PlannedService,
): Promise<void> {
  await stopHostModel(ctx.home, plan.stack, service.name, 'exited');
  await startHostModel(hostContext(ctx, plan.stack), plan, service);
}
