// `berth up` against `docker-compose up -d`, timed the same way: from the process's start until every container of
// the stack is healthy (for Berth, as `berth status` reads it right after, which the run checks; for compose, Docker's
// own health status), on the same images with the same health checks, alternating, in one run. Also the stack's
// critical path, from the engine's own events: each service's create → its first answer, along its dependency chain.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { composeFile } from '../electron/common/export/compose.js';
import { stackFiles } from '../electron/common/export/files.js';
import type { StackPlan } from '../electron/common/contracts/stack-plan.js';
import { LABELS, OWNER } from '../electron/node/engine/labels.js';
import { stackSnapshot } from '../electron/node/engine/container-status.js';
import { readAnsweredSync } from '../electron/node/engine/answered.js';
import { docker, doubleImages, testStack } from '../test/support/test-stack.js';
import { ROOT, finish, quantile, round, summary, type Result } from './lib/stats.js';
import { allHealthy, criticalPath, engineTimes, healthChecksOf, timed, watchAnswers } from './lib/stack-timing.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BIN = path.join(ROOT, 'bin', 'berth.js');

async function main(): Promise<Result> {
  const stack = await testStack({
    images: doubleImages({ 'vllm-qwen3': 'slow', 'vllm-llama3': 'slow' }),
    profile: 'development',
    prefetchWeights: false,
  });
  writeFileSync(path.join(stack.home, 'settings.json'), JSON.stringify(stack.settings));
  const env = { ...process.env, BERTH_HOME: stack.home, HF_TOKEN: 'hf_bench_token', DOCKER_HOST: '' };
  const berthUp = () => timed(process.execPath, [BIN, 'up'], env);
  const berthDown = () => timed(process.execPath, [BIN, 'down', '--volumes'], env);

  // The plan Berth makes here, read back with `berth plan --json`.
  const plan = JSON.parse(
    await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'plan', '--json'], { env });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`berth plan exited ${code}`))));
    }),
  ) as StackPlan;
  // One run of berth first, on images it has not started before: each service's health check is run once in its
  // container, and kept; the runs that are compared start the same images again. Then its containers' health checks,
  // which compose is given.
  const firstSince = Date.now();
  const firstAnswers = watchAnswers(plan);
  const firstTime = await berthUp();
  const firstDone = Date.now();
  firstAnswers.stop();
  const first = await engineTimes(firstSince, firstDone, plan, firstAnswers.answered);
  const checks = await healthChecksOf(plan);
  const names = plan.services.map((s) => s.name);
  await berthDown();

  const project = `${plan.stack}-compose`;
  const dir = path.join(stack.home, 'compose');
  mkdirSync(dir, { recursive: true });
  const compose = parse(composeFile(plan)) as { services: Record<string, { healthcheck?: Record<string, unknown> }> };
  for (const [name, service] of Object.entries(compose.services))
    if (checks.has(name)) service.healthcheck = checks.get(name);
  writeFileSync(path.join(dir, 'docker-compose.yml'), stringify(compose));
  for (const file of stackFiles(plan)) {
    mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    writeFileSync(path.join(dir, file.path), file.content);
  }
  mkdirSync(path.join(dir, 'generated/monitoring/grafana/dashboards'), { recursive: true });
  writeFileSync(
    path.join(dir, '.env'),
    'HF_TOKEN=hf_bench\nLITELLM_MASTER_KEY=sk-bench\nGRAFANA_ADMIN_PASSWORD=bench-password\n',
  );
  const composeArgs = ['-p', project, '-f', path.join(dir, 'docker-compose.yml'), '--project-directory', dir];
  // Compose v1 and v2 both label their containers with the project; names differ between them and are not used.
  const composeUp = async () => {
    // The export names Berth's network as external: made before the clock starts (Berth's own run makes it inside hers).
    await docker
      .createNetwork({ Name: plan.network, Labels: { [LABELS.owner]: OWNER, [LABELS.stack]: plan.stack } })
      .catch(() => undefined);
    const started = performance.now();
    await timed('docker-compose', [...composeArgs, 'up', '-d'], process.env);
    await allHealthy(`com.docker.compose.project=${project}`, Object.keys(compose.services).length);
    return performance.now() - started;
  };
  const composeDown = async () => {
    await timed('docker-compose', [...composeArgs, 'down', '-v', '-t', '1'], process.env);
    await docker
      .getNetwork(plan.network)
      .remove()
      .catch(() => undefined);
  };

  const berth: number[] = [];
  const composeTimes: number[] = [];
  const critical: number[] = [];
  const span: number[] = [];
  const toFirst: number[] = [];
  const lastTick: number[] = [];
  // Each side starts after the engine has settled from the other's teardown.
  const settle = () => new Promise((r) => setTimeout(r, 1500));
  try {
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 ? ['compose', 'berth'] : ['berth', 'compose'];
      for (const side of order) {
        await settle();
        if (side === 'berth') {
          const since = Date.now();
          const answers = watchAnswers(plan);
          berth.push(await berthUp());
          const done = Date.now();
          answers.stop();
          // What `berth status` says right after: every service healthy, as up said, or the run does not count.
          const states = await stackSnapshot(docker, plan.stack, names, readAnsweredSync(stack.home, plan.stack));
          const disagree = states.filter((s) => s.state !== 'healthy').map((s) => `${s.name} ${s.state}`);
          if (disagree.length) throw new Error(`berth status disagrees with berth up: ${disagree.join(', ')}`);
          const engine = await engineTimes(since, done, plan, answers.answered);
          critical.push(criticalPath(plan, engine.own));
          span.push(done - engine.firstCreate);
          toFirst.push(engine.firstCreate - since);
          lastTick.push(done - engine.lastAnswer);
          await berthDown();
        } else {
          composeTimes.push(await composeUp());
          await composeDown();
        }
      }
    }
  } finally {
    await composeDown().catch(() => undefined);
    await berthDown().catch(() => undefined);
    await stack.cleanup();
  }
  const s = (values: number[]) => summary(values.map((v) => v / 1000));
  const b = s(berth);
  const c = s(composeTimes);
  const p = s(critical);
  const ratios = berth.map((t, i) => t / (composeTimes[i] as number));
  const overCritical = span.map((t, i) => t / (critical[i] as number));
  const f = s(toFirst);
  const tick = summary(lastTick);
  const range = (x: ReturnType<typeof summary>) => `median of ${x.runs}, ${round(x.min, 2)}–${round(x.max, 2)} s`;
  return {
    benchmark: 'engine-up',
    command: 'npm run bench (benchmarks/engine-up-vs-compose.ts)',
    figures: [
      {
        name: 'berth up, process start to all healthy',
        value: round(b.median, 2),
        unit: 's',
        detail: `${range(b)}; six services, models that load in 1.5 s`,
      },
      {
        name: 'docker-compose up -d, process start to all healthy',
        value: round(c.median, 2),
        unit: 's',
        detail: `${range(c)}; the exported file with the health checks Berth gave its containers`,
        baseline: true,
      },
      {
        name: 'critical path of the stack',
        value: round(p.median, 2),
        unit: 's',
        detail: `${range(p)}; each service's create (the engine's event) → its first answer (polled every 25 ms), along its dependency chain`,
        baseline: true,
      },
      {
        name: 'berth up, the last answer → up returns',
        value: Math.round(tick.median),
        unit: 'ms',
        detail: `median of ${tick.runs}, ${Math.round(tick.min)}–${Math.round(tick.max)} ms; the restart policy and a model's measurement, begun at its answer; each image's health check passed at its first start (the run before these) and is not run again; berth status, read after every run, agreed`,
        baseline: true,
      },
      {
        name: 'berth up on images it has not started before, process start to all healthy',
        value: round(firstTime / 1000, 2),
        unit: 's',
        detail: `one run, before the others; the last answer → up returns ${Math.round(firstDone - first.lastAnswer)} ms: each service's own health check run once in its container (an exec), and kept`,
        baseline: true,
      },
      {
        name: 'berth up ÷ docker-compose up, same run',
        value: round(quantile(ratios, 0.5), 2),
        unit: '×',
        detail: `per-run ratios ${ratios.map((r) => round(r, 2)).join(', ')}`,
      },
      {
        name: 'berth up, process start to its first container',
        value: round(f.median, 2),
        unit: 's',
        detail: `${range(f)}; Node's start, the engine's facts, the plan, the image check, network and volumes`,
      },
      {
        name: 'berth up, first container → all healthy ÷ critical path',
        value: round(quantile(overCritical, 0.5), 2),
        unit: '×',
        detail: `per-run ratios ${overCritical.map((r) => round(r, 2)).join(', ')}: Berth's ordering and waits, healthy as berth status reads it, against the stack's own chain`,
      },
    ],
  };
}

finish(await main());
