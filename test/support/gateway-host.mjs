// A process that runs Berth's wake gateway and waker (from dist/, as `berth serve` runs them) in front of model
// server doubles, so that what a hostile client does to it can end it as it would end `berth serve`: this process
// installs no handler for unhandled rejections. Each model is a real HTTP server on a loopback port that streams an
// OpenAI-style reply; asleep, its port is closed. It prints one JSON line when it listens, and answers lines on stdin:
//   state            → {"awake":[…],"started":[…],"peakBytes":n,"wakes":{…},"refused":[…]}
//   kill <service>   → the model's server closes without the waker being told (its container died)
//   count <service>  → {"count":n}: the requests that hold it awake
//   sleep-idle       → {"slept":[…]}
// SIGTERM closes the gateway and exits 0, as `berth serve` does on a stop signal.
import http from 'node:http';
import readline from 'node:readline';
import { WakeGateway } from '../../dist/electron/node/wake/wake-gateway.js';
import { Waker } from '../../dist/electron/node/wake/waker.js';

const config = JSON.parse(process.argv[2] ?? '{}');
const KEY = config.key ?? 'sk-berth-wake-test';
const GiB = 1024 ** 3;
/** @type {{name: string, memoryGiB: number, wakeMs: number, keepAlive?: number}[]} */
const specs = config.models ?? [
  { name: 'vllm-a', memoryGiB: 12, wakeMs: 150 },
  { name: 'vllm-b', memoryGiB: 10, wakeMs: 150 },
];
const budgetBytes = (config.budgetGiB ?? 21) * GiB;

const started = new Set();
let peakBytes = 0;
const wakes = {};
const refused = [];
let clock = Date.now();
const now = () => (config.fakeClock ? clock : Date.now());

function modelServer(name) {
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const asked = Buffer.concat(chunks).toString('utf8').slice(0, 200);
      if (req.url === '/health') return res.end('ok');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const size = config.chunkBytes ?? 64;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(
          `data: {"model":"${name}","n":${sent},"pad":"${'x'.repeat(size)}","asked":${JSON.stringify(asked)}}\n\n`,
        );
        if (++sent === (config.chunks ?? 5)) {
          clearInterval(timer);
          res.end('data: [DONE]\n\n');
        }
      }, config.chunkEveryMs ?? 20);
    });
  });
}

async function listening(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

const models = new Map();
for (const spec of specs) {
  let server = modelServer(spec.name);
  const port = await listening(server);
  await new Promise((resolve) => server.close(resolve));
  let answering = false;
  const stopServer = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(() => resolve()));
    server = modelServer(spec.name);
  };
  models.set(spec.name, {
    upstream: `http://127.0.0.1:${port}`,
    memoryBytes: spec.memoryGiB * GiB,
    keepAlive: spec.keepAlive ?? 15,
    awake: () => answering,
    lost: () => {
      answering = false;
      started.delete(spec.name);
    },
    kill: stopServer,
    async wake() {
      wakes[spec.name] = (wakes[spec.name] ?? 0) + 1;
      started.add(spec.name);
      const held = [...started].reduce((sum, s) => sum + models.get(s).memoryBytes, 0);
      peakBytes = Math.max(peakBytes, held);
      await new Promise((resolve) => setTimeout(resolve, spec.wakeMs));
      if (!server.listening) await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
      answering = true;
    },
    async sleep() {
      answering = false;
      started.delete(spec.name);
      if (server.listening) await stopServer();
    },
  });
}

const waker = new Waker(models, budgetBytes, { count: (s) => gateway.count(s) }, now);
const gateway = new WakeGateway({
  key: () => KEY,
  target: (s) => waker.target(s),
  used: (s) => waker.used(s),
  wakeTimeoutMs: config.wakeTimeoutMs ?? 5000,
  log: (message) => {
    if (/was not woken/.test(message)) refused.push(message);
  },
  limits: config.limits ?? {},
  now,
});
const address = await gateway.listen(0, '127.0.0.1');

process.on('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
  if (command === 'state')
    reply({
      awake: [...models].filter(([, m]) => m.awake()).map(([n]) => n),
      started: [...started],
      peakBytes,
      wakes,
      refused,
    });
  else if (command === 'kill')
    await models
      .get(arg)
      .kill()
      .then(() => reply({ killed: arg }));
  else if (command === 'count') reply({ count: gateway.count(arg) });
  else if (command === 'advance') reply({ clock: (clock += Number(arg)) });
  else if (command === 'sleep-idle') reply({ slept: await waker.sleepIdle() });
});

process.stdout.write(`${JSON.stringify({ port: address.port, key: KEY, budgetBytes })}\n`);
