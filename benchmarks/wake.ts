// Waking a model on demand (docs/decisions/0013): from a chat request to an asleep model, sent through Berth's wake
// gateway, to its first streamed token, against `docker start` of the same container until its server answers
// (polled every 25 ms), alternating; and the memory the container holds while asleep. The model server is the test
// double that takes 1.5 s to load, so what is measured is Berth's part and Docker's, not vLLM's.
import { up } from '../electron/node/engine/converge.js';
import { listOwned } from '../electron/node/engine/owned.js';
import { probeHealthy } from '../electron/node/engine/health.js';
import { ContainerTarget } from '../electron/node/wake/engine-target.js';
import { WakeGateway } from '../electron/node/wake/wake-gateway.js';
import { Waker } from '../electron/node/wake/waker.js';
import { docker, doubleImages, localFacts, testStack } from '../test/support/test-stack.js';
import { finish, round, summary, type Result } from './lib/stats.js';

/** The key litellm would send: the gateway refuses requests without it. */
const KEY = 'sk-berth-wake-bench';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const stack = await testStack({
  images: doubleImages({ 'vllm-qwen3': 'slow' }),
  disabledModels: ['vllm-llama3'],
  keepAlive: { 'vllm-qwen3': 5 },
  prefetchWeights: false,
});
const wakes: number[] = [];
const starts: number[] = [];
const ratios: number[] = [];
let asleepBytes = 0;
try {
  const plan = stack.plan(await localFacts());
  const service = plan.services.find((s) => s.name === 'vllm-qwen3');
  if (!service?.model) throw new Error('the plan has no vllm-qwen3');
  await up(stack.context(), plan, ['vllm-qwen3']);
  const id = (await listOwned(docker, plan.stack)).get('vllm-qwen3')?.id;
  if (!id) throw new Error('vllm-qwen3 has no container');
  const target = new ContainerTarget(docker, id, service, '127.0.0.1');
  const model = Object.assign(target, { memoryBytes: service.memoryBytes ?? 0, keepAlive: 5 as const });
  const gateway: WakeGateway = new WakeGateway({
    key: () => KEY,
    target: (s) => waker.target(s),
    wakeTimeoutMs: 120_000,
  });
  const waker = new Waker(new Map([['vllm-qwen3', model]]), Number.MAX_SAFE_INTEGER, gateway);
  const address = await gateway.listen(0, '127.0.0.1');
  try {
    for (let run = 0; run < RUNS; run++) {
      await target.sleep();
      if (run === 0) {
        const stats = (await docker.getContainer(id).stats({ stream: false })) as { memory_stats: { usage?: number } };
        asleepBytes = stats.memory_stats.usage ?? 0;
      }
      const sent = performance.now();
      const reply = await fetch(`http://127.0.0.1:${address.port}/vllm-qwen3/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({
          model: service.model.servedName,
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      const reader = (reply.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      const wake = performance.now() - sent;
      while (!(await reader.read()).done);
      if (reply.status !== 200) throw new Error(`the wake answered ${reply.status}`);

      await target.sleep();
      const started = performance.now();
      await docker.getContainer(id).start();
      const deadline = started + 120_000;
      while (!(await probeHealthy(service, '127.0.0.1').catch(() => false))) {
        if (performance.now() > deadline) throw new Error('docker start: the server did not answer within 120 s');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const start = performance.now() - started;
      wakes.push(wake / 1000);
      starts.push(start / 1000);
      ratios.push(wake / start);
    }
  } finally {
    await gateway.close();
  }
} finally {
  await stack.cleanup();
}
const w = summary(wakes);
const s = summary(starts);
const r = summary(ratios);
const result: Result = {
  benchmark: 'wake',
  command: 'npm run bench (benchmarks/wake.ts)',
  figures: [
    {
      name: 'wake on request, request sent → first token',
      value: round(w.median, 2),
      unit: 's',
      detail: `median of ${w.runs}, ${round(w.min, 2)}–${round(w.max, 2)} s; through the wake gateway, a model that loads in 1.5 s`,
    },
    {
      name: 'docker start → the same server answers',
      value: round(s.median, 2),
      unit: 's',
      detail: `median of ${s.runs}, ${round(s.min, 2)}–${round(s.max, 2)} s; polled every 25 ms, alternating with the wakes`,
      baseline: true,
    },
    {
      name: 'wake ÷ docker start and health, same run',
      value: round(r.median, 2),
      unit: '×',
      detail: `per-run ratios ${ratios.map((x) => round(x, 2)).join(', ')}: what the gateway, the waker and the health probe add`,
    },
    {
      name: 'memory an asleep CPU model holds',
      value: round(asleepBytes / 2 ** 20, 1),
      unit: 'MiB',
      detail:
        "the stopped container's memory cgroup usage (docker stats), after a sleep; a fact, not a speed: the engine test checks it is 0",
      baseline: true,
    },
  ],
};
await finish(result);
