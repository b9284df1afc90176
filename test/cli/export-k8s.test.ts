import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import { ProductionStackValuesSchema } from '../../electron/common/export/k8s/chart.js';
import { berth, freshHome } from '../support/cli.js';
import { hostFile } from '../support/hosts.js';
import { validateManifest, yamlDocuments } from '../support/kubernetes.js';

const FILES = [
  'production-stack-values.yaml',
  'open-webui.yaml',
  'monitoring.yaml',
  'secrets.example.yaml',
  'README.md',
];
const SECRETS = {
  HF_TOKEN: 'hf_k8sExportMustNeverHoldThis0123',
  LITELLM_MASTER_KEY: 'sk-k8sExportMustNeverHoldThis0123',
  GRAFANA_ADMIN_PASSWORD: 'grafana-never-exported-0123',
};

function exportK8s(facts: string, extra: string[] = [], dir = path.join(freshHome(), 'k8s')) {
  return { dir, result: berth(['export', 'k8s', '--facts', facts, '--out', dir, ...extra], { env: SECRETS }) };
}

describe('berth export k8s', () => {
  it("writes the chart's values, the manifests, the Secret's placeholders and a README; the numbers are berth plan's", () => {
    const facts = hostFile('gpu-server-2x40gb');
    const { dir, result } = exportK8s(facts, ['--namespace', 'llm']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // With the record of what Berth wrote (sha256sum's format), which kubectl apply -f on the folder leaves alone.
    expect(readdirSync(dir).sort()).toEqual([...FILES, '.berth-export.sha256'].sort());
    expect(result.stdout).toMatch(
      /helm install berth vllm\/vllm-stack --version 0\.1\.12 -n llm -f .*production-stack-values\.yaml/,
    );
    const plan = JSON.parse(berth(['plan', '--facts', facts, '--json']).stdout) as StackPlan;
    const values = ProductionStackValuesSchema.parse(
      parse(readFileSync(path.join(dir, 'production-stack-values.yaml'), 'utf8')),
    );
    for (const spec of values.servingEngineSpec.modelSpec) {
      const service = plan.services.find((s) => s.name === spec.name);
      expect([
        spec.vllmConfig.gpuMemoryUtilization,
        spec.vllmConfig.maxModelLen,
        spec.requestGPU,
        `${spec.repository}:${spec.tag}`,
      ]).toEqual([service?.gpuMemoryUtilization, service?.model?.maxModelLen, service?.gpus?.length, service?.image]);
    }
    for (const name of ['open-webui.yaml', 'monitoring.yaml', 'secrets.example.yaml']) {
      for (const doc of yamlDocuments(readFileSync(path.join(dir, name), 'utf8')))
        expect(() => validateManifest(doc)).not.toThrow();
    }
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/helm repo add vllm https:\/\/vllm-project\.github\.io\/production-stack/);
    expect(readme).toMatch(
      /\| vllm-coder \| qwen2\.5-coder-7b \| vllm\/vllm-openai:v0\.31\.0 \| 32768 \| auto \| 1 \| 0\.9 \|/,
    );
    expect(statSync(path.join(dir, 'secrets.example.yaml')).mode & 0o077).toBe(0);
  });

  it('puts no secret of the environment in any file', () => {
    const { dir } = exportK8s(hostFile('workstation-16c32t-2numa'));
    for (const name of FILES) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      for (const secret of Object.values(SECRETS)) expect(text, name).not.toContain(secret);
    }
  });

  it('rewrites its own files, keeps a filled-in secrets.example.yaml, and replaces a file it did not write only with --force', () => {
    const facts = hostFile('workstation-16c32t-2numa');
    const { dir } = exportK8s(facts);
    const secrets = path.join(dir, 'secrets.example.yaml');
    writeFileSync(secrets, 'filled in by the user\n');
    const again = exportK8s(facts, [], dir);
    expect(again.result.code).toBe(0);
    expect(again.result.stdout).toMatch(/kept {2}secrets\.example\.yaml/);
    expect(readFileSync(secrets, 'utf8')).toBe('filled in by the user\n');
    writeFileSync(path.join(dir, 'README.md'), 'my own notes\n');
    const refused = exportK8s(facts, [], dir);
    expect(refused.result.code).toBe(1);
    expect(refused.result.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.result.stderr).toMatch(
      /README\.md exists and was not written by Berth \(or was changed since\): pass --force/,
    );
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('my own notes\n');
    expect(exportK8s(facts, ['--force'], dir).result.code).toBe(0);
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/^# The stack on Kubernetes/);
  });

  it('exports nothing for a plan that cannot start, and says why in one line', () => {
    const dir = path.join(freshHome(), 'k8s');
    const { result } = exportK8s(hostFile('laptop-vm-4cpu'), ['--profile', 'production'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^berth: nothing exported: this stack cannot start \(no-gpu: /);
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    [['--replicas', '0'], /^berth: --replicas: a whole number of replicas per model from 1 to 100/],
    [['--replicas', 'two'], /^berth: --replicas: a whole number/],
    [
      ['--replicas', '2', '--autoscale', '1-3'],
      /^berth: --replicas: give --replicas N or --autoscale MIN-MAX, not both/,
    ],
    [['--autoscale', '4'], /^berth: --autoscale: MIN-MAX replicas per model/],
    [['--autoscale', '3-1'], /^berth: --autoscale: MIN-MAX replicas per model/],
    [['--gpu-sharing', 'mig'], /^berth: --gpu-sharing: whole \(a card per model pod\) or hami/],
    [['--namespace', 'My_Namespace'], /^berth: --namespace: a Kubernetes namespace/],
    [['--prometheus-url', 'ftp://x'], /^berth: --prometheus-url: the Prometheus KEDA queries, as an http\(s\) URL/],
  ])('%j is refused in one line (exit 2) and writes nothing', (flags, message) => {
    const dir = path.join(freshHome(), 'k8s');
    const { result } = exportK8s(hostFile('gpu-server-2x40gb'), flags, dir);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(existsSync(dir)).toBe(false);
  });

  it('a file where the folder should be is one line, not a stack', () => {
    const home = freshHome();
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, 'taken'), '');
    const { result } = exportK8s(hostFile('gpu-server-2x40gb'), [], path.join(home, 'taken', 'k8s'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^berth: cannot write to .*taken is a file, not a folder/);
  });
});
