import os from 'node:os';
import type { HostFacts } from '../../common/contracts/host-facts.js';
import type { ProgressListener } from '../../common/contracts/progress.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import { connectEngine } from '../docker/connect.js';
import type { EngineContext } from '../engine/converge.js';
import { engineUnavailable } from '../engine/errors.js';
import { loadSecrets, type SecretCipher } from '../engine/secrets.js';
import { probeHostFacts } from '../probe/facts.js';
import { planStack } from '../../common/planner/plan.js';
import type { PlanFlags } from './commands/plan.js';
import { planContext, readFactsFile } from './context.js';

/** The engine that answered, or an EngineError that says whether Docker is stopped or refuses us. */
export async function requireEngine(env: NodeJS.ProcessEnv = process.env) {
  const connection = await connectEngine({ env, home: os.homedir(), platform: process.platform });
  if (!connection.docker) throw engineUnavailable(connection.problem);
  return connection;
}

/** Everything `up` needs: the engine, this machine's facts, the plan, the secrets. */
export async function openStack(flags: PlanFlags, emit: ProgressListener, env: NodeJS.ProcessEnv = process.env, cipher?: SecretCipher): Promise<{ context: EngineContext; plan: StackPlan; facts: HostFacts }> {
  const connection = await requireEngine(env);
  const [facts, planning] = await Promise.all([probeHostFacts(), planContext(flags, env)]);
  const plan = planStack(flags.facts ? await readFactsFile(flags.facts) : facts, planning.settings, planning.profile ? { profile: planning.profile } : {});
  const { home, settings } = planning;
  const endpoint = connection.candidate.endpoint;
  const local = endpoint.startsWith('unix://') || endpoint.startsWith('npipe://');
  const context: EngineContext = {
    docker: connection.docker,
    home,
    secrets: await loadSecrets(home, env, { cipher }),
    gpuRuntime: facts.engine?.gpuRuntime ?? false,
    probeHost: local ? '127.0.0.1' : undefined,
    local,
    prefetchWeights: settings.prefetchWeights,
    emit,
  };
  return { context, plan, facts };
}
