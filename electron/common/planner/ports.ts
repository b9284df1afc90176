import type { PlannedPort } from '../contracts/stack-plan.js';
import { InputError } from '../contracts/errors.js';
import { DEFAULT_PORTS } from '../catalog/images.js';

const FIRST_EXTRA_MODEL_PORT = 8002;

/** The name under which settings' `ports` set the wake gateway's host port. */
export const WAKE_GATEWAY = 'wake';

/**
 * Host ports for the services in order: settings first, then the defaults, then the next free port from 8002.
 * A port set twice in settings is bad input.
 */
export function assignHostPorts(
  /** Each service's container port, and the host port it prefers (its registry entry's, or DEFAULT_PORTS'). */
  services: readonly { name: string; containerPort: number; preferred?: number | undefined }[],
  overrides: Record<string, number>,
  bind: string,
): Map<string, PlannedPort> {
  const taken = new Map<number, string>();
  for (const [name, port] of Object.entries(overrides)) {
    if (!services.some((s) => s.name === name)) continue;
    const owner = taken.get(port);
    if (owner)
      throw new InputError(
        `ports.${name}`,
        `${port} is already set for ${owner}; each service needs its own host port`,
      );
    taken.set(port, name);
  }
  const result = new Map<string, PlannedPort>();
  for (const service of services) {
    let host = overrides[service.name];
    if (host === undefined) {
      const preferred = service.preferred ?? DEFAULT_PORTS[service.name];
      host = preferred !== undefined && !taken.has(preferred) ? preferred : FIRST_EXTRA_MODEL_PORT;
      while (taken.has(host)) host++;
      taken.set(host, service.name);
    }
    result.set(service.name, { host, container: service.containerPort, bind });
  }
  return result;
}
