import type { PlannedService } from '../../common/contracts/stack-plan.js';
import { InputError } from '../../common/contracts/errors.js';

export interface DependencyEdge {
  service: string;
  dependsOn: { service: string; condition: 'started' | 'healthy' }[];
}

/** The named services and everything they need, in plan order. Unknown names are bad input. */
export function withDependencies<T extends DependencyEdge>(
  services: readonly T[],
  names: readonly string[] | undefined,
): T[] {
  if (!names?.length) return [...services];
  const known = new Map(services.map((s) => [s.service, s]));
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name)) return;
    const service = known.get(name);
    if (!service)
      throw new InputError('SERVICE', `unknown service "${name}"; this plan has: ${[...known.keys()].join(', ')}`);
    wanted.add(name);
    for (const dep of service.dependsOn) if (known.has(dep.service)) visit(dep.service);
  };
  names.forEach(visit);
  return services.filter((s) => wanted.has(s.service));
}

/** The named services and everything that needs them: what must stop when they stop. */
export function withDependents<T extends DependencyEdge>(services: readonly T[], names: readonly string[]): T[] {
  const wanted = new Set(names);
  let grew = true;
  while (grew) {
    grew = false;
    for (const service of services) {
      if (!wanted.has(service.service) && service.dependsOn.some((d) => wanted.has(d.service))) {
        wanted.add(service.service);
        grew = true;
      }
    }
  }
  return services.filter((s) => wanted.has(s.service));
}

/** Groups to stop one after another: dependents before what they depend on; each group in parallel. */
export function stopOrder<T extends DependencyEdge>(services: readonly T[]): T[][] {
  const left = new Set(services.map((s) => s.service));
  const groups: T[][] = [];
  while (left.size) {
    const group = services.filter(
      (s) =>
        left.has(s.service) &&
        !services.some((other) => left.has(other.service) && other.dependsOn.some((d) => d.service === s.service)),
    );
    if (group.length === 0) {
      groups.push(services.filter((s) => left.has(s.service)));
      break;
    }
    group.forEach((s) => left.delete(s.service));
    groups.push(group);
  }
  return groups;
}

export function edgesOf(services: readonly PlannedService[]): (DependencyEdge & { planned: PlannedService })[] {
  return services.map((s) => ({ service: s.name, dependsOn: s.dependsOn, planned: s }));
}
