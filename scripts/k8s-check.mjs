#!/usr/bin/env node
// Checks a stack installed from `berth export k8s` on a cluster, from the outside, through `kubectl port-forward`, and
// writes what it found to $K8S_RESULTS/checks.json. Run by .github/workflows/k8s.yml (see docs/kubernetes.md); it
// needs kubectl pointed at the cluster and, in the environment, NS (the namespace), API_KEY (the Secret's api-key) and
// PLAN (the `berth plan --json` file the export was made from).
//
//   1. the router lists the plan's served names;
//   2. the router streams a chat completion through the `openai` SDK, for every model, with the API key;
//   3. without the key the engine refuses the request (vLLM's --api-key, set from the Secret);
//   4. vLLM's own metrics, read through each engine's Service, count the tokens just generated, and the router's
//      metrics count the requests it routed;
//   5. Open WebUI answers its health check.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { k8sModelName } from '../dist/electron/common/export/k8s/model-spec.js';

const { NS: namespace, API_KEY: apiKey, PLAN: planFile } = process.env;
const outDir = process.env.K8S_RESULTS ?? 'k8s-results';
if (!namespace || !apiKey || !planFile) {
  console.error('k8s-check: set NS, API_KEY and PLAN');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, 'utf8'));
const models = plan.services.filter((s) => s.role === 'model');

const forwards = [];
/** `kubectl port-forward` to a free local port; resolves with the port once kubectl says it is forwarding. */
function forward(target, remotePort) {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', [
      '-n',
      namespace,
      'port-forward',
      '--address',
      '127.0.0.1',
      target,
      `:${remotePort}`,
    ]);
    forwards.push(child);
    let said = '';
    child.stdout.on('data', (chunk) => {
      said += chunk;
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(said);
      if (match) resolve(Number(match[1]));
    });
    child.stderr.on('data', (chunk) => (said += chunk));
    child.on('exit', (code) => reject(new Error(`kubectl port-forward ${target} exited ${code}: ${said.trim()}`)));
  });
}

async function eventually(seconds, check) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

async function text(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: await res.text() };
}

/** The value of a Prometheus sample, summed over the series whose labels include `match`. */
function sample(exposition, name, match = '') {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(match))
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/).at(-1)), 0);
}

const router = await forward('svc/berth-router-service', 80);
const base = `http://127.0.0.1:${router}`;

const checks = {
  async "the router lists the plan's served names"() {
    return eventually(300, async () => {
      const { status, body } = await text(`${base}/v1/models`);
      const listed = status === 200 ? JSON.parse(body).data.map((m) => m.id) : [];
      const missing = models.map((s) => s.model.servedName).filter((m) => !listed.includes(m));
      if (missing.length)
        throw new Error(
          `the router lists ${listed.join(', ') || 'nothing'} (HTTP ${status}); missing ${missing.join(', ')}`,
        );
      return listed;
    });
  },

  async 'the router streams a chat completion through the openai SDK'() {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey });
    const results = [];
    for (const service of models) {
      const model = service.model.servedName;
      const stream = await client.chat.completions.create({
        model,
        stream: true,
        max_tokens: 48,
        messages: [{ role: 'user', content: 'Say hello in five words.' }],
      });
      let said = '';
      let chunks = 0;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        const piece = (delta?.content ?? '') + (delta?.reasoning_content ?? '');
        if (piece) {
          said += piece;
          chunks += 1;
        }
      }
      if (chunks < 2 || !said.trim()) throw new Error(`${model}: the stream carried ${chunks} pieces of text`);
      results.push({ model, chunks, text: said.slice(0, 120) });
    }
    return results;
  },

  async 'without the API key the engine refuses the request'() {
    const model = models[0].model.servedName;
    const { status } = await text(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }),
    });
    if (status !== 401) throw new Error(`a request without the key got HTTP ${status}, not 401`);
    return status;
  },

  async "vLLM's metrics through each engine's Service count the tokens, and the router's count the requests"() {
    const found = {};
    for (const service of models) {
      const port = await forward(`svc/berth-${k8sModelName(service.name)}-engine-service`, 80);
      const { body } = await text(`http://127.0.0.1:${port}/metrics`);
      const tokens = sample(body, 'vllm:generation_tokens_total');
      if (!(tokens > 0)) throw new Error(`${service.name}: vllm:generation_tokens_total is ${tokens}`);
      found[service.name] = { generationTokens: tokens };
    }
    const { body } = await text(`${base}/metrics`);
    for (const service of models) {
      const routed = sample(body, 'vllm:num_incoming_requests_total', `model="${service.model.servedName}"`);
      if (!(routed > 0)) throw new Error(`the router counts ${routed} requests for ${service.model.servedName}`);
      found[service.name].routedRequests = routed;
    }
    return found;
  },

  async 'Open WebUI answers its health check'() {
    const port = await forward('svc/open-webui', 8080);
    return eventually(120, async () => {
      const { status, body } = await text(`http://127.0.0.1:${port}/health`);
      if (status !== 200) throw new Error(`Open WebUI's /health: HTTP ${status} ${body.slice(0, 200)}`);
      return JSON.parse(body);
    });
  },
};

mkdirSync(outDir, { recursive: true });
const report = { models: models.map((s) => s.model.servedName), checks: [] };
let failed = 0;
for (const [name, check] of Object.entries(checks)) {
  try {
    const found = await check();
    report.checks.push({ name, ok: true, found });
    console.log(`✓ ${name}`);
  } catch (error) {
    failed += 1;
    report.checks.push({ name, ok: false, error: error.message });
    console.log(`✗ ${name}: ${error.message}`);
  }
}
for (const child of forwards) child.kill();
writeFileSync(path.join(outDir, 'checks.json'), `${JSON.stringify(report, null, 2)}\n`);
process.exit(failed ? 1 : 0);
