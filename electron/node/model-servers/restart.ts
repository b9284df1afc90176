import type Docker from 'dockerode';
import { InputError } from '../../common/contracts/errors.js';
import type { Secrets } from '../../common/contracts/secrets.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import { runsOnHost } from '../../common/model-servers/registry.js';
import { listOwned } from '../engine/owned.js';
import { restartHostModel } from './host-process/host-up.js';

/**
 * Restarts one service wherever it runs: a model server on this machine under its supervisor, a container through the
 * engine (10 s to stop, as `docker restart`).
 */
export async function restartService(
  ctx: { home: string; secrets: Secrets; docker: () => Docker },
  plan: StackPlan,
  service: string,
): Promise<void> {
  const planned = plan.services.find((s) => s.name === service);
  if (planned && runsOnHost(planned)) return restartHostModel(ctx, plan, planned);
  const docker = ctx.docker();
  const container = (await listOwned(docker, plan.stack)).get(service);
  if (!container) throw new InputError('service', `"${service}" has no container yet; start it first`);
  await docker.getContainer(container.id).restart({ t: 10 });
}
