import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { LOCAL_VLLM_CPU_IMAGE } from '../../electron/common/catalog/images.js';
import { up } from '../../electron/node/engine/converge.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { TEST_IMAGE_TAG } from '../support/test-images.js';
import { docker, doubleImages, localFacts, testStack, type TestStack } from '../support/test-stack.js';

const stacks: TestStack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
  await docker
    .getImage(LOCAL_VLLM_CPU_IMAGE)
    .remove({ force: true })
    .catch(() => undefined);
});

/** A stand-in for a vllm checkout: docker/Dockerfile.cpu with the vllm-openai target, built FROM the test image. */
function fakeVllmCheckout(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-vllm-checkout-'));
  mkdirSync(path.join(dir, 'docker'));
  writeFileSync(
    path.join(dir, 'docker', 'Dockerfile.cpu'),
    [
      `FROM berth-test/vllm-ok:${TEST_IMAGE_TAG} AS base`,
      'FROM base AS vllm-test',
      'RUN false',
      'FROM base AS vllm-openai',
      'ARG max_jobs=32',
      'LABEL dev.berth.test.max-jobs=$max_jobs',
      'COPY README.md /checkout-readme',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'README.md'), 'vllm\n');
  return dir;
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'the vLLM CPU image built from a local checkout',
  () => {
    it('builds the vllm-openai target with max_jobs sized to the engine, reports the build, and runs the model from it', async () => {
      const { 'vllm-qwen3': _qwen, ...images } = doubleImages();
      const stack = await testStack({ images, vllmSource: fakeVllmCheckout(), disabledModels: ['vllm-llama3'] });
      stacks.push(stack);
      const facts = await localFacts();
      const plan = stack.plan(facts);
      const qwen = plan.services.find((s) => s.name === 'vllm-qwen3');
      expect(qwen?.image).toBe(LOCAL_VLLM_CPU_IMAGE);
      expect(qwen?.build).toMatchObject({
        dockerfile: 'docker/Dockerfile.cpu',
        target: 'vllm-openai',
        platform: 'linux/amd64',
        args: { max_jobs: String(Math.max(2, facts.engine?.cpus ?? 2)) },
      });
      await docker
        .getImage(LOCAL_VLLM_CPU_IMAGE)
        .remove({ force: true })
        .catch(() => undefined);

      const result = await up(stack.context(), plan, ['vllm-qwen3']);
      expect(result.failed).toEqual([]);
      expect(stack.events.some((e) => e.kind === 'building' && e.service === 'vllm-qwen3')).toBe(true);
      const image = await docker.getImage(LOCAL_VLLM_CPU_IMAGE).inspect();
      expect(image.Config.Labels?.['dev.berth.test.max-jobs']).toBe(qwen?.build?.args.max_jobs);
    }, 120_000);
  },
);
