// A test double of the stack's servers (vLLM, litellm, Open WebUI, Prometheus, Grafana), run inside test
// images built FROM scratch. It is never shipped: it stands in for the real images, which cannot be pulled
// where the tests run. Its role comes from BERTH_DOUBLE_ROLE; its behaviour from DOUBLE_* variables baked into
// each test image: DOUBLE_START_DELAY_MS (slow start), DOUBLE_HEALTH=fail (unhealthy), DOUBLE_FATAL (print a
// vLLM fatal message and exit 1).
'use strict';
const http = require('node:http');
const fs = require('node:fs');

const role = process.env.BERTH_DOUBLE_ROLE || 'vllm';
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : fallback;
};
const defaultPorts = { vllm: 8000, litellm: 4000, webui: 8080, prometheus: 9090, grafana: 3000 };
const port = Number(arg('--port', defaultPorts[role]));
const servedName = arg('--served-model-name', arg('--model', 'double-model'));
const maxModelLen = Number(arg('--max-model-len', 4096));
const startDelayMs = Number(process.env.DOUBLE_START_DELAY_MS || 0);
const started = Date.now();
const log = (line) => process.stdout.write(`${line}\n`);
const counters = { prompt: 0, generation: 0, success: 0, running: 0 };
const latencies = { ttft: [], itl: [], e2e: [], queue: [] };

function readFile(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** What the container was given: env, CPU affinity and memory limit as the kernel sees them. */
function info() {
  const status = readFile('/proc/self/status') || '';
  const cpus = (status.match(/^Cpus_allowed_list:\s*(.+)$/m) || [])[1] || null;
  const memoryMax = readFile('/sys/fs/cgroup/memory.max') || readFile('/sys/fs/cgroup/memory/memory.limit_in_bytes');
  return { role, args, env: process.env, cpusAllowed: cpus, memoryMax, pid: process.pid };
}

function histogram(name, labels, observations) {
  const buckets = [0.01, 0.05, 0.1, 0.5, 1, 5, '+Inf'];
  const lines = [`# TYPE ${name} histogram`];
  for (const le of buckets) lines.push(`${name}_bucket{${labels},le="${le}"} ${observations.filter((v) => le === '+Inf' || v <= le).length}`);
  lines.push(`${name}_sum{${labels}} ${observations.reduce((a, b) => a + b, 0)}`, `${name}_count{${labels}} ${observations.length}`);
  return lines;
}

function processMetrics() {
  const usage = process.cpuUsage();
  return [
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${(usage.user + usage.system) / 1e6}`,
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${process.memoryUsage().rss}`,
  ];
}

/** The metric names vLLM's server and litellm's prometheus callback export (test/fixtures/upstream-metrics.json), with plausible values. */
function metrics() {
  if (role === 'litellm') {
    const labels = 'requested_model="qwen3-1.7b",end_user="",hashed_api_key="x",api_key_alias="",team="",team_alias="",user=""';
    return [
      '# TYPE litellm_proxy_total_requests_metric_total counter',
      `litellm_proxy_total_requests_metric_total{${labels}} ${counters.success}`,
      '# TYPE litellm_proxy_failed_requests_metric_total counter',
      `litellm_proxy_failed_requests_metric_total{${labels},exception_status="500",exception_class="Internal"} 0`,
      ...histogram('litellm_request_total_latency_metric', 'model="qwen3-1.7b"', latencies.e2e),
      ...processMetrics(),
      '',
    ].join('\n');
  }
  const labels = `model_name="${servedName}",engine="0"`;
  return [
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running{${labels}} ${counters.running}`,
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting{${labels}} 0`,
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc{${labels}} ${counters.running ? 0.25 : 0}`,
    '# TYPE vllm:prompt_tokens_total counter',
    `vllm:prompt_tokens_total{${labels}} ${counters.prompt}`,
    '# TYPE vllm:generation_tokens_total counter',
    `vllm:generation_tokens_total{${labels}} ${counters.generation}`,
    '# TYPE vllm:request_success_total counter',
    `vllm:request_success_total{${labels},finished_reason="stop"} ${counters.success}`,
    '# TYPE vllm:num_preemptions_total counter',
    `vllm:num_preemptions_total{${labels}} 0`,
    ...histogram('vllm:time_to_first_token_seconds', labels, latencies.ttft),
    ...histogram('vllm:inter_token_latency_seconds', labels, latencies.itl),
    ...histogram('vllm:e2e_request_latency_seconds', labels, latencies.e2e),
    ...histogram('vllm:request_queue_time_seconds', labels, latencies.queue),
    ...processMetrics(),
    '',
  ].join('\n');
}

function chat(req, res, body) {
  const request = JSON.parse(body || '{}');
  const words = ['Hello', ' from', ' the', ' test', ' double', '.'];
  counters.prompt += 5;
  counters.generation += words.length;
  counters.success += 1;
  latencies.ttft.push(0.02);
  latencies.itl.push(0.02, 0.02, 0.02, 0.02, 0.02);
  latencies.e2e.push(0.12);
  latencies.queue.push(0.001);
  const id = `chatcmpl-double-${Date.now()}`;
  if (!request.stream) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ id, object: 'chat.completion', model: servedName, choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' }] }));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  counters.running += 1;
  res.on('close', () => (counters.running -= 1));
  let i = 0;
  const timer = setInterval(() => {
    if (i < words.length) {
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: servedName, choices: [{ index: 0, delta: { content: words[i] }, finish_reason: null }] })}\n\n`);
      i++;
      return;
    }
    clearInterval(timer);
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model: servedName, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.end('data: [DONE]\n\n');
  }, 20);
  res.on('close', () => clearInterval(timer));
}

function modelsFromLitellmConfig() {
  const config = readFile(arg('--config', '/app/config.yaml')) || '';
  return [...config.matchAll(/model_name:\s*(\S+)/g)].map((m) => m[1]);
}

function handle(req, res, body) {
  const url = req.url.split('?')[0];
  const json = (status, value) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  if (url === '/double/info') return json(200, info());
  const healthy = process.env.DOUBLE_HEALTH !== 'fail';
  const healthPaths = { vllm: '/health', litellm: '/health/liveliness', webui: '/health', prometheus: '/-/ready', grafana: '/api/health' };
  if (url === healthPaths[role]) return healthy ? json(200, { status: 'ok' }) : json(503, { status: 'unhealthy' });
  if (role === 'vllm' && url === '/v1/models') return json(200, { object: 'list', data: [{ id: servedName, object: 'model', max_model_len: maxModelLen }] });
  if (role === 'litellm' && url === '/v1/models') return json(200, { object: 'list', data: modelsFromLitellmConfig().map((id) => ({ id, object: 'model' })) });
  if (role === 'vllm' && url === '/v1/chat/completions' && req.method === 'POST') return chat(req, res, body);
  if (role === 'litellm' && url === '/v1/chat/completions' && req.method === 'POST') return chat(req, res, body);
  if ((role === 'vllm' || role === 'litellm') && url.startsWith('/metrics')) {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    return res.end(metrics());
  }
  json(404, { error: `no route ${req.method} ${url}` });
}

if (process.env.DOUBLE_HOG_MIB) {
  // Grows past its memory limit, as a model whose KV cache does not fit would.
  const hoard = [];
  setInterval(() => hoard.push(Buffer.alloc(16 * 1024 * 1024, 1)), 20);
}

if (process.env.DOUBLE_FATAL) {
  // Lines a few milliseconds apart, as vLLM writes them, so Docker records them in this order.
  setTimeout(() => log('INFO Initializing a V1 LLM engine'), 50);
  setTimeout(() => process.stderr.write(`ERROR ${process.env.DOUBLE_FATAL}\n`), 100);
  setTimeout(() => process.exit(1), Number(process.env.DOUBLE_FATAL_AFTER_MS || 200));
} else {
  log(`INFO double ${role} starting (${args.join(' ')})`);
  // As litellm does with --detailed_debug: its key ends up in its own log, which Berth must not pass on.
  if (role === 'litellm' && process.env.LITELLM_MASTER_KEY) log(`DEBUG proxy_server.py: master_key=${process.env.LITELLM_MASTER_KEY}`);
  if (role === 'vllm') log(`INFO Model loading took 0.1 GiB memory and ${startDelayMs / 1000} seconds`);
  setTimeout(() => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => handle(req, res, body));
    });
    server.listen(port, '0.0.0.0', () => log(role === 'vllm' ? `INFO Starting vLLM API server on http://0.0.0.0:${port}` : `INFO ${role} listening on ${port} after ${Date.now() - started} ms`));
  }, startDelayMs);
  if (process.env.DOUBLE_CHATTER_PER_S) {
    const perTick = Math.max(1, Math.round(Number(process.env.DOUBLE_CHATTER_PER_S) / 100));
    let n = 0;
    setInterval(() => {
      let chunk = '';
      for (let i = 0; i < perTick; i++) chunk += `INFO chatter line ${n++}\n`;
      process.stdout.write(chunk);
    }, 10);
  }
}
process.on('SIGTERM', () => process.exit(0));
