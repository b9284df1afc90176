import Docker from 'dockerode';
import { afterEach, expect, it } from 'vitest';
import type { ServiceStatus } from '../../electron/common/contracts/status.js';
import { up } from '../../electron/node/engine/converge.js';
import { followLog, readLogTail, type LogLine } from '../../electron/node/engine/logs.js';
import { stackSnapshot } from '../../electron/node/engine/container-status.js';
import { StatusTracker } from '../../electron/node/engine/status.js';
import { describeWhen, dockerAnswers } from '../support/docker.js';
import { startSocketProxy } from '../support/socket-proxy.js';
import { docker, doubleImages, localFacts, testStack, type TestStack } from '../support/test-stack.js';
import { until } from '../support/wait.js';

const stacks: TestStack[] = [];
afterEach(async () => {
  while (stacks.length) await stacks.pop()?.cleanup();
});

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'status and logs against a real Docker engine',
  () => {
    it('shows a killed container, from the event stream', async () => {
      const stack = await testStack();
      stacks.push(stack);
      const plan = stack.plan(await localFacts());
      await up(stack.context(), plan, ['prometheus', 'grafana']);
      let latest: ServiceStatus[] = [];
      const tracker = new StatusTracker({
        docker,
        stack: plan.stack,
        planned: plan.services.map((s) => s.name),
        onChange: (services) => (latest = services),
      });
      await tracker.start();
      try {
        expect(latest.find((s) => s.name === 'prometheus')?.state).toMatch(/^(healthy|starting)$/);
        expect(latest.find((s) => s.name === 'vllm-qwen3')?.state).toBe('missing');
        // Seen from Docker's event stream, not a poll: how quickly is measured in benchmarks/ (status after docker kill).
        await docker.getContainer(`${plan.stack}-prometheus`).kill();
        const seen = await until(
          () => latest.find((s) => s.name === 'prometheus' && (s.state === 'exited' || s.state === 'restarting')),
          (v) => v !== undefined,
          10_000,
          'the kill seen in the status',
          10,
        );
        expect(seen.state).toMatch(/exited|restarting/);
      } finally {
        await tracker.stop();
      }
    }, 60_000);

    it('reconnects when the engine goes away and comes back, and reports again', async () => {
      const stack = await testStack();
      stacks.push(stack);
      const plan = stack.plan(await localFacts());
      await up(stack.context(), plan, ['prometheus']);
      const proxy = await startSocketProxy();
      const client = new Docker({ host: '127.0.0.1', port: proxy.port, protocol: 'http' });
      const engine: boolean[] = [];
      let latest: ServiceStatus[] = [];
      const tracker = new StatusTracker({
        docker: client,
        stack: plan.stack,
        planned: ['prometheus'],
        onChange: (s) => (latest = s),
        onEngine: (up) => engine.push(up),
        backoffMs: () => 100,
      });
      await tracker.start();
      try {
        await proxy.cut();
        await until(() => engine.at(-1) === false, Boolean, 3000, 'the engine reported gone', 10);
        // While the engine is away, the container stops; when it returns, the tracker lists again and sees it.
        await docker.getContainer(`${plan.stack}-prometheus`).stop({ t: 1 });
        await proxy.restore();
        await until(() => engine.at(-1) === true, Boolean, 5000, 'the engine reported back', 10);
        const status = await until(
          () => latest.find((s) => s.name === 'prometheus' && s.state === 'exited'),
          (v) => v !== undefined,
          3000,
          'the stopped prometheus listed again',
          10,
        );
        expect(status.exitCode).toBeDefined();
        // And it follows events again after reconnecting.
        await docker.getContainer(`${plan.stack}-prometheus`).start();
        await until(
          () => latest.find((s) => s.name === 'prometheus' && s.state !== 'exited'),
          (v) => v !== undefined,
          3000,
          'prometheus started again',
          10,
        );
      } finally {
        await tracker.stop();
        await proxy.close();
      }
    }, 60_000);

    it('says in its log why a refresh failed, instead of dropping it', async () => {
      const stack = await testStack();
      stacks.push(stack);
      const plan = stack.plan(await localFacts());
      await up(stack.context(), plan, ['prometheus']);
      // The real client, except that inspecting a container fails once the tracker follows the stack.
      let failing = false;
      const watched = Object.create(docker, {
        getContainer: {
          value: (id: string) => {
            const container = docker.getContainer(id);
            return failing
              ? Object.assign(container, {
                  inspect: async () => Promise.reject(new Error('the engine refused the inspect')),
                })
              : container;
          },
        },
      }) as typeof docker;
      const logged: string[] = [];
      const tracker = new StatusTracker({
        docker: watched,
        stack: plan.stack,
        planned: ['prometheus'],
        onChange: () => undefined,
        log: (m) => logged.push(m),
      });
      await tracker.start();
      try {
        failing = true;
        await docker.getContainer(`${plan.stack}-prometheus`).stop({ t: 1 });
        const line = await until(
          () => logged.find((m) => m.includes('the engine refused the inspect')),
          (v) => v !== undefined,
          5000,
          'the failed refresh in the log',
          20,
        );
        expect(line).toMatch(
          /^status: reading prometheus after its (die|stop|kill) event failed: the engine refused the inspect$/,
        );
      } finally {
        failing = false;
        await tracker.stop();
      }
    }, 60_000);

    it('reports an exited model with its explanation in the snapshot', async () => {
      const stack = await testStack({ images: doubleImages({ 'vllm-qwen3': 'nomem' }) });
      stacks.push(stack);
      const plan = stack.plan(await localFacts());
      await up(stack.context(), plan, ['vllm-qwen3']);
      const snapshot = await stackSnapshot(
        docker,
        plan.stack,
        plan.services.map((s) => s.name),
      );
      const qwen = snapshot.find((s) => s.name === 'vllm-qwen3');
      expect(qwen).toMatchObject({
        state: 'exited',
        exitCode: 1,
        problem: { message: 'vllm-qwen3 found no memory left for its KV cache after loading the weights' },
      });
      expect(snapshot.find((s) => s.name === 'litellm')?.state).toBe('missing');
    }, 60_000);

    it('reads the last N lines and follows a log, with stdout and stderr apart and timestamps', async () => {
      const stack = await testStack({ images: doubleImages({ 'vllm-qwen3': 'nomem' }) });
      stacks.push(stack);
      const plan = stack.plan(await localFacts());
      await up(stack.context(), plan, ['vllm-qwen3', 'prometheus']);
      const tail = await readLogTail(docker, `${plan.stack}-vllm-qwen3`, 10, true);
      expect(tail.map((l) => [l.stream, l.text])).toEqual([
        ['stdout', 'INFO Initializing a V1 LLM engine'],
        [
          'stderr',
          'ERROR ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.',
        ],
      ]);
      expect(tail[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);

      const lines: LogLine[] = [];
      const abort = new AbortController();
      const following = followLog(
        docker,
        `${plan.stack}-prometheus`,
        { tail: 5, timestamps: false, signal: abort.signal },
        (line) => lines.push(line),
      );
      // The real Prometheus's last line at start (cmd/prometheus/main.go).
      await until(
        () => lines.some((l) => l.text.includes('Server is ready to receive web requests.')),
        Boolean,
        5000,
        "prometheus's log line",
        10,
      );
      abort.abort();
      await following;
    }, 60_000);
  },
);

describeWhen(
  await dockerAnswers(),
  'no Docker engine answers at /var/run/docker.sock (start dockerd)',
  'a model that outgrows its memory limit',
  () => {
    it('is reported as oom-killed, with the fix', async () => {
      const stack = await testStack({
        images: doubleImages({ 'vllm-qwen3': 'hog' }),
        tuning: { 'vllm-qwen3': { kvCacheGiB: 1 } },
      });
      stacks.push(stack);
      const plan = stack.plan(await localFacts());
      const qwen = plan.services.find((s) => s.name === 'vllm-qwen3');
      if (!qwen) throw new Error('no vllm-qwen3');
      // A small limit, so the double reaches it in a moment.
      const small = {
        ...plan,
        services: plan.services.map((s) => (s.name === 'vllm-qwen3' ? { ...s, memoryBytes: 256 * 2 ** 20 } : s)),
      };
      const result = await up(stack.context(), small, ['vllm-qwen3']);
      // up knows the plan, so it says what the limit was meant to hold; status reads only the container.
      expect(result.failed[0]?.service).toBe('vllm-qwen3');
      expect(result.failed[0]?.message).toMatch(
        /^vllm-qwen3 was killed for running out of memory \(limit 256 MiB, all of it used: [\d.]+ GiB weights \+ 1 GiB KV cache \+ [\d.]+ GiB runtime planned\)$/,
      );
      const snapshot = await stackSnapshot(docker, plan.stack, ['vllm-qwen3']);
      expect(snapshot[0]).toMatchObject({
        state: 'oom-killed',
        problem: {
          message: 'vllm-qwen3 was killed for running out of memory (limit 256 MiB)',
          fix: "berth up again: the next plan raises vllm-qwen3's limit from this start; or lower tuning.vllm-qwen3.kvCacheGiB, or give the engine more memory",
        },
      });
    }, 60_000);
  },
);
