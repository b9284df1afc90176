// What `berth upgrade`'s trial of a model costs (electron/node/upgrade/trial.ts), against the plain restart onto a new
// image that `berth up` does without one: wall time from the call to its end, and the model server's memory peak
// (cgroup memory.peak) after each, alternating. The candidate is the same test double under another tag (a model that
// loads in 1.5 s), so every trial keeps it and what is measured is the trial's own work: the running image started
// again for its figures, the candidate started, the 3 prompts and 10 questions asked of each, and the record kept.
import { up } from '../electron/node/engine/converge.js';
import { peakMemoryBytes } from '../electron/node/engine/measure.js';
import { listOwned } from '../electron/node/engine/owned.js';
import { firstAnswer, probeModel } from '../electron/node/upgrade/probe.js';
import { runTrial } from '../electron/node/upgrade/trial.js';
import { testImage } from '../test/support/test-images.js';
import { docker, doubleImages, localFacts, testStack } from '../test/support/test-stack.js';
import { finish, round, summary, type Result } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SERVICE = 'vllm-qwen3';
const MiB = 2 ** 20;

const [repo = '', tag = ''] = testImage('vllm-slow').split(':');
const images = [testImage('vllm-slow'), `${repo}:${tag}-b`] as const;
await docker.getImage(images[0]).tag({ repo, tag: `${tag}-b` });

const stack = await testStack({
  images: doubleImages({ [SERVICE]: 'slow' }),
  disabledModels: ['vllm-llama3'],
  prefetchWeights: false,
});
const trials: number[] = [];
const restarts: number[] = [];
const timeRatios: number[] = [];
const trialPeaks: number[] = [];
const restartPeaks: number[] = [];
let rolledBack = 0;
try {
  const facts = await localFacts();
  const planWith = (image: string) => stack.plan(facts, { images: { ...stack.settings.images, [SERVICE]: image } });
  const ctx = stack.context();
  const plan = planWith(images[0]);
  const served = plan.services.find((s) => s.name === SERVICE);
  if (!served?.model) throw new Error(`the plan has no ${SERVICE}`);
  const target = { baseUrl: `http://127.0.0.1:${served.ports[0]?.host}`, apiKey: 'unused' };
  await up(ctx, plan, [SERVICE]);
  let current: string = images[0];
  const other = () => (current === images[0] ? images[1] : images[0]);
  for (let run = 0; run < RUNS; run++) {
    // A plain restart onto the other image: the container made again from it, to its first answer.
    const restarted = performance.now();
    const next = other();
    await up(ctx, planWith(next), [SERVICE]);
    await firstAnswer(target, served.model.servedName, AbortSignal.timeout(120_000));
    restarts.push((performance.now() - restarted) / 1000);
    current = next;
    // The same prompts as a trial asks (untimed), so both peaks are read after the same load.
    await probeModel(target, served.model.servedName, AbortSignal.timeout(120_000));
    const id = (await listOwned(docker, plan.stack)).get(SERVICE)?.id;
    restartPeaks.push(((id && (await peakMemoryBytes(docker, id))) || 0) / MiB);

    // A trial onto the other image.
    const started = performance.now();
    const trial = await runTrial({
      ctx,
      stack: plan.stack,
      service: SERVICE,
      from: current,
      to: other(),
      planWith,
      margin: stack.settings.upgradeMargin,
    });
    trials.push((performance.now() - started) / 1000);
    if (trial.outcome !== 'kept') rolledBack += 1;
    current = trial.outcome === 'kept' ? trial.to : trial.from;
    trialPeaks.push(Math.max(trial.before?.peakBytes ?? 0, trial.after?.peakBytes ?? 0) / MiB);
    timeRatios.push((trials.at(-1) ?? 0) / (restarts.at(-1) ?? 1));
  }
} finally {
  await stack.cleanup();
  await docker
    .getImage(images[1])
    .remove()
    .catch(() => undefined);
}
const t = summary(trials);
const r = summary(restarts);
const ratio = summary(timeRatios);
const tp = summary(trialPeaks);
const rp = summary(restartPeaks);
const result: Result = {
  benchmark: 'upgrade-trial',
  command: 'npm run bench (benchmarks/upgrade-trial.ts)',
  figures: [
    {
      name: "a model's trial by berth upgrade, call → decided",
      value: round(t.median, 1),
      unit: 's',
      detail:
        `median of ${t.runs}, ${round(t.min, 1)}–${round(t.max, 1)} s; the running image started again and measured, ` +
        `the candidate started and measured (3 prompts, 10 questions each), ${RUNS - rolledBack} of ${RUNS} kept`,
      baseline: true,
    },
    {
      name: 'a plain restart onto the new image, call → first answer',
      value: round(r.median, 1),
      unit: 's',
      detail: `median of ${r.runs}, ${round(r.min, 1)}–${round(r.max, 1)} s; what berth up does when the image changes`,
      baseline: true,
    },
    {
      name: 'trial ÷ plain restart, time, same run',
      value: round(ratio.median, 2),
      unit: '×',
      detail: `per-run ratios ${timeRatios.map((x) => round(x, 2)).join(', ')}`,
    },
    {
      name: "the model server's memory peak, trial ÷ plain restart",
      value: round(tp.median / rp.median, 2),
      unit: '×',
      detail:
        `medians ${round(tp.median, 1)} MiB and ${round(rp.median, 1)} MiB, each read after the same prompts: one ` +
        "image runs at a time, within the plan's limit (the trial's peak is the larger of the two it measured)",
    },
  ],
};
await finish(result);
