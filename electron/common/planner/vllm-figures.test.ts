import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../contracts/settings.js';
import { host } from '../../../test/support/hosts.js';
import { planStack } from './plan.js';
import { fitWords } from './vllm-figures.js';

const GiB = 1024 ** 3;

describe('fit words, in vLLM’s terms', () => {
  it('says how many requests of the planned context the cache holds, and when the context is shorter than the model allows', () => {
    expect(fitWords({ expected: { maxConcurrency: 4.2, kvBytes: 4 * GiB }, maxModelLen: 32_768, modelLimit: 32_768 })).toEqual({ verdict: 'fits', words: 'fits: 32k context, 4 requests at once' });
    expect(fitWords({ expected: { maxConcurrency: 1.01, kvBytes: GiB }, maxModelLen: 9216, modelLimit: 40_960 })).toEqual({ verdict: 'shorter', words: 'fits 9k context' });
    expect(fitWords({ expected: { maxConcurrency: 0.8, kvBytes: GiB }, maxModelLen: 9216, modelLimit: 40_960 }).verdict).toBe('no');
  });

  it('a model larger than the engine says what the engine has; one that fits alone but not beside the others says so', () => {
    const expected = { maxConcurrency: 2, kvBytes: GiB };
    expect(fitWords({ expected, maxModelLen: 9216, modelLimit: 40_960, needsBytes: 7.1 * GiB, hasBytes: 2 * GiB, aloneBytes: 6 * GiB }).words).toBe('does not fit: needs 7.1 GiB, the engine has 6');
    expect(fitWords({ expected, maxModelLen: 9216, modelLimit: 40_960, needsBytes: 5 * GiB, hasBytes: -1 * GiB, aloneBytes: 6 * GiB }).words).toBe('does not fit beside the other models: needs 5 GiB, they leave 0');
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
