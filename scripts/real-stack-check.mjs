#!/usr/bin/env node
// Checks a stack started by `berth up` from the outside, as its users reach it, and writes what it found to
// real-stack-results/checks.json. Run by .github/workflows/real-stack.yml (see docs/real-stack.md); it needs the
// stack running and, in the environment, BERTH_HOME, LITELLM_MASTER_KEY and GRAFANA_ADMIN_PASSWORD.
//
//   1. litellm answers a streamed chat completion through the `openai` SDK, for every model of the plan;
//   2. Open WebUI lists every model (through its first, admin, account);
//   3. Prometheus reports every scrape target up, through its HTTP API;
//   4. Grafana's HTTP API finds every provisioned dashboard, and its Prometheus datasource answers its health check;
//   5. `berth status --json` says every service is healthy.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'berth.js');
const outDir = process.env.BERTH_RESULTS ?? path.join(root, 'real-stack-results');
const home = process.env.BERTH_HOME;
const masterKey = process.env.LITELLM_MASTER_KEY;
const grafanaPassword = process.env.GRAFANA_ADMIN_PASSWORD;
if (!home || !masterKey || !grafanaPassword) {
  console.error('real-stack-check: set BERTH_HOME, LITELLM_MASTER_KEY and GRAFANA_ADMIN_PASSWORD');
  process.exit(2);
}

const berth = (...args) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: process.env });
const plan = JSON.parse(berth('plan', '--json'));
const portOf = (name) => {
  const port = plan.services.find((s) => s.name === name)?.ports[0]?.host;
  if (!port) throw new Error(`the plan publishes no port for ${name}`);
  return port;
};
const models = plan.services.filter((s) => s.role === 'model').map((s) => s.model.servedName);

/** Tries `check` until it passes or `seconds` run out; the last failure is the verdict. */
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

async function json(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

const checks = {
  async 'litellm streams a chat completion through the openai SDK'() {
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${portOf('litellm')}/v1`, apiKey: masterKey });
    const results = [];
    for (const model of models) {
      const started = Date.now();
      const stream = await client.chat.completions.create({
        model,
        stream: true,
        max_tokens: 48,
        messages: [{ role: 'user', content: 'Say hello in five words.' }],
      });
      let text = '';
      let chunks = 0;
      let firstMs;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        const piece = (delta?.content ?? '') + (delta?.reasoning_content ?? '');
        if (piece) {
          firstMs ??= Date.now() - started;
          text += piece;
          chunks += 1;
        }
      }
      if (chunks < 2 || !text.trim()) throw new Error(`${model}: the stream carried ${chunks} pieces of text`);
      results.push({ model, chunks, firstTokenMs: firstMs, text: text.slice(0, 120) });
    }
    return results;
  },

  async 'Open WebUI lists every model'() {
    const base = `http://127.0.0.1:${portOf('open-webui')}`;
    // The first account of a fresh Open WebUI is its admin.
    const account = { name: 'Berth check', email: 'check@berth.invalid', password: `pw-${masterKey.slice(3, 19)}` };
    const auth = await json(`${base}/api/v1/auths/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    }).catch(() =>
      json(`${base}/api/v1/auths/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: account.email, password: account.password }),
      }),
    );
    return eventually(120, async () => {
      const listed = (
        await json(`${base}/api/models`, { headers: { authorization: `Bearer ${auth.token}` } })
      ).data.map((m) => m.id);
      const missing = models.filter((m) => !listed.includes(m));
      if (missing.length)
        throw new Error(`Open WebUI lists ${listed.join(', ') || 'no model'}; missing ${missing.join(', ')}`);
      return listed;
    });
  },

  async 'Prometheus reports every target up'() {
    return eventually(120, async () => {
      const targets = (await json(`http://127.0.0.1:${portOf('prometheus')}/api/v1/targets`)).data.activeTargets;
      const down = targets.filter((t) => t.health !== 'up');
      if (!targets.length || down.length)
        throw new Error(
          `targets not up: ${down.map((t) => `${t.scrapeUrl} (${t.health}: ${t.lastError})`).join('; ') || 'none listed'}`,
        );
      return targets.map((t) => `${t.labels.job} ${t.scrapeUrl}`);
    });
  },

  async 'Grafana finds every provisioned dashboard and its Prometheus datasource works'() {
    const base = `http://127.0.0.1:${portOf('grafana')}`;
    const headers = { authorization: `Basic ${Buffer.from(`admin:${grafanaPassword}`).toString('base64')}` };
    const dir = path.join(home, 'generated', 'monitoring', 'grafana', 'dashboards');
    const provisioned = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')).uid);
    return eventually(60, async () => {
      const found = (await json(`${base}/api/search?type=dash-db`, { headers })).map((d) => d.uid);
      const missing = provisioned.filter((uid) => !found.includes(uid));
      if (missing.length) throw new Error(`Grafana lacks the dashboards ${missing.join(', ')}`);
      const datasource = (await json(`${base}/api/datasources`, { headers })).find((d) => d.type === 'prometheus');
      if (!datasource) throw new Error('Grafana has no Prometheus datasource');
      const health = await json(`${base}/api/datasources/uid/${datasource.uid}/health`, { headers });
      if (health.status !== 'OK') throw new Error(`the Prometheus datasource's health: ${JSON.stringify(health)}`);
      return { dashboards: found.length, datasource: datasource.uid, health: health.message };
    });
  },

  async 'berth status says every service is healthy'() {
    const status = JSON.parse(berth('status', '--json'));
    const unwell = status.services.filter((s) => s.state !== 'healthy');
    if (unwell.length) throw new Error(`not healthy: ${unwell.map((s) => `${s.name} ${s.state}`).join(', ')}`);
    return status.services.map((s) => s.name);
  },
};

mkdirSync(outDir, { recursive: true });
const report = { models, checks: [] };
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
writeFileSync(path.join(outDir, 'checks.json'), `${JSON.stringify(report, null, 2)}\n`);
process.exit(failed ? 1 : 0);
