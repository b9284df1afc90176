import type { PlannedService } from '../contracts/stack-plan.js';
import { CONTAINER_PORTS, HOST_ALIAS } from '../planner/services.js';

/**
 * The kinds of model server (docs/decisions/0014): where each runs, and what the window, the tray and the pictures call
 * its device. A kind's planning lives in its own folder here (vllm-metal/), its running in node/model-servers/; a new
 * kind adds its folder and one entry below.
 */
export interface ModelServerKind {
  id: NonNullable<NonNullable<PlannedService['model']>['server']>;
  /** A container on the engine, or a process on the host beside it. */
  runs: 'container' | 'host';
  /** What the upstream project is called, in sentences. */
  product: string;
}

export const MODEL_SERVERS: Readonly<Record<ModelServerKind['id'], ModelServerKind>> = {
  vllm: { id: 'vllm', runs: 'container', product: 'vLLM' },
  'vllm-metal': { id: 'vllm-metal', runs: 'host', product: 'vllm-metal' },
};

/** The kind of server that runs a planned model (a plan without the field: vLLM in a container). */
export function serverOf(service: Pick<PlannedService, 'model'>): ModelServerKind {
  return MODEL_SERVERS[service.model?.server ?? 'vllm'];
}

/** A model that runs as a process on the host, not as a container on the engine. */
export function runsOnHost(service: Pick<PlannedService, 'model'>): boolean {
  return service.model !== undefined && serverOf(service).runs === 'host';
}

/** The services that are containers on the engine: everything the plan runs except the host's model servers. */
export function containerServices<T extends Pick<PlannedService, 'model'>>(services: readonly T[]): T[] {
  return services.filter((s) => !runsOnHost(s));
}

/**
 * Where the stack's containers reach a model server: a container by its name on the stack's network, a process on the
 * host at the host's alias and its own port (the engine's VM forwards the alias to the Mac's loopback).
 */
export function addressFromStack(service: Pick<PlannedService, 'model' | 'name' | 'ports'>): string {
  if (runsOnHost(service)) return `${HOST_ALIAS}:${service.ports[0]?.host ?? CONTAINER_PORTS.model}`;
  return `${service.name}:${service.ports[0]?.container || CONTAINER_PORTS.model}`;
}
