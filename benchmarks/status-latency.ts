// Time from `docker kill` to the status tracker reporting the service stopped: p50/p95 over repeated kills.
import type { ServiceStatus } from '../electron/common/contracts/status.js';
import { up } from '../electron/node/engine/converge.js';
import { StatusTracker } from '../electron/node/engine/status.js';
import { docker, localFacts, testStack } from '../test/support/test-stack.js';
import { overLimit, round, save, summary, type Result } from './lib/stats.js';

const KILLS = Number(process.env.BENCH_KILLS ?? 20);

const stack = await testStack({ prefetchWeights: false });
const plan = stack.plan(await localFacts());
const samples: number[] = [];
try {
  await up(stack.context({ prefetchWeights: false }), plan, ['prometheus']);
  let waiter: ((status: ServiceStatus) => void) | undefined;
  const tracker = new StatusTracker({
    docker,
    stack: plan.stack,
    planned: ['prometheus'],
    onChange: (services) => {
      const prometheus = services.find((s) => s.name === 'prometheus');
      if (prometheus) waiter?.(prometheus);
    },
  });
  await tracker.start();
  const container = docker.getContainer(`${plan.stack}-prometheus`);
  for (let i = 0; i < KILLS; i++) {
    await container.start().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const seen = new Promise<number>((resolve) => {
      waiter = (status) => {
        if (status.state === 'exited' || status.state === 'restarting') resolve(performance.now());
      };
    });
    const killedAt = performance.now();
    await container.kill();
    samples.push((await seen) - killedAt);
    waiter = undefined;
  }
  await tracker.stop();
} finally {
  await stack.cleanup();
}
const s = summary(samples);
const result: Result = {
  benchmark: 'status-latency',
  command: 'npm run bench (benchmarks/status-latency.ts)',
  figures: [
    { name: 'docker kill → status shows it, p50', value: round(s.median), unit: 'ms', detail: `${s.runs} kills, ${round(s.min)}–${round(s.max)} ms` },
    { name: 'docker kill → status shows it, p95', value: round(s.p95), unit: 'ms', detail: 'from the event stream, no polling', limit: { max: 200 } },
  ],
};
save(result);
if (overLimit(result).length) process.exitCode = 1;
