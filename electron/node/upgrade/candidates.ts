import { IMAGE_SOURCES } from '../../common/catalog/images.js';
import type { Settings } from '../../common/contracts/settings.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import type { UpgradeCandidate, UpgradesFile } from '../../common/contracts/upgrade.js';

export type { UpgradeCandidate };
import type { OwnedContainer } from '../engine/owned.js';

/** Where a planned image comes from, in words: the user's setting, or Berth's default and where upstream has it. */
export function imageSource(settings: Settings, service: string, image: string): string {
  if (settings.images[service] === image) return `set in settings (images.${service})`;
  const source = IMAGE_SOURCES[image];
  return source ? `Berth's default, released at ${source}` : "Berth's default";
}

/**
 * Each service of the plan (before holds) whose container runs another image than the plan's: what `berth upgrade`
 * offers to try. A service without a container has nothing to compare with: `berth up` starts it.
 */
export function upgradeCandidates(
  raw: StackPlan,
  owned: ReadonlyMap<string, OwnedContainer>,
  settings: Settings,
  records: UpgradesFile,
): UpgradeCandidate[] {
  const candidates: UpgradeCandidate[] = [];
  for (const service of raw.services) {
    const container = owned.get(service.name);
    if (!container || !service.image || container.image === service.image) continue;
    const record = records.services[service.name];
    candidates.push({
      service: service.name,
      running: container.image,
      candidate: service.image,
      source: imageSource(settings, service.name, service.image),
      model: service.role === 'model',
      ...(record?.hold && record.hold.instead === service.image ? { hold: record.hold } : {}),
      ...(record?.trial ? { lastTrial: record.trial } : {}),
    });
  }
  return candidates;
}
