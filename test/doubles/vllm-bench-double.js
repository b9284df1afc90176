// A test double of vLLM's `vllm bench serve` CLI, installed as /usr/bin/vllm in the test images. It sends real
// streamed chat requests to --base-url with --max-concurrency at a time, times them as vLLM does (TTFT, TPOT,
// ITL) and saves a result file with the keys vLLM writes. Only what Berth's benchmark runner uses is supported.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const argv = process.argv.slice(2);
if (argv[0] !== 'bench' || argv[1] !== 'serve') {
  console.error(`vllm (test double): only "vllm bench serve" is implemented, got: ${argv.join(' ')}`);
  process.exit(2);
}
const flags = {};
for (let i = 2; i < argv.length; i++) {
  if (!argv[i].startsWith('--')) continue;
  const next = argv[i + 1];
  if (next === undefined || next.startsWith('--')) flags[argv[i].slice(2)] = true;
  else flags[argv[i].slice(2)] = argv[++i];
}
for (const required of [
  'base-url',
  'endpoint',
  'model',
  'num-prompts',
  'max-concurrency',
  'result-dir',
  'result-filename',
]) {
  if (!flags[required]) {
    console.error(`vllm bench serve (test double): --${required} is required`);
    process.exit(2);
  }
}
if (flags.backend !== 'openai-chat' || flags['dataset-name'] !== 'random') {
  console.error('vllm bench serve (test double): only --backend openai-chat with --dataset-name random');
  process.exit(2);
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return 0;
  const at = (sorted.length - 1) * q;
  return sorted[Math.floor(at)] + (sorted[Math.ceil(at)] - sorted[Math.floor(at)]) * (at - Math.floor(at));
};
const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

async function one() {
  const started = performance.now();
  const res = await fetch(`${flags['base-url']}${flags.endpoint}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(process.env.OPENAI_API_KEY ? { Authorization: `Bearer ${process.env.OPENAI_API_KEY}` } : {}),
    },
    body: JSON.stringify({
      model: flags['served-model-name'] ?? flags.model,
      messages: [{ role: 'user', content: 'x '.repeat(Number(flags['random-input-len'] ?? 16)) }],
      max_tokens: Number(flags['random-output-len'] ?? 16),
      stream: true,
    }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const times = [];
  const decoder = new TextDecoder();
  for await (const chunk of res.body)
    for (const line of decoder.decode(chunk).split('\n'))
      if (line.startsWith('data: {') && line.includes('"content"')) times.push(performance.now());
  const ttft = times[0] - started;
  const itls = times.slice(1).map((t, i) => t - times[i]);
  const latency = times.at(-1) - started;
  return { ttft, itls, tpot: times.length > 1 ? (latency - ttft) / (times.length - 1) : 0, output: times.length };
}

(async () => {
  const total = Number(flags['num-prompts']);
  const concurrency = Number(flags['max-concurrency']);
  const results = [];
  const errors = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        next++;
        await one().then(
          (r) => results.push(r),
          (e) => errors.push(String(e.message)),
        );
      }
    }),
  );
  const duration = (performance.now() - started) / 1000;
  const ttfts = results.map((r) => r.ttft);
  const tpots = results.map((r) => r.tpot);
  const itls = results.flatMap((r) => r.itls);
  const output = results.reduce((n, r) => n + r.output, 0);
  const input = results.length * Number(flags['random-input-len'] ?? 0);
  const saved = {
    backend: flags.backend,
    model_id: flags.model,
    max_concurrency: concurrency,
    num_prompts: total,
    duration,
    completed: results.length,
    total_input_tokens: input,
    total_output_tokens: output,
    request_throughput: results.length / duration,
    output_throughput: output / duration,
    total_token_throughput: (input + output) / duration,
    mean_ttft_ms: mean(ttfts),
    median_ttft_ms: quantile(ttfts, 0.5),
    p99_ttft_ms: quantile(ttfts, 0.99),
    mean_tpot_ms: mean(tpots),
    median_tpot_ms: quantile(tpots, 0.5),
    p99_tpot_ms: quantile(tpots, 0.99),
    mean_itl_ms: mean(itls),
    median_itl_ms: quantile(itls, 0.5),
    p99_itl_ms: quantile(itls, 0.99),
    errors,
  };
  console.log('============ Serving Benchmark Result ============');
  console.log(`Successful requests: ${results.length}`);
  fs.mkdirSync(flags['result-dir'], { recursive: true });
  fs.writeFileSync(path.join(flags['result-dir'], flags['result-filename']), JSON.stringify(saved));
  process.exit(errors.length === total ? 1 : 0);
})();
