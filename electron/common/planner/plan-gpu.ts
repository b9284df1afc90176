import type { HostFacts } from '../contracts/host-facts.js';
import type { Settings } from '../contracts/settings.js';
import { about, type PlanWarning, type ServiceDraft } from '../contracts/stack-plan.js';
import type { ModelSpec } from '../catalog/models.js';
import { formatGiB } from '../units.js';
import { nvidiaCards, planGpuModels } from './gpu.js';
import { expectedGpu, kvShortWarning, overPlanWarning, withMeasurement } from './vllm-figures.js';
import { fitWords } from './vllm-words.js';
import { defaultVllmImage, modelService } from './services.js';
import type { PlanOptions } from './plan-inputs.js';
import { measurementFor, offlineModel } from './model-drafts.js';

/** The production profile's model servers: cards, shares and contexts for each GPU model. */
export function planGpuModelServices(
  catalogModels: readonly ModelSpec[],
  facts: HostFacts,
  settings: Settings,
  options: PlanOptions,
  warnings: PlanWarning[],
): ServiceDraft[] {
  const imageOf = (model: ModelSpec) => settings.images[model.service] ?? defaultVllmImage('gpu', 'x86_64', false);
  const measurements = new Map(catalogModels.map((m) => [m.service, measurementFor(options, facts, m, imageOf(m))]));
  const models = catalogModels.map((m) => withMeasurement(m, measurements.get(m.service)));
  const gpu = planGpuModels(models, facts, settings.tuning);
  warnings.push(...gpu.warnings);
  if (facts.engine && !facts.engine.gpuRuntime && nvidiaCards(facts).length > 0) {
    warnings.push({
      code: 'no-gpu-runtime',
      message:
        'the engine has no NVIDIA runtime and no CDI devices, so containers cannot reach the GPUs: install ' +
        'the NVIDIA Container Toolkit and run `nvidia-ctk runtime configure --runtime=docker`, then restart ' +
        'Docker.',
      blocking: true,
    });
  }
  const cards = nvidiaCards(facts);
  return models.flatMap((model) => {
    const place = gpu.placements.find((p) => p.service === model.service);
    if (!place) return [];
    const measurement = measurements.get(model.service);
    const overPlan = overPlanWarning(model.service, measurement);
    if (overPlan) warnings.push(overPlan);
    const short = kvShortWarning(model.service, measurement, place.maxModelLen);
    if (short) warnings.push(short);
    const shell = modelService(
      model,
      imageOf(model),
      ['--gpu-memory-utilization', String(place.gpuMemoryUtilization), '--max-model-len', String(place.maxModelLen)],
      settings.stack,
    );
    const card = cards.find((c) => c.index === place.gpus[0]);
    const expected = expectedGpu(model, place.gpuMemoryUtilization, card, place.maxModelLen);
    const fit = card
      ? fitWords({ expected, maxModelLen: place.maxModelLen, modelLimit: model.maxModelLen })
      : { verdict: 'no' as const, words: 'does not fit: no NVIDIA card was seen to size it on' };
    const offline = offlineModel(settings.prefetchWeights);
    return [
      {
        ...shell,
        env: { ...shell.env, ...offline.env },
        model: {
          ...shell.model,
          device: 'gpu' as const,
          maxModelLen: place.maxModelLen,
          expected,
          ...(measurement ? { measured: { ...measurement.measured, at: measurement.at } } : {}),
          fit,
          keepAlive: settings.keepAlive[model.service] ?? 'always',
        },
        gpus: place.gpus,
        gpuMemoryUtilization: place.gpuMemoryUtilization,
        dependsOn: place.waitsFor ? [{ service: place.waitsFor, condition: 'healthy' as const }] : [],
        reasons: [
          ...shell.reasons,
          ...place.reasons,
          ...(offline.reason ? [offline.reason] : []),
          ...(card
            ? [
                about(
                  'fit',
                  `${fit.words}: vLLM should report ${formatGiB(expected.kvBytes ?? 0)} of available KV ` +
                    `cache, ${(expected.kvTokens ?? 0).toLocaleString('en-US')} tokens, ${expected.maxConcurrency}` +
                    `× a ${place.maxModelLen}-token request`,
                ),
              ]
            : []),
        ],
      },
    ];
  });
}
