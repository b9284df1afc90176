import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
import { freePorts } from '../support/ports.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/**
 * promtool check config, which also loads the rule files a config names: a stack config names the rules where the
 * container mounts them (/etc/prometheus/rules.yml), so a copy names `rules` instead, beside it.
 */
function promtool(file: string, rules?: string): string {
  if (!rules) return execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-promtool-'));
  const copy = path.join(dir, 'prometheus.yaml');
  writeFileSync(copy, readFileSync(file, 'utf8').replace('/etc/prometheus/rules.yml', 'rules.yaml'));
  writeFileSync(path.join(dir, 'rules.yaml'), readFileSync(rules, 'utf8'));
  return execFileSync('promtool', ['check', 'config', copy], { encoding: 'utf8' });
}

describeWhen(
  hasCommand('promtool'),
  "promtool is not installed (Debian's prometheus package)",
  'generated Prometheus configuration, checked by promtool',
  () => {
    it('the checked-in configs pass promtool check config, with the rules file they name', () => {
      const rules = path.join(repoRoot(), 'monitoring/rules.yaml');
      expect(promtool(path.join(repoRoot(), 'monitoring/prometheus.yaml'), rules)).toMatch(/SUCCESS/);
      expect(promtool(path.join(repoRoot(), 'monitoring/prometheus-local.yaml'))).toMatch(/SUCCESS/);
      expect(
        execFileSync('promtool', ['check', 'rules', path.join(repoRoot(), 'monitoring/rules.yaml')], {
          encoding: 'utf8',
        }),
      ).toMatch(/SUCCESS: 1 rules found/);
    });

    it('the rules Berth writes from a plan with measured starts pass promtool, and the alert fires on a start past its plan', () => {
      const facts = corpus()['workstation-16c32t-2numa'];
      if (!facts) throw new Error('no workstation fixture');
      const plan = planStack(facts, SettingsSchema.parse({}));
      const qwen = plan.services.find((s) => s.name === 'vllm-qwen3');
      const measured = planStack(facts, SettingsSchema.parse({}), {
        measurements: [
          {
            service: 'vllm-qwen3',
            image: qwen?.image ?? '',
            model: 'Qwen/Qwen3-1.7B',
            device: 'cpu',
            engine: facts.engine?.endpoint ?? '',
            at: '2026-12-01T00:00:00Z',
            planned: qwen?.model?.expected ?? {},
            measured: { oomKilled: true, limitBytes: qwen?.memoryBytes },
          },
        ],
      });
      const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-rules-'));
      const rules = path.join(dir, 'rules.yaml');
      writeFileSync(rules, stackFiles(measured).find((f) => f.path.endsWith('rules.yaml'))?.content ?? '');
      expect(execFileSync('promtool', ['check', 'rules', rules], { encoding: 'utf8' })).toMatch(/SUCCESS/);
      // promtool's unit test: the recorded ratio of a start killed at its limit is 2, and the alert fires.
      const test = path.join(dir, 'rules.test.yaml');
      writeFileSync(
        test,
        stringify({
          rule_files: ['rules.yaml'],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: [],
              promql_expr_test: [
                {
                  expr: 'berth:measured_over_plan_ratio',
                  eval_time: '1m',
                  exp_samples: [
                    { labels: 'berth:measured_over_plan_ratio{model="qwen3-1.7b",service="vllm-qwen3"}', value: 2 },
                  ],
                },
              ],
              alert_rule_test: [
                {
                  eval_time: '2m',
                  alertname: 'BerthModelAboveItsPlan',
                  exp_alerts: [
                    {
                      exp_labels: { severity: 'warning', service: 'vllm-qwen3', model: 'qwen3-1.7b' },
                      exp_annotations: {
                        summary: 'vllm-qwen3 needed more memory than Berth planned',
                        description:
                          'At its last start vllm-qwen3 measured 2.00× its plan (killed at its limit counts as 2×). berth up again applies a plan corrected by the measurement.',
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      );
      expect(execFileSync('promtool', ['test', 'rules', test], { encoding: 'utf8', cwd: dir })).toMatch(/SUCCESS/);
    });

    it('the config of every corpus plan, in both profiles and both forms, passes promtool check config', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-promtool-'));
      for (const [host, facts] of Object.entries(corpus())) {
        for (const profile of ['development', 'production'] as const) {
          const plan = planStack(facts, SettingsSchema.parse({ profile }));
          const files = stackFiles(plan);
          const generated = files.find((f) => f.path.endsWith('prometheus.yaml'));
          const folder = mkdtempSync(path.join(dir, `${host}-${profile}-`));
          const stack = path.join(folder, 'stack.yaml');
          const local = path.join(folder, 'local.yaml');
          const rules = path.join(folder, 'rules.yaml');
          writeFileSync(stack, generated?.content ?? '');
          writeFileSync(local, stringify(prometheusConfig(plan, 'local')));
          writeFileSync(rules, files.find((f) => f.path.endsWith('rules.yaml'))?.content ?? '');
          expect(promtool(stack, rules)).toMatch(/SUCCESS/);
          expect(promtool(local)).toMatch(/SUCCESS/);
        }
      }
    });
  },
);

async function startPrometheus(config: object): Promise<{ url: string; process: ChildProcess }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-prometheus-'));
  const file = path.join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  const [port] = await freePorts(1);
  const child = spawn(
    'prometheus',
    [
      `--config.file=${file}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, process: child };
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
      const result = await up(stack.context({ prefetchWeights: false }), plan, [
        'vllm-qwen3',
        'vllm-llama3',
        'litellm',
      ]);
      expect(result.failed).toEqual([]);

      // The host-side config (what a Mac's Homebrew Prometheus uses), scraping every second to keep the test short.
      const config = prometheusConfig(plan, 'local') as { global: Record<string, string> };
      config.global.scrape_interval = '1s';
      const prometheus = await startPrometheus(config);
      cleanups.push(() => void prometheus.process.kill());

      // Traffic once Prometheus has a first sample of each model, so rates and histograms move between samples.
      for (let i = 0; i < 60 && (await queryInstant(prometheus.url, 'up{job="vllm"} == 1')).length < 2; i++)
        await new Promise((r) => setTimeout(r, 250));
      for (const service of ['vllm-qwen3', 'vllm-llama3']) {
        const port = plan.services.find((s) => s.name === service)?.ports[0]?.host;
        const model = plan.services.find((s) => s.name === service)?.model?.servedName;
        for (let i = 0; i < 3; i++)
          await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
            method: 'POST',
            body: JSON.stringify({ model, messages: [] }),
          }).then((r) => r.text());
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
        expect(model.timeline.running.length, model.service).toBeGreaterThan(0);
        expect(model.timeline.kvCachePercent.length, model.service).toBeGreaterThan(0);
        expect(
          model.timeline.ttftP50Seconds.some(([, v]) => v > 0 && v <= 0.05),
          model.service,
        ).toBe(true);
      }
    }, 120_000);
  },
);
