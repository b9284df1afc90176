import type { ServiceStatus, StackStatus } from '../../../common/contracts/status.js';
import type { StackPlan } from '../../../common/contracts/stack-plan.js';
import { stackSnapshot } from '../../engine/container-status.js';
import { StatusTracker } from '../../engine/status.js';
import { readAnsweredSync } from '../../engine/answered.js';
import type { StackSession } from '../../session/stack-session.js';
import { sshLinkLost } from '../../ssh/ssh-errors.js';
import { statusReport } from '../format/status-table.js';
import type { PlanFlags } from './plan.js';
import { untilStopSignal } from '../../shutdown.js';
import { withHostStatuses } from '../../model-servers/host-process/host-status.js';
import { readUpgradesSync } from '../../upgrade/store.js';

/**
 * Each model's figures in vLLM's terms beside its state: planned, and measured at its last start (the plan carries
 * both).
 */
export function withVllmFigures(plan: StackPlan, services: ServiceStatus[]): ServiceStatus[] {
  return services.map((status) => {
    const model = plan.services.find((s) => s.name === status.name)?.model;
    return model?.expected
      ? { ...status, vllm: { planned: model.expected, ...(model.measured ? { measured: model.measured } : {}) } }
      : status;
  });
}

/** When each service was last trialled by `berth upgrade`, of which image, and what came of it. */
export function withTrials(home: string, stack: string, services: ServiceStatus[]): ServiceStatus[] {
  const records = readUpgradesSync(home, stack).services;
  return services.map((status) => {
    const trial = records[status.name]?.trial;
    return trial
      ? { ...status, trial: { at: trial.endedAt ?? trial.startedAt, image: trial.to, outcome: trial.outcome } }
      : status;
  });
}

export async function statusCommand(
  session: StackSession,
  flags: PlanFlags & { json?: boolean; watch?: boolean },
  out: (text: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  const connection = await session.engine();
  const plan = await session.plan(flags);
  const planned = plan.services.map((s) => s.name);
  const endpoint = connection.endpoint;
  const print = (status: StackStatus) =>
    out(flags.json ? JSON.stringify(status, null, flags.watch ? 0 : 2) : statusReport(status));
  if (!flags.watch) {
    const snapshot = await stackSnapshot(
      connection.docker,
      plan.stack,
      planned,
      readAnsweredSync(session.home, plan.stack),
    );
    const services = await withHostStatuses(session.home, plan, snapshot);
    print({
      schema: 1,
      engine: endpoint,
      services: withVllmFigures(plan, withTrials(session.home, plan.stack, services)),
    });
    return 0;
  }
  let engine: string | null = endpoint;
  let previous = '';
  const tracker = new StatusTracker({
    docker: connection.docker,
    stack: plan.stack,
    planned,
    answered: () => readAnsweredSync(session.home, plan.stack),
    host: { home: session.home, plan },
    ...(connection.ssh ? { describeLoss: (cause?: Error) => sshLinkLost(endpoint, cause) } : {}),
    onChange: (services) => {
      const status: StackStatus = {
        schema: 1,
        engine,
        services: withVllmFigures(plan, withTrials(session.home, plan.stack, services)),
      };
      const text = JSON.stringify(status);
      if (text === previous) return;
      previous = text;
      if (!flags.json) out(`\n${new Date().toLocaleTimeString()}`);
      print(status);
    },
    onEngine: (connected, trouble) => {
      engine = connected ? endpoint : null;
      if (connected) return;
      // Back after a loss, the state is printed again, even when nothing changed meanwhile.
      previous = '';
      out(
        flags.json
          ? JSON.stringify({ schema: 1, engine: null, services: [], problem: trouble?.message, trouble })
          : `! ${trouble?.message ?? 'the engine went away; reconnecting'}`,
      );
    },
  });
  await tracker.start();
  await untilStopSignal(signal);
  await tracker.stop();
  return 0;
}
