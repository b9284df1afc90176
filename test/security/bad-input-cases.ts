/**
 * What was tried against Berth as an attacker and a careless user would, and what each gets. The tests run every
 * case, and docs/security/bad-input.md is this table (a test fails when they differ).
 */
export interface BadInputRow {
  surface: string;
  tried: string;
  cases: string;
  answer: string;
  test: string;
}

/** Requests to `berth serve` that once stopped it or were answered wrongly, each sent as raw bytes. */
export const SERVE_REQUESTS: {
  name: string;
  line: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string;
  withToken?: boolean;
  status: number;
}[] = [
  { name: 'a lone percent sign', line: 'GET /% HTTP/1.1', status: 400 },
  { name: 'a truncated UTF-8 escape', line: 'GET /%E0%A4%A HTTP/1.1', status: 400 },
  { name: 'an overlong UTF-8 dot-dot', line: 'GET /%c0%ae%c0%ae/x HTTP/1.1', status: 400 },
  { name: 'an absolute URL with a port out of range', line: 'GET http://a:99999/ HTTP/1.1', status: 400 },
  { name: 'an absolute URL that does not parse', line: 'GET http://[ HTTP/1.1', status: 400 },
  { name: 'an encoded path out of the renderer', line: 'GET /..%2f..%2f..%2fetc%2fpasswd HTTP/1.1', status: 404 },
  { name: 'a NUL byte in the path', line: 'GET /index.html%00.js HTTP/1.1', status: 400 },
  { name: 'another site in Host (DNS rebinding)', line: 'GET / HTTP/1.1', host: 'evil.example', status: 421 },
  { name: 'an authenticated null body', line: 'POST /api/call HTTP/1.1', withToken: true, body: 'null', status: 400 },
  { name: 'an authenticated array body', line: 'POST /api/call HTTP/1.1', withToken: true, body: '[1,2]', status: 400 },
  {
    name: 'an authenticated call with args that are not a list',
    line: 'POST /api/call HTTP/1.1',
    withToken: true,
    body: '{"method":"up","args":"x"}',
    status: 400,
  },
  { name: 'GET on the API with the token', line: 'GET /api/call HTTP/1.1', withToken: true, status: 405 },
  {
    name: 'a call from another site with the token',
    line: 'POST /api/call HTTP/1.1',
    withToken: true,
    headers: { Origin: 'http://evil.example' },
    body: '{"method":"snapshot","args":[]}',
    status: 403,
  },
  {
    name: 'a call without the token',
    line: 'POST /api/call HTTP/1.1',
    body: '{"method":"snapshot","args":[]}',
    status: 401,
  },
  { name: 'a symbolic link inside the built renderer', line: 'GET /linked-secret.txt HTTP/1.1', status: 404 },
  { name: 'a header Node cannot parse', line: 'GET / HTTP/1.1', headers: { 'Bad Header': 'x' }, status: 400 },
];

/**
 * Requests to the wake gateway that a container on any Docker network, or another local user, could send; each as raw
 * bytes with the key where `withKey` says (`KEY` and `PORT` are filled in). Sent to one gateway, whose process must
 * still run afterwards and must have woken nothing.
 */
export const GATEWAY_REQUESTS: {
  name: string;
  line: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string;
  withKey?: boolean;
  /** Any of these (0: the connection closed without an answer). */
  status: number[];
}[] = [
  { name: 'a chat without the key', line: 'POST /vllm-a/v1/chat/completions HTTP/1.1', body: '{}', status: [401] },
  {
    name: 'a chat with a wrong key',
    line: 'POST /vllm-a/v1/chat/completions HTTP/1.1',
    headers: { Authorization: 'Bearer sk-berth-wake-guess' },
    body: '{}',
    status: [401],
  },
  {
    name: 'the key in another scheme',
    line: 'POST /vllm-a/v1/chat/completions HTTP/1.1',
    headers: { Authorization: 'Basic KEY' },
    body: '{}',
    status: [401],
  },
  {
    name: 'another site in Host (DNS rebinding)',
    line: 'POST /vllm-a/v1/chat/completions HTTP/1.1',
    host: 'evil.example',
    withKey: true,
    body: '{}',
    status: [421],
  },
  { name: 'a path outside the model routes', line: 'GET /vllm-a/admin HTTP/1.1', withKey: true, status: [404] },
  { name: 'a dot-dot path', line: 'GET /vllm-a/v1/../../-/metrics HTTP/1.1', withKey: true, status: [404] },
  { name: 'an encoded dot-dot', line: 'GET /vllm-a/%2e%2e/v1/models HTTP/1.1', withKey: true, status: [404] },
  { name: 'a model the gateway does not front', line: 'GET /vllm-zz/v1/models HTTP/1.1', withKey: true, status: [404] },
  {
    name: 'DELETE on a model route',
    line: 'DELETE /vllm-a/v1/chat/completions HTTP/1.1',
    withKey: true,
    status: [405],
  },
  { name: 'POST to /health', line: 'POST /vllm-a/health HTTP/1.1', withKey: true, body: '{}', status: [405] },
  {
    name: 'a body declared over the limit',
    line: 'POST /vllm-a/v1/chat/completions HTTP/1.1',
    withKey: true,
    headers: { 'Content-Length': String(17 * 1024 * 1024) },
    status: [413],
  },
  {
    name: 'a bad chunk size',
    line: 'POST /vllm-a/v1/chat/completions HTTP/1.1',
    withKey: true,
    headers: { 'Transfer-Encoding': 'chunked' },
    body: 'zz\r\n{}\r\n0\r\n\r\n',
    status: [0, 400],
  },
  { name: 'a request line Node cannot parse', line: 'GET /vllm-a/v1/models HTTP/9.9x', status: [0, 400] },
  { name: '/health of an asleep model', line: 'GET /vllm-a/health HTTP/1.1', withKey: true, status: [503] },
];

export const BAD_INPUT_ROWS: BadInputRow[] = [
  {
    surface: '`berth serve`, HTTP',
    tried: SERVE_REQUESTS.map((r) => r.name).join('; '),
    cases: `${SERVE_REQUESTS.length} named, each against the running CLI`,
    answer: '400, 403, 404, 405 or 421 as the request deserves; the process keeps answering',
    test: 'test/security/serve.test.ts',
  },
  {
    surface: '`berth serve`, generated',
    tried:
      'request lines with any bytes in method and target, arbitrary header names and values, arbitrary bodies to /api/call with and without the token',
    cases: '2,000 (fast-check), against one running server',
    answer: 'a status below 500 or a closed connection; afterwards the page still loads',
    test: 'test/security/serve.test.ts',
  },
  {
    surface: '`berth serve`, WebSocket',
    tried: 'another site in Origin; another site in Host; a wrong token; a message over 4 KiB',
    cases: '4',
    answer: 'refused (401) before the upgrade; the large message closes that socket (1009) only',
    test: 'test/security/serve.test.ts',
  },
  {
    surface: '`berth serve`, listening',
    tried: "a port in use; `--host nonexistent.invalid`; `--host 8.8.8.8`; `--host ' '`; `--port 0x10`",
    cases: '5',
    answer: 'one line with the fix, exit 1 (port in use) or 2 (bad flag), and no exposure warning before it',
    test: 'test/security/serve.test.ts',
  },
  {
    surface: 'Settings through the API',
    tried:
      'a patch of one field over custom settings with a key from a newer Berth; the dashboard\'s Save without `network`; `disabledModels: ["nosuch"]`; ports of an unknown service; a typo key (`exposeports`); `null` for an optional field',
    cases: '6',
    answer:
      'only the fields sent change and unknown keys stay; what the planner refuses is refused with the field named, the file byte for byte as it was; `null` removes',
    test: 'test/security/settings-and-secrets.test.ts',
  },
  {
    surface: 'The master key',
    tried:
      'a `litellmUrl` set (API, .env import) but not confirmed; confirmed; changed after confirming; with a query string; `${LITELLM_MASTER_KEY}` inside a URL',
    cases: '5',
    answer:
      "sent only to the stack's own litellm or the confirmed URL; a reference inside a typed value is never filled in",
    test: 'test/security/settings-and-secrets.test.ts',
  },
  {
    surface: 'Secrets',
    tried:
      'a .env with one bad value among good ones; secrets.json as a symbolic link out of BERTH_HOME; mode 644; a folder named secrets.json',
    cases: '4',
    answer:
      'nothing stored from a bad file; the link replaced by a 0600 file, never written through, and flagged by doctor; Settings and doctor say the real mode; "is a folder"',
    test: 'test/security/settings-and-secrets.test.ts',
  },
  {
    surface: 'The command line',
    tried:
      "`--enable`/`--disable` of an unknown model; a model id `../..`; `export --out ''` and `--out /proc/x`; a DOCKER_HOST that is a web server; a schema-1 settings.json in a folder the user cannot write; a host of 65,536 CPUs given to the planner; `$` and `${LITELLM_MASTER_KEY}` in an image, a served name and a URL of a compose export",
    cases: '9',
    answer:
      'one line naming the field and the fix (exit 2 for input, 1 otherwise); planned at once; the export reaches the containers as planned, with no secret filled in',
    test: 'test/cli/bad-input.test.ts',
  },
  {
    surface: 'Stop signals',
    tried:
      "SIGINT, SIGTERM and SIGHUP to `berth serve` after a settings save (whose store adds handlers that re-raise the signal); SIGTERM with twenty saves in flight, against a real engine (5 runs); SIGINT and SIGTERM with a remote engine's SSH connection open; SIGKILL (a crash) with one open; SIGTERM to the app",
    cases: '8',
    answer:
      'exit 0 after closing the server, the streams and the SSH connection, no ssh process left; a master a crash left is closed by the next Berth that connects; the app quits as Quit does',
    test: 'test/integration/shutdown.test.ts',
  },
  {
    surface: 'Exports',
    tried:
      'a dangling link at `docker-compose.yml`, `.env` and `generated/`; a link to an existing file, with `--force`; `generated/monitoring` linked elsewhere; the API\'s export into a folder with a link and an `--out` that is a dangling link; a file that merely says "Generated by Berth"; a Berth file the user edited',
    cases: '8',
    answer:
      'one line naming the link, nothing written anywhere (inside or out); files replaced only when their SHA-256 is what Berth recorded (`.berth-export.sha256`, which `sha256sum -c` checks), else with `--force`',
    test: 'test/security/export-links.test.ts',
  },
  {
    surface: 'Model lookups (HF_ENDPOINT)',
    tried:
      'a 1.5 GB config.json streamed without a length; a file list that pages forever; a config.json that never comes',
    cases: '3',
    answer:
      'the answer refused past 1 MiB and the connection dropped (less than 64 MiB ever sent); stopped at 200 pages or 20,000 files; the whole lookup ends at its time budget; each says its cause',
    test: 'test/integration/model-lookup.test.ts',
  },
  {
    surface: 'Inputs where they enter',
    tried:
      "secrets with CR/LF, an escape or a tab; an error quoting the master key; `weightsGiB: 1e308` for plan, export compose and export k8s; 1e6 layers through the API; a 200,001-character network; `__proto__` and `constructor` keys; 100,000 levels of nesting in settings.json; a byte-order mark; `ssh://-oProxyCommand=…`, `ssh://--@host`, port 99999, a password and a tcp:// path as engine addresses; 1e12 CPUs in `--facts`; empty `--facts`, `--network`, `--engine`, `--engine=` and `--host`; an unknown option, command and choice; a secret in what `berth serve` prints; a `__proto__` keep-alive key through the API; Docker's own networks (host, none, bridge) in settings.json, `--network` and the API",
    cases: '32',
    answer:
      'one line naming the field and what is allowed (exit 2), nothing stored; the key shown by its name; the BOM read and the file saved whole',
    test: 'test/security/inputs.test.ts',
  },
  {
    surface: 'A named engine that is down',
    tried: '`berth --engine box` for facts, plan and export compose while box does not answer',
    cases: '3',
    answer: 'exit 1 with one line naming the engine; this machine is never described in its place',
    test: 'test/security/inputs.test.ts',
  },
  {
    surface: 'The stack lock',
    tried: '8 processes taking a free lock at once; 8 taking over a stale one (its process gone) at once, three times',
    cases: '4',
    answer: 'one holder at a time, and every contender gets its turn',
    test: 'test/integration/stack-lock.test.ts',
  },
  {
    surface: 'Images before anything changes',
    tried:
      "an image missing from its registry; an image with no build for the engine's platform; an image reference Docker cannot read (an uppercase repository)",
    cases: '3',
    answer: '`berth up` exits 1 with one line naming the image, the service and the setting to change; nothing created',
    test: 'test/integration/image-preflight.test.ts',
  },
  {
    surface: '`berth upgrade`',
    tried:
      '`--check` with `--now`; `--check` with a candidate Docker cannot read; `--now` for a service with no newer image; `--rollback` of a service never switched; `--rollback` of a service the stack does not have; a candidate that dies mid-trial; a candidate that rewrites the data in its volume and fails; SIGKILL to Berth mid-trial',
    cases: '8',
    answer:
      'one line with what to do, nothing changed; the running image back at once, its volume as it was, the reason printed; the next `berth up` rolls the interrupted trial back',
    test: 'test/integration/upgrade.test.ts',
  },
  {
    surface: '`berth serve`, sockets',
    tried:
      "ten times the connection cap of idle sockets beside the dashboard's event socket; headers trickled a line at a time; a body dripped a byte at a time; a call worked on for three idle deadlines (an `up`)",
    cases: '4',
    answer:
      "the dashboard's call answered and its event socket kept; idle sockets closed to make room; the slow ones closed at the header and request deadlines; the long call answered, never cut off while it runs",
    test: 'test/security/serve.test.ts',
  },
  {
    surface: 'The wake gateway, HTTP',
    tried: GATEWAY_REQUESTS.map((r) => r.name).join('; '),
    cases: `${GATEWAY_REQUESTS.length} named, each against one gateway process`,
    answer:
      '400, 401, 404, 405, 413, 421 or 503 (asleep, not woken) as the request deserves, or the connection closed; ' +
      'nothing woken; the process keeps answering',
    test: 'test/security/wake-gateway.test.ts',
  },
  {
    surface: 'The wake gateway, clients that fail',
    tried:
      "a client hanging up during a wake; one hanging up mid-body; a bad chunk size during a wake; a browser's no-cors " +
      'POST (no key) aborted mid-body; a body slower than the request deadline; a stop signal with a request in ' +
      'flight; a request after the model server died',
    cases: '7',
    answer:
      'that request ends, the process stays up and answers the next chat; the stop signal exits 0; the dead model ' +
      'counts as asleep, and the request wakes it again',
    test: 'test/security/wake-gateway.test.ts',
  },
  {
    surface: 'The wake gateway, load',
    tried:
      'two first requests at once to two models planned one at a time (5 runs); 20 requests alternating between ' +
      'them; a client that stops reading a streamed reply; three times the connection cap of idle sockets',
    cases: '4',
    answer:
      "never more awake (or waking) than the plan's room; wakes limited per model in a window, then 429 with " +
      'Retry-After and why; the stalled request stops holding the model once the stall limit passes; idle sockets ' +
      'closed to make room, and a chat still answered',
    test: 'test/security/wake-gateway.test.ts',
  },
  {
    surface: 'The wake gateway, generated',
    tried:
      'request lines with any method and target under the models, any headers, any bodies, with and without the ' +
      'key and the right Host, and hang-ups at random points',
    cases: '1,000 (fast-check), against one gateway process',
    answer:
      'a status below 500, a 503 or 429 that says why, or a closed connection; afterwards the process runs, every ' +
      "model awake answers, and no more than the plan's room was ever awake",
    test: 'test/security/wake-gateway.test.ts',
  },
  {
    surface: "BERTH_HOME's files",
    tried:
      'measured.json as a FIFO no one writes; settings.json linked to /dev/zero; a 5 MiB measured.json; a FIFO, a ' +
      'device and a folder read directly',
    cases: '4',
    answer:
      'refused at once as not a regular file or over its cap, never waited on: a measurement is left out and the plan ' +
      'made as with none; settings say what the file is and to move it away (exit 2)',
    test: 'test/security/home-files.test.ts',
  },
  {
    surface: 'Figures read back from a model server',
    tried:
      '"Model loading took 999999999 GiB" (1.07e18 bytes) in measured.json; a size past the machine, a negative ' +
      'size, NaN, an infinite token count',
    cases: '5',
    answer:
      "refused with why in the log, and the plan's own figures stand (the container keeps its planned limit); a " +
      'plausible start still moves the plan',
    test: 'electron/common/planner/measured-bounds.test.ts',
  },
  {
    surface: 'A kept health pass',
    tried:
      'a start that answered, with a pass kept for its image, whose Docker check then failed; a failure before the ' +
      'start; a failure then a pass',
    cases: '4',
    answer:
      "failing (unhealthy) once Docker's check since the start has failed, whatever the cache says; `up` runs the " +
      'check itself instead of trusting the cache once Docker has seen a failure',
    test: 'electron/node/engine/container-state.test.ts',
  },
  {
    surface: "The engine's own error text",
    tried: 'an API call that the Docker engine answers with an HTTP 500 and its internal words',
    cases: '1',
    answer: "the caller told what failed and where to look; the engine's words go to Berth's log only",
    test: 'electron/node/api/dispatch.test.ts',
  },
  {
    surface: "An asleep model's port",
    tried:
      'another local program listening on the loopback port of an asleep model and answering as vLLM does, then a ' +
      'restart of Berth (refresh) and a chat',
    cases: '1',
    answer:
      "never believed awake (Docker must say the model's own container runs and holds the port); the chat is " +
      'answered 503 and nothing reaches the impostor',
    test: 'test/integration/wake-on-demand.test.ts',
  },
];
