import type { Settings } from '../contracts/settings.js';
import { InputError } from '../contracts/errors.js';
import type { ModelSpec } from '../catalog/models.js';
import { WAKE_GATEWAY } from './ports.js';

/** Settings the planner refuses before planning: names it does not know, tuning a model cannot take. */

export function checkKnownServices(settings: Settings, known: readonly string[]): void {
  for (const key of ['ports', 'images', 'tuning', 'keepAlive'] as const) {
    for (const name of Object.keys(settings[key])) {
      if (!known.includes(name) && !(key === 'ports' && name === WAKE_GATEWAY))
        throw new InputError(`${key}.${name}`, `unknown service "${name}"; known services: ${known.join(', ')}`);
    }
  }
}

/** A keep-alive is a model's: litellm, Open WebUI and the monitoring always run with the stack. */
export function checkKeepAlive(settings: Settings, models: readonly string[]): void {
  for (const name of Object.keys(settings.keepAlive)) {
    if (!models.includes(name))
      throw new InputError(`keepAlive.${name}`, `only a model sleeps and wakes; models: ${models.join(', ')}`);
  }
}

export function checkTuning(models: readonly ModelSpec[], settings: Settings): void {
  for (const model of models) {
    const fixed = settings.tuning[model.service]?.maxModelLen;
    if (fixed !== undefined && fixed > model.maxModelLen) {
      throw new InputError(
        `tuning.${model.service}.maxModelLen`,
        `${fixed} is more than ${model.id}'s limit of ${model.maxModelLen} tokens; ` +
          `allowed: 256 to ${model.maxModelLen}`,
      );
    }
  }
}
