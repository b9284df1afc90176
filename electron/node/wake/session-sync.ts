import type Docker from 'dockerode';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import type { HostContext } from '../model-servers/host-process/host-models.js';
import { hostContext } from '../model-servers/host-process/host-up.js';
import type { StackSession } from '../session/stack-session.js';
import { wakeKey } from '../secrets/wake-key.js';
import { hostAddressForContainers } from './host-address.js';

/** Why the wake gateway is not running though the plan has models on demand. */
export interface GatewayProblem {
  problem: string;
  fix: string;
}

/** What following the session asks of the models on demand (on-demand-models.ts). */
export interface FollowsSession {
  guardMac(on: boolean): void;
  stop(): Promise<void>;
  sync(
    docker: Docker,
    plan: StackPlan,
    probeHost: string,
    listenHost: string,
    key: string,
    host?: HostContext,
  ): Promise<void>;
}

/** Why the wake gateway could not start, in the user's terms, with what to do. */
export function gatewayProblem(error: Error): GatewayProblem {
  const { code, port } = error as NodeJS.ErrnoException & { port?: number };
  const problem = `models on demand cannot wake: the wake gateway could not start (${error.message})`;
  if (code === 'EADDRINUSE')
    return {
      problem,
      fix: `another program holds port ${port ?? 'the gateway port'}: stop it, or set ports.wake in Settings`,
    };
  if (code === 'EADDRNOTAVAIL')
    return { problem, fix: "Docker's bridge address is not on this machine yet: restart Docker, then Berth" };
  return { problem, fix: 'read the log for why; berth doctor checks the usual causes' };
}

/**
 * Follows the session's plan on its engine: models on demand are fronted where Berth runs beside the engine (a local
 * one); on another machine's engine there is nothing to front, and the plan warns (on-demand-remote).
 */
export async function syncWithSession(models: FollowsSession, session: StackSession): Promise<void> {
  // No engine answering: nothing to front; the stack's follower tells the user, and syncs again when it answers.
  const engine = await session.engine().catch(() => undefined);
  const plan = engine && (await session.plan());
  // The Mac's memory guard runs while models run on its GPU, whether or not any is on demand.
  const metal = plan?.services.some((s) => s.model?.device === 'metal') ?? false;
  models.guardMac(metal && (await session.settings()).settings.metal.pressureGuard);
  if (!engine?.local || !plan?.onDemand) return models.stop();
  const facts = await session.facts();
  const listenHost = await hostAddressForContainers(engine.docker, facts.engine?.kind);
  const master = (await session.secrets()).LITELLM_MASTER_KEY;
  if (!master) throw new Error('the wake gateway needs the master key, and none is set: set LITELLM_MASTER_KEY');
  const host = hostContext({ home: session.home, secrets: await session.secrets() }, plan.stack);
  await models.sync(engine.docker, plan, '127.0.0.1', listenHost, wakeKey(master, plan.stack), host);
}
