import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Measurement } from '../../electron/common/contracts/measurement.js';
import type { ProgressEvent } from '../../electron/common/contracts/progress.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import type { StackStatus } from '../../electron/common/contracts/status.js';
import { planStack } from '../../electron/common/planner/plan.js';
import { up } from '../../electron/node/engine/converge.js';
import { measuredVsPlanned } from '../../electron/node/doctor/checks/measured-vs-planned.js';
import { readMeasurements, recordMeasurement } from '../../electron/node/measure/store.js';
import { berth, berthAsync } from '../support/cli.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { docker, doubleImages, localFacts, testStack, type TestStack } from '../support/test-stack.js';
import { ensureTestImages, TEST_IMAGE_TAG } from '../support/test-images.js';
import { until } from '../support/wait.js';
import { peakInContainer, peakMemoryBytes, peakOnThisKernel } from '../../electron/node/engine/measure.js';

const GiB = 1024 ** 3;
const ENGINE = 'unix:///var/run/docker.sock';
const stacks: TestStack[] = [];
afterAll(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
});

/** What the CLI runs with: the secrets and this machine's engine. */
const env = {
  HF_TOKEN: 'hf_test',
  LITELLM_MASTER_KEY: 'sk-test-master-key',
  GRAFANA_ADMIN_PASSWORD: 'test-password',
  DOCKER_HOST: ENGINE,
};

/** A test stack whose settings the CLI reads from its home. */
async function cliStack(base: Parameters<typeof testStack>[0]): Promise<TestStack> {
  const stack = await testStack(base);
  stacks.push(stack);
  writeFileSync(path.join(stack.home, 'settings.json'), JSON.stringify(stack.settings));
  return stack;
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'what vLLM reports as it starts, kept beside the plan',
  () => {
    it('berth up keeps each model server’s figures; berth plan, berth status --json and the next plan show planned beside measured', async () => {
      const stack = await cliStack({ prefetchWeights: false, disabledModels: ['vllm-llama3'] });
      const upped = await berthAsync(['up', 'vllm-qwen3'], { home: stack.home, env });
      expect(upped.code, upped.stderr).toBe(0);
      expect(upped.stdout).toMatch(
        /vllm-qwen3 measured: weights 3\.2 GiB \(planned 3\.2 GiB\), peak .* of a .* limit, KV cache [\d,]+ tokens \(planned [\d,]+\)/,
      );

      const [measurement] = readMeasurements(stack.home);
      expect(measurement).toMatchObject({
        service: 'vllm-qwen3',
        model: 'Qwen/Qwen3-1.7B',
        device: 'cpu',
        engine: ENGINE,
      });
      // The double computes its figures from Qwen3-1.7B's config.json on its own (test/doubles/vllm-serve-double.js):
      // the same KV cache tokens as the plan means the plan pages the cache as vLLM does.
      expect(measurement?.measured.kvTokens).toBe(measurement?.planned.kvTokens);
      expect(measurement?.measured.blockTokens).toBe(128);
      expect(measurement?.measured.weightsBytes).toBeCloseTo(1.7e9 * 2, -6);
      // A reading of the cgroup, not nothing: the double (a node process) holds a few MiB at least.
      expect(measurement?.measured.peakBytes).toBeGreaterThan(1024 ** 2);
      expect(measurement?.measured.peakBytes).toBeLessThan(measurement?.planned.peakBytes ?? 0);

      const plan = JSON.parse(berth(['plan', '--json'], { home: stack.home, env }).stdout) as StackPlan;
      const qwen = plan.services.find((s) => s.name === 'vllm-qwen3');
      expect(qwen?.model?.measured).toMatchObject({ kvTokens: measurement?.measured.kvTokens, at: measurement?.at });
      expect(qwen?.reasons.map((r) => r.text).join('\n')).toMatch(
        /runtime \(measured on \d{4}-\d\d-\d\d: a .* peak less weights and KV cache, and 15% more\)/,
      );
      const text = berth(['plan'], { home: stack.home, env }).stdout;
      expect(text).toMatch(
        /vllm-qwen3: fits[: ].*; planned \d+ GiB KV → vLLM holds [\d,]+ tokens: \d+ requests? of \S+ \(measured \d{4}-\d\d-\d\d\)/,
      );

      const status = JSON.parse(berth(['status', '--json'], { home: stack.home, env }).stdout) as StackStatus;
      const row = status.services.find((s) => s.name === 'vllm-qwen3');
      expect(row?.state).toBe('healthy');
      expect(row?.vllm?.planned.kvTokens).toBeGreaterThan(0);
      expect(row?.vllm?.measured?.kvTokens).toBe(measurement?.measured.kvTokens);

      // The next start applies the measured runtime once (the double needs far less than vLLM's three processes); the
      // one after measures within 10% of that plan, keeps it, and leaves the server as it is.
      const corrected = await berthAsync(['up', 'vllm-qwen3'], { home: stack.home, env });
      expect(corrected.stdout).toMatch(/vllm-qwen3: recreating/);
      const settled = await berthAsync(['up', 'vllm-qwen3'], { home: stack.home, env });
      expect(settled.stdout).toMatch(/= vllm-qwen3: unchanged/);
      expect(settled.stdout).not.toMatch(/vllm-qwen3 measured:/);
    }, 180_000);

    it('a model server killed at its limit is explained with the numbers, and the next plan raises its limit, warns, and doctor says so', async () => {
      const model = {
        id: 'Qwen/Qwen3-0.6B',
        service: 'vllm-small',
        servedName: 'qwen3-0.6b',
        device: 'cpu' as const,
        layers: 28,
        kvHeads: 8,
        headDim: 128,
        maxModelLen: 40960,
        weightsGiB: 1.2,
      };
      const stack = await testStack({
        prefetchWeights: false,
        disabledModels: ['vllm-qwen3', 'vllm-llama3'],
        models: [model],
        images: { ...doubleImages(), 'vllm-small': doubleImages({ 'vllm-qwen3': 'hungry' })['vllm-qwen3'] as string },
        tuning: { 'vllm-small': { kvCacheGiB: 1 } },
      });
      stacks.push(stack);
      const facts = await localFacts();
      const plan = stack.plan(facts);
      const before = plan.services.find((s) => s.name === 'vllm-small');
      const events: ProgressEvent[] = [];
      const kept: Measurement[] = [];
      const result = await up(
        stack.context({
          engineEndpoint: facts.engine?.endpoint ?? ENGINE,
          record: async (m) => {
            kept.push(m);
            await recordMeasurement(stack.home, m);
          },
          emit: (e) => events.push(e),
        }),
        plan,
        ['vllm-small'],
      );
      // What the limit held, by the plan: the explanation carries the numbers.
      expect(result.failed[0]?.message).toMatch(
        /^vllm-small was killed for running out of memory \(limit [\d.]+ GiB, all of it used: 1\.2 GiB weights \+ 1 GiB KV cache \+ [\d.]+ GiB runtime planned\)$/,
      );
      expect(kept[0]?.measured).toMatchObject({ oomKilled: true, limitBytes: before?.memoryBytes });
      expect(events).toContainEqual(
        expect.objectContaining({ kind: 'measured', service: 'vllm-small', overPlan: true }),
      );

      const next = planStack(facts, stack.settings, { measurements: readMeasurements(stack.home) });
      const after = next.services.find((s) => s.name === 'vllm-small');
      expect(after?.memoryBytes).toBeGreaterThanOrEqual((before?.memoryBytes ?? 0) + GiB);
      expect(after?.reasons.map((r) => r.text).join('\n')).toMatch(
        /killed at its [\d.]+ GiB limit on \d{4}-\d\d-\d\d, so its runtime is raised by [\d.]+ GiB/,
      );
      expect(next.warnings).toContainEqual(
        expect.objectContaining({ code: 'measured-above-plan', service: 'vllm-small' }),
      );
      const doctor = await measuredVsPlanned.run({ plan: next } as Parameters<typeof measuredVsPlanned.run>[0]);
      expect(doctor.status).toBe('warn');
      expect(doctor.message).toMatch(/vllm-small was killed for running out of memory at its [\d.]+ GiB limit/);
    }, 120_000);

    it("a model server whose KV cache holds less than one request: vLLM's refusal explained with its numbers, and the next plan's context fits what it held, warned, and starts", async () => {
      const stack = await cliStack({
        prefetchWeights: false,
        disabledModels: ['vllm-llama3'],
        images: doubleImages({ 'vllm-qwen3': 'kvshort' }),
        tuning: { 'vllm-qwen3': { kvCacheGiB: 4 } },
      });
      const planned = JSON.parse(berth(['plan', '--json'], { home: stack.home, env }).stdout) as StackPlan;
      const context = planned.services.find((s) => s.name === 'vllm-qwen3')?.model?.maxModelLen ?? 0;
      // Qwen3-1.7B's config.json: 28 layers × 8 KV heads × 128 × 2 (K and V) × 2 bytes = 114,688 bytes a token; the
      // double's cache costs four times that, in 128-token blocks: 4 GiB holds 73 blocks, 9,344 tokens.
      const blockBytes = 128 * 114_688 * 4;
      const held = Math.floor((4 * GiB) / blockBytes) * 128;
      expect(held).toBe(9344);
      expect(context).toBeGreaterThan(held);

      const refused = await berthAsync(['up', 'vllm-qwen3'], { home: stack.home, env });
      expect(refused.code).not.toBe(0);
      const needed = Math.round(((Math.ceil(context / 128) * blockBytes) / GiB) * 100) / 100;
      expect(refused.stdout + refused.stderr).toContain(
        `vllm-qwen3's KV cache holds 4 GiB, but one ${context}-token request needs ${needed} GiB`,
      );
      const [kept] = readMeasurements(stack.home);
      expect(kept?.measured).toMatchObject({ kvTokens: held, maxModelLen: context });
      // A start that stopped says nothing of a running server's peak.
      expect(kept?.measured.peakBytes).toBeUndefined();

      const next = JSON.parse(berth(['plan', '--json'], { home: stack.home, env }).stdout) as StackPlan;
      const qwen = next.services.find((s) => s.name === 'vllm-qwen3');
      expect(qwen?.model?.maxModelLen).toBeLessThanOrEqual(held);
      expect(next.warnings).toContainEqual(
        expect.objectContaining({ code: 'measured-kv-short', service: 'vllm-qwen3' }),
      );
      const table = berth(['plan'], { home: stack.home, env }).stdout;
      for (const line of table.split('\n')) expect(line, line).not.toMatch(/fits.*\b0 requests|\b0 requests.*fits/);

      // The corrected context is one vLLM holds: the same image starts.
      const started = await berthAsync(['up', 'vllm-qwen3'], { home: stack.home, env });
      expect(started.code, started.stdout + started.stderr).toBe(0);
      expect(started.stdout).toMatch(/vllm-qwen3 measured: .*KV cache 9,344 tokens/);
    }, 180_000);

    it("a container's peak memory read from this machine's cgroup is the one the container reads itself", async () => {
      await ensureTestImages(docker);
      const MiB = 1024 ** 2;
      // A process that fills 64 MiB and keeps it: the peak is at least that, by arithmetic.
      const container = await docker.createContainer({
        Image: `berth-test/base:${TEST_IMAGE_TAG}`,
        Entrypoint: ['/usr/local/bin/node'],
        Cmd: [
          '-e',
          'globalThis.kept = Buffer.alloc(64 * 2 ** 20, 1); console.log("filled"); setInterval(() => {}, 1e3)',
        ],
      });
      try {
        await container.start();
        const { State, Id } = await until(
          () => container.inspect(),
          (info) => info.State.Running,
          10_000,
          'the container running',
        );
        const here = await until(
          () => peakOnThisKernel(State.Pid, Id),
          (peak) => (peak ?? 0) >= 64 * MiB,
          10_000,
          'the 64 MiB filled',
        );
        const inside = (await peakInContainer(docker, Id)) as number;
        // A peak only grows; the `cat` run inside adds its own few MiB.
        expect(inside).toBeGreaterThanOrEqual(here as number);
        expect(inside - (here as number)).toBeLessThan(16 * MiB);
        expect(await peakMemoryBytes(docker, Id)).toBeGreaterThanOrEqual(here as number);
        // A process whose cgroup does not name the container is not read (an engine in a VM: another kernel's pids).
        expect(await peakOnThisKernel(process.pid, Id)).toBeUndefined();
        expect(await peakOnThisKernel(State.Pid, 'f'.repeat(64))).toBeUndefined();
      } finally {
        await container.remove({ force: true });
      }
    }, 60_000);
  },
);
