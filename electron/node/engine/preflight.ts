import net from 'node:net';
import type Docker from 'dockerode';
import type { PlannedService, StackPlan } from '../../common/contracts/stack-plan.js';
import { EngineError, dockerMessage, statusCode } from './errors.js';
import { LABELS, containerName, ownedBy, stackLabels } from './labels.js';
import type { OwnedContainer } from './owned.js';

/** A container that holds one of our names but is not ours: never touched, always reported. */
export async function checkNameCollisions(
  docker: Docker,
  plan: StackPlan,
  services: readonly PlannedService[],
): Promise<void> {
  const names = services.map((s) => containerName(plan.stack, s.name));
  const found = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ name: names.map((n) => `^/${n}$`) }),
  });
  for (const name of names) {
    const clash = found.find((c) => c.Names.includes(`/${name}`) && !ownedBy(c.Labels, plan.stack));
    if (clash) {
      throw new EngineError(
        `a container named "${name}" exists and was not made by Berth for the "${plan.stack}" stack; Berth ` +
          'leaves it alone',
        `rename or remove it yourself (docker rename ${name} ${name}-old), or give Berth another stack name ` +
          '(settings: "stack")',
      );
    }
  }
}

/** Whether this machine could listen on the port now. */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Every host port the services will publish must be free, unless our own container for that service holds it.
 * Checked before anything is created. `local` says the engine publishes on this machine.
 */
export async function checkPorts(
  docker: Docker,
  services: readonly PlannedService[],
  owned: Map<string, OwnedContainer>,
  local: boolean,
): Promise<void> {
  const all = await docker.listContainers({ all: false });
  for (const service of services) {
    for (const port of service.ports) {
      const holder = all.find(
        (c) => c.Ports.some((p) => p.PublicPort === port.host) && c.Id !== owned.get(service.name)?.id,
      );
      if (holder) {
        const name = (holder.Names[0] ?? holder.Id).replace(/^\//, '');
        const ours = holder.Labels[LABELS.owner] === 'berth' ? ` (Berth's ${holder.Labels[LABELS.service]})` : '';
        throw new EngineError(
          `port ${port.host} for ${service.name} is already published by container ${name}${ours}`,
          `stop that container, or set another port for ${service.name} ` +
            `(settings: "ports": { "${service.name}": … })`,
        );
      }
      const ourRunning = owned.get(service.name)?.state === 'running';
      if (local && !ourRunning && !(await portFree(port.host, port.bind))) {
        throw new EngineError(
          `port ${port.host} on ${port.bind} for ${service.name} is in use by another program`,
          `stop that program (lsof -i :${port.host} shows it), or set another port for ${service.name}` +
            ` (settings: "ports": { "${service.name}": … })`,
        );
      }
    }
  }
}

const COMPATIBLE_DRIVERS = ['bridge', 'overlay'];

/** The stack's network: reused when it exists with a driver containers can share, created otherwise. */
export async function ensureNetwork(docker: Docker, plan: StackPlan): Promise<'created' | 'reused'> {
  try {
    const info = (await docker.getNetwork(plan.network).inspect()) as {
      Driver: string;
      Attachable?: boolean;
      Scope?: string;
    };
    if (!COMPATIBLE_DRIVERS.includes(info.Driver) || (info.Driver === 'overlay' && !info.Attachable)) {
      throw new EngineError(
        `the network "${plan.network}" exists with driver "${info.Driver}"` +
          `${info.Driver === 'overlay' ? ' and is not attachable' : ''}, which Berth's containers cannot join`,
        `choose another network name (settings: "network"), or remove that network if nothing uses it`,
      );
    }
    return 'reused';
  } catch (error) {
    if (error instanceof EngineError) throw error;
    if (statusCode(error) !== 404)
      throw new EngineError(
        `cannot inspect the network "${plan.network}": ${dockerMessage(error)}`,
        'check that Docker is running',
      );
  }
  try {
    await docker.createNetwork({
      Name: plan.network,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: stackLabels(plan.stack),
    });
  } catch (error) {
    // Another Berth (or docker network create) made it in the meantime: reuse it.
    if (statusCode(error) !== 409)
      throw new EngineError(
        `cannot create the network "${plan.network}": ${dockerMessage(error)}`,
        'check that Docker is running and has room for another network',
      );
  }
  return 'created';
}

/** Named volumes of the plan, created (with Berth's labels) when missing; existing ones are kept as they are. */
export async function ensureVolumes(
  docker: Docker,
  plan: StackPlan,
  services: readonly PlannedService[],
): Promise<string[]> {
  const wanted = [
    ...new Set(services.flatMap((s) => s.mounts.filter((m) => m.kind === 'volume').map((m) => m.source))),
  ];
  const { Volumes } = await docker.listVolumes();
  const missing = wanted.filter((name) => !(Volumes ?? []).some((v) => v.Name === name));
  await Promise.all(missing.map((name) => docker.createVolume({ Name: name, Labels: stackLabels(plan.stack) })));
  return missing;
}
