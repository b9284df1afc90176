// `berth up` of the test stack to all-healthy against `docker-compose up -d` of the exported compose file (health
// checks every second) followed by waiting for every health check: same images, alternating, in one run. Also
// the stack's critical path: the sum, along the slowest dependency chain, of each service's own start-to-healthy.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from "node:fs";
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { ProgressEvent } from '../electron/common/contracts/progress.js';
import { composeFile } from '../electron/common/export/compose.js';
import { stackFiles } from '../electron/common/export/files.js';
import { up } from '../electron/node/engine/converge.js';
import { docker, localFacts, testStack, doubleImages } from '../test/support/test-stack.js';
import { overLimit, quantile, round, save, summary, type Result } from './lib/stats.js';
import { mkdirSync } from 'node:fs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function allHealthy(names: string[]): Promise<void> {
  for (;;) {
    const states = await Promise.all(names.map((n) => docker.getContainer(n).inspect().then((i) => i.State.Health?.Status ?? (i.State.Running ? 'healthy' : 'none'), () => 'missing')));
    if (states.every((s) => s === 'healthy')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<Result> {
  const stack = await testStack({ images: doubleImages({ 'vllm-qwen3': 'slow', 'vllm-llama3': 'slow' }), profile: 'development', prefetchWeights: false });
  const plan = stack.plan(await localFacts());
  const dir = path.join(stack.home, 'compose');
  mkdirSync(dir, { recursive: true });
  const compose = parse(composeFile(plan)) as { services: Record<string, { healthcheck?: Record<string, unknown> }> };
  for (const service of Object.values(compose.services)) if (service.healthcheck) Object.assign(service.healthcheck, { interval: '1s', start_period: '0s' });
  writeFileSync(path.join(dir, 'docker-compose.yml'), stringify(compose));
  for (const file of stackFiles(plan)) {
    mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.content);
  }
  mkdirSync(path.join(dir, 'generated/monitoring/grafana/dashboards'), { recursive: true });
  writeFileSync(path.join(dir, '.env'), 'HF_TOKEN=hf_bench\nLITELLM_MASTER_KEY=sk-bench\nGRAFANA_ADMIN_PASSWORD=bench-password\n');
  const composeArgs = ['-p', `${plan.stack}-compose`, '-f', path.join(dir, 'docker-compose.yml'), '--project-directory', dir];
  const composeNames = plan.services.map((s) => `${plan.stack}-compose_${s.name}_1`);

  const berth: number[] = [];
  const composeTimes: number[] = [];
  const critical: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      // Each side starts after the engine has settled from the other's teardown.
      const settle = () => new Promise((r) => setTimeout(r, 1500));
      await settle();
      const events: { event: ProgressEvent; at: number }[] = [];
      const started = performance.now();
      const result = await up(stack.context({ prefetchWeights: false, emit: (event) => events.push({ event, at: performance.now() }) }), plan);
      berth.push(performance.now() - started);
      if (result.failed.length) throw new Error(`berth up failed: ${JSON.stringify(result.failed)}`);
      const own = new Map<string, number>();
      for (const service of plan.services) {
        const start = events.find((e) => e.event.kind === 'creating' && e.event.service === service.name)?.at;
        const healthy = events.find((e) => e.event.kind === 'healthy' && e.event.service === service.name)?.at;
        if (start !== undefined && healthy !== undefined) own.set(service.name, healthy - start);
      }
      const chain = (name: string): number => {
        const service = plan.services.find((s) => s.name === name);
        return (own.get(name) ?? 0) + Math.max(0, ...(service?.dependsOn.map((d) => chain(d.service)) ?? []));
      };
      critical.push(Math.max(...plan.services.map((s) => chain(s.name))));
      await stack.cleanup();
      await docker.createNetwork({ Name: plan.network }).catch(() => undefined);

      // docker-compose, same images, health checks every second
      await settle();
      const composeStart = performance.now();
      execFileSync('docker-compose', [...composeArgs, 'up', '-d'], { stdio: 'ignore' });
      await allHealthy(composeNames);
      composeTimes.push(performance.now() - composeStart);
      execFileSync('docker-compose', [...composeArgs, 'down', '-v', '-t', '1'], { stdio: 'ignore' });
    }
  } finally {
    execFileSync('docker-compose', [...composeArgs, 'down', '-v', '-t', '1'], { stdio: 'ignore' });
    await stack.cleanup();
    await docker.getNetwork(plan.network).remove().catch(() => undefined);
  }
  const b = summary(berth);
  const c = summary(composeTimes);
  const ratios = berth.map((t, i) => t / (composeTimes[i] as number));
  const overCritical = berth.map((t, i) => t / (critical[i] as number));
  return {
    benchmark: 'engine-up',
    command: 'npm run bench (benchmarks/engine-up-vs-compose.ts)',
    figures: [
      { name: 'berth up to all healthy', value: round(b.median / 1000, 2), unit: 's', detail: `median of ${b.runs}, ${round(b.min / 1000, 2)}–${round(b.max / 1000, 2)} s` },
      { name: 'docker-compose up -d + all health checks (1 s)', value: round(c.median / 1000, 2), unit: 's', detail: `median of ${c.runs}, ${round(c.min / 1000, 2)}–${round(c.max / 1000, 2)} s` },
      { name: 'berth ÷ compose, same run', value: round(quantile(ratios, 0.5), 2), unit: '×', detail: `per-run ratios ${ratios.map((r) => round(r, 2)).join(', ')}`, limit: { max: 0.6 }, sameRunRatios: ratios.map((r) => round(r, 3)) },
      { name: 'berth ÷ critical path', value: round(quantile(overCritical, 0.5), 2), unit: '×', detail: `critical path median ${round(summary(critical).median / 1000, 2)} s`, limit: { max: 1.15 }, sameRunRatios: overCritical.map((r) => round(r, 3)) },
    ],
  };
}

const result = await main();
save(result);
const over = overLimit(result);
if (over.length) {
  console.error(`over the limit: ${over.join('; ')}`);
  process.exitCode = 1;
}
