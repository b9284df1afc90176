/** Labels on everything Berth creates: Docker is the source of truth, and these say what is Berth's. */
export const LABELS = {
  owner: 'dev.berth.owner',
  stack: 'dev.berth.stack',
  service: 'dev.berth.service',
  planHash: 'dev.berth.plan-hash',
  dependsOn: 'dev.berth.depends-on',
} as const;

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
