import type Docker from 'dockerode';
import type { ProgressListener } from '../../common/contracts/progress.js';
import { InputError } from '../../common/contracts/errors.js';
import { dockerMessage, statusCode } from './errors.js';
import { stopOrder, withDependents, type DependencyEdge } from './graph.js';
import { LABELS, ownedBy, stackFilter } from './labels.js';
import { withStackLock } from './lock.js';
import { listOwned, type OwnedContainer } from './owned.js';
import { removeHostModel } from '../model-servers/host-process/host-models.js';
import { alive, listRecords } from '../model-servers/host-process/records.js';

export interface DownResult {
  removed: string[];
  volumesRemoved: string[];
}

function edges(owned: Map<string, OwnedContainer>): (DependencyEdge & { container: OwnedContainer })[] {
  return [...owned.values()].map((container) => ({
    service: container.service,
    container,
    dependsOn: (container.labels[LABELS.dependsOn] ?? '')
      .split(',')
      .filter(Boolean)
      .map((entry) => {
        const [service, condition] = entry.split(':');
        return {
          service: service ?? '',
          condition: condition === 'started' ? ('started' as const) : ('healthy' as const),
        };
      }),
  }));
}

/** Model servers on this machine, beside the containers: stopped and forgotten as a container is removed. */
async function hostModelsOf(home: string, stack: string): Promise<{ service: string; running: boolean }[]> {
  return (await listRecords(home, stack)).map((r) => ({ service: r.service, running: alive(r.supervisorPid) }));
}

async function stopHostModels(
  home: string,
  stack: string,
  onHost: readonly { service: string }[],
  names: readonly string[],
  emit: ProgressListener,
): Promise<string[]> {
  const chosen = onHost.filter((h) => !names.length || names.includes(h.service));
  await Promise.all(
    chosen.map(async ({ service }) => {
      emit({ kind: 'stopping', service });
      await removeHostModel(home, stack, service);
      emit({ kind: 'removed', service });
    }),
  );
  return chosen.map((h) => h.service);
}

/**
 * Stops and removes this stack's containers, found by their labels: the named services and what depends on
 * them, or all of them. Dependents stop first. Volumes go only when asked; the network when Berth made it and
 * nothing else uses it. Nothing without Berth's labels is touched.
 */
export async function down(
  args: { docker: Docker; home: string; stack: string; network: string; emit: ProgressListener },
  names: readonly string[] = [],
  options: { volumes?: boolean } = {},
): Promise<DownResult> {
  const { docker, stack, emit } = args;
  return withStackLock(args.home, stack, async () => {
    const owned = await listOwned(docker, stack);
    const onHost = await hostModelsOf(args.home, stack);
    const all = edges(owned);
    for (const name of names) {
      if (!owned.has(name) && !onHost.some((h) => h.service === name))
        throw new InputError(
          'SERVICE',
          `"${name}" is not running in the "${stack}" stack; running: ` +
            `${[...owned.keys(), ...onHost.filter((h) => h.running).map((h) => h.service)].join(', ') || 'nothing'}`,
        );
    }
    const chosen = names.length
      ? withDependents(
          all,
          names.filter((n) => owned.has(n)),
        )
      : all;
    const removed: string[] = [];
    removed.push(...(await stopHostModels(args.home, stack, onHost, names, emit)));
    for (const group of stopOrder(chosen)) {
      await Promise.all(
        group.map(async ({ service, container }) => {
          emit({ kind: 'stopping', service });
          const handle = docker.getContainer(container.id);
          await handle.stop({ t: 10 }).catch((error: unknown) => {
            if (statusCode(error) !== 304 && statusCode(error) !== 404) throw error;
          });
          await handle.remove({ force: true }).catch((error: unknown) => {
            if (statusCode(error) !== 404) throw error;
          });
          removed.push(service);
          emit({ kind: 'removed', service });
        }),
      );
    }
    const volumesRemoved: string[] = [];
    if (!names.length) {
      // Prefetch jobs left behind by an interrupted up.
      const jobs = await docker.listContainers({ all: true, filters: JSON.stringify(stackFilter(stack)) });
      for (const job of jobs)
        await docker
          .getContainer(job.Id)
          .remove({ force: true })
          .catch(() => undefined);
      if (options.volumes) {
        const { Volumes } = await docker.listVolumes({ filters: JSON.stringify(stackFilter(stack)) });
        for (const volume of Volumes ?? []) {
          try {
            await docker.getVolume(volume.Name).remove();
            volumesRemoved.push(volume.Name);
            emit({ kind: 'step', message: `removed volume ${volume.Name}` });
          } catch (error) {
            emit({ kind: 'warning', message: `volume ${volume.Name} kept: ${dockerMessage(error)}` });
          }
        }
      }
      try {
        const network = (await docker.getNetwork(args.network).inspect()) as {
          Labels?: Record<string, string>;
          Containers?: Record<string, unknown>;
        };
        if (ownedBy(network.Labels, stack) && Object.keys(network.Containers ?? {}).length === 0) {
          await docker.getNetwork(args.network).remove();
          emit({ kind: 'step', message: `removed network ${args.network}` });
        }
      } catch (error) {
        if (statusCode(error) !== 404)
          emit({ kind: 'warning', message: `network ${args.network} kept: ${dockerMessage(error)}` });
      }
    }
    return { removed, volumesRemoved };
  });
}
