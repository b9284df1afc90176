// A test double of `vllm serve` (vLLM 0.30.0's OpenAI-compatible server), run as the test images' entrypoint
// `vllm serve`, as the real images run it: the plan's command is its arguments. It refuses what vLLM refuses where
// Berth depends on it, each rule with its upstream source:
// - arguments as vLLM's FlexibleArgumentParser reads them (vllm/utils/argparse_utils.py: `--a_b` is `--a-b`, `--a=b`
//   works), the model positional (`vllm serve [model_tag]`; `--model` still works there but is deprecated), and an
//   unknown flag refused as argparse refuses it: usage line, `vllm serve: error: unrecognized arguments: …`, exit 2;
// - a chat naming a model it does not serve: 404 `The model \`x\` does not exist.`
//   (vllm/entrypoints/openai/serving_engine.py, _check_model);
// - a chat with `tools` and tool_choice "auto" (the default when tools are given) without --enable-auto-tool-choice
//   and --tool-call-parser: 400 `"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set`
//   (vllm/entrypoints/openai/serving_chat.py);
// - --api-key: /v1 routes need `Authorization: Bearer <key>` (vllm/entrypoints/openai/api_server.py);
// - on the CPU, an OpenMP bind CPU (VLLM_CPU_OMP_THREADS_BIND) outside the container's cpuset: the worker dies with
//   `RuntimeError: sched_setaffinity failed. errno: 22` (csrc/cpu/utils.cpp, init_cpu_threads_env);
// - on the CPU, a cgroup memory limit below what vLLM needs for its arguments: the weights, the KV cache it allocates at
//   start (--kv-cache-memory-bytes, else VLLM_CPU_KVCACHE_SPACE GiB, 4 by default) and its three processes (API server
//   0.86 GB, engine core 0.46 GB, worker 0.75 GB, measured in a vLLM 0.30 CPU container): it allocates until the
//   kernel kills it, as vLLM is OOM-killed. These figures are the double's own, not the planner's.
// It prints vLLM's startup lines with figures it computes from the model's config.json numbers (MODELS below) and
// serves them as vllm:cache_config_info.
// Behaviour variants come from DOUBLE_* variables baked into each test image: DOUBLE_START_DELAY_MS (slow start),
// DOUBLE_HEALTH=fail (unhealthy), DOUBLE_FATAL (print a vLLM fatal message and exit 1), DOUBLE_HOG_MIB (grow past the
// memory limit), DOUBLE_CHATTER_PER_S (log lines). A test ends its engine process with POST /double/engine-dead.
'use strict';
const {
  reachOut,
  log,
  logError,
  containerInfo,
  sendJson,
  listen,
  parseJson,
  bearer,
  histogram,
  processMetrics,
  streamChat,
} = require('./double-common.js');

const VERSION = '0.30.0';
const GiB = 1024 ** 3;

/**
 * The models the tests serve, with their config.json numbers (num_hidden_layers, num_key_value_heads, head_dim) and
 * their weights in bf16 from the parameter counts on their model cards: huggingface.co/<id>.
 */
const MODELS = {
  'Qwen/Qwen3-1.7B': { layers: 28, kvHeads: 8, headDim: 128, weightsBytes: 1.7e9 * 2 },
  'meta-llama/Llama-3.2-3B-Instruct': { layers: 28, kvHeads: 8, headDim: 128, weightsBytes: 3.21e9 * 2 },
  'Qwen/Qwen3-0.6B': { layers: 28, kvHeads: 8, headDim: 128, weightsBytes: 0.6e9 * 2 },
  'Qwen/Qwen2.5-Coder-7B-Instruct': { layers: 28, kvHeads: 4, headDim: 128, weightsBytes: 7.61e9 * 2 },
  'openai/gpt-oss-20b': { layers: 24, kvHeads: 8, headDim: 64, weightsBytes: 13.72 * GiB, slidingLayers: 12 },
  // 4-bit MLX checkpoints (vllm-metal): 4.5 bits a weight, as mlx-lm quantises in groups of 64 with a scale and bias.
  'mlx-community/Qwen3-1.7B-4bit': { layers: 28, kvHeads: 8, headDim: 128, weightsBytes: (1.72e9 * 4.5) / 8 },
  'mlx-community/Llama-3.2-3B-Instruct-4bit': {
    layers: 28,
    kvHeads: 8,
    headDim: 128,
    weightsBytes: (3.21e9 * 4.5) / 8,
  },
};
/**
 * DOUBLE_PLATFORM=metal: vllm-metal, vLLM's Apple-GPU plugin (vllm-project/vllm-metal, vllm_metal/v1/cache_policy.py):
 * the KV cache is `int(metal_limit × fraction) − model_memory − overhead`, fraction the --gpu-memory-utilization
 * (0.92, vLLM 0.27.1's default, where none is given), paged in 16-token blocks; it logs its "Paged attention memory
 * breakdown" in GB of 10⁹ bytes and refuses a budget of nothing ("not enough Metal memory for KV cache") or of fewer
 * than 16 blocks. DOUBLE_METAL_LIMIT_BYTES stands in for the Mac's `max_recommended_working_set_size`.
 */
const METAL = process.env.DOUBLE_PLATFORM === 'metal';
/** The vLLM core vllm-metal's install script pins (its install.sh: VLLM_VERSION). */
const METAL_VLLM_VERSION = '0.27.1';
/**
 * vLLM's CPU server's three processes beside weights and KV (API server, engine core, worker); DOUBLE_PROCESSES_BYTES
 * stands in for a release that needs more than that.
 */
const CPU_PROCESSES_BYTES = Number(process.env.DOUBLE_PROCESSES_BYTES || 0.86e9 + 0.46e9 + 0.75e9);

function cpuList(text) {
  return String(text || '')
    .split(',')
    .filter(Boolean)
    .flatMap((part) => {
      const [a, b] = part.split('-').map(Number);
      return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
}

/**
 * The flags of `vllm serve` at v0.30.0 that Berth, the production-stack chart and Berth's tests pass, with how each
 * takes a value (vLLM's engine and frontend arguments: https://docs.vllm.ai/en/v0.30.0/configuration/engine_args/ and
 * https://docs.vllm.ai/en/v0.30.0/cli/serve/; the pinned 0.31.0's release notes rename or remove none of them). A flag
 * outside this list is refused, as vLLM refuses one it does not know; a real flag missing here would fail a test, never
 * pass one that should fail.
 */
const VALUE_FLAGS = {
  '--model': 'str',
  '--host': 'str',
  '--port': 'int',
  '--max-model-len': 'int',
  '--dtype': ['auto', 'half', 'float16', 'bfloat16', 'float', 'float32'],
  '--gpu-memory-utilization': 'float',
  '--tensor-parallel-size': 'int',
  '--pipeline-parallel-size': 'int',
  '--tool-call-parser': 'str',
  '--kv-cache-memory-bytes': 'int',
  '--kv-cache-dtype': 'str',
  '--max-num-seqs': 'int',
  '--max-num-batched-tokens': 'int',
  '--block-size': 'int',
  '--api-key': 'str',
  '--chat-template': 'str',
  '--reasoning-parser': 'str',
  '--quantization': 'str',
  '--download-dir': 'str',
  '--revision': 'str',
  '--tokenizer': 'str',
  '--seed': 'int',
  '--uvicorn-log-level': ['critical', 'error', 'warning', 'info', 'debug', 'trace'],
};
const LIST_FLAGS = new Set(['--served-model-name']);
/** Boolean flags (argparse.BooleanOptionalAction where vLLM gives them a `--no-` form). */
const BOOLEAN_FLAGS = new Set([
  '--enable-auto-tool-choice',
  '--enable-prefix-caching',
  '--enforce-eager',
  '--trust-remote-code',
  '--enable-sleep-mode',
  '--disable-uvicorn-access-log',
  '--enable-log-requests',
]);

/**
 * Tool-call parsers registered in vLLM 0.30.0's ToolParserManager that vLLM's docs name (docs/features/tool_calling.md
 * and the gpt-oss recipe); vLLM refuses any other name when it starts.
 */
const TOOL_CALL_PARSERS = new Set([
  'hermes',
  'llama3_json',
  'llama4_json',
  'llama4_pythonic',
  'mistral',
  'pythonic',
  'openai',
  'qwen3_coder',
  'qwen3_xml',
  'granite',
  'internlm',
  'jamba',
  'xlam',
  'deepseek_v3',
]);

function usageError(message) {
  logError('usage: vllm serve [model_tag] [options]');
  logError(`vllm serve: error: ${message}`);
  process.exit(2);
}

/** The arguments as vLLM's parser reads them, or exit 2 as argparse does. */
function parseServeArgs(argv) {
  const args = { positional: [], flags: {}, lists: {}, booleans: new Set() };
  const unknown = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    if (!raw.startsWith('--')) {
      args.positional.push(raw);
      continue;
    }
    const [rawName, inline] = raw.includes('=')
      ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)]
      : [raw, undefined];
    const name = `--${rawName.slice(2).replace(/_/g, '-')}`;
    const positive = name.startsWith('--no-') ? `--${name.slice(5)}` : name;
    if (BOOLEAN_FLAGS.has(positive)) {
      if (positive === name) args.booleans.add(name);
      else args.booleans.delete(positive);
      continue;
    }
    if (LIST_FLAGS.has(name)) {
      const values = inline !== undefined ? [inline] : [];
      while (inline === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
      if (values.length === 0) usageError(`argument ${name}: expected at least one argument`);
      args.lists[name] = values;
      continue;
    }
    const type = VALUE_FLAGS[name];
    if (!type) {
      unknown.push(raw);
      continue;
    }
    const value =
      inline !== undefined ? inline : i + 1 < argv.length && !argv[i + 1].startsWith('--') ? argv[++i] : undefined;
    if (value === undefined) usageError(`argument ${name}: expected one argument`);
    if (type === 'int' && !/^-?\d+$/.test(value)) usageError(`argument ${name}: invalid int value: '${value}'`);
    if (type === 'float' && Number.isNaN(Number(value)))
      usageError(`argument ${name}: invalid float value: '${value}'`);
    if (Array.isArray(type) && !type.includes(value))
      usageError(`argument ${name}: invalid choice: '${value}' (choose from ${type.map((t) => `'${t}'`).join(', ')})`);
    args.flags[name] = value;
  }
  if (args.positional.length > 1) unknown.push(...args.positional.slice(1));
  if (unknown.length) usageError(`unrecognized arguments: ${unknown.join(' ')}`);
  return args;
}

/** vLLM's log prefix: `INFO 12-03 08:00:00 [file.py:line] `. */
function vllmLine(level, where, message) {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${level} ${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())} [${where}] ${message}`;
}

function run(argv) {
  const parsed = parseServeArgs(argv);
  let model = parsed.positional[0];
  if (!model && parsed.flags['--model']) {
    model = parsed.flags['--model'];
    log(
      vllmLine(
        'WARNING',
        'api_server.py:1870',
        'With `vllm serve`, you should provide the model as a positional argument or in a config file instead of via the `--model` option. The `--model` option will be removed in a future version.',
      ),
    );
  }
  if (!model) model = 'Qwen/Qwen3-0.6B';
  const servedNames = parsed.lists['--served-model-name'] || [model];
  const port = Number(parsed.flags['--port'] || 8000);
  const maxModelLen = Number(parsed.flags['--max-model-len'] || 4096);
  const apiKey = parsed.flags['--api-key'];
  const autoTools = parsed.booleans.has('--enable-auto-tool-choice');
  const parser = parsed.flags['--tool-call-parser'];
  if (autoTools && !parser) {
    logError(
      vllmLine(
        'ERROR',
        'api_server.py:1900',
        'TypeError: Error: --enable-auto-tool-choice requires --tool-call-parser',
      ),
    );
    process.exit(1);
  }
  if (parser && !TOOL_CALL_PARSERS.has(parser)) {
    logError(
      vllmLine(
        'ERROR',
        'api_server.py:1900',
        `KeyError: 'invalid tool call parser: ${parser} (chose from { ${[...TOOL_CALL_PARSERS].join(',')} })'`,
      ),
    );
    process.exit(1);
  }

  const info = containerInfo('vllm', argv);
  const gpu = parsed.flags['--gpu-memory-utilization'] !== undefined;
  const config = MODELS[model] || {
    layers: 28,
    kvHeads: 8,
    headDim: 128,
    weightsBytes: Number(process.env.DOUBLE_WEIGHTS_BYTES || 0),
  };
  const weightsBytes = config.weightsBytes * Number(process.env.DOUBLE_WEIGHTS_FACTOR || 1);
  const blockTokens = gpu || METAL ? 16 : 128;
  const fullLayers = config.layers - (config.slidingLayers || 0);
  // DOUBLE_KV_FACTOR: a cache that costs more a token than config.json's arithmetic (a release or a kernel that pads
  // it), so the cache holds fewer tokens than the plan counted.
  const bytesPerToken =
    2 * fullLayers * config.kvHeads * config.headDim * 2 * Number(process.env.DOUBLE_KV_FACTOR || 1);

  if (!gpu && !METAL) {
    const bind = process.env.VLLM_CPU_OMP_THREADS_BIND;
    const allowed = cpuList(info.cpusAllowed);
    const outside =
      bind && !/^(auto|nobind)$/.test(bind)
        ? cpuList(bind.replace(/\|/g, ',')).filter((cpu) => allowed.length && !allowed.includes(cpu))
        : [];
    if (outside.length) {
      log(vllmLine('INFO', 'cpu_worker.py:118', `OMP threads binding of Process ${process.pid}: ${bind}`));
      logError(vllmLine('ERROR', 'core.py:708', 'EngineCore failed to start.'));
      logError('RuntimeError: sched_setaffinity failed. errno: 22');
      process.exit(1);
    }
  }
  const kvBytes =
    gpu || METAL
      ? 0
      : Number(parsed.flags['--kv-cache-memory-bytes'] || Number(process.env.VLLM_CPU_KVCACHE_SPACE || 4) * GiB);
  const limit = Number(info.memoryMax);
  if (!gpu && !METAL && Number.isFinite(limit) && limit > 0 && limit < weightsBytes + kvBytes + CPU_PROCESSES_BYTES) {
    // What vLLM does with too small a limit: it keeps allocating (weights, then the KV cache) until the kernel kills it.
    log(vllmLine('INFO', 'cpu_model_runner.py:68', `Starting to load model ${model}...`));
    const hoard = [];
    setInterval(() => hoard.push(Buffer.alloc(32 * 1024 * 1024, 1)), 5);
    return;
  }

  const startDelayMs = Number(process.env.DOUBLE_START_DELAY_MS || 0);
  const counters = { prompt: 0, generation: 0, success: 0, running: 0 };
  let engineDead = false;
  let chats = 0;
  const latencies = { ttft: [], itl: [], e2e: [], queue: [] };
  const labels = `model_name="${servedNames[0]}",engine="0"`;

  // The KV cache vLLM makes: on the CPU what it is given; on a card what the share leaves (DOUBLE_CARD_BYTES stands in
  // for the card the test machine lacks).
  const share = Number(parsed.flags['--gpu-memory-utilization'] || 0);
  const cardBytes = Number(process.env.DOUBLE_CARD_BYTES || 80 * GiB);
  const overheadInShare = Number(process.env.DOUBLE_OVERHEAD_BYTES || 1.25 * GiB);
  const metal = METAL ? metalBudget(share, weightsBytes, blockTokens * bytesPerToken) : undefined;
  const availableKv = metal
    ? Math.max(0, metal.kvBudget)
    : gpu
      ? Math.max(0, share * cardBytes - weightsBytes - overheadInShare)
      : kvBytes;
  const blocks = Math.floor(availableKv / (blockTokens * bytesPerToken));
  const concurrency = blocks / Math.ceil(maxModelLen / blockTokens);
  const kvTokens = Math.floor(concurrency * maxModelLen);

  function metrics() {
    return [
      '# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig',
      '# TYPE vllm:cache_config_info gauge',
      `vllm:cache_config_info{block_size="${blockTokens}",cache_dtype="auto",enable_prefix_caching="True",gpu_memory_utilization="${share || 0.9}",kv_cache_memory_bytes="${gpu ? 'None' : kvBytes}",num_cpu_blocks="None",num_gpu_blocks="${blocks}",engine="0"} 1.0`,
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

  function error(res, status, type, message, param = null) {
    sendJson(res, status, { error: { message, type, param, code: status } });
  }

  /**
   * A tool call as the model writes it and the parser reads it. Qwen2.5-Coder writes its calls as a ```json block, not
   * in hermes's <tool_call> tags, so with --tool-call-parser hermes the call arrives as plain content and tool_calls
   * stays empty (vllm-project/vllm#32926, and the note of vllm-project/vllm#47878); the other catalog models' parsers
   * read their calls.
   */
  function toolCall(request) {
    const name = request.tools[0]?.function?.name ?? 'tool';
    if (/Qwen2\.5-Coder/i.test(model) && parser === 'hermes')
      return {
        message: { role: 'assistant', content: '```json\n' + JSON.stringify({ name, arguments: {} }) + '\n```' },
        finish: 'stop',
      };
    return {
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: `call-${Date.now()}`, type: 'function', function: { name, arguments: '{}' } }],
      },
      finish: 'tool_calls',
    };
  }

  function chat(req, res, body) {
    const request = parseJson(body);
    if (!request) return error(res, 400, 'BadRequestError', 'Expecting value: line 1 column 1 (char 0)');
    if (!servedNames.includes(request.model))
      return error(res, 404, 'NotFoundError', `The model \`${request.model}\` does not exist.`, 'model');
    const tools = Array.isArray(request.tools) && request.tools.length > 0;
    const choice = request.tool_choice ?? (tools ? 'auto' : 'none');
    if (tools && choice === 'auto' && !(autoTools && parser))
      return error(
        res,
        400,
        'BadRequestError',
        '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
      );
    const called = tools && choice !== 'none' ? toolCall(request) : undefined;
    if (called && !request.stream) {
      counters.success += 1;
      return sendJson(res, 200, {
        id: `chatcmpl-double-${Date.now()}`,
        object: 'chat.completion',
        model: request.model,
        choices: [{ index: 0, message: called.message, finish_reason: called.finish }],
      });
    }
    const words = ['Hello', ' from', ' the', ' test', ' double', '.'];
    // DOUBLE_ANSWER_DRIFT: a release that answers a prompt containing these words otherwise, as a changed kernel or
    // sampler would at temperature 0.
    const asked = String(request.messages?.at(-1)?.content ?? '');
    if (process.env.DOUBLE_ANSWER_DRIFT && asked.includes(process.env.DOUBLE_ANSWER_DRIFT)) words[4] = ' other double';
    // DOUBLE_EXIT_AFTER_CHATS: a release that dies under load (its engine core crashes, and the container stops).
    chats += 1;
    if (Number(process.env.DOUBLE_EXIT_AFTER_CHATS) && chats > Number(process.env.DOUBLE_EXIT_AFTER_CHATS)) {
      logError(vllmLine('ERROR', 'core.py:1', 'EngineCore encountered a fatal error.'));
      process.exit(1);
    }
    counters.prompt += 5;
    counters.generation += words.length;
    counters.success += 1;
    latencies.ttft.push(0.02);
    latencies.itl.push(0.02, 0.02, 0.02, 0.02, 0.02);
    latencies.e2e.push(0.12);
    latencies.queue.push(0.001);
    const id = `chatcmpl-double-${Date.now()}`;
    if (!request.stream) {
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' }],
      });
    }
    counters.running += 1;
    streamChat(res, { id, model: request.model, words }, () => (counters.running -= 1));
  }

  function handle(req, res, body) {
    const url = req.url.split('?')[0];
    if (url === '/double/info')
      return sendJson(res, 200, containerInfo('vllm', argv, { model, servedNames, kvTokens, blocks }));
    if (url === '/double/engine-dead' && req.method === 'POST') {
      // The engine process dies and the API server stays up, as vLLM's does: its client logs the death
      // (vllm/v1/engine/core_client.py) and /health answers 503 from then on (serve/instrumentator/health.py).
      engineDead = true;
      logError(
        vllmLine(
          'ERROR',
          'core_client.py:564',
          'Engine core proc EngineCore_DP0 died unexpectedly, shutting down client.',
        ),
      );
      return res.end();
    }
    if (url === '/health')
      return process.env.DOUBLE_HEALTH === 'fail' || engineDead ? sendJson(res, 503, {}) : res.end();
    if (url === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      return res.end(metrics());
    }
    if (url.startsWith('/v1/') && apiKey && bearer(req) !== apiKey)
      return sendJson(res, 401, { error: 'Unauthorized' });
    if (url === '/v1/models' && req.method === 'GET') {
      return sendJson(res, 200, {
        object: 'list',
        data: servedNames.map((id) => ({
          id,
          object: 'model',
          owned_by: 'vllm',
          root: model,
          max_model_len: maxModelLen,
        })),
      });
    }
    if (url === '/v1/chat/completions' && req.method === 'POST') return chat(req, res, body);
    sendJson(res, 404, { detail: 'Not Found' });
  }

  // DOUBLE_BALLAST_MIB: a release that holds this much more memory once started, within its limit.
  const ballastMiB = Number(process.env.DOUBLE_BALLAST_MIB || 0);
  const ballast = ballastMiB ? Buffer.alloc(ballastMiB * 1024 ** 2, 1) : null;
  if (ballast) log(`INFO holding ${ballast.length} bytes`);
  if (process.env.DOUBLE_HOG_MIB) {
    // Grows past its memory limit, as a model whose KV cache does not fit would.
    const hoard = [];
    setInterval(() => hoard.push(Buffer.alloc(16 * 1024 * 1024, 1)), 20);
  }

  // huggingface_hub asks the Hub for the model's files unless HF_HUB_OFFLINE=1
  // (https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables#hfhuboffline).
  if (
    process.env.HF_HUB_OFFLINE !== '1' &&
    !METAL &&
    !reachOut(`https://huggingface.co/api/models/${model}`, 'model files')
  )
    logError(`WARNING: couldn't connect to 'https://huggingface.co' to check ${model}; trying the local cache`);

  if (process.env.DOUBLE_FATAL) {
    // Lines a few milliseconds apart, as vLLM writes them, so Docker records them in this order.
    setTimeout(() => log('INFO Initializing a V1 LLM engine'), 50);
    setTimeout(() => logError(`ERROR ${process.env.DOUBLE_FATAL}`), 100);
    setTimeout(() => process.exit(1), Number(process.env.DOUBLE_FATAL_AFTER_MS || 200));
    return;
  }
  log(vllmLine('INFO', 'api_server.py:1885', `vLLM API server version ${METAL ? METAL_VLLM_VERSION : VERSION}`));
  log(
    vllmLine(
      'INFO',
      'utils.py:253',
      `non-default args: ${JSON.stringify({ model_tag: model, served_model_name: servedNames, port, max_model_len: maxModelLen })}`,
    ),
  );
  if (metal) {
    if (!metalStart(model, metal, blocks)) return;
  } else
    log(
      vllmLine(
        'INFO',
        gpu ? 'gpu_model_runner.py:2653' : 'cpu_model_runner.py:71',
        `Model loading took ${(weightsBytes / GiB).toFixed(4)} GiB memory and ${startDelayMs / 1000} seconds`,
      ),
    );
  if (gpu && !metal)
    log(vllmLine('INFO', 'gpu_worker.py:298', `Available KV cache memory: ${(availableKv / GiB).toFixed(2)} GiB`));
  if (blocks < Math.ceil(maxModelLen / blockTokens)) {
    // vLLM refuses a cache that holds less than one request of its context, with the longest context that fits
    // (_check_enough_kv_cache_memory in vllm/v1/core/kv_cache_utils.py; format_gib rounds to two places).
    const gib = (bytes) => String(Math.round((bytes / GiB) * 100) / 100);
    const needed = Math.ceil(maxModelLen / blockTokens) * blockTokens * bytesPerToken;
    const fits = blocks * blockTokens;
    logError(vllmLine('ERROR', 'core.py:708', 'EngineCore failed to start.'));
    logError(
      `ValueError: To serve at least one request with the model's max seq len (${maxModelLen}), (${gib(needed)} GiB KV ` +
        `cache is needed, which is larger than the available KV cache memory (${gib(availableKv)} GiB). ` +
        (fits > 0 ? `Based on the available memory, the estimated maximum model length is ${fits}. ` : '') +
        'Try increasing `gpu_memory_utilization` (which also controls CPU memory on the CPU backend) or decreasing ' +
        '`max_model_len` when initializing the engine. See ' +
        'https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details.',
    );
    setTimeout(() => process.exit(1), 50);
    return;
  }
  log(vllmLine('INFO', 'kv_cache_utils.py:1311', `GPU KV cache size: ${kvTokens.toLocaleString('en-US')} tokens`));
  log(
    vllmLine(
      'INFO',
      'kv_cache_utils.py:1315',
      `Maximum concurrency for ${maxModelLen.toLocaleString('en-US')} tokens per request: ${concurrency.toFixed(2)}x`,
    ),
  );
  setTimeout(() => {
    listen(port, handle, () =>
      log(vllmLine('INFO', 'api_server.py:1952', `Starting vLLM API server 0 on http://0.0.0.0:${port}`)),
    );
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

/** vllm-metal's budget for a share (cache_policy.py, _paged_attention_plan), in bytes. */
function metalBudget(share, modelMemory, perBlockBytes) {
  const metalLimit = Number(process.env.DOUBLE_METAL_LIMIT_BYTES || 16 * GiB * (2 / 3));
  const fraction = share || 0.92;
  const overhead = Number(process.env.DOUBLE_OVERHEAD_BYTES || 200 * 1024 * 1024);
  const usable = Math.floor(metalLimit * fraction);
  const kvBudget = usable - modelMemory - overhead;
  return { metalLimit, fraction, usable, modelMemory, overhead, kvBudget, perBlockBytes };
}

/** vllm-metal's own start lines, or its refusal; false when it refused (the process exits). */
function metalStart(model, m, blocks) {
  const gb = (bytes) => `${(bytes / 1e9).toFixed(2)}GB`;
  const breakdown =
    `metal_limit=${gb(m.metalLimit)}, fraction=${m.fraction}, usable_metal=${gb(m.usable)}, ` +
    `model_memory=${gb(m.modelMemory)}, overhead=${gb(m.overhead)}, kv_budget=${gb(m.kvBudget)}`;
  const mitigations = 'Mitigations: increase VLLM_METAL_MEMORY_FRACTION; use a smaller or more quantized model.';
  log(vllmLine('INFO', 'model_lifecycle.py:312', `MLX-LM model loaded in 1.25s: ${model}`));
  if (m.kvBudget <= 0 || blocks < 16) {
    logError(vllmLine('ERROR', 'core.py:708', 'EngineCore failed to start.'));
    logError(
      m.kvBudget <= 0
        ? `ValueError: Paged attention: not enough Metal memory for KV cache. ${breakdown}. ${mitigations}`
        : `ValueError: Paged attention: computed num_blocks too low (${blocks} < minimum 16). ${breakdown}, ` +
            `per_block_bytes=${m.perBlockBytes}. ${mitigations}`,
    );
    setTimeout(() => process.exit(1), 50);
    return false;
  }
  log(
    vllmLine(
      'INFO',
      'cache_policy.py:1091',
      `Paged attention memory breakdown: ${breakdown}, per_block_bytes=${m.perBlockBytes}, num_blocks=${blocks}, ` +
        `max_tokens_cached=${blocks * 16}`,
    ),
  );
  return true;
}

module.exports = { run, parseServeArgs };
