import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HostFactsSchema } from '../../electron/common/contracts/host-facts.js';
import { DEFAULT_SETTINGS } from '../../electron/common/contracts/settings.js';
import { CHART } from '../../electron/common/export/k8s/chart.js';
import { DEFAULT_PROMETHEUS_URL, k8sExport } from '../../electron/common/export/k8s/index.js';
import { planStack } from '../../electron/common/planner/plan.js';
import { hostFile } from '../support/hosts.js';
import { repoRoot } from '../support/repo-root.js';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
}

const root = repoRoot();
const workflow = parse(readFileSync(path.join(root, '.github', 'workflows', 'k8s.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': string; env: Record<string, string>; steps: Step[] }>;
};
const job = Object.values(workflow.jobs)[0];
const runs = (job?.steps ?? []).map((s) => s.run ?? '').join('\n');

describe('the Kubernetes workflow (it runs on GitHub, not here)', () => {
  it('runs on tags, on a schedule and by hand, on ubuntu-24.04', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'schedule', 'workflow_dispatch']);
    expect(workflow.on.push).toEqual({ tags: ['v*'] });
    expect(job?.['runs-on']).toBe('ubuntu-24.04');
  });

  it('pins kind and Helm and checks what it downloads', () => {
    expect(job?.env.KIND_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(job?.env.HELM_VERSION).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(job?.env.HELM_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(runs).toMatch(/sha256sum -c -[\s\S]*sha256sum -c -/);
  });

  it("exports for the worker's facts, installs the chart version Berth writes values for, applies Open WebUI, checks, and always uninstalls", () => {
    const order = [
      'node scripts/k8s-node-facts.mjs',
      'berth export k8s --facts "$K8S_RESULTS/node.json"',
      `helm install ${CHART.release} ${CHART.repoName}/${CHART.name} --version ${CHART.version} -n "$NS" -f k8s/production-stack-values.yaml --wait`,
      'kubectl -n "$NS" apply -f k8s/open-webui.yaml',
      'node scripts/k8s-check.mjs',
      `helm uninstall ${CHART.release}`,
      'kind delete cluster',
    ].map((command) => runs.indexOf(command));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(runs).toContain(`helm repo add ${CHART.repoName} ${CHART.repoUrl}`);
    expect(runs).toMatch(/"id": "Qwen\/Qwen3-0\.6B", "device": "cpu"/);
    const uninstall = job?.steps.find((s) => s.run?.includes('helm uninstall'));
    expect(uninstall?.if).toBe('always()');
    expect(job?.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))?.if).toBe('always()');
  });

  it('its kind cluster has a worker for the stack beside the control plane', () => {
    const cluster = parse(readFileSync(path.join(root, '.github', 'kind', 'berth.yaml'), 'utf8')) as {
      kind: string;
      nodes: { role: string }[];
    };
    expect(cluster.kind).toBe('Cluster');
    expect(cluster.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker']);
  });

  it("checks what the issue names, in the script the workflow runs: a streamed chat through the router's Service, the key, vLLM's metrics", () => {
    const script = readFileSync(path.join(root, 'scripts', 'k8s-check.mjs'), 'utf8');
    for (const check of [
      `"the router lists the plan's served names"`,
      "'the router streams a chat completion through the openai SDK'",
      "'without the API key the engine refuses the request'",
      `"vLLM's metrics through each engine's Service count the tokens, and the router's count the requests"`,
      "'Open WebUI answers its health check'",
    ]) {
      expect(script).toContain(check);
    }
    expect(script).toContain(`svc/${CHART.release}-router-service`);
  });
});

describe('scripts/k8s-node-facts.mjs', () => {
  /** Runs the script with a `kubectl` that answers as a kind worker of 4 CPUs and 16 GiB with kindnet on it would. */
  function nodeFacts(runner: string): { code: number; facts?: unknown; stderr: string } {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'berth-kubectl-'));
    const node = { status: { allocatable: { cpu: '4', memory: '16393216Ki' } } };
    const pods = {
      items: [
        { spec: { containers: [{ resources: { requests: { cpu: '100m', memory: '50Mi' } } }] } },
        { spec: { containers: [{ resources: {} }] } },
      ],
    };
    writeFileSync(path.join(bin, 'node.json'), JSON.stringify(node));
    writeFileSync(path.join(bin, 'pods.json'), JSON.stringify(pods));
    writeFileSync(
      path.join(bin, 'kubectl'),
      `#!/bin/sh\ncase "$2" in node) cat "${bin}/node.json";; pods) cat "${bin}/pods.json";; esac\n`,
      { mode: 0o755 },
    );
    try {
      const out = execFileSync(
        process.execPath,
        [path.join(root, 'scripts', 'k8s-node-facts.mjs'), runner, 'berth-worker'],
        {
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      return { code: 0, facts: JSON.parse(out), stderr: '' };
    } catch (error) {
      const e = error as { status: number; stderr: string };
      return { code: e.status, stderr: e.stderr };
    }
  }

  it('leaves the engines what the worker has once its pods, the router and Open WebUI have their requests, as CPUs without a topology', () => {
    const { code, facts } = nodeFacts(hostFile('workstation-16c32t-2numa'));
    expect(code).toBe(0);
    const parsed = HostFactsSchema.parse(facts);
    // 4 − 0.1 (kindnet) − 0.4 (router) − 0.25 (Open WebUI) = 3.25 → 3 CPUs.
    expect(parsed.engine?.cpus).toBe(3);
    expect(parsed.engine?.cpuTopology).toBeUndefined();
    expect(parsed.engine?.memoryBytes).toBe(16393216 * 1024 - (50 + 500 + 1024) * 1024 * 1024);
    expect(parsed.gpus).toEqual([]);
    // The export for those facts fits the worker beside the router and Open WebUI.
    const plan = planStack(parsed, DEFAULT_SETTINGS);
    const specs = k8sExport(plan, parsed, {
      namespace: 'berth',
      replicas: 1,
      gpuSharing: 'whole',
      prometheusUrl: DEFAULT_PROMETHEUS_URL,
    }).values.servingEngineSpec.modelSpec;
    expect(specs.reduce((sum, s) => sum + s.requestCPU, 0) + 0.1 + 0.4 + 0.25).toBeLessThanOrEqual(4);
  });
});
