import type { Settings } from '../contracts/settings.js';
import { about, type StackPlan } from '../contracts/stack-plan.js';
import type { ImageHold } from '../contracts/upgrade.js';

/**
 * The images a plan keeps back: where a service would run the image a hold names (`instead`: a candidate that a trial
 * rolled back, or one left by `berth upgrade --rollback`), it runs the hold's image. A hold for another image does
 * nothing: a newer candidate is planned as it is, and `berth upgrade` offers its trial.
 */
export function heldImages(plan: StackPlan, holds: Readonly<Record<string, ImageHold>>): Map<string, ImageHold> {
  const held = new Map<string, ImageHold>();
  for (const service of plan.services) {
    const hold = holds[service.name];
    if (hold && service.image === hold.instead && hold.image !== hold.instead) held.set(service.name, hold);
  }
  return held;
}

/**
 * Plans with the holds applied: once as settings and Berth's defaults say, then, where a hold applies, again with the
 * held images as if set in settings, so the figures measured for the held image (not the candidate's) size it.
 */
export function planWithHolds(
  settings: Settings,
  holds: Readonly<Record<string, ImageHold>> | undefined,
  plan: (settings: Settings) => StackPlan,
): StackPlan {
  const raw = plan(settings);
  if (!holds) return raw;
  const held = heldImages(raw, holds);
  if (held.size === 0) return raw;
  const images = { ...settings.images };
  for (const [service, hold] of held) images[service] = hold.image;
  const kept = plan({ ...settings, images });
  return {
    ...kept,
    services: kept.services.map((s) => {
      const hold = held.get(s.name);
      if (!hold) return s;
      return {
        ...s,
        reasons: [
          ...s.reasons,
          about(
            'image',
            `${hold.image}, kept instead of ${hold.instead} on ${hold.at.slice(0, 10)}: ${hold.reason} ` +
              `(berth upgrade ${s.name} tries it again)`,
          ),
        ],
      };
    }),
  };
}
