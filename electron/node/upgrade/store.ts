import path from 'node:path';
import { readHomeFile, readHomeFileSync } from '../home-file.js';
import { writeJsonFile } from '../json-file.js';
import { SerialQueue } from '../serial-queue.js';
import type { PlanOptions } from '../../common/planner/plan-inputs.js';
import {
  UpgradesFileSchema,
  type ImageHold,
  type ServiceUpgrades,
  type UpgradesFile,
} from '../../common/contracts/upgrade.js';

/**
 * BERTH_HOME/<stack>.upgrades.json: per service of a stack, the last trial of a candidate image (written as `running`
 * before the old container is touched, so an interrupted trial is found), the image it ran before its last switch,
 * and the image a rolled-back candidate is held at.
 */
export function upgradesPath(home: string, stack: string): string {
  return path.join(home, `${stack}.upgrades.json`);
}

const EMPTY: UpgradesFile = { schema: 1, services: {} };

function parse(text: string): UpgradesFile {
  try {
    const parsed = UpgradesFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : EMPTY;
  } catch {
    return EMPTY;
  }
}

/** The stack's upgrade records; none where the file is missing or unreadable. */
export function readUpgradesSync(home: string, stack: string): UpgradesFile {
  try {
    return parse(readHomeFileSync(upgradesPath(home, stack)));
  } catch {
    return EMPTY;
  }
}

/** The holds the plan applies, by service. */
export function holdsOf(file: UpgradesFile): Record<string, ImageHold> {
  const holds: Record<string, ImageHold> = {};
  for (const [service, record] of Object.entries(file.services)) if (record.hold) holds[service] = record.hold;
  return holds;
}

/** The images `berth upgrade` keeps back for this stack, as the plan's options take them: none where there are none. */
export function planHolds(home: string, stack: string): Pick<PlanOptions, 'holds'> {
  const holds = holdsOf(readUpgradesSync(home, stack));
  return Object.keys(holds).length ? { holds } : {};
}

const writes = new SerialQueue();

/** Changes one service's record, read and written whole under one queue (then renamed over the file). */
export function updateUpgrades(
  home: string,
  stack: string,
  service: string,
  change: (record: ServiceUpgrades) => ServiceUpgrades,
): Promise<ServiceUpgrades> {
  return writes.run(async () => {
    const file = upgradesPath(home, stack);
    const current = parse(await readHomeFile(file).catch(() => ''));
    const next = change(current.services[service] ?? {});
    await writeJsonFile(file, { ...current, services: { ...current.services, [service]: next } }, { mode: 0o600 });
    return next;
  });
}
