import type { CustomModel, Settings } from '../contracts/settings.js';
import { InputError } from '../contracts/errors.js';
import { GiB } from '../units.js';
import { BUILTIN_MODELS, type ModelSpec } from './models.js';
import { STACK_SERVICES } from '../services/registry.js';

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function modelFromCustom(custom: CustomModel): ModelSpec {
  const name = slug(custom.id.split('/')[1] ?? custom.id);
  return {
    service: custom.service ?? `vllm-${name}`,
    id: custom.id,
    servedName: custom.servedName ?? name,
    device: custom.device,
    gated: custom.gated,
    layers: custom.layers,
    kvHeads: custom.kvHeads,
    headDim: custom.headDim,
    maxModelLen: custom.maxModelLen,
    weightsBytes: Math.round(custom.weightsGiB * GiB),
    ...(custom.slidingWindow && custom.slidingWindow.layers < custom.layers
      ? { slidingWindow: custom.slidingWindow }
      : {}),
    ...(custom.toolCallParser ? { toolCallParser: custom.toolCallParser } : {}),
  };
}

/** Every model the settings know of (built-in and added), whether or not the profile runs it. */
export function catalogFor(settings: Settings): ModelSpec[] {
  const models = [...BUILTIN_MODELS];
  settings.models.forEach((custom, index) => {
    const model = modelFromCustom(custom);
    const clash = models.find((m) => m.service === model.service || m.servedName === model.servedName);
    if (clash || STACK_SERVICES.some((s) => s.name === model.service)) {
      throw new InputError(
        `models.${index}.service`,
        `"${model.service}" (served as "${model.servedName}") is already taken${clash ? ` by ${clash.id}` : ''}` +
          ': give the model another "service" and "servedName"',
      );
    }
    models.push(model);
  });
  const known = new Set(models.map((m) => m.service));
  settings.disabledModels.forEach((service, index) => {
    if (!known.has(service)) {
      throw new InputError(
        `disabledModels.${index}`,
        `unknown model "${service}"; known models: ${[...known].join(', ')}`,
      );
    }
  });
  return models;
}

export function allServiceNames(
  models: readonly ModelSpec[],
  services: readonly { name: string }[] = STACK_SERVICES,
): string[] {
  return [...models.map((m) => m.service), ...services.map((s) => s.name)];
}
