import { afterEach, expect, it } from 'vitest';
import { up } from '../../electron/node/engine/converge.js';
import { down } from '../../electron/node/engine/teardown.js';
import type { Measurement } from '../../electron/common/contracts/measurement.js';
import { stackSnapshot } from '../../electron/node/engine/container-status.js';
import { StatusTracker } from '../../electron/node/engine/status.js';
import type { ServiceStatus } from '../../electron/common/contracts/status.js';
import { readAnsweredSync } from '../../electron/node/engine/answered.js';
import { until } from '../support/wait.js';
import { LABELS } from '../../electron/node/engine/labels.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { docker, doubleImages, kinds, localFacts, testStack, type TestStack } from '../support/test-stack.js';
import type { VllmVariant } from '../support/test-images.js';

const stacks: TestStack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
});

async function modelStack(variant: VllmVariant, extra: Parameters<typeof testStack>[0] = {}): Promise<TestStack> {
  const stack = await testStack({
    disabledModels: ['vllm-llama3'],
    images: doubleImages({ 'vllm-qwen3': variant }),
    ...extra,
  });
  stacks.push(stack);
  return stack;
}

async function modelContainers(stack: TestStack) {
  return docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${LABELS.stack}=${stack.settings.stack}`, `${LABELS.service}=vllm-qwen3`] }),
  });
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'berth up explains what went wrong, each with its own fix',
  () => {
    it.each([
      [
        'nospace',
        /^the disk filled up while vllm-qwen3's weights were downloading$/,
        /^free space where Docker keeps its volumes/,
      ],
      ['offline', /^vllm-qwen3 could not reach Hugging Face to download its weights$/, /^check the network/],
      [
        'notfound',
        /^vllm-qwen3's model is not on Hugging Face under that id \(or it is private\)$/,
        /^check the model's id/,
      ],
      [
        'nopython',
        /^cannot download Qwen\/Qwen3-1\.7B's weights ahead for vllm-qwen3: its image .* has no python3$/,
        /^set "prefetchWeights": false in settings \(vLLM then downloads the weights itself as it starts\)/,
      ],
    ] as const)(
      'a weights download that fails (%s): the reason and its fix, before the model server is created',
      async (variant, message, fix) => {
        const stack = await modelStack(variant);
        const result = await up(stack.context(), stack.plan(await localFacts()), ['vllm-qwen3']);
        expect(result.failed).toHaveLength(1);
        expect(result.failed[0]?.message).toMatch(message);
        expect(result.failed[0]?.fix).toMatch(fix);
        expect(kinds(stack.events, 'creating')).toEqual([]);
        expect(await modelContainers(stack)).toEqual([]);
      },
      60_000,
    );

    it("a server that answers while Docker's health check cannot pass (no python3 in the image): up says so instead of waiting", async () => {
      const stack = await modelStack('nopython', { prefetchWeights: false });
      const result = await up(stack.context({ prefetchWeights: false }), stack.plan(await localFacts()), [
        'vllm-qwen3',
      ]);
      expect(result.failed).toHaveLength(1);
      expect(result.failed[0]?.message).toMatch(
        /^vllm-qwen3 answers on \/health, but Docker's health check of it does not pass \(.*python3.*\)$/,
      );
      expect(result.failed[0]?.fix).toMatch(/^the image must have what the check runs \(python3\)/);
    }, 90_000);

    it('a health check that passed on an image is not run again: the next start is healthy at its answer, with no exec', async () => {
      const stack = await modelStack('slow', { prefetchWeights: false });
      const plan = stack.plan(await localFacts());
      const execsDuring = async (run: () => Promise<unknown>) => {
        const since = Date.now();
        await run();
        const stream = (await docker.getEvents({
          since: Math.floor(since / 1000) - 1,
          until: Math.ceil(Date.now() / 1000),
          filters: { type: ['container'], label: [`${LABELS.stack}=${plan.stack}`], event: ['exec_create'] },
        })) as NodeJS.ReadableStream;
        let text = '';
        for await (const chunk of stream) text += chunk.toString();
        return text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { status: string; timeNano: number })
          .filter((event) => event.timeNano >= since * 1e6)
          .map((event) => event.status);
      };
      const kept: Measurement[] = [];
      const context = stack.context({ prefetchWeights: false, record: async (m) => void kept.push(m) });
      const first = await execsDuring(async () => expect((await up(context, plan, ['vllm-qwen3'])).failed).toEqual([]));
      // The first start of the image runs the check (the plan's python3 command) once, in the container.
      expect(first.filter((s) => s.startsWith('exec_create: python3'))).toHaveLength(1);
      await down({ docker, home: stack.home, stack: plan.stack, network: plan.network, emit: () => {} });
      const again = await execsDuring(async () =>
        expect((await up(context, plan, ['vllm-qwen3'])).healthy).toEqual(['vllm-qwen3']),
      );
      // Not the check, nor a `cat` of the cgroup for the peak: that is read from this machine's /sys/fs/cgroup.
      expect(again).toEqual([]);
      const states = await stackSnapshot(docker, plan.stack, ['vllm-qwen3'], readAnsweredSync(stack.home, plan.stack));
      expect(states.map((s) => s.state)).toEqual(['healthy']);
      // Each start measured all the same, its peak among it.
      expect(kept.map((m) => m.measured.peakBytes)).toEqual([expect.any(Number), expect.any(Number)]);
    }, 120_000);

    it.each([
      ['while Docker still counts its start', false],
      ["after Docker's own check passed", true],
    ])(
      'a model whose vLLM core process dies while its port answers, started on a kept pass, %s: failing within 10 s, with why',
      async (_when, dockerPassed) => {
        const stack = await modelStack('ok', { prefetchWeights: false });
        const plan = stack.plan(await localFacts());
        const context = stack.context({ prefetchWeights: false });
        expect((await up(context, plan, ['vllm-qwen3'])).failed).toEqual([]);
        await down({ docker, home: stack.home, stack: plan.stack, network: plan.network, emit: () => {} });
        // The second start of the image is called healthy at its answer, from the kept pass (the cache).
        expect((await up(context, plan, ['vllm-qwen3'])).healthy).toEqual(['vllm-qwen3']);
        let latest: ServiceStatus | undefined;
        const tracker = new StatusTracker({
          docker,
          stack: plan.stack,
          planned: ['vllm-qwen3'],
          answered: () => readAnsweredSync(stack.home, plan.stack),
          onChange: (services) => (latest = services.find((s) => s.name === 'vllm-qwen3')),
        });
        await tracker.start();
        try {
          expect(latest?.state).toBe('healthy');
          if (dockerPassed)
            await until(
              () => stackSnapshot(docker, plan.stack, ['vllm-qwen3']),
              (now) => now[0]?.state === 'healthy',
              10_000,
              "Docker's own check passing",
            );
          const port = plan.services.find((s) => s.name === 'vllm-qwen3')?.ports[0]?.host;
          expect((await fetch(`http://127.0.0.1:${port}/double/engine-dead`, { method: 'POST' })).status).toBe(200);
          // The issue's promise: failing within 10 s of the death, whether Docker's check is in its start period or not.
          const failing = await until(
            () => Promise.resolve(latest),
            (s) => s?.state === 'unhealthy' && s.problem !== undefined,
            10_000,
            'vllm-qwen3 shown failing',
            50,
          );
          expect(failing?.problem).toEqual({
            message: "vllm-qwen3's vLLM core process (EngineCore_DP0) died while its API server still answers",
            fix: 'read what came before it in its log (berth logs vllm-qwen3 --tail 200), then start it again: berth down vllm-qwen3 && berth up vllm-qwen3',
          });
        } finally {
          await tracker.stop();
        }
      },
      120_000,
    );

    it('once up calls the services healthy, berth status (the app, the tray) says healthy too, and Docker soon agrees', async () => {
      const stack = await testStack();
      stacks.push(stack);
      const plan = stack.plan(await localFacts());
      const names = plan.services.map((s) => s.name);
      const result = await up(stack.context(), plan);
      expect(result.failed).toEqual([]);
      const states = await stackSnapshot(docker, plan.stack, names, readAnsweredSync(stack.home, plan.stack));
      expect(states.map((s) => [s.name, s.state])).toEqual(plan.services.map((s) => [s.name, 'healthy']));
      // Docker's own check, on its next tick (every 5 s on an engine before 25), says the same: up ran that check.
      const docker5 = await until(
        () => stackSnapshot(docker, plan.stack, names),
        (now) => now.every((s) => s.state === 'healthy'),
        (Math.max(...plan.services.map((s) => s.health?.intervalS ?? 0)) + 5) * 1000,
        "Docker's own health check agreeing",
      );
      expect(docker5.map((s) => s.state)).toEqual(names.map(() => 'healthy'));
      // A restart is a new start: until it answers again, status does not carry the last one's answer over.
      const litellm = states.find((s) => s.name === 'litellm')?.containerId as string;
      await docker.getContainer(litellm).restart({ t: 1 });
      const after = await stackSnapshot(docker, plan.stack, ['litellm'], readAnsweredSync(stack.home, plan.stack));
      expect(after.find((s) => s.name === 'litellm')?.state).toBe('starting');
    }, 120_000);
  },
);
