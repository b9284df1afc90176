// The engine at rest: `berth status --watch` following a running stack for a minute, as the app does. CPU time
// and resident memory of that process, read from /proc.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { up } from '../electron/node/engine/converge.js';
import { localFacts, testStack } from '../test/support/test-stack.js';
import { ROOT, finish, processCpuTicks, round, summary, type Result } from './lib/stats.js';

const SECONDS = Number(process.env.BENCH_IDLE_S ?? 60);
const TICKS = 100; // USER_HZ on Linux

function rssBytes(pid: number): number {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(line.replace(/\D+/g, '')) * 1024;
}

const stack = await testStack({ prefetchWeights: false });
const plan = stack.plan(await localFacts());
let result: Result;
try {
  await up(stack.context({ prefetchWeights: false }), plan);
  writeFileSync(path.join(stack.home, 'settings.json'), JSON.stringify(stack.settings));
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'berth.js'), 'status', '--watch', '--json'], {
    env: { ...process.env, BERTH_HOME: stack.home, DOCKER_HOST: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.resume();
  // Past start-up: the probe, the first listing, Docker's first health checks of every service, and V8's collection
  // of what start-up allocated (its memory reducer runs a few times in the first half minute of quiet).
  await new Promise((r) => setTimeout(r, 30_000));
  const pid = child.pid as number;
  // Five consecutive windows, so the figure is a median with its spread like the others.
  const WINDOWS = 5;
  const percents: number[] = [];
  const rssSamples: number[] = [];
  let cpuMsTotal = 0;
  for (let w = 0; w < WINDOWS; w++) {
    const before = processCpuTicks(pid);
    const started = performance.now();
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / WINDOWS));
    const cpuSeconds = (processCpuTicks(pid) - before) / TICKS;
    cpuMsTotal += cpuSeconds * 1000;
    percents.push((cpuSeconds / ((performance.now() - started) / 1000)) * 100);
    rssSamples.push(rssBytes(pid));
  }
  const cpu = summary(percents.map((p) => round(p, 2)));
  const rss = summary(rssSamples.map((b) => round(b / 2 ** 20, 1)));
  child.kill('SIGINT');
  result = {
    benchmark: 'idle-engine',
    command: 'npm run bench (benchmarks/idle-engine.ts)',
    figures: [
      // All the CPU time of the whole minute, not a median of windows: counted in 10 ms ticks, one tick is 10 ms/min.
      {
        name: 'CPU time of berth status --watch with the stack up',
        value: round((cpuMsTotal * 60) / SECONDS, 0),
        unit: 'ms/min',
        detail: `${round(cpuMsTotal, 0)} ms over ${SECONDS} s (windows of ${SECONDS / WINDOWS} s: ${cpu.min}–${cpu.max} % of a core)`,
      },
      {
        name: 'resident memory of berth status --watch',
        value: rss.median,
        unit: 'MiB',
        detail: `VmRSS, median of ${rss.runs} samples, ${rss.min}–${rss.max} MiB`,
      },
    ],
  };
} finally {
  await stack.cleanup();
}
await finish(result);
