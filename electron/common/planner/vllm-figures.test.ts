import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsSchema } from '../contracts/settings.js';
import { host } from '../../../test/support/hosts.js';
import { startOf } from '../../../test/support/measurements.js';
import { planStack } from './plan.js';
import { BUILTIN_MODELS } from '../catalog/models.js';
import type { Measurement } from '../contracts/measurement.js';
import { withMeasurement } from './vllm-figures.js';
import { fitWords, plannedBesideMeasured } from './vllm-words.js';

const GiB = 1024 ** 3;

describe('fit words, in vLLM’s terms', () => {
  it('says how many requests of the planned context the cache holds, and when the context is shorter than the model allows', () => {
    expect(
      fitWords({ expected: { maxConcurrency: 4.2, kvBytes: 4 * GiB }, maxModelLen: 32_768, modelLimit: 32_768 }),
    ).toEqual({ verdict: 'fits', words: 'fits: 32k context, 4 requests at once' });
    expect(
      fitWords({ expected: { maxConcurrency: 1.01, kvBytes: GiB }, maxModelLen: 9216, modelLimit: 40_960 }),
    ).toEqual({ verdict: 'shorter', words: 'fits 9k context' });
    expect(
      fitWords({ expected: { maxConcurrency: 0.8, kvBytes: GiB }, maxModelLen: 9216, modelLimit: 40_960 }).verdict,
    ).toBe('no');
  });

  it('a model larger than the engine says what the engine has; one that fits alone but not beside the others says so', () => {
    const expected = { maxConcurrency: 2, kvBytes: GiB };
    expect(
      fitWords({
        expected,
        maxModelLen: 9216,
        modelLimit: 40_960,
        needsBytes: 7.1 * GiB,
        hasBytes: 2 * GiB,
        aloneBytes: 6 * GiB,
      }).words,
    ).toBe('does not fit: needs 7.1 GiB, the engine has 6');
    expect(
      fitWords({
        expected,
        maxModelLen: 9216,
        modelLimit: 40_960,
        needsBytes: 5 * GiB,
        hasBytes: -1 * GiB,
        aloneBytes: 6 * GiB,
      }).words,
    ).toBe('does not fit beside the other models: needs 5 GiB, they leave 0');
  });

  it('on an 8 GiB Docker Desktop, each CPU model names the engine’s memory, not what the other model left (0)', () => {
    // 8 GiB for the engine; Qwen3-1.7B's bf16 weights alone are 3.4 GB, and vLLM's CPU server needs about 2.1 GB of
    // processes beside them and its KV cache, so the model cannot start beside litellm, Open WebUI and the monitoring.
    const plan = planStack(host('macbook-docker-desktop-8cpu-8gib'), DEFAULT_SETTINGS);
    const qwen = plan.services.find((s) => s.name === 'vllm-qwen3');
    expect(qwen?.model?.fit?.verdict).toBe('no');
    expect(qwen?.model?.fit?.words).toMatch(/^does not fit: needs [\d.]+ GiB, the engine has [1-7](\.\d)?$/);
  });
});

describe('a measured start, in the next plan', () => {
  const qwen = BUILTIN_MODELS.find((m) => m.service === 'vllm-qwen3');
  if (!qwen) throw new Error('no vllm-qwen3 in the catalog');
  const start = (peakGiB: number, plannedRuntimeGiB: number): Measurement => ({
    service: 'vllm-qwen3',
    image: 'vllm/vllm-openai-cpu:v0.30.0-arm64',
    model: qwen.id,
    device: 'cpu',
    engine: 'unix:///var/run/docker.sock',
    at: '2026-12-03T09:00:00.000Z',
    planned: { weightsBytes: 3.4e9, kvBytes: GiB, overheadBytes: plannedRuntimeGiB * GiB, peakBytes: 7 * GiB },
    measured: { weightsBytes: 3.4e9, kvBytes: GiB, peakBytes: peakGiB * GiB },
  });

  it('takes the runtime a start measured: its peak less weights and KV cache, and 15% more, in steps of 128 MiB', () => {
    // 6 GiB peak − 3.4 GB weights − 1 GiB KV = 1.833 GiB; × 1.15 = 2.108 GiB; up to 128 MiB steps: 2.125 GiB.
    expect(withMeasurement(qwen, start(6, 3)).measured?.runtimeBytes).toBe(2.125 * GiB);
  });

  it('a start within 10% of its planned runtime keeps the plan, so the limit does not move by a rounding at every start', () => {
    // The same 2.125 GiB measured against a plan of 2.25 GiB: 5.6% apart.
    expect(withMeasurement(qwen, start(6, 2.25)).measured?.runtimeBytes).toBe(2.25 * GiB);
    expect(withMeasurement(qwen, start(6, 2.25)).measured?.why).toMatch(/within 10% of the plan/);
  });

  it('never plans less than vLLM’s three processes (0.86 + 0.46 + 0.75 GB), however little a warm-up peaked at', () => {
    // 4.5 GiB peak leaves 0.33 GiB beside weights and KV; the floor is 2.07 GB = 1.928 GiB, in 128 MiB steps 2 GiB.
    expect(withMeasurement(qwen, start(4.5, 3)).measured?.runtimeBytes).toBe(2 * GiB);
  });
});

describe('the fit follows what vLLM measured', () => {
  // Llama 3.2 3B on the CPU with a 4 GiB cache: 28 layers × 8 KV heads × 128 dims × 2 (K and V) × 2 bytes is 4 KiB a
  // token per layer, a block of 128 tokens on 28 layers 14 MiB, so 4 GiB holds 292 blocks (37,376 tokens) and the plan
  // gives 36k of context (36,864). vLLM then held 19,968 tokens: less than one 36k request.
  const facts = host('server-64core');
  const settings = SettingsSchema.parse({ tuning: { 'vllm-llama3': { kvCacheGiB: 4 } } });
  const before = planStack(facts, settings);
  const llama = () => before.services.find((s) => s.name === 'vllm-llama3');
  const start = () =>
    startOf(before, facts, 'vllm-llama3', { kvTokens: 19_968, maxConcurrency: 0.54, maxModelLen: 36_864 });

  it('before: 36k of context in the 4 GiB', () => {
    expect(llama()?.model?.maxModelLen).toBe(36_864);
  });

  it('after: a context that fits what vLLM held, a warning that names the model, and words that agree', () => {
    const after = planStack(facts, settings, { measurements: [start()] });
    const model = after.services.find((s) => s.name === 'vllm-llama3')?.model;
    // 37,376 ÷ 19,968 = 1.8718 the cost of a token: 4 GiB ÷ (14 MiB × 1.8718) = 156 blocks, 19,968 tokens; the
    // context in whole KiB of tokens below that is 19 × 1024 = 19,456.
    expect(model?.maxModelLen).toBe(19_456);
    expect(model?.fit?.words).toBe('fits 19k context');
    expect(after.warnings.find((w) => w.code === 'measured-kv-short')).toEqual({
      code: 'measured-kv-short',
      service: 'vllm-llama3',
      message:
        "vllm-llama3's KV cache held 19,968 tokens, less than one 36k request, when it started on 2026-12-07: this " +
        "plan gives it 19k of context, what vLLM's figures hold.",
    });
    expect(plannedBesideMeasured(model?.expected ?? {}, model?.measured, model?.maxModelLen ?? 0)).toBe(
      'planned 4 GiB KV → vLLM holds 19,968 tokens: 1 request of 19k',
    );
  });

  it('a start within 2% of the arithmetic moves nothing: the plan is not remade for a rounding', () => {
    const close = { ...start(), measured: { kvTokens: 37_000, maxConcurrency: 1, maxModelLen: 36_864 } };
    const after = planStack(facts, settings, { measurements: [close] });
    expect(after.services.find((s) => s.name === 'vllm-llama3')?.model?.maxModelLen).toBe(36_864);
    expect(after.warnings.some((w) => w.code === 'measured-kv-short')).toBe(false);
  });
});
