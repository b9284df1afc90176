import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/repo-root.js';

const dir = path.join(repoRoot(), '.github', 'workflows');

/** What GitHub's own workflow parser (the one its editor tooling uses) finds wrong with a workflow file. */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return [...new Set(errors)];
}

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
}

describe("the project's GitHub workflows", () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yml')))(
    "%s is valid against GitHub's workflow schema",
    async (file) => {
      expect(await workflowErrors(file, readFileSync(path.join(dir, file), 'utf8'))).toEqual([]);
    },
  );

  it('the schema check catches a wrong workflow (so a passing check means something)', async () => {
    expect(
      await workflowErrors('bad.yml', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n'),
    ).toEqual([expect.stringMatching(/Unexpected value 'stepz'/)]);
    expect(
      (
        await workflowErrors(
          'bad.yml',
          'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - name: x: y\n        run: echo\n',
        )
      ).length,
    ).toBeGreaterThan(0);
  });
});

describe('the real-stack workflow (it runs on GitHub, not here)', () => {
  const workflow = parse(readFileSync(path.join(dir, 'real-stack.yml'), 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<string, { strategy: { matrix: { runner: string[] } }; steps: Step[] }>;
  };
  const job = Object.values(workflow.jobs)[0];
  const runs = (job?.steps ?? []).map((s) => s.run ?? '').join('\n');

  it('runs on tags, on a schedule and by hand, on x86 and on arm64 runners', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'schedule', 'workflow_dispatch']);
    expect(workflow.on.push).toEqual({ tags: ['v*'] });
    expect(job?.strategy.matrix.runner).toEqual(['ubuntu-24.04', 'ubuntu-24.04-arm']);
  });

  it('installs Berth from the checkout, brings the development stack up with Qwen3-0.6B, checks it, benchmarks it and takes it down', () => {
    expect(runs).toMatch(/npm ci\n\s*npm run build\n\s*npm link/);
    expect(runs).toMatch(/"id": "Qwen\/Qwen3-0\.6B", "device": "cpu"/);
    expect(runs).toMatch(/"disabledModels": \["vllm-qwen3", "vllm-llama3"\]/);
    const order = [
      'berth up',
      'node scripts/real-stack-check.mjs',
      'npm run bench:vllm -- --concurrency 1,4',
      'berth down',
    ].map((command) => runs.indexOf(command));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const down = job?.steps.find((s) => s.run?.startsWith('berth down'));
    expect(down?.if).toBe('always()');
    const upload = job?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
  });

  it("checks what the issue names, in the script the workflow runs: chat through the openai SDK, Open WebUI's models, Prometheus's targets, Grafana's dashboards and datasource, berth status", () => {
    const script = readFileSync(path.join(repoRoot(), 'scripts', 'real-stack-check.mjs'), 'utf8');
    for (const check of [
      "'litellm streams a chat completion through the openai SDK'",
      "'Open WebUI lists every model'",
      "'Prometheus reports every target up'",
      "'Grafana finds every provisioned dashboard and its Prometheus datasource works'",
      "'berth status says every service is healthy'",
    ]) {
      expect(script).toContain(check);
    }
    expect(script).toMatch(/import OpenAI from 'openai'/);
  });
});

describe('the release workflow signs only with a certificate', () => {
  const workflow = parse(readFileSync(path.join(dir, 'release.yml'), 'utf8')) as {
    jobs: Record<string, { steps: (Step & { env?: Record<string, string> })[] }>;
  };
  const step = Object.values(workflow.jobs)[0]?.steps.find((s) => s.name === 'Package and publish');

  /** Runs the step's script as the runner would, with `npx` standing in to print what electron-builder would see. */
  function run(secrets: Record<string, string>): Record<string, string> {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'berth-npx-'));
    writeFileSync(
      path.join(bin, 'npx'),
      '#!/bin/sh\nenv | grep -E "^(CSC_|APPLE_|MAC_|NOTARY_)" | sort\necho "ARGS=$*"\n',
      { mode: 0o755 },
    );
    // The step's env, as GitHub fills it: an unset secret is an empty string.
    const env: Record<string, string> = { PATH: `${bin}:${process.env.PATH}` };
    for (const [name, value] of Object.entries(step?.env ?? {})) {
      const secret = /secrets\.(\w+)/.exec(value)?.[1];
      env[name] = secret
        ? (secrets[secret] ?? '')
        : name === 'BUILDER_TARGET'
          ? '--mac'
          : name === 'PUBLISH'
            ? 'never'
            : '';
    }
    const out = execFileSync('bash', ['-e', '-c', step?.run ?? ''], { env, encoding: 'utf8' });
    return Object.fromEntries(
      out
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  }

  it('without signing secrets (a fork): no CSC_LINK at all, not an empty one, and auto-discovery off', () => {
    const seen = run({});
    expect(seen).toEqual({ CSC_IDENTITY_AUTO_DISCOVERY: 'false', ARGS: 'electron-builder --mac --publish never' });
  });

  it('with them: the certificate and the notarisation credentials, and nothing else of the secrets', () => {
    const seen = run({
      MAC_CERTIFICATE_P12_BASE64: 'cert-base64',
      MAC_CERTIFICATE_PASSWORD: 'pw',
      APPLE_ID: 'dev@example.com',
      APPLE_APP_SPECIFIC_PASSWORD: 'app-pw',
      APPLE_TEAM_ID: 'TEAM1',
    });
    expect(seen).toEqual({
      CSC_LINK: 'cert-base64',
      CSC_KEY_PASSWORD: 'pw',
      APPLE_ID: 'dev@example.com',
      APPLE_APP_SPECIFIC_PASSWORD: 'app-pw',
      APPLE_TEAM_ID: 'TEAM1',
      ARGS: 'electron-builder --mac --publish never',
    });
  });
});

describe('the upstream workflow (it runs on GitHub, not here)', () => {
  const workflow = parse(readFileSync(path.join(dir, 'upstream.yml'), 'utf8')) as {
    on: { schedule: { cron: string }[]; workflow_dispatch: unknown; pull_request: { paths: string[] } };
    jobs: Record<string, { steps: Step[] }>;
  };
  const runs = (Object.values(workflow.jobs)[0]?.steps ?? []).map((s) => s.run ?? '').join('\n');
  const script = path.join(repoRoot(), 'scripts', 'upstream-check.mjs');

  it('runs every week, by hand, and on pull requests that touch the catalog, the Kubernetes export or the ledger', () => {
    expect(workflow.on.schedule).toHaveLength(1);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
    expect(workflow.on.pull_request.paths).toEqual(
      expect.arrayContaining(['electron/common/catalog/**', 'electron/common/export/k8s/**', 'docs/upstream.md']),
    );
  });

  it('checks the images per platform, the chart version and the exports against the chart schema, from a build of the checkout', () => {
    expect(runs).toMatch(/npm ci\n\s*npm run build/);
    for (const part of ['images', 'chart', 'schema', 'newer-chart'])
      expect(runs).toContain(`node scripts/upstream-check.mjs --only ${part}`);
    const text = readFileSync(script, 'utf8');
    expect(text).toContain("'docker', ['buildx', 'imagetools', 'inspect'");
    expect(text).toContain("'helm', ['show', 'chart'");
    expect(text).toContain("'helm', ['pull'");
    expect(text).toContain("'helm', ['search', 'repo'");
  });

  /** The script's schema step against a values.schema.json written here. */
  function schemaCheck(schema: object): { code: number; out: string } {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-schema-')), 'values.schema.json');
    writeFileSync(file, JSON.stringify(schema));
    try {
      return {
        code: 0,
        out: execFileSync('node', [script, '--only', 'schema', '--schema', file], { encoding: 'utf8' }),
      };
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      return { code: failed.status, out: failed.stdout };
    }
  }

  it("its schema step checks every fixture host's export, and fails on a value the schema refuses", () => {
    const passing = schemaCheck({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' });
    expect(passing.code).toBe(0);
    expect(passing.out).toMatch(/ok {3}\d+ exports pass/);
    // A schema that types keda.triggers as the chart's does, and wants extraObjects to be a list of objects, passes too.
    const chartLike = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        extraObjects: { type: 'array' },
        servingEngineSpec: {
          type: 'object',
          properties: {
            modelSpec: {
              type: 'array',
              items: {
                type: 'object',
                properties: { keda: { type: 'object', properties: { triggers: { type: 'object' } } } },
              },
            },
          },
        },
      },
    };
    expect(schemaCheck(chartLike).code).toBe(0);
    const refusing = schemaCheck({
      type: 'object',
      properties: { routerSpec: { type: 'object', properties: { tag: { type: 'integer' } } } },
    });
    expect(refusing.code).toBe(1);
    expect(refusing.out).toMatch(/FAIL .*\/routerSpec\/tag must be integer/);
  });
});
