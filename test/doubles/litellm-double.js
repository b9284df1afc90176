// A test double of litellm's proxy (ghcr.io/berriai/litellm), run with the arguments the plan gives it, as the real
// image's entrypoint passes them to `litellm`. It reads the config.yaml Berth generates and enforces upstream's
// contracts, each with its source:
// - options as litellm's click CLI reads them (litellm/proxy/proxy_cli.py); an unknown one: `Error: No such option`;
// - the master key (`general_settings.master_key`, `os.environ/VAR` read from the environment; it must start with
//   `sk-`) on every /v1 route and bare OpenAI route: 401 `Authentication Error, No api key passed in.` without one,
//   `Authentication Error, Invalid proxy server token passed…` with another (litellm/proxy/auth/user_api_key_auth.py);
// - the key on every path containing /metrics unless `litellm_settings.require_auth_for_metrics_endpoint` is false
//   (litellm/proxy/middleware/prometheus_auth_middleware.py: `require_auth_for_metrics_endpoint is not False`), and
//   /metrics served only with the prometheus callback;
// - a model name not in model_list: 400 `Invalid model name passed in model=…` (litellm/proxy/route_llm_request.py);
// - each chat routed to its `api_base` with the provider prefix removed (`hosted_vllm/<name>` → `<name>` at
//   `<api_base>/chat/completions`), so a wrong api_base, prefix or served name fails as it would: the upstream's 404
//   comes back as litellm's NotFoundError, an unreachable api_base as an APIConnectionError (500);
// - each chat sent with `Authorization: Bearer <key>`: the entry's `api_key` (`os.environ/VAR` read from the
//   environment), else HOSTED_VLLM_API_KEY, else "fake-api-key" (litellm/llms/hosted_vllm/chat/transformation.py,
//   `_get_openai_compatible_provider_info`; the header from `OpenAIGPTConfig.validate_environment` in
//   litellm/llms/openai/chat/gpt_transformation.py).
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
  readFile,
} = require('./double-common.js');
const YAML = require('yaml');

const argv = process.argv.slice(2);
const OPTIONS = {
  '--config': true,
  '--port': true,
  '--host': true,
  '--num_workers': true,
  '--detailed_debug': false,
  '--debug': false,
};
const options = {};
for (let i = 0; i < argv.length; i++) {
  const [name, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
  if (!(name in OPTIONS)) {
    logError("Usage: litellm [OPTIONS]\nTry 'litellm --help' for help.\n");
    logError(`Error: No such option: ${name}`);
    process.exit(2);
  }
  options[name] = OPTIONS[name] ? (inline ?? argv[++i]) : true;
}
const port = Number(options['--port'] || 4000);

function fatal(message) {
  logError(`ERROR: litellm proxy: ${message}`);
  process.exit(1);
}

const configPath = options['--config'];
const configText = configPath ? readFile(configPath) : '';
if (configPath && configText === null) fatal(`Config file not found: ${configPath}`);
let config;
try {
  config = YAML.parse(configText || '') || {};
} catch (error) {
  fatal(`Error loading config: ${error.message}`);
}
const fromEnv = (value) =>
  typeof value === 'string' && value.startsWith('os.environ/') ? process.env[value.slice('os.environ/'.length)] : value;
const masterKey = fromEnv(config.general_settings?.master_key) ?? process.env.LITELLM_MASTER_KEY;
if (masterKey !== undefined && !String(masterKey).startsWith('sk-'))
  fatal("Master key must start with 'sk-'. Received an invalid master key");
const settings = config.litellm_settings || {};
const prometheusOn =
  (settings.callbacks || []).includes('prometheus') || (settings.success_callback || []).includes('prometheus');
const metricsNeedKey = settings.require_auth_for_metrics_endpoint !== false;
const models = (config.model_list || []).map((entry) => {
  const target = String(entry?.litellm_params?.model || '');
  const slash = target.indexOf('/');
  return {
    name: entry?.model_name,
    provider: slash > 0 ? target.slice(0, slash) : '',
    upstream: slash > 0 ? target.slice(slash + 1) : target,
    apiBase: entry?.litellm_params?.api_base,
    apiKey: fromEnv(entry?.litellm_params?.api_key) || process.env.HOSTED_VLLM_API_KEY || 'fake-api-key',
  };
});
const counters = { success: 0, failed: 0 };
const latencies = [];

function litellmError(res, status, message, type = 'None') {
  sendJson(res, status, { error: { message, type, param: 'None', code: String(status) } });
}

/** litellm's user_api_key_auth for the master key; answers 401 and returns false when the request may not pass. */
function authorised(req, res) {
  if (masterKey === undefined) return true;
  const key = bearer(req) ?? req.headers['x-litellm-api-key'];
  if (!key) {
    litellmError(res, 401, 'Authentication Error, No api key passed in.', 'auth_error');
    return false;
  }
  if (key !== masterKey) {
    litellmError(
      res,
      401,
      'Authentication Error, Invalid proxy server token passed. Unable to find token in cache or `LiteLLM_VerificationTokenTable`',
      'auth_error',
    );
    return false;
  }
  return true;
}

function metrics() {
  return [
    '# TYPE litellm_proxy_total_requests_metric_total counter',
    ...models.map(
      (m) =>
        `litellm_proxy_total_requests_metric_total{requested_model="${m.name}",end_user="",hashed_api_key="x",api_key_alias="",team="",team_alias="",user=""} ${counters.success}`,
    ),
    '# TYPE litellm_proxy_failed_requests_metric_total counter',
    `litellm_proxy_failed_requests_metric_total{requested_model="",end_user="",hashed_api_key="x",api_key_alias="",team="",team_alias="",user="",exception_status="500",exception_class="Internal"} ${counters.failed}`,
    ...histogram('litellm_request_total_latency_metric', `model="${models[0]?.name ?? ''}"`, latencies),
    ...processMetrics(),
    '',
  ].join('\n');
}

async function chat(req, res, body) {
  const request = parseJson(body);
  if (!request) return litellmError(res, 400, 'Invalid JSON body');
  const route = models.find((m) => m.name === request.model);
  if (!route) {
    counters.failed += 1;
    return litellmError(
      res,
      400,
      `{'error': '/chat/completions: Invalid model name passed in model=${request.model}. Call \`/v1/models\` to view available models for your key.'}`,
    );
  }
  if (route.provider !== 'hosted_vllm' && route.provider !== 'openai') {
    counters.failed += 1;
    return litellmError(
      res,
      400,
      `litellm.BadRequestError: LLM Provider NOT provided. Pass in the LLM provider you are trying to call. You passed model=${route.provider}/${route.upstream}`,
    );
  }
  if (!route.apiBase)
    return litellmError(
      res,
      500,
      `litellm.APIConnectionError: Hosted_vllmException - api_base is required for ${route.name}`,
    );
  const started = Date.now();
  let upstream;
  try {
    upstream = await fetch(`${String(route.apiBase).replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${route.apiKey}` },
      body: JSON.stringify({ ...request, model: route.upstream }),
    });
  } catch (error) {
    counters.failed += 1;
    return litellmError(
      res,
      500,
      `litellm.APIConnectionError: Hosted_vllmException - ${error.cause?.code ?? error.message}`,
    );
  }
  if (!upstream.ok) {
    counters.failed += 1;
    const text = await upstream.text();
    const kind =
      { 400: 'BadRequestError', 401: 'AuthenticationError', 404: 'NotFoundError' }[upstream.status] ??
      'InternalServerError';
    return litellmError(res, upstream.status, `litellm.${kind}: ${kind}: Hosted_vllmException - ${text}`);
  }
  counters.success += 1;
  res.writeHead(200, { 'Content-Type': upstream.headers.get('content-type') || 'application/json' });
  for await (const chunk of upstream.body) res.write(chunk);
  res.end();
  latencies.push((Date.now() - started) / 1000);
}

async function handle(req, res, body) {
  const url = req.url.split('?')[0];
  if (url === '/double/info')
    return sendJson(
      res,
      200,
      containerInfo('litellm', argv, {
        models: models.map(({ apiKey, ...m }) => ({ ...m, keyed: apiKey !== 'fake-api-key' })),
        metricsNeedKey,
      }),
    );
  if (url === '/health/liveliness' || url === '/health/liveness') return sendJson(res, 200, "I'm alive!");
  if (url === '/health/readiness') return sendJson(res, 200, { status: 'healthy', db: 'Not connected' });
  if (url.includes('/metrics')) {
    if (metricsNeedKey && masterKey !== undefined) {
      const key = bearer(req);
      if (key !== masterKey)
        return sendJson(
          res,
          401,
          `Unauthorized access to metrics endpoint: ${key ? 'Authentication Error, Invalid proxy server token passed.' : 'Authentication Error, No api key passed in.'}`,
        );
    }
    if (!prometheusOn) return sendJson(res, 404, { detail: 'Not Found' });
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    return res.end(metrics());
  }
  const openAi = url.replace(/^\/v1\//, '/');
  if (openAi === '/models' && req.method === 'GET') {
    if (!authorised(req, res)) return;
    return sendJson(res, 200, {
      object: 'list',
      data: models.map((m) => ({ id: m.name, object: 'model', created: 1677610602, owned_by: 'openai' })),
    });
  }
  if (openAi === '/chat/completions' && req.method === 'POST') {
    if (!authorised(req, res)) return;
    return chat(req, res, body);
  }
  sendJson(res, 404, { detail: 'Not Found' });
}

log(`INFO:     Started server process [${process.pid}]`);
// As litellm does with --detailed_debug: its key ends up in its own log, which Berth must not pass on.
if (masterKey) log(`DEBUG proxy_server.py: master_key=${masterKey}`);
log(`LiteLLM: Proxy initialized with Config, Set models:\n${models.map((m) => `    ${m.name}`).join('\n')}`);
// litellm fetches its model cost map from GitHub at startup unless LITELLM_LOCAL_MODEL_COST_MAP is set
// (https://docs.litellm.ai/docs/proxy/model_cost_map); the pinned release falls back to its bundled copy when the
// fetch fails (the startup ImportError of BerriAI/litellm#46711 is fixed there).
if (String(process.env.LITELLM_LOCAL_MODEL_COST_MAP).toLowerCase() !== 'true') {
  const url = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';
  if (!reachOut(url, 'model cost map'))
    logError('LiteLLM: Failed to fetch remote model cost map. Falling back to local backup.');
}
listen(port, handle, () => log(`INFO:     Uvicorn running on http://0.0.0.0:${port} (Press CTRL+C to quit)`));
