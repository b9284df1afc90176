// What refreshing the Metrics view (and the tray's tokens/s) costs the engine: the backend's CPU time for one
// minute of refreshes (12 reads, one every 5 s) per model, read back to back so nothing else runs meanwhile,
// from Prometheus's API when it runs and from the model servers' /metrics when it does not; and the backend's
// CPU over the same time with no window asking (nothing is read then). process.cpuUsage, microseconds.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Backend } from '../electron/node/api/backend.js';
import { StackSession } from '../electron/node/session/stack-session.js';
import { up } from '../electron/node/engine/converge.js';
import { docker, doubleImages, localFacts, testStack } from '../test/support/test-stack.js';
import { overLimit, round, save, summary, type Result } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const REFRESHES_PER_MINUTE = 12;

const stack = await testStack({ prefetchWeights: false, disabledModels: ['vllm-llama3'], images: doubleImages() });
const plan = stack.plan(await localFacts());
const models = plan.services.filter((s) => s.role === 'model').length;
const backend = new Backend({ session: new StackSession({ env: { BERTH_HOME: stack.home, DOCKER_HOST: 'unix:///var/run/docker.sock' } }) });

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function minuteOfRefreshes(expected: 'prometheus' | 'servers'): Promise<number[]> {
  const perMinute: number[] = [];
  for (let i = 0; i < 3; i++) await backend.metrics(); // warm: plan cached, connections open
  for (let run = 0; run < RUNS; run++) {
    const start = process.cpuUsage();
    for (let i = 0; i < REFRESHES_PER_MINUTE; i++) {
      const read = await backend.metrics();
      if (read.source !== expected || read.models.length !== models) throw new Error(`read ${read.source} with ${read.models.length} models, expected ${expected}`);
      if (!read.models.every((m) => m.running.length > 0 && m.kvCachePercent.length > 0)) throw new Error(`read ${expected} without series: ${JSON.stringify(read.models)}`);
    }
    perMinute.push(cpuMs(start) / models);
  }
  return perMinute;
}

let result: Result | undefined;
try {
  await up(stack.context({ prefetchWeights: false }), plan);
  writeFileSync(path.join(stack.home, 'settings.json'), JSON.stringify(stack.settings));
  await backend.start();
  // Prometheus needs a few scrapes before its queries answer with series.
  await new Promise((r) => setTimeout(r, 12_000));
  // The stack steady and followed, nobody asking for metrics: nothing is read.
  const idleStart = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 20_000));
  const idlePerMinute = cpuMs(idleStart) * 3;
  const fromPrometheus = summary(await minuteOfRefreshes('prometheus'));
  await docker.getContainer(`${plan.stack}-prometheus`).stop();
  await new Promise((r) => setTimeout(r, 1000));
  const fromServers = summary(await minuteOfRefreshes('servers'));
  result = {
    benchmark: 'metrics-refresh',
    command: 'npm run bench (benchmarks/metrics-refresh.ts)',
    figures: [
      { name: 'Metrics refresh CPU per model, from Prometheus', value: fromPrometheus.median, unit: 'ms/min', detail: `${REFRESHES_PER_MINUTE} reads a minute, median of ${fromPrometheus.runs} minutes, ${fromPrometheus.min}–${fromPrometheus.max}; ${models} model(s)`, limit: { max: 100 } },
      { name: 'Metrics refresh CPU per model, from the servers', value: fromServers.median, unit: 'ms/min', detail: `${REFRESHES_PER_MINUTE} reads a minute, median of ${fromServers.runs} minutes, ${fromServers.min}–${fromServers.max}; ${models} model(s)`, limit: { max: 100 } },
      { name: 'backend CPU with nothing asking for metrics', value: round(idlePerMinute, 1), unit: 'ms/min', detail: 'over 20 s, the stack up and followed through Docker events, no window asking; nothing is read' },
    ],
  };
  save(result);
} finally {
  await backend.close();
  await stack.cleanup();
}
if (result && overLimit(result).length) process.exitCode = 1;
