import http from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { up } from '../../electron/node/engine/converge.js';
import { listOwned } from '../../electron/node/engine/owned.js';
import { ContainerTarget } from '../../electron/node/wake/engine-target.js';
import { WakeGateway } from '../../electron/node/wake/wake-gateway.js';
import { hostAddressForContainers } from '../../electron/node/wake/host-address.js';
import { ensureTestImages, TEST_IMAGE_TAG } from '../support/test-images.js';
import { Waker, type SleepingModel } from '../../electron/node/wake/waker.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { docker, doubleImages, localFacts, testStack, type TestStack } from '../support/test-stack.js';

const cleanups: (() => Promise<void>)[] = [];
/** The key litellm would send (the gateway refuses requests without it). */
const KEY = 'sk-berth-wake-test';
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});

/** A container's memory as Docker's stats read it (its cgroup's usage); none for a stopped one. */
async function memoryUsage(container: ReturnType<typeof docker.getContainer>): Promise<number | undefined> {
  const stats = (await container.stats({ stream: false })) as { memory_stats: { usage?: number } };
  return stats.memory_stats.usage;
}

/** One CPU model of a test stack, up, with its container and a gateway in front of it. */
async function modelBehindGateway(variant: 'ok' | 'nomem') {
  const stack: TestStack = await testStack({
    disabledModels: ['vllm-llama3'],
    images: doubleImages({ 'vllm-qwen3': variant }),
  });
  cleanups.push(() => stack.cleanup());
  const plan = stack.plan(await localFacts());
  const service = plan.services.find((s) => s.name === 'vllm-qwen3');
  if (!service?.model) throw new Error('the plan has no vllm-qwen3');
  await up(stack.context(), plan, ['vllm-qwen3']);
  const container = (await listOwned(docker, plan.stack)).get('vllm-qwen3');
  if (!container) throw new Error('vllm-qwen3 has no container');
  const target = new ContainerTarget(docker, container.id, service, '127.0.0.1');
  const gateway = new WakeGateway({
    key: () => KEY,
    target: (s) => (s === 'vllm-qwen3' ? target : undefined),
    wakeTimeoutMs: 60_000,
  });
  const address = await gateway.listen(0, '127.0.0.1');
  cleanups.push(() => gateway.close());
  const ask = (content: string) =>
    fetch(`http://127.0.0.1:${address.port}/vllm-qwen3/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: service.model?.servedName, stream: true, messages: [{ role: 'user', content }] }),
    });
  return { target, container: docker.getContainer(container.id), ask, port: service.ports[0]?.host ?? 0 };
}

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'a model asleep on the real engine, woken by a request',
  () => {
    it('asleep it holds no memory; ten requests wake it once, and every one is answered', async () => {
      const { target, container, ask } = await modelBehindGateway('ok');
      // The same read sees the memory of the model awake: it could tell if the asleep one held any.
      expect(await memoryUsage(container)).toBeGreaterThan(0);
      await target.sleep();
      const asleep = await container.inspect();
      expect(asleep.State.Running).toBe(false);
      // A stopped container has no processes: its memory cgroup is gone, so it holds none of the engine's memory.
      expect([undefined, 0]).toContain(await memoryUsage(container));

      // Docker's event filter counts whole seconds: begin in a fresh second, after the start that `up` made.
      await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
      const since = Math.floor(Date.now() / 1000);
      const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(`question ${i}`)));
      expect(replies.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
      const texts = await Promise.all(replies.map((r) => r.text()));
      for (const text of texts) expect(text).toContain('data: [DONE]');

      const awake = await container.inspect();
      expect(awake.State.Running).toBe(true);
      // Started once: Docker's own events between the sleep and now hold one start of this container.
      const events = (await docker.getEvents({
        since,
        until: Math.ceil(Date.now() / 1000),
        filters: { type: ['container'], container: [asleep.Id], event: ['start'] },
      })) as NodeJS.ReadableStream;
      let text = '';
      for await (const chunk of events) text += chunk.toString();
      expect(text.trim().split('\n').filter(Boolean)).toHaveLength(1);
      expect(target.awake()).toBe(true);
    });

    it('keep-alive: a model stays awake while a reply streams, and sleeps once idle past it, freeing its memory', async () => {
      const { target, container, ask } = await modelBehindGateway('ok');
      let clock = Date.now();
      const model: SleepingModel = Object.assign(target, { memoryBytes: 1, keepAlive: 1 as const });
      const gateway: WakeGateway = new WakeGateway({
        key: () => KEY,
        target: (s) => waker.target(s),
        used: (s) => waker.used(s),
        wakeTimeoutMs: 60_000,
      });
      const waker = new Waker(new Map([['vllm-qwen3', model]]), 2, { count: (s) => gateway.count(s) }, () => clock);
      const address = await gateway.listen(0, '127.0.0.1');
      cleanups.push(() => gateway.close());
      const reply = await fetch(`http://127.0.0.1:${address.port}/vllm-qwen3/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ model: 'qwen3-1.7b', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const reader = (reply.body as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // the first chunk: the reply is streaming, 20 ms a word
      clock += 2 * 60_000; // two minutes on, past the one-minute keep-alive
      expect(await waker.sleepIdle()).toEqual([]);
      while (!(await reader.read()).done);
      expect((await container.inspect()).State.Running).toBe(true);
      expect(await memoryUsage(container)).toBeGreaterThan(0);
      // Each chunk of the reply was a use: idle is counted from its last byte.
      expect(await waker.sleepIdle()).toEqual([]);
      clock += 2 * 60_000;

      expect(await waker.sleepIdle()).toEqual(['vllm-qwen3']);
      expect((await container.inspect()).State.Running).toBe(false);
      expect([undefined, 0]).toContain(await memoryUsage(container));
      // Asleep, it still answers: the next request wakes it.
      expect((await ask('again')).status).toBe(200);
    });

    it('a model that cannot start answers every waiting request with why, and is not left running', async () => {
      const { target, container, ask } = await modelBehindGateway('nomem');
      await target.sleep();
      const replies = await Promise.all([ask('a'), ask('b'), ask('c')]);
      expect(replies.map((r) => r.status)).toEqual([503, 503, 503]);
      const messages = await Promise.all(replies.map(async (r) => (await r.json()) as { error: { message: string } }));
      for (const body of messages) expect(body.error.message).toMatch(/^vllm-qwen3 could not wake: .*KV cache/);
      expect((await container.inspect()).State.Running).toBe(false);
    });

    it("an impostor on an asleep model's port: never believed awake, and no chat reaches it", async () => {
      const { target, ask, port } = await modelBehindGateway('ok');
      await target.sleep();
      // Another local program listens on the freed port and answers as a vLLM server would.
      const heard: string[] = [];
      const impostor = http.createServer((req, res) => {
        heard.push(`${req.method} ${req.url}`);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.url === '/v1/models' ? '{"data":[{"id":"qwen3-1.7b"}]}' : '{}');
      });
      await new Promise<void>((resolve) => impostor.listen(port, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => impostor.close(() => resolve())));
      // Berth restarted, or settings were saved: it reads again whether the model is awake.
      expect(await target.refresh()).toBe(false);
      const reply = await ask('my secret prompt');
      expect(reply.status).toBe(503);
      expect(heard.filter((line) => line.startsWith('POST'))).toEqual([]);
    });

    it("listens where the stack's containers reach this machine: what Docker resolves host-gateway to in one", async () => {
      await ensureTestImages(docker);
      const container = await docker.createContainer({
        Image: `berth-test/base:${TEST_IMAGE_TAG}`,
        Entrypoint: ['/usr/local/bin/node'],
        Cmd: ['-e', 'console.log(require("fs").readFileSync("/etc/hosts", "utf8"))'],
        HostConfig: { ExtraHosts: ['host.docker.internal:host-gateway'] },
      });
      try {
        await container.start();
        await container.wait();
        const log = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
        const resolved = /(\d+\.\d+\.\d+\.\d+)\s+host\.docker\.internal/.exec(log)?.[1];
        expect(resolved).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(await hostAddressForContainers(docker, (await localFacts()).engine?.kind)).toBe(resolved);
      } finally {
        await container.remove({ force: true });
      }
    });
  },
);
