// Rebuilds benchmarks/README.md from benchmarks/results/*.json: every figure with the command, machine, date and
// commit that produced it. vLLM rows that were never measured on a profile say so; no number is filled in.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS } from '../limits.js';
import { limitOf, limitText, verdict } from './guard.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchmarksDir = path.join(here, '..');
const resultsDir = path.join(benchmarksDir, 'results');

export function read() {
  return readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')));
}

const SCRIPTS = {
  'cli-cold-start': 'cli-cold-start.js',
  'engine-up': 'engine-up-vs-compose.ts',
  'idle-engine': 'idle-engine.ts',
  'log-ingestion': 'log-ingestion.ts',
  dashboard: 'dashboard.ts',
  'remote-engine': 'remote-engine.ts',
  wake: 'wake.ts',
  'upgrade-trial': 'upgrade-trial.ts',
};

/** The quick results of one run, or an error naming what does not belong to it. */
export function oneRun(results) {
  const quick = results.filter((r) => r.benchmark !== 'vllm');
  const runs = [...new Set(quick.map((r) => `${r.run} (commit ${r.commit})`))];
  if (runs.length > 1)
    throw new Error(
      `benchmarks/results holds more than one run: ${runs.join(', ')}; run npm run bench to measure them all at once`,
    );
  const missing = Object.keys(LIMITS).filter((b) => !quick.some((r) => r.benchmark === b));
  if (missing.length)
    throw new Error(`benchmarks/results lacks ${missing.join(', ')}: run npm run bench to measure them all at once`);
  return quick;
}

function quickTable(results) {
  const quick = oneRun(results);
  const first = quick.reduce((a, b) => (a.date < b.date ? a : b));
  const last = quick.reduce((a, b) => (a.date > b.date ? a : b));
  const rows = [];
  for (const benchmark of Object.keys(LIMITS)) {
    const r = quick.find((x) => x.benchmark === benchmark);
    for (const f of r.figures) {
      const limit = limitOf(benchmark, f.name);
      const verdictText = limit ? (verdict(f, limit).ok ? 'within' : '**over**') : '';
      rows.push(
        `| ${f.name} | ${f.value} ${f.unit} | ${f.detail} | ${limitText(limit, limit ? f.unit : '')} ${verdictText} | \`${SCRIPTS[benchmark] ?? benchmark}\` |`,
      );
    }
  }
  return [
    `One run of \`npm run bench\` on commit ${first.commit}, ${first.date.slice(0, 16).replace('T', ' ')}–${last.date.slice(11, 16)} UTC, on ${first.machine}, Node ${first.node}.`,
    '',
    '| figure | median | detail | limit (± tolerance) | script |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function vllmSection(results) {
  const runs = results.filter((r) => r.benchmark === 'vllm');
  const out = [];
  for (const profile of ['development', 'production']) {
    const run = runs.find((r) => r.profile === profile);
    const where =
      profile === 'development'
        ? 'CPU models (a Mac through Docker Desktop, or a Linux host)'
        : 'GPU models (a Linux host with NVIDIA GPUs)';
    out.push(`### ${profile}: ${where}`, '');
    if (!run) {
      out.push(
        `Not measured yet: run \`npm run bench:vllm\` with the ${profile} stack up (\`berth up --profile ${profile}\`). Until then every row of the set says so.`,
        '',
      );
      out.push(
        '| model | plan | path | concurrency | output tok/s | req/s | TTFT p50 / p99 ms | TPOT p50 / p99 ms | ITL p50 / p99 ms |',
        '|---|---|---|---|---|---|---|---|---|',
      );
      for (const plan of ['berth', 'naive'])
        for (const target of ['direct', 'litellm'])
          for (const level of [1, 4, 16])
            out.push(
              `| each model of the profile | ${plan} | ${target} | ${level} | not measured yet | not measured yet | not measured yet | not measured yet | not measured yet |`,
            );
      out.push('');
      continue;
    }
    out.push(
      `\`${run.command}\` on ${run.date.slice(0, 10)}, commit ${run.commit}: ${run.machine.cpus} CPUs and ${Math.round(run.machine.memoryBytes / 2 ** 30)} GiB for containers${run.machine.gpus.length ? `, ${run.machine.gpus.join(', ')}` : ''}; ${run.set.dataset} dataset, ${run.set.inputLen} input / ${run.set.outputLen} output tokens.`,
      '',
    );
    out.push(
      '| model | plan | path | concurrency | output tok/s | req/s | TTFT p50 / p99 ms | TPOT p50 / p99 ms | ITL p50 / p99 ms |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const row of run.rows) {
      const r = row.result;
      out.push(
        `| ${row.service} | ${row.plan} | ${row.target} | ${row.concurrency} | ${fmt(r.output_throughput)} | ${fmt(r.request_throughput, 2)} | ${fmt(r.median_ttft_ms, 0)} / ${fmt(r.p99_ttft_ms, 0)} | ${fmt(r.median_tpot_ms)} / ${fmt(r.p99_tpot_ms)} | ${fmt(r.median_itl_ms)} / ${fmt(r.p99_itl_ms)} |`,
      );
    }
    out.push(
      '',
      'The plans behind those rows:',
      '',
      '| model | plan | cores (cpuset / binding) | KV cache | GPU share | context |',
      '|---|---|---|---|---|---|',
    );
    for (const kind of ['berth', 'naive']) {
      for (const [service, p] of Object.entries(run.plans[kind] ?? {})) {
        out.push(
          `| ${service} | ${kind} | ${p.cpuset ?? 'any'} / ${p.ompThreadsBind ?? 'default'} | ${p.kvCacheGiB ? `${p.kvCacheGiB} GiB` : '—'} | ${p.gpuMemoryUtilization ?? '—'} | ${p.maxModelLen ?? '—'} |`,
        );
      }
    }
    out.push('');
  }
  return out.join('\n');
}

export function writeReadme() {
  writeFileSync(path.join(benchmarksDir, 'README.md'), renderReadme(read()));
}

/** benchmarks/README.md as the results make it. */
export function renderReadme(results) {
  return `# Benchmarks

Every figure below was written by a script in this folder. \`npm run bench\` runs all the quick ones in one go and
rebuilds this file from that run's \`benchmarks/results/*.json\`; it refuses results of another run, so no row
comes from another commit. \`npm run bench:vllm\` measures real model servers. Each figure is a median of repeated
runs with its spread in the detail; comparisons are ratios measured side by side in the same run. Benchmarks that
start containers use the test images (\`test/doubles\`): they measure Berth and Docker, not vLLM.

## Quick benchmarks (\`npm run bench\`)

${quickTable(results)}

Every limit and its tolerance are declared before any run, in \`benchmarks/limits.js\`, and a run is judged against
the limits committed before it: none is moved to let a run pass. A same-run ratio (a figure named with ÷: two
timings taken side by side, which the machine's speed moves together) fails when its median is past the limit by more
than the tolerance, however wide its spread; an absolute figure past its limit is a warning, marked **over** above,
since on a shared machine a timing moves between runs of the same code far more than a ratio of two timings taken side
by side (the runs behind that, and their figures, are in \`benchmarks/limits.js\`). A baseline (a figure measured
beside another, such as Node's own start) is judged by none. The limits sit close to the reference figures,
so a 20% regression of any of them is caught (\`test/benchmarks/guard.test.ts\` plants a figure 20% past each limit: a
ratio fails, an absolute figure warns). \`npm run bench\` exits 1 when a ratio fails or a script does; \`npm run bench:check\`, the
regression guard the CI workflow runs, repeats the quick ones (the CLI's cold start and \`berth up\` against
docker-compose and the critical path) and fails the same way. The absolute limits are the reference machine's (what it
measured is beside each limit in \`benchmarks/limits.js\`); on another machine the same-run ratios are the ones to
read.

### What each measures
- **CLI cold start** (\`cli-cold-start.js\`): a new Node process per run, alternating with a bare \`node -e 0\`.
- **engine-up** (\`engine-up-vs-compose.ts\`): the \`berth up\` command and \`docker-compose up -d\`, each timed from
  its process's start until every container of the stack is healthy (for Berth, as \`berth status\` reads it, which
  the run checks after every \`up\`: each service answered and its own health check passed, run once by Berth at
  an image's first start and kept, so the first \`up\`, before the compared runs, is timed apart; for
  compose, Docker's health status): the six-service development stack, models that take 1.5 s to load, weights
  prefetch off, the same images and the same health checks (those Berth gave its containers on this engine, copied
  into the exported compose file), alternating, every wait bounded; compose's containers are found by their project
  label (v1 and v2 alike). The critical path is each service's create → first answer, from the engine's own events,
  summed along the slowest dependency chain.
- **idle-engine** (\`idle-engine.ts\`): CPU time and resident memory of \`berth status --watch\` following a running stack.
- **log-ingestion** (\`log-ingestion.ts\`): a container's whole log read through Berth's demultiplexer into the
  bounded ring buffer.
- **dashboard** (\`dashboard.ts\`): Debian's Chromium against \`berth serve\`: first paint on reload (the last known
  state renders before the backend answers), frame times and JS heap while the Logs view follows a service printing
  10,000 lines a second, the whole \`berth serve\` process's CPU while the Metrics view refreshes (the figure the
  project's README quotes) and with no window open, and the time relaying a chat through the backend adds per
  streamed token over reading litellm directly (alternating replies).
- **remote-engine** (\`remote-engine.ts\`): from a \`docker kill\` to the status tracker reporting the stop, through the
  local socket and over SSH (sshd on loopback, \`docker system dial-stdio\` to the same engine), and a chat through
  the SSH port forward.
- **wake** (\`wake.ts\`): a model on demand woken by a streamed chat request through Berth's wake gateway, from the
  request to its first token, against \`docker start\` of the same stopped container until its server answers
  (polled every 25 ms), alternating; and the memory the stopped container holds.
- **upgrade-trial** (\`upgrade-trial.ts\`): what \`berth upgrade\`'s trial of a model costs against the plain restart
  onto a new image that \`berth up\` does without one, alternating: wall time from the call to the decision (the
  running image started again and measured, the candidate started and measured with 3 prompts and 10 questions each)
  against the call to the new image's first answer, and the model server's memory peak after the same prompts. The
  candidate is the same double under another tag, so each trial keeps it.

What hosting the engine in a second process would cost (docs/decisions/0006) is printed by
\`node dist-bench/benchmarks/engine-host.js\` after \`npm run bench\`'s build; it is evidence for a design not taken,
with nothing to guard, so it is not in this table.

## vLLM throughput (\`npm run bench:vllm\`)

vLLM's own load generator, \`vllm bench serve\`, runs inside each running model container (so nothing needs
installing on the host) with the documented set: the random dataset, 512 input and 128 output tokens
(\`--ignore-eos\`), concurrency 1, 4 and 16 (4 × concurrency prompts, at least 8), against the model directly and
through litellm. Every model is loaded at the same time, since the split of the machine is what is measured. Then
the same load runs under a **naive plan** on the same host — CPU models without binding, each free to use every
core (\`VLLM_CPU_OMP_THREADS_BIND=nobind\`, no cpuset); GPU models each alone on its card at vLLM's default 0.9
share — and Berth's plan is put back. The results, with the plans that produced them (cores, KV cache, GPU share,
context), go to \`benchmarks/results/vllm-<profile>.json\` and into the tables below.

- **On a Mac**: start Docker Desktop (give its VM the memory \`berth plan\` asks for), \`berth up\` (the development
  profile), wait for the models to be healthy, then \`npm run bench:vllm\`.
- **On a GPU host**: \`berth up --profile production\` (NVIDIA Container Toolkit installed), then
  \`npm run bench:vllm\`. Add \`-- --no-naive\` to leave the running containers alone, \`-- --services vllm-coder\` to
  measure one model, \`-- --concurrency 1,4\` for fewer levels.
- **On GitHub's runners**: the real-stack workflow (\`.github/workflows/real-stack.yml\`, docs/real-stack.md) runs
  \`npm run bench:vllm -- --concurrency 1,4\` against Qwen/Qwen3-0.6B on \`ubuntu-24.04\` (x86) and
  \`ubuntu-24.04-arm\` (arm64) on every version tag, every Monday and by hand (Actions → real-stack → Run workflow).
  Its results are not written here: each run uploads them as the artifacts \`real-stack-X64\` and
  \`real-stack-ARM64\` (\`vllm-development-<arch>.json\`, with the facts, plan and checks of that runner).

${vllmSection(results)}`;
}
