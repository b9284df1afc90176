import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { BerthEvent } from '../../electron/common/api/berth-api.js';
import { Backend } from '../../electron/node/api/backend.js';
import { StackSession } from '../../electron/node/session/stack-session.js';
import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import { writeSettings } from '../../electron/node/settings/load.js';
import { saveSecrets } from '../../electron/node/secrets/secrets-file.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { docker, localFacts, testStack, type TestStack } from '../support/test-stack.js';
import { freePorts } from '../support/ports.js';
import { until } from '../support/wait.js';
import { hostAddressForContainers } from '../../electron/node/wake/host-address.js';

const GiB = 1024 ** 3;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The running model containers' memory limits, from Docker: what the engine holds for models awake now. */
async function awake(stack: string): Promise<{ names: string[]; limitBytes: number }> {
  const listed = await docker.listContainers({
    filters: { label: [`dev.berth.stack=${stack}`, 'dev.berth.on-demand'] },
  });
  const names: string[] = [];
  let limitBytes = 0;
  for (const c of listed) {
    names.push(c.Labels['dev.berth.service'] ?? '');
    limitBytes += (await docker.getContainer(c.Id).inspect()).HostConfig.Memory ?? 0;
  }
  return { names: names.sort(), limitBytes };
}

/**
 * A test stack on an engine with 16 GiB for containers, where each development model fits beside the other services
 * and both do not, with its wake gateway on a free port; the session that plans it on those facts.
 */
async function macSizedStack() {
  const [wakePort] = (await freePorts(1)) as [number];
  const stack: TestStack = await testStack({ keepAlive: {} });
  closers.push(() => stack.cleanup());
  const real = await localFacts();
  const facts: HostFacts = { ...real, engine: real.engine && { ...real.engine, memoryBytes: 16 * GiB } };
  await writeSettings(stack.home, { ...stack.settings, ports: { ...stack.settings.ports, wake: wakePort } });
  const session = new StackSession({
    env: { BERTH_HOME: stack.home, DOCKER_HOST: 'unix:///var/run/docker.sock' },
    probe: async () => facts,
  });
  return { stack, wakePort, real, session };
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'models on demand in a running stack, through litellm',
  () => {
    it('a Mac-sized engine: up leaves both models asleep; chatting with one, the other, then the first swaps them, never over the room', async () => {
      const { stack, wakePort, real, session } = await macSizedStack();
      // Llama 3.2 is gated: its weights are fetched (before it first sleeps) with a token.
      await saveSecrets(stack.home, { HF_TOKEN: 'hf_test_token_value' });
      const backend = new Backend({ session });
      closers.push(() => backend.close());
      await backend.start();
      const plan = await session.plan();
      expect(plan.onDemand?.services).toEqual(['vllm-qwen3', 'vllm-llama3']);
      expect(plan.onDemand?.atOnce).toBe(1);
      const room = plan.onDemand?.budgetBytes ?? 0;

      const result = await backend.up();
      expect(result.failed).toEqual([]);
      expect(result).toMatchObject({ ok: true, summary: '4 healthy, 2 asleep on demand' });
      expect((await awake(plan.stack)).names).toEqual([]);
      const snapshot = await backend.snapshot();
      expect(snapshot.status.filter((s) => s.name.startsWith('vllm-')).map((s) => [s.name, s.state])).toEqual([
        ['vllm-qwen3', 'asleep'],
        ['vllm-llama3', 'asleep'],
      ]);

      const { LITELLM_MASTER_KEY } = await session.secrets();
      const litellm = plan.services.find((s) => s.name === 'litellm')?.ports[0]?.host;
      // litellm lists both, asleep or not: Open WebUI shows them as available.
      const models = await fetch(`http://127.0.0.1:${litellm}/v1/models`, {
        headers: { authorization: `Bearer ${LITELLM_MASTER_KEY}` },
      });
      const modelsText = await models.text();
      expect(models.status, modelsText).toBe(200);
      const listed = JSON.parse(modelsText) as { data: { id: string }[] };
      expect(listed.data.map((m) => m.id).sort()).toEqual(['llama3.2-3b', 'qwen3-1.7b']);

      const chat = async (model: string) => {
        const reply = await fetch(`http://127.0.0.1:${litellm}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${LITELLM_MASTER_KEY}` },
          body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hello' }] }),
        });
        const text = await reply.text();
        expect([model, reply.status]).toEqual([model, 200]);
        expect(text).toContain('data: [DONE]');
        const now = await awake(plan.stack);
        expect(now.limitBytes).toBeLessThanOrEqual(room);
        return now.names;
      };
      expect(await chat('qwen3-1.7b')).toEqual(['vllm-qwen3']);
      expect(await chat('llama3.2-3b')).toEqual(['vllm-llama3']);
      expect(await chat('qwen3-1.7b')).toEqual(['vllm-qwen3']);

      // Berth's series: three wakes that answered, and how long each took, for the stack's Prometheus.
      // Where the gateway listens: the address containers reach this machine at, as Docker says on this engine.
      const gateway = `http://${await hostAddressForContainers(docker, real.engine?.kind)}:${wakePort}`;
      const series = await (await fetch(`${gateway}/-/metrics`)).text();
      expect(series).toMatch(/^berth_model_wakes_total\{service="vllm-qwen3",outcome="ok"\} 2$/m);
      expect(series).toMatch(/^berth_model_wakes_total\{service="vllm-llama3",outcome="ok"\} 1$/m);
      expect(series).toMatch(/^berth_model_wake_seconds_count\{service="vllm-qwen3"\} 2$/m);

      // The status follows Docker's events: the model put to sleep reads asleep, the woken one healthy.
      await until(
        async () => (await backend.snapshot()).status.filter((s) => s.name.startsWith('vllm-')).map((s) => s.state),
        (states) => states[0] === 'healthy' && states[1] === 'asleep',
        10_000,
        'qwen3 healthy and llama3 asleep',
      );

      // The awake model's container dies (an OOM kill is the same to Docker): the next chat wakes it again.
      const qwen = (await docker.listContainers({ filters: { label: [`dev.berth.stack=${plan.stack}`] } })).find(
        (c) => c.Labels['dev.berth.service'] === 'vllm-qwen3',
      );
      await docker.getContainer(qwen?.Id ?? 'none').kill();
      await until(
        async () => (await backend.snapshot()).status.find((s) => s.name === 'vllm-qwen3')?.state,
        (state) => state !== 'healthy',
        10_000,
        'qwen3 seen down',
      );
      expect(await chat('qwen3-1.7b')).toEqual(['vllm-qwen3']);
      const after = await (await fetch(`${gateway}/-/metrics`)).text();
      expect(after).toMatch(/^berth_model_wakes_total\{service="vllm-qwen3",outcome="ok"\} 3$/m);

      // The tray's Start on llama3: woken now through the waker (qwen3, idle, sleeps for its room), and kept awake.
      expect(await backend.up(['vllm-llama3'])).toEqual({
        ok: true,
        summary: 'vllm-llama3 awake until stopped',
        failed: [],
      });
      const started = await awake(plan.stack);
      expect(started.names).toEqual(['vllm-llama3']);
      expect(started.limitBytes).toBeLessThanOrEqual(room);
      // Kept awake: a request for qwen3 cannot take its room, and says why.
      const refused = await fetch(`http://127.0.0.1:${litellm}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${LITELLM_MASTER_KEY}` },
        body: JSON.stringify({ model: 'qwen3-1.7b', messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(refused.status).toBe(503);
      expect(await refused.text()).toContain('its memory is held by vllm-llama3');
      expect((await awake(plan.stack)).names).toEqual(['vllm-llama3']);
      // The tray's Stop: asleep now, and the next request for qwen3 wakes it.
      expect(await backend.down(['vllm-llama3'])).toEqual({ ok: true, summary: 'vllm-llama3 asleep', failed: [] });
      expect((await awake(plan.stack)).names).toEqual([]);
      expect(await chat('qwen3-1.7b')).toEqual(['vllm-qwen3']);
    });

    it('a wake gateway that cannot start is said in the snapshot and by an event, with its fix, until it runs', async () => {
      const { wakePort, session } = await macSizedStack();
      // Another program holds the gateway's port on every address.
      const squatter = net.createServer();
      await new Promise<void>((resolve) => squatter.listen(wakePort, '0.0.0.0', resolve));
      const backend = new Backend({ session });
      closers.push(() => backend.close());
      const events: BerthEvent[] = [];
      backend.onEvent((event) => events.push(event));
      await backend.start();
      expect((await session.plan()).onDemand).toBeDefined();
      const down = await until(
        async () => (await backend.snapshot()).wakeGateway,
        (problem) => problem !== undefined,
        10_000,
        'the gateway said down',
      );
      expect(down?.problem).toMatch(/^models on demand cannot wake: the wake gateway could not start \(.*EADDRINUSE/);
      expect(down?.fix).toBe(`another program holds port ${wakePort}: stop it, or set ports.wake in Settings`);
      expect(events.filter((e) => e.type === 'wake-gateway')).toEqual([{ type: 'wake-gateway', problem: down }]);
      // The port is free again; the next sync (a settings save) starts the gateway, and the problem is gone.
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
      await backend.updateSettings({ autoUpdate: false });
      expect((await backend.snapshot()).wakeGateway).toBeUndefined();
      expect(events.filter((e) => e.type === 'wake-gateway').at(-1)).toEqual({ type: 'wake-gateway' });
    });
  },
);
