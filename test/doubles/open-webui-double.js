// A test double of Open WebUI (ghcr.io/open-webui/open-webui), run as the image's default command, as the plan
// leaves it. It reads the environment the way Open WebUI's backend/open_webui/config.py does and talks to the
// OpenAI-compatible connections as its routers/openai.py does:
// - OPENAI_API_BASE_URLS / OPENAI_API_KEYS (`;`-separated), else OPENAI_API_BASE_URL / OPENAI_API_KEY; keys pair with
//   URLs by position;
// - at start, and for /api/models, it lists each connection's models with GET <base>/models and `Authorization:
//   Bearer <key>`; a connection that refuses is logged and contributes no model;
// - /api/chat/completions sends the chat to the connection that listed the model, at <base>/chat/completions with its
//   key, streamed; in native function-calling mode (`params.function_calling: "native"`) it attaches its built-in
//   tools as OpenAI `tools` (backend/open_webui/utils/middleware.py, process_chat_payload), with no tool_choice, which
//   vLLM reads as "auto".
'use strict';
const { log, logError, containerInfo, sendJson, listen, parseJson, reachOut } = require('./double-common.js');

const split = (value) =>
  value
    ? String(value)
        .split(';')
        .map((v) => v.trim())
    : [];
const urls = split(process.env.OPENAI_API_BASE_URLS).length
  ? split(process.env.OPENAI_API_BASE_URLS)
  : split(process.env.OPENAI_API_BASE_URL || 'https://api.openai.com/v1');
const keys = split(process.env.OPENAI_API_KEYS).length
  ? split(process.env.OPENAI_API_KEYS)
  : split(process.env.OPENAI_API_KEY || '');
const connections = urls.map((url, i) => ({ url: url.replace(/\/$/, ''), key: keys[i] ?? '' }));
const port = Number(process.env.PORT || 8080);

/** Built-in tools Open WebUI offers a model in native function-calling mode (a subset, by their names). */
const BUILTIN_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_current_timestamp',
      description: 'Get the current date and time.',
      parameters: { type: 'object', properties: {} },
    },
  },
  {
    type: 'function',
    function: {
      name: 'search_memories',
      description: "Search the user's memories.",
      parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    },
  },
];

let atStart = { models: [], errors: [] };

async function listModels() {
  const models = [];
  const errors = [];
  for (const [index, connection] of connections.entries()) {
    try {
      const res = await fetch(`${connection.url}/models`, {
        headers: connection.key ? { Authorization: `Bearer ${connection.key}` } : {},
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${body}`);
      for (const model of JSON.parse(body).data || [])
        models.push({ id: model.id, name: model.id, owned_by: 'openai', urlIdx: index, connection_type: 'external' });
    } catch (error) {
      errors.push(`${connection.url}: ${error.message}`);
      logError(`ERROR [open_webui.routers.openai] Connection error: ${connection.url}/models ${error.message}`);
    }
  }
  return { models, errors };
}

async function chat(req, res, body) {
  const request = parseJson(body);
  if (!request) return sendJson(res, 400, { detail: 'Invalid JSON' });
  const { models } = await listModels();
  const model = models.find((m) => m.id === request.model);
  if (!model) return sendJson(res, 404, { detail: 'Model not found' });
  const connection = connections[model.urlIdx];
  const payload = { model: request.model, messages: request.messages || [], stream: request.stream !== false };
  if (request.params?.function_calling === 'native') payload.tools = BUILTIN_TOOLS;
  const upstream = await fetch(`${connection.url}/chat/completions`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(connection.key ? { Authorization: `Bearer ${connection.key}` } : {}),
    },
    body: JSON.stringify(payload),
  });
  if (!upstream.ok) {
    const text = await upstream.text();
    // Open WebUI passes the connection's error on with its status (routers/openai.py, generate_chat_completion).
    return sendJson(res, upstream.status, { detail: text });
  }
  res.writeHead(200, { 'Content-Type': upstream.headers.get('content-type') || 'application/json' });
  for await (const chunk of upstream.body) res.write(chunk);
  res.end();
}

async function handle(req, res, body) {
  const url = req.url.split('?')[0];
  if (url === '/double/info')
    return sendJson(
      res,
      200,
      containerInfo('open-webui', [], {
        connections: connections.map((c) => c.url),
        modelsAtStart: atStart.models.map((m) => m.id),
        errorsAtStart: atStart.errors,
      }),
    );
  if (url === '/health') return sendJson(res, 200, { status: true });
  if (url === '/api/models' && req.method === 'GET') return sendJson(res, 200, { data: (await listModels()).models });
  if (url === '/api/chat/completions' && req.method === 'POST') return chat(req, res, body);
  sendJson(res, 404, { detail: 'Not Found' });
}

(async () => {
  log(`INFO  [open_webui.env] OPENAI_API_BASE_URLS=${connections.map((c) => c.url).join(';')}`);
  // `--migrate-to N`: a release that migrates its database in DATA_DIR (Open WebUI runs its migrations at start,
  // backend/open_webui/config.py) and then fails, leaving the data in the new schema; with `--stay`, hangs there.
  const migrate = process.argv.indexOf('--migrate-to');
  if (migrate > 0) {
    const dataDir = process.env.DATA_DIR || '/app/backend/data';
    require('node:fs').writeFileSync(`${dataDir}/schema.txt`, String(process.argv[migrate + 1]));
    // `--stay`: one that hangs in its migration instead, never answering.
    if (process.argv.includes('--stay')) return setInterval(() => undefined, 60_000);
    logError('ERROR [open_webui] migration to the new schema failed after it began');
    return setTimeout(() => process.exit(1), 100);
  }
  atStart = await listModels();
  log(
    `INFO  [open_webui.routers.openai] get_all_models: ${atStart.models.length} model(s): ${atStart.models.map((m) => m.id).join(', ')}`,
  );
  // Without OFFLINE_MODE, Open WebUI checks its version on GitHub and fetches its embedding model from Hugging Face
  // (https://docs.openwebui.com/tutorials/offline-mode).
  if (String(process.env.OFFLINE_MODE).toLowerCase() !== 'true') {
    reachOut('https://api.github.com/repos/open-webui/open-webui/releases/latest', 'version update check');
    if (!reachOut('https://huggingface.co/api/models/sentence-transformers/all-MiniLM-L6-v2', 'embedding model'))
      logError("ERROR: Cannot determine model snapshot path: We couldn't connect to 'https://huggingface.co'");
  }
  listen(port, handle, () => log(`INFO:     Uvicorn running on http://0.0.0.0:${port} (Press CTRL+C to quit)`));
})();
