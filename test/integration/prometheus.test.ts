import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { stackFiles } from '../../electron/common/export/files.js';
import { prometheusConfig } from '../../electron/common/export/monitoring-config.js';
import { SettingsSchema } from '../../electron/common/contracts/settings.js';
import { planStack } from '../../electron/common/planner/plan.js';
import { up } from '../../electron/node/engine/converge.js';
import { modelSparklines, queryInstant } from '../../electron/node/metrics/prometheus-api.js';
import { describeWhen, dockerAnswers, hasCommand } from '../support/docker.js';
import { corpus } from '../support/hosts.js';
import { repoRoot } from '../support/repo-root.js';
import { localFacts, testStack, type TestStack } from '../support/test-stack.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function promtool(file: string): string {
  return execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
}

describeWhen(hasCommand('promtool'), "promtool is not installed (Debian's prometheus package)", 'generated Prometheus configuration, checked by promtool', () => {
  it('the checked-in configs pass promtool check config', () => {
    for (const file of ['monitoring/prometheus.yaml', 'monitoring/prometheus-local.yaml']) expect(promtool(path.join(repoRoot(), file))).toMatch(/SUCCESS/);
  });

  it('the config of every corpus plan, in both profiles and both forms, passes promtool check config', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-promtool-'));
    for (const [host, facts] of Object.entries(corpus())) {
      for (const profile of ['development', 'production'] as const) {
        const plan = planStack(facts, SettingsSchema.parse({ profile }));
        const generated = stackFiles(plan).find((f) => f.path.endsWith('prometheus.yaml'));
        const stack = path.join(dir, `${host}-${profile}.yaml`);
        const local = path.join(dir, `${host}-${profile}-local.yaml`);
        writeFileSync(stack, generated?.content ?? '');
        writeFileSync(local, stringify(prometheusConfig(plan, 'local')));
        expect(promtool(stack)).toMatch(/SUCCESS/);
        expect(promtool(local)).toMatch(/SUCCESS/);
      }
    }
  });
});

async function startPrometheus(config: object): Promise<{ url: string; process: ChildProcess }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-prometheus-'));
  const file = path.join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  const port = 29000 + (process.pid % 1000);
  const child = spawn('prometheus', [`--config.file=${file}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) return { url, process: child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('Prometheus did not become ready');
}

describeWhen(
  hasCommand('prometheus') && (await dockerAnswers()),
  "needs Debian's prometheus package and a Docker engine",
  'a real Prometheus scraping the test stack',
  () => {
    it("scrapes every model server and litellm with their service and model labels, and the app's queries return the series", async () => {
      const stack: TestStack = await testStack({ prefetchWeights: false });
      cleanups.push(() => stack.cleanup());
      const plan = stack.plan(await localFacts());
      const result = await up(stack.context({ prefetchWeights: false }), plan, ['vllm-qwen3', 'vllm-llama3', 'litellm']);
      expect(result.failed).toEqual([]);

      // The host-side config (what a Mac's Homebrew Prometheus uses), scraping every second to keep the test short.
      const config = prometheusConfig(plan, 'local') as { global: Record<string, string> };
      config.global.scrape_interval = '1s';
      const prometheus = await startPrometheus(config);
      cleanups.push(() => void prometheus.process.kill());

      // Traffic once Prometheus has a first sample of each model, so rates and histograms move between samples.
      for (let i = 0; i < 60 && (await queryInstant(prometheus.url, 'up{job="vllm"} == 1')).length < 2; i++) await new Promise((r) => setTimeout(r, 250));
      for (const service of ['vllm-qwen3', 'vllm-llama3']) {
        const port = plan.services.find((s) => s.name === service)?.ports[0]?.host;
        const model = plan.services.find((s) => s.name === service)?.model?.servedName;
        for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model, messages: [] }) }).then((r) => r.text());
      }
      let series: Awaited<ReturnType<typeof queryInstant>> = [];
      const counted = () => series.length === 2 && series.every((s) => (s.points[0]?.value ?? 0) >= 18);
      for (let i = 0; i < 60 && !counted(); i++) {
        await new Promise((r) => setTimeout(r, 250));
        series = await queryInstant(prometheus.url, 'vllm:generation_tokens_total');
      }
      expect(series.map((s) => [s.labels.service, s.labels.model, s.labels.job]).sort()).toEqual([
        ['vllm-llama3', 'llama3.2-3b', 'vllm'],
        ['vllm-qwen3', 'qwen3-1.7b', 'vllm'],
      ]);
      expect(series.every((s) => (s.points[0]?.value ?? 0) >= 18)).toBe(true);
      const litellm = await queryInstant(prometheus.url, 'litellm_proxy_total_requests_metric_total');
      expect(litellm[0]?.labels.service).toBe('litellm');

      await new Promise((r) => setTimeout(r, 2500));
      const sparklines = await modelSparklines(prometheus.url, ['vllm-qwen3', 'vllm-llama3'], 1, 1);
      for (const model of sparklines) {
        expect(model.running.length, model.service).toBeGreaterThan(0);
        expect(model.kvCachePercent.length, model.service).toBeGreaterThan(0);
        expect(model.ttftP50Seconds.some((v) => v > 0 && v <= 0.05), model.service).toBe(true);
      }
    }, 120_000);
  },
);
