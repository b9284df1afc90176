import type Docker from 'dockerode';
import { LABELS, stackFilter } from './labels.js';

export interface OwnedContainer {
  id: string;
  name: string;
  service: string;
  planHash: string;
  state: string;
  /** The image as the container was created with it (its reference, or its id where the tag has moved since). */
  image: string;
  labels: Record<string, string>;
}

/** This stack's containers, found by their labels, whatever their names. */
export async function listOwned(docker: Docker, stack: string): Promise<Map<string, OwnedContainer>> {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify(stackFilter(stack)) });
  const owned = new Map<string, OwnedContainer>();
  for (const c of list) {
    const service = c.Labels[LABELS.service];
    if (!service) continue;
    owned.set(service, {
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      service,
      planHash: c.Labels[LABELS.planHash] ?? '',
      state: c.State,
      image: c.Image,
      labels: c.Labels,
    });
  }
  return owned;
}
