import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { up } from '../../electron/node/engine/converge.js';
import { down } from '../../electron/node/engine/teardown.js';
import { LABELS } from '../../electron/node/engine/labels.js';
import { EngineError } from '../../electron/node/engine/errors.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { docker, doubleImages, getJson, kinds, localFacts, testStack, type TestStack } from '../support/test-stack.js';
import { host } from '../support/hosts.js';
import { testImage } from '../support/test-images.js';

const stacks: TestStack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
});

async function newStack(...args: Parameters<typeof testStack>): Promise<TestStack> {
  const stack = await testStack(...args);
  stacks.push(stack);
  return stack;
}

async function containersOf(stack: TestStack) {
  return docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${LABELS.stack}=${stack.settings.stack}`] }),
  });
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'berth up and down against a real Docker engine',
  () => {
    it('starts every service healthy, in dependency order, with the cpusets, env and memory limits of the plan', async () => {
      const stack = await newStack();
      const plan = stack.plan(await localFacts());
      const started = Date.now();
      const result = await up(stack.context(), plan);
      expect(result.failed).toEqual([]);
      expect(result.healthy.sort()).toEqual(plan.services.map((s) => s.name).sort());

      // Open WebUI waits for litellm to answer: at its own start it listed litellm's models, and none failed.
      const order = stack.events.map((e) => `${e.kind}:${'service' in e ? e.service : ''}`);
      expect(order.indexOf('starting:litellm')).toBeLessThan(order.indexOf('creating:open-webui'));
      const webui = await getJson<{ modelsAtStart: string[]; errorsAtStart: string[] }>(
        plan.services.find((s) => s.name === 'open-webui')?.ports[0]?.host as number,
        '/double/info',
      );
      expect(webui).toMatchObject({ modelsAtStart: ['qwen3-1.7b', 'llama3.2-3b'], errorsAtStart: [] });
      // ... not for Docker's health check, which an engine without StartInterval (before 25) runs a whole interval
      // (5 s) after the start: there, Open WebUI is created before Docker calls litellm healthy.
      const api = Number(((await docker.version()) as { ApiVersion: string }).ApiVersion.split('.')[1]);
      const stream = (await docker.getEvents({
        since: Math.floor(started / 1000) - 1,
        until: Math.ceil(Date.now() / 1000),
        filters: { type: ['container'], label: [`${LABELS.stack}=${plan.stack}`] },
      })) as NodeJS.ReadableStream;
      let text = '';
      for await (const chunk of stream) text += chunk.toString();
      const when = (service: string, status: string) =>
        text
          .split('\n')
          .filter(Boolean)
          .map(
            (l) => JSON.parse(l) as { status: string; timeNano: number; Actor: { Attributes: Record<string, string> } },
          )
          .find((e) => e.status === status && e.Actor.Attributes[LABELS.service] === service)?.timeNano;
      // Docker may not have run litellm's check at all by the time up returns (up ran it once itself): later still.
      const litellmHealthy = when('litellm', 'health_status: healthy') ?? Number.POSITIVE_INFINITY;
      const webuiCreated = when('open-webui', 'create') ?? Number.NaN;
      if (api < 44) expect(webuiCreated).toBeLessThan(litellmHealthy);
      else expect(webuiCreated).toBeLessThan(litellmHealthy + 1.5e9);
      expect(kinds(stack.events, 'downloading')).toEqual(expect.arrayContaining(['vllm-qwen3', 'vllm-llama3']));

      for (const service of plan.services.filter((s) => s.role === 'model')) {
        const port = service.ports[0]?.host as number;
        const info = await getJson<{
          cpusAllowed: string;
          memoryMax: string;
          env: Record<string, string>;
          args: string[];
        }>(port, '/double/info');
        expect(info.cpusAllowed).toBe(service.cpuset);
        expect(Number(info.memoryMax)).toBe(service.memoryBytes);
        expect(info.env.VLLM_CPU_OMP_THREADS_BIND).toBe(service.env.VLLM_CPU_OMP_THREADS_BIND);
        expect(info.env.VLLM_CPU_KVCACHE_SPACE).toBe(service.env.VLLM_CPU_KVCACHE_SPACE);
        expect(info.env.HF_TOKEN).toBe('hf_test_token_value');
        expect(info.args).toEqual(service.command);
        const inspect = await docker.getContainer(`${stack.settings.stack}-${service.name}`).inspect();
        expect(inspect.HostConfig).toMatchObject({
          CpusetCpus: service.cpuset,
          Memory: service.memoryBytes,
          ShmSize: service.shmBytes,
          CapAdd: ['SYS_NICE'],
        });
        expect(inspect.HostConfig.PortBindings).toEqual({
          '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
        });
      }
      // litellm serves the models of the generated config, by the name clients use.
      const models = await getJson<{ data: { id: string }[] }>(
        plan.services.find((s) => s.name === 'litellm')?.ports[0]?.host as number,
        '/v1/models',
        { Authorization: 'Bearer sk-test-master-key' },
      );
      expect(models.data.map((m) => m.id)).toEqual(['qwen3-1.7b', 'llama3.2-3b']);

      // Up again changes nothing.
      stack.events.length = 0;
      const again = await up(stack.context(), plan);
      expect(again.failed).toEqual([]);
      expect(kinds(stack.events, 'creating')).toEqual([]);
      expect(kinds(stack.events, 'unchanged').sort()).toEqual(plan.services.map((s) => s.name).sort());

      // A changed plan recreates only what changed.
      stack.events.length = 0;
      const changed = stack.plan(await localFacts(), {
        ports: { ...stack.settings.ports, grafana: (stack.settings.ports.grafana as number) + 100 },
      });
      await up(stack.context(), changed);
      expect(kinds(stack.events, 'creating')).toEqual(['grafana']);

      // Down removes what up made, and the network Berth created.
      const foreign = await docker.createContainer({
        Image: testImage('grafana'),
        name: `${stack.settings.stack}-bystander`,
        Labels: { note: 'not berth' },
      });
      try {
        const removed = await down({
          docker,
          home: stack.home,
          stack: plan.stack,
          network: plan.network,
          emit: () => undefined,
        });
        expect(removed.removed.sort()).toEqual(plan.services.map((s) => s.name).sort());
        expect((await containersOf(stack)).length).toBe(0);
        expect((await foreign.inspect()).Id).toBe(foreign.id);
        await expect(docker.getNetwork(plan.network).inspect()).rejects.toThrow();
        // Volumes are kept unless asked for.
        expect((await docker.getVolume(`${plan.stack}-hf-cache`).inspect()).Name).toBe(`${plan.stack}-hf-cache`);
      } finally {
        await foreign.remove({ force: true });
      }
    }, 180_000);

    it('never touches a foreign container whose name clashes, and says so before creating anything', async () => {
      const stack = await newStack();
      const plan = stack.plan(await localFacts());
      const foreign = await docker.createContainer({ Image: testImage('grafana'), name: `${plan.stack}-grafana` });
      try {
        const error = await up(stack.context(), plan).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EngineError);
        expect((error as EngineError).message).toBe(
          `a container named "${plan.stack}-grafana" exists and was not made by Berth for the "${plan.stack}" stack; Berth leaves it alone`,
        );
        expect((await containersOf(stack)).length).toBe(0);
        expect((await foreign.inspect()).State.Status).toBe('created');
        await expect(docker.getNetwork(plan.network).inspect()).rejects.toThrow();
      } finally {
        await foreign.remove({ force: true });
      }
    });

    it('refuses a network of a driver its containers cannot join, and names it', async () => {
      // Settings refuse Docker's own networks by name; the engine's guard is for a network of such a driver however
      // it came to be in the plan.
      const stack = await newStack();
      const plan = { ...stack.plan(await localFacts()), network: 'host' };
      const error = (await up(stack.context(), plan).catch((e: unknown) => e)) as EngineError;
      expect(error).toBeInstanceOf(EngineError);
      expect(error.message).toBe('the network "host" exists with driver "host", which Berth\'s containers cannot join');
      expect((await containersOf(stack)).length).toBe(0);
    });

    it('reuses an existing bridge network it did not create, and leaves it in place at down', async () => {
      const stack = await newStack();
      const plan = stack.plan(await localFacts());
      await docker.createNetwork({ Name: plan.network, Driver: 'bridge' });
      try {
        const result = await up(stack.context(), plan, ['prometheus']);
        expect(result.failed).toEqual([]);
        expect(stack.events.some((e) => e.kind === 'step' && e.message.startsWith('created network'))).toBe(false);
        await down({ docker, home: stack.home, stack: plan.stack, network: plan.network, emit: () => undefined });
        expect((await docker.getNetwork(plan.network).inspect()).Name).toBe(plan.network);
      } finally {
        await docker
          .getNetwork(plan.network)
          .remove()
          .catch(() => undefined);
      }
    });

    it('refuses a host port another program holds, before anything is created', async () => {
      const stack = await newStack();
      const plan = stack.plan(await localFacts());
      const port = plan.services.find((s) => s.name === 'litellm')?.ports[0]?.host as number;
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
      try {
        const error = (await up(stack.context(), plan).catch((e: unknown) => e)) as EngineError;
        expect(error.message).toBe(`port ${port} on 127.0.0.1 for litellm is in use by another program`);
        expect(error.fix).toMatch(/set another port for litellm/);
        expect((await containersOf(stack)).length).toBe(0);
      } finally {
        squatter.close();
      }
    });

    it("explains a model that exits with vLLM's 'No available memory for the cache blocks', and stops only what waits for it", async () => {
      const stack = await newStack({ images: doubleImages({ 'vllm-llama3': 'nomem' }) });
      const plan = stack.plan(await localFacts());
      const result = await up(stack.context(), plan);
      expect(result.failed).toEqual([
        {
          service: 'vllm-llama3',
          message: 'vllm-llama3 found no memory left for its KV cache after loading the weights',
          fix: 'lower the KV cache (tuning.vllm-llama3.kvCacheGiB) or the GPU share, give the engine more memory, or turn another model off',
        },
      ]);
      expect(result.healthy).toContain('vllm-qwen3');
      expect(result.healthy).toContain('open-webui');
      // Stopped, not crash-looping.
      const inspect = await docker.getContainer(`${plan.stack}-vllm-llama3`).inspect();
      expect(inspect.State.Running).toBe(false);
    }, 120_000);

    it('reports a gated model without HF_TOKEN before its server is created', async () => {
      const stack = await newStack({ disabledModels: ['vllm-qwen3'] });
      const plan = stack.plan(await localFacts());
      const result = await up(
        stack.context({ secrets: { LITELLM_MASTER_KEY: 'sk-test', GRAFANA_ADMIN_PASSWORD: 'test-password' } }),
        plan,
        ['vllm-llama3'],
      );
      expect(result.failed).toEqual([
        {
          service: 'vllm-llama3',
          message: "vllm-llama3's model is gated and no valid HF_TOKEN was given",
          fix: 'set HF_TOKEN to a Hugging Face token (huggingface.co/settings/tokens) from an account granted access, then berth up again',
        },
      ]);
      expect(kinds(stack.events, 'creating')).toEqual([]);
      expect((await containersOf(stack)).length).toBe(0);
    });

    it('starts the second model on a shared GPU only once the first answers, and drops device requests an engine without a GPU runtime cannot honour', async () => {
      const stack = await newStack({ images: doubleImages({ 'vllm-coder': 'slow' }) });
      const plan = stack.plan(host('gpu-server-1x80gb'));
      expect(plan.services.find((s) => s.name === 'vllm-gpt-oss')?.dependsOn).toEqual([
        { service: 'vllm-coder', condition: 'healthy' },
      ]);
      let coderAnswered = Number.NaN;
      // The real client, with its createContainer watched: when gpt-oss is created, vllm-coder must already answer
      // (loaded, profiled, its KV cache allocated), which the slow double does 1.5 s after its start.
      const watched = Object.create(docker, {
        createContainer: {
          value: async (options: Parameters<typeof docker.createContainer>[0]) => {
            if (options.name === `${plan.stack}-vllm-gpt-oss`) {
              const port = plan.services.find((s) => s.name === 'vllm-coder')?.ports[0]?.host as number;
              coderAnswered = (await fetch(`http://127.0.0.1:${port}/v1/models`).catch(() => undefined))?.status ?? 0;
            }
            return docker.createContainer(options);
          },
        },
      }) as typeof docker;
      const result = await up(stack.context({ docker: watched }), plan, ['vllm-gpt-oss']);
      expect(result.healthy).toEqual(['vllm-coder', 'vllm-gpt-oss']);
      expect(coderAnswered).toBe(200);
      expect(stack.events).toContainEqual({
        kind: 'warning',
        message:
          'vllm-coder: the engine has no NVIDIA runtime, so its GPU request (0) is dropped and it runs without a GPU',
      });
      expect(
        (await docker.getContainer(`${plan.stack}-vllm-gpt-oss`).inspect()).HostConfig.DeviceRequests ?? [],
      ).toEqual([]);
    }, 120_000);

    it("creates the model servers first, and starts the quick services without waiting for the models' slow starts", async () => {
      const stack = await newStack();
      const plan = stack.plan(await localFacts());
      const seen: { what: 'created' | 'started'; service: string; at: number }[] = [];
      // The real client, each model container's start held a further 0.3 s, so that it is slow on any engine.
      const watched = Object.create(docker, {
        createContainer: {
          value: async (options: Parameters<typeof docker.createContainer>[0]) => {
            const container = await docker.createContainer(options);
            const service = (options.name ?? '').slice(plan.stack.length + 1);
            seen.push({ what: 'created', service, at: performance.now() });
            if (service.startsWith('vllm-')) {
              const start = container.start.bind(container) as () => Promise<unknown>;
              Object.assign(container, {
                start: async () => {
                  await new Promise((r) => setTimeout(r, 300));
                  await start();
                  seen.push({ what: 'started', service, at: performance.now() });
                },
              });
            }
            return container;
          },
        },
      }) as typeof docker;
      const result = await up(stack.context({ docker: watched, prefetchWeights: false }), plan, [
        'vllm-qwen3',
        'vllm-llama3',
        'litellm',
        'prometheus',
      ]);
      expect(result.failed).toEqual([]);
      const at = (what: string, model: boolean) =>
        seen.filter((e) => e.what === what && e.service.startsWith('vllm-') === model).map((e) => e.at);
      // Every model is created before any quick service ...
      expect(Math.max(...at('created', true))).toBeLessThan(Math.min(...at('created', false)));
      // ... and the quick services are created while the models are still starting (before, they waited for it).
      expect(Math.max(...at('created', false))).toBeLessThan(Math.min(...at('started', true)));
    }, 120_000);

    it("gives each GPU model its cards: the nvidia runtime's device request where the engine has it, CDI device names where it uses CDI", async () => {
      // This engine has no GPU: the model's container is created as on an engine with the toolkit, and what the engine
      // stored is read back before the start fails (which is as far as a machine without a card can go). The expected
      // requests are what the docker CLI sends for `--gpus '"device=0"'` and for `--device nvidia.com/gpu=0` (moby's
      // integration/container/cdi_test.go).
      for (const [devices, expected] of [
        ['nvidia-runtime', { Driver: 'nvidia', DeviceIDs: ['0'], Capabilities: [['gpu']] }],
        ['cdi', { Driver: 'cdi', DeviceIDs: ['nvidia.com/gpu=0'] }],
      ] as const) {
        const stack = await newStack();
        const plan = stack.plan(host('gpu-server-1x80gb'));
        const stored: Record<string, unknown> = {};
        // The real client, with its createContainer watched: what the engine kept of each create request.
        const watched = Object.create(docker, {
          createContainer: {
            value: async (options: Parameters<typeof docker.createContainer>[0]) => {
              const container = await docker.createContainer(options);
              stored[options.name ?? ''] = (await container.inspect()).HostConfig.DeviceRequests;
              return container;
            },
          },
        }) as typeof docker;
        const result = await up(stack.context({ docker: watched, gpuRuntime: true, gpuDevices: devices }), plan, [
          'vllm-coder',
        ]);
        expect(stored[`${plan.stack}-vllm-coder`], devices).toEqual([expect.objectContaining(expected)]);
        // Docker tried to honour the request, and this machine has no such device.
        expect(result.failed[0]?.message, devices).toMatch(/vllm-coder/);
        expect(stack.events.some((e) => e.kind === 'warning' && /GPU request .* is dropped/.test(e.message))).toBe(
          false,
        );
      }
    }, 120_000);

    it('serialises two Berths converging the same stack at once: both finish, nothing is made twice', async () => {
      const stack = await newStack();
      const plan = stack.plan(await localFacts());
      const [a, b] = await Promise.all([
        up(stack.context(), plan, ['prometheus', 'grafana']),
        up(stack.context(), plan, ['prometheus', 'grafana']),
      ]);
      expect([a.failed, b.failed]).toEqual([[], []]);
      expect(kinds(stack.events, 'creating').sort()).toEqual(['grafana', 'prometheus']);
      expect((await containersOf(stack)).length).toBe(2);
    }, 60_000);
  },
);
