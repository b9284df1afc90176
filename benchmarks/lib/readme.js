// Rebuilds benchmarks/README.md from benchmarks/results/*.json: every figure with the command, machine, date and
// commit that produced it. vLLM rows that were never measured on a profile say so; no number is filled in.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchmarksDir = path.join(here, '..');
const resultsDir = path.join(benchmarksDir, 'results');

function read() {
  return readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')));
}

function quickRows(results) {
  const rows = [];
  for (const r of results.filter((x) => x.benchmark !== 'vllm')) {
    const when = `${r.date.slice(0, 10)}, ${r.commit ?? 'commit not recorded'}`;
    if (r.figures) {
      for (const f of r.figures) {
        const limit = f.limit ? (f.limit.max !== undefined ? `≤ ${f.limit.max}` : `≥ ${f.limit.min}`) : '';
        rows.push(`| ${f.name} | ${f.value} ${f.unit} | ${f.detail} | ${limit} | \`${r.command}\` | ${r.machine} | ${when} |`);
      }
    } else {
      for (const f of r.results) {
        rows.push(`| ${f.name} cold start | ${f.medianMs} ms | median of ${f.runs}, ${f.minMs}–${f.maxMs} ms, ×${f.ratioToNode} node | ${f.limitMs ? `≤ ${f.limitMs} ms` : ''} | \`node benchmarks/cli-cold-start.js\` | ${r.machine} | ${when} |`);
      }
    }
  }
  return rows;
}

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function vllmSection(results) {
  const runs = results.filter((r) => r.benchmark === 'vllm');
  const out = [];
  for (const profile of ['development', 'production']) {
    const run = runs.find((r) => r.profile === profile);
    const where = profile === 'development' ? 'CPU models (a Mac through Docker Desktop, or a Linux host)' : 'GPU models (a Linux host with NVIDIA GPUs)';
    out.push(`### ${profile}: ${where}`, '');
    if (!run) {
      out.push(`Not measured yet: run \`npm run bench:vllm\` with the ${profile} stack up (\`berth up --profile ${profile}\`). Until then every row of the set says so.`, '');
      out.push('| model | plan | path | concurrency | output tok/s | req/s | TTFT p50 / p99 ms | TPOT p50 / p99 ms | ITL p50 / p99 ms |', '|---|---|---|---|---|---|---|---|---|');
      for (const plan of ['berth', 'naive']) for (const target of ['direct', 'litellm']) for (const level of [1, 4, 16]) out.push(`| each model of the profile | ${plan} | ${target} | ${level} | not measured yet | not measured yet | not measured yet | not measured yet | not measured yet |`);
      out.push('');
      continue;
    }
    out.push(`\`${run.command}\` on ${run.date.slice(0, 10)}, commit ${run.commit}: ${run.machine.cpus} CPUs and ${Math.round(run.machine.memoryBytes / 2 ** 30)} GiB for containers${run.machine.gpus.length ? `, ${run.machine.gpus.join(', ')}` : ''}; ${run.set.dataset} dataset, ${run.set.inputLen} input / ${run.set.outputLen} output tokens.`, '');
    out.push('| model | plan | path | concurrency | output tok/s | req/s | TTFT p50 / p99 ms | TPOT p50 / p99 ms | ITL p50 / p99 ms |', '|---|---|---|---|---|---|---|---|---|');
    for (const row of run.rows) {
      const r = row.result;
      out.push(`| ${row.service} | ${row.plan} | ${row.target} | ${row.concurrency} | ${fmt(r.output_throughput)} | ${fmt(r.request_throughput, 2)} | ${fmt(r.median_ttft_ms, 0)} / ${fmt(r.p99_ttft_ms, 0)} | ${fmt(r.median_tpot_ms)} / ${fmt(r.p99_tpot_ms)} | ${fmt(r.median_itl_ms)} / ${fmt(r.p99_itl_ms)} |`);
    }
    out.push('', 'The plans behind those rows:', '', '| model | plan | cores (cpuset / binding) | KV cache | GPU share | context |', '|---|---|---|---|---|---|');
    for (const kind of ['berth', 'naive']) {
      for (const [service, p] of Object.entries(run.plans[kind] ?? {})) {
        out.push(`| ${service} | ${kind} | ${p.cpuset ?? 'any'} / ${p.ompThreadsBind ?? 'default'} | ${p.kvCacheGiB ? `${p.kvCacheGiB} GiB` : '—'} | ${p.gpuMemoryUtilization ?? '—'} | ${p.maxModelLen ?? '—'} |`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}

export function writeReadme() {
  const results = read();
  writeFileSync(
    path.join(benchmarksDir, 'README.md'),
    `# Benchmarks

Every figure below was written by a script in this folder: \`npm run bench\` runs the quick ones and rebuilds this
file from \`benchmarks/results/*.json\`; \`npm run bench:vllm\` measures real model servers. Each row names its
command, machine, date and commit. Times are medians of repeated runs with their spread; comparisons are ratios
measured side by side in the same run. Benchmarks that start containers use the test images (\`test/doubles\`):
they measure Berth and Docker, not vLLM.

## Quick benchmarks (\`npm run bench\`)

| figure | value | detail | limit | command | machine | date, commit |
|---|---|---|---|---|---|---|
${quickRows(results).join('\n')}

\`npm run bench:check\` is the regression guard CI runs: it repeats the quick benchmarks whose limits are ratios
measured in the same run (so a slower machine does not fail them) and fails when one is over its limit by more
than the spread of its own runs.

### What each measures
- **CLI cold start** (\`cli-cold-start.js\`): a new Node process per run, alternating with a bare \`node -e 0\`.
- **engine-up** (\`engine-up-vs-compose.ts\`): \`berth up\` of the six-service development stack (models that take
  1.5 s to load) to all healthy, against \`docker-compose up -d\` of the exported compose file with health checks
  every second followed by waiting for every health check; alternating runs, same images, weights prefetch off for
  both. The critical path is the sum, along the slowest dependency chain, of each service's own create-to-healthy time.
- **status-latency** (\`status-latency.ts\`): from the \`docker kill\` call to the status tracker reporting the stop.
- **idle-engine** (\`idle-engine.ts\`): CPU time and resident memory of \`berth status --watch\` following a running stack.
- **log-ingestion** (\`log-ingestion.ts\`): a container's whole log read through Berth's demultiplexer into the
  bounded ring buffer.
- **dashboard** (\`dashboard.ts\`): Debian's Chromium against \`berth serve\`: first paint on reload (the last known
  state renders before the backend answers), frame times and JS heap while the Logs view follows a service printing
  10,000 lines a second, and the time relaying a chat through the backend adds per streamed token over reading
  litellm directly (alternating replies).
- **engine-host** (\`engine-host.ts\`): what hosting the engine in a second process would cost the main process
  (docs/decisions/0006).
- **metrics-refresh** (\`metrics-refresh.ts\`): the backend's CPU for a minute of Metrics-view refreshes per model,
  from a real Prometheus (Debian's, in the test stack) and from the model servers, measured with \`process.cpuUsage\`.

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

${vllmSection(results)}`,
  );
}
