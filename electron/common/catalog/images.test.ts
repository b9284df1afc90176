import { describe, expect, it } from 'vitest';
import { DEFAULT_IMAGES, FLOATING_TAGS, VLLM_VERSION, imageTag, vllmImageVersion } from './images.js';
import { planStack } from '../planner/plan.js';
import { DEFAULT_SETTINGS, SettingsSchema } from '../contracts/settings.js';
import { corpus } from '../../../test/support/hosts.js';

describe('default images', () => {
  it('are versioned tags, never floating ones (latest, main, main-stable…)', () => {
    for (const [key, image] of Object.entries(DEFAULT_IMAGES)) {
      const tag = imageTag(image);
      expect(tag, `${key}: ${image}`).not.toMatch(FLOATING_TAGS);
      expect(tag, `${key}: ${image}`).toMatch(/^v?\d+\.\d+\.\d+/);
    }
  });

  it("name vLLM's official images, one release for all three, and a release from 2026 on (0.17 or later: AVX2 hosts run)", () => {
    // The x86 image is the tag without a platform suffix that a public scan pulled as x86-64 at 0.31.0 (docs/upstream.md).
    expect(DEFAULT_IMAGES.vllmCpuX86).toBe(`vllm/vllm-openai-cpu:v${VLLM_VERSION}`);
    expect(DEFAULT_IMAGES.vllmCpuArm).toBe(`vllm/vllm-openai-cpu:v${VLLM_VERSION}-arm64`);
    expect(DEFAULT_IMAGES.vllmGpu).toBe(`vllm/vllm-openai:v${VLLM_VERSION}`);
    const [major, minor] = vllmImageVersion(DEFAULT_IMAGES.vllmGpu) ?? [0, 0];
    expect(major > 0 || minor >= 17).toBe(true);
  });

  it('are what every plan of every fixture host names, in both profiles, on x86 and on Arm', () => {
    for (const [name, facts] of Object.entries(corpus())) {
      for (const profile of ['development', 'production'] as const) {
        const plan = planStack(facts, SettingsSchema.parse({ ...DEFAULT_SETTINGS, profile }));
        for (const service of plan.services)
          expect(imageTag(service.image), `${name} ${profile} ${service.name}`).not.toMatch(FLOATING_TAGS);
      }
    }
  });
});

describe('image references', () => {
  it('read the tag as Docker does: after the last colon of the last path part, latest when there is none', () => {
    expect(imageTag('vllm/vllm-openai-cpu:v0.29.0-arm64')).toBe('v0.29.0-arm64');
    expect(imageTag('127.0.0.1:5000/berth/vllm')).toBe('latest');
    expect(imageTag('127.0.0.1:5000/berth/vllm:v0.16.0@sha256:abc')).toBe('v0.16.0');
    expect(imageTag('ghcr.io/open-webui/open-webui:main')).toMatch(FLOATING_TAGS);
    expect(imageTag('ghcr.io/berriai/litellm:main-stable')).toMatch(FLOATING_TAGS);
  });

  it('know the vLLM release a tag names, and nothing when it names none', () => {
    // A tag seen upstream, not extrapolated: the CPU image public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.10.2 is named
    // in a review of charts/kubeai/values.yaml (https://github.com/kubeai-project/kubeai/pull/569, 2025-10-01).
    expect(vllmImageVersion('public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.10.2')).toEqual([0, 10, 2]);
    expect(vllmImageVersion('vllm/vllm-openai-cpu:v0.29.0-x86_64')).toEqual([0, 29, 0]);
    expect(vllmImageVersion('my/vllm:avx2-build')).toBeUndefined();
  });
});
