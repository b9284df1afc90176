// What every test double of the stack's servers shares: reading its arguments, what the container was given, an HTTP
// server, JSON answers, Prometheus text. The doubles run inside test images built FROM scratch (test/support/
// test-images.ts), so they use nothing but Node's own modules and the `yaml` package copied in beside them.
'use strict';
const http = require('node:http');
const fs = require('node:fs');

const log = (line) => process.stdout.write(`${line}\n`);
const logError = (line) => process.stderr.write(`${line}\n`);

function readFile(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** What the container was given: arguments, env, CPU affinity and memory limit as the kernel sees them. */
function containerInfo(role, args, extra = {}) {
  const status = readFile('/proc/self/status') || '';
  const cpus = (status.match(/^Cpus_allowed_list:\s*(.+)$/m) || [])[1] || null;
  const memoryMax =
    (readFile('/sys/fs/cgroup/memory.max') || readFile('/sys/fs/cgroup/memory/memory.limit_in_bytes') || '').trim() ||
    null;
  return { role, args, env: process.env, cpusAllowed: cpus, memoryMax, pid: process.pid, ...extra };
}

function sendJson(res, status, value, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/** An HTTP server whose handler gets the whole body; a handler that throws answers 500, as a server would. */
function listen(port, handler, onListening) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      Promise.resolve()
        .then(() => handler(req, res, Buffer.concat(chunks).toString('utf8')))
        .catch((error) => {
          logError(`ERROR ${error && error.stack ? error.stack : error}`);
          if (!res.headersSent)
            sendJson(res, 500, { error: { message: String(error && error.message ? error.message : error) } });
          else res.end();
        });
    });
  });
  server.listen(port, '0.0.0.0', onListening);
  return server;
}

function parseJson(body) {
  try {
    return JSON.parse(body || '{}');
  } catch {
    return undefined;
  }
}

/** The bearer token of a request, if any. */
function bearer(req) {
  const header = req.headers.authorization || '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match ? match[1].trim() : undefined;
}

function histogram(name, labels, observations) {
  const buckets = [0.01, 0.05, 0.1, 0.5, 1, 5, '+Inf'];
  const lines = [`# TYPE ${name} histogram`];
  for (const le of buckets)
    lines.push(`${name}_bucket{${labels},le="${le}"} ${observations.filter((v) => le === '+Inf' || v <= le).length}`);
  lines.push(
    `${name}_sum{${labels}} ${observations.reduce((a, b) => a + b, 0)}`,
    `${name}_count{${labels}} ${observations.length}`,
  );
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

/** Streams `words` as OpenAI chat completion chunks, 20 ms apart, as an SSE stream; calls `done` when it ends. */
function streamChat(res, { id, model, words }, done) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  let i = 0;
  const timer = setInterval(
    () => {
      if (i < words.length) {
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: words[i] }, finish_reason: null }] })}\n\n`,
        );
        i++;
        return;
      }
      clearInterval(timer);
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    },
    Number(process.env.DOUBLE_TOKEN_INTERVAL_MS || 20),
  );
  res.on('close', () => {
    clearInterval(timer);
    if (done) done();
  });
}

process.on('SIGTERM', () => process.exit(0));

/**
 * A call a server makes out of the stack (an update check, a download), where upstream makes it unless its offline
 * setting says not to. The doubles make no real request (this machine has no internet, and a container cannot tell an
 * internal network from a network with no internet beyond it): each such call is logged as `OUTBOUND <url>`, so a test
 * sees every call a service would make, and it fails as it does with no route out, after which the double goes on as
 * upstream does.
 */
function reachOut(url, why) {
  logError(`OUTBOUND ${url} (${why}): connect ENETUNREACH`);
  return false;
}

module.exports = {
  reachOut,
  log,
  logError,
  readFile,
  containerInfo,
  sendJson,
  listen,
  parseJson,
  bearer,
  histogram,
  processMetrics,
  streamChat,
};
