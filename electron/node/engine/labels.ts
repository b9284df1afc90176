/** Labels on everything Berth creates: Docker is the source of truth, and these say what is Berth's. */
export const LABELS = {
  owner: 'dev.berth.owner',
  stack: 'dev.berth.stack',
  service: 'dev.berth.service',
  planHash: 'dev.berth.plan-hash',
  dependsOn: 'dev.berth.depends-on',
  /** "true" on a model on demand: stopped, it is asleep rather than exited (docs/decisions/0013). */
  onDemand: 'dev.berth.on-demand',
} as const;

/** How a container stopped by `docker stop` exits: 0 or 143 after SIGTERM, 137 after the SIGKILL that follows. */
const STOPPED_EXIT_CODES: ReadonlySet<number> = new Set([0, 137, 143]);

/** A model on demand that stopped as sleeping stops it (not out of memory, not a crash's exit code) is asleep. */
export function sleptQuietly(
  labels: Record<string, string> | undefined | null,
  exitCode: number,
  oom: boolean,
): boolean {
  return labels?.[LABELS.onDemand] === 'true' && !oom && STOPPED_EXIT_CODES.has(exitCode);
}

export const OWNER = 'berth';

export function containerName(stack: string, service: string): string {
  return `${stack}-${service}`;
}

export function stackLabels(stack: string): Record<string, string> {
  return { [LABELS.owner]: OWNER, [LABELS.stack]: stack };
}

/** True when the labels say Berth made it for this stack. */
export function ownedBy(labels: Record<string, string> | undefined | null, stack: string): boolean {
  return labels?.[LABELS.owner] === OWNER && labels?.[LABELS.stack] === stack;
}

/** A filter for Docker's list and events endpoints: this stack's objects only. */
export function stackFilter(stack: string): { label: string[] } {
  return { label: [`${LABELS.owner}=${OWNER}`, `${LABELS.stack}=${stack}`] };
}
