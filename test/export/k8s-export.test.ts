import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_SETTINGS, SettingsSchema } from '../../electron/common/contracts/settings.js';
import { blockingWarnings, type PlannedService, type StackPlan } from '../../electron/common/contracts/stack-plan.js';
import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import { modelDashboard } from '../../electron/common/export/grafana-dashboards.js';
import {
  DEFAULT_PROMETHEUS_URL,
  K8S_FILES,
  k8sExport,
  type K8sOptions,
} from '../../electron/common/export/k8s/index.js';
import { ProductionStackValuesSchema, type ModelSpecValues } from '../../electron/common/export/k8s/chart.js';
import { k8sModelName } from '../../electron/common/export/k8s/model-names.js';
import { usableCores } from '../../electron/common/planner/cpu-cores.js';
import { parseCpuList } from '../../electron/common/planner/cpu-list.js';
import { nvidiaCards } from '../../electron/common/planner/gpu-memory.js';
import { planStack } from '../../electron/common/planner/plan.js';
import { GiB, MiB } from '../../electron/common/units.js';
import { corpus, host } from '../support/hosts.js';
import { validateManifest, yamlDocuments } from '../support/kubernetes.js';

const OPTIONS: K8sOptions = {
  namespace: 'llm',
  replicas: 1,
  gpuSharing: 'whole',
  prometheusUrl: DEFAULT_PROMETHEUS_URL,
};

function file(exported: ReturnType<typeof k8sExport>, name: string): string {
  const found = exported.files.find((f) => f.path === name);
  if (!found) throw new Error(`no ${name}`);
  return found.content;
}

/** "8448Mi" / "11Gi" in bytes. */
function bytes(quantity: string | undefined): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity ?? '');
  if (!match) throw new Error(`not a quantity: ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? GiB : MiB);
}

function flag(command: readonly string[], name: string): string | undefined {
  const at = command.indexOf(name);
  return at >= 0 ? command[at + 1] : undefined;
}

/** Every fixture host with each profile whose plan can start: the cases the export must carry over exactly. */
const CASES = Object.entries(corpus()).flatMap(([name, facts]) =>
  (['development', 'production'] as const).flatMap((profile) => {
    const plan = planStack(facts, DEFAULT_SETTINGS, { profile: { choice: profile, source: 'test' } });
    const models = plan.services.filter((s) => s.role === 'model');
    return blockingWarnings(plan).length || models.length === 0 ? [] : [{ label: `${name} (${profile})`, facts, plan }];
  }),
);

/** What the chart's template makes of a modelSpec: `vllm serve MODEL` + vllmConfig's flags + extraArgs (deployment-vllm-multi.yaml). */
function chartCommand(spec: ModelSpecValues): string[] {
  const c = spec.vllmConfig;
  return [
    'serve',
    spec.modelURL,
    c.enablePrefixCaching ? '--enable-prefix-caching' : '--no-enable-prefix-caching',
    '--max-model-len',
    String(c.maxModelLen),
    '--dtype',
    c.dtype,
    '--tensor-parallel-size',
    String(c.tensorParallelSize),
    ...(c.gpuMemoryUtilization !== undefined ? ['--gpu_memory_utilization', String(c.gpuMemoryUtilization)] : []),
    ...c.extraArgs,
  ];
}

function checkAgainstPlan(spec: ModelSpecValues, service: PlannedService, facts: HostFacts): void {
  const model = service.model;
  expect(model).toBeDefined();
  expect(`${spec.repository}:${spec.tag}`).toBe(service.image);
  expect(spec.modelURL).toBe(model?.id);
  expect(spec.vllmConfig.maxModelLen).toBe(model?.maxModelLen);
  expect(spec.vllmConfig.dtype).toBe(flag(service.command, '--dtype') ?? 'auto');
  expect(flag(spec.vllmConfig.extraArgs, '--served-model-name')).toBe(model?.servedName);
  expect(bytes(spec.shmSize)).toBe(service.shmBytes);
  // Every argument of the plan's command reaches vLLM, through a field or extraArgs (the chart adds --host and --port).
  const command = chartCommand(spec);
  for (let i = 0; i < service.command.length; i += 1) {
    const arg = service.command[i] as string;
    if (i === 0 && arg === model?.id) expect(command[1]).toBe(arg);
    else if (arg === '--gpu-memory-utilization')
      expect(flag(command, '--gpu_memory_utilization')).toBe(service.command[i + 1]);
    else if (arg === '--host' || arg === '--port') continue;
    else if (arg.startsWith('--')) expect(command, arg).toContain(arg);
  }
  expect(bytes(spec.pvcStorage)).toBeGreaterThan(model?.weightsBytes ?? 0);
  if (model?.device === 'gpu') {
    expect(spec.requestGPU).toBe(service.gpus?.length);
    expect(spec.vllmConfig.gpuMemoryUtilization).toBe(service.gpuMemoryUtilization);
    expect(spec.vllmConfig.tensorParallelSize).toBe(service.gpus?.length);
    expect(bytes(spec.requestMemory)).toBeGreaterThanOrEqual(model.weightsBytes ?? 0);
    expect(spec.env).toBeUndefined();
  } else {
    // The plan's OpenMP cores as Kubernetes counts CPUs: each bound core with all its hardware threads.
    const bind = parseCpuList(service.env.VLLM_CPU_OMP_THREADS_BIND ?? '');
    const cores = usableCores(facts).cores.filter((core) => core.threads.some((t) => bind.includes(t)));
    expect(cores).toHaveLength(bind.length);
    expect(spec.requestCPU).toBe(cores.reduce((sum, core) => sum + core.threads.length, 0));
    expect(spec.limitCPU).toBe(String(spec.requestCPU));
    expect(bytes(spec.requestMemory)).toBeGreaterThanOrEqual(service.memoryBytes ?? 0);
    expect(bytes(spec.requestMemory)).toBeLessThan((service.memoryBytes ?? 0) + MiB);
    expect(spec.limitMemory).toBe(spec.requestMemory);
    expect(spec.requestGPU).toBe(0);
    expect(spec.vllmConfig.gpuMemoryUtilization).toBeUndefined();
    expect(spec.runtimeClassName).toBe('');
    expect(spec.env).toEqual([
      { name: 'VLLM_CPU_KVCACHE_SPACE', value: service.env.VLLM_CPU_KVCACHE_SPACE },
      { name: 'VLLM_CPU_OMP_THREADS_BIND', value: 'auto' },
      { name: 'VLLM_CPU_NUM_OF_RESERVED_CPU', value: '0' },
    ]);
    expect(spec.repository).toBe('vllm/vllm-openai-cpu');
  }
}

describe('berth export k8s: the plan on the production-stack chart', () => {
  it('has a case for every fixture host that can start a stack, CPU and GPU alike', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(8);
    expect(CASES.some((c) => c.plan.profile === 'production')).toBe(true);
    expect(CASES.some((c) => c.plan.profile === 'development')).toBe(true);
  });

  it.each(CASES)(
    '$label: context, dtype, GPU share, cores, memory, shm and image equal the plan',
    ({ facts, plan }) => {
      const exported = k8sExport(plan, facts, OPTIONS);
      const values = ProductionStackValuesSchema.parse(parse(file(exported, K8S_FILES.values)));
      expect(values).toEqual(exported.values);
      const models = plan.services.filter((s) => s.role === 'model');
      expect(values.servingEngineSpec.modelSpec.map((s) => s.name)).toEqual(models.map((s) => k8sModelName(s.name)));
      for (const spec of values.servingEngineSpec.modelSpec)
        checkAgainstPlan(spec, models.find((s) => k8sModelName(s.name) === spec.name) as PlannedService, facts);
      const gpu = models.some((s) => s.model?.device === 'gpu');
      expect(values.servingEngineSpec.runtimeClassName).toBe(gpu ? 'nvidia' : '');
      expect(
        values.servingEngineSpec.startupProbe.failureThreshold * values.servingEngineSpec.startupProbe.periodSeconds,
      ).toBeGreaterThanOrEqual(models[0]?.health?.startPeriodS ?? 0);
    },
  );

  it.each(CASES)(
    "$label: every manifest is valid against Kubernetes' schemas, and no file holds a secret or a ${…} reference",
    ({ facts, plan }) => {
      const exported = k8sExport(plan, facts, OPTIONS);
      for (const name of [K8S_FILES.openWebui, K8S_FILES.monitoring, K8S_FILES.secrets]) {
        const docs = yamlDocuments(file(exported, name));
        expect(docs.length).toBeGreaterThan(0);
        for (const doc of docs) {
          expect(() => validateManifest(doc), `${name}: ${doc.kind} ${doc.metadata?.name}`).not.toThrow();
          expect(doc.metadata?.namespace).toBe('llm');
        }
      }
      for (const f of exported.files)
        expect(f.content, f.path).not.toMatch(/\$\{[A-Z_]+\}|sk-[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{20,}/);
    },
  );

  it('the schema check catches a wrong manifest (so a passing check means something)', () => {
    const plan = planStack(host('gpu-server-2x40gb'), DEFAULT_SETTINGS);
    const [, deployment] = k8sExport(plan, host('gpu-server-2x40gb'), OPTIONS).manifests[K8S_FILES.openWebui] as [
      unknown,
      { spec: { replicas: unknown } },
    ];
    expect(() => validateManifest({ ...deployment, spec: { ...deployment.spec, replicas: 'one' } } as never)).toThrow(
      /replicas must be integer/,
    );
    expect(() => validateManifest({ apiVersion: 'v1', kind: 'Pod' })).toThrow(/no schema/);
    expect(() => ProductionStackValuesSchema.parse({ servingEngineSpec: {}, routerSpec: {}, typo: 1 })).toThrow();
  });

  it("two models on one card: a card each at the plan's shares by default, the choice and its reason in the README", () => {
    const facts = host('gpu-server-1x80gb');
    const plan = planStack(facts, DEFAULT_SETTINGS);
    const exported = k8sExport(plan, facts, OPTIONS);
    const specs = exported.values.servingEngineSpec.modelSpec;
    expect(specs.map((s) => [s.name, s.requestGPU, s.requestGPUMem, s.vllmConfig.gpuMemoryUtilization])).toEqual([
      ['vllm-coder', 1, undefined, 0.44],
      ['vllm-gpt-oss', 1, undefined, 0.45],
    ]);
    const readme = file(exported, K8S_FILES.readme);
    expect(readme).toMatch(
      /shares GPU 0 with vllm-gpt-oss in the plan; here it gets a card of its own .* at the plan's share 0.44/,
    );
    expect(readme).toMatch(/export with --gpu-sharing hami/);
    expect(readme).toMatch(
      /vllm-gpt-oss starts once vllm-coder is healthy.*Here each pod has a card of its own, so they start together/,
    );
  });

  it('with --gpu-sharing hami they share the card: HAMi memory of the share plus room for the CUDA context, and the same bytes for vLLM', () => {
    const facts = host('gpu-server-1x80gb');
    const plan = planStack(facts, DEFAULT_SETTINGS);
    const card = nvidiaCards(facts)[0];
    const specs = k8sExport(plan, facts, { ...OPTIONS, gpuSharing: 'hami' }).values.servingEngineSpec.modelSpec;
    for (const spec of specs) {
      const service = plan.services.find((s) => s.name === spec.name) as PlannedService;
      const planned = (service.gpuMemoryUtilization ?? 0) * (card?.visibleBytes ?? 0);
      const given = (spec.vllmConfig.gpuMemoryUtilization ?? 0) * Number(spec.requestGPUMem) * MiB;
      expect(spec.requestGPU).toBe(1);
      expect(spec.limitGPUMem).toBe(spec.requestGPUMem);
      expect(Math.abs(given - planned) / planned).toBeLessThan(0.01);
      expect(given).toBeLessThanOrEqual(planned);
      // Room beside the share for the pod's CUDA context, which vLLM does not count in its share (a few hundred MiB).
      expect(Number(spec.requestGPUMem) * MiB - planned).toBeGreaterThanOrEqual(0.25 * GiB);
    }
    const sum = specs.reduce((s, spec) => s + Number(spec.requestGPUMem) * MiB, 0);
    expect(sum).toBeLessThanOrEqual(card?.memoryBytes ?? 0);
    // A model alone on its card keeps the whole card and its share.
    const alone = k8sExport(planStack(host('gpu-server-2x40gb'), DEFAULT_SETTINGS), host('gpu-server-2x40gb'), {
      ...OPTIONS,
      gpuSharing: 'hami',
    }).values.servingEngineSpec.modelSpec;
    expect(alone.map((s) => [s.requestGPUMem, s.vllmConfig.gpuMemoryUtilization])).toEqual([
      [undefined, 0.9],
      [undefined, 0.9],
    ]);
  });

  it('replicas and KEDA autoscaling on the waiting requests, with a shared weights volume when there can be more than one pod', () => {
    const facts = host('workstation-16c32t-2numa');
    const plan = planStack(facts, DEFAULT_SETTINGS);
    const fixed = k8sExport(plan, facts, { ...OPTIONS, replicas: 2 });
    expect(fixed.values.servingEngineSpec.modelSpec[0]).toMatchObject({
      replicaCount: 2,
      pvcAccessMode: ['ReadWriteMany'],
    });
    expect(fixed.values.servingEngineSpec.modelSpec[0]).not.toHaveProperty('keda');
    expect(fixed.values.extraObjects).toBeUndefined();
    const scaled = k8sExport(plan, facts, { ...OPTIONS, autoscale: { min: 1, max: 4 } });
    expect(scaled.values.servingEngineSpec.modelSpec[0]).toMatchObject({
      replicaCount: 1,
      pvcAccessMode: ['ReadWriteMany'],
    });
    // The chart's own ScaledObject stays off: its schema types keda.triggers as an object, which KEDA refuses.
    expect(scaled.values.servingEngineSpec.modelSpec[0]).not.toHaveProperty('keda');
    // Berth's ScaledObject targets the Deployment the chart names `<release>-<model>-deployment-vllm`, with KEDA's list of triggers.
    expect(scaled.values.extraObjects?.[0]).toEqual({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: {
        name: 'berth-vllm-qwen3-scaledobject',
        labels: { model: 'vllm-qwen3', 'app.kubernetes.io/managed-by': 'berth' },
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'berth-vllm-qwen3-deployment-vllm' },
        minReplicaCount: 1,
        maxReplicaCount: 4,
        pollingInterval: 15,
        cooldownPeriod: 360,
        triggers: [
          {
            type: 'prometheus',
            metadata: {
              serverAddress: DEFAULT_PROMETHEUS_URL,
              query: 'sum(vllm:num_requests_waiting{service="vllm-qwen3"})',
              threshold: '5',
            },
          },
        ],
      },
    });
    expect(scaled.values.extraObjects).toHaveLength(plan.services.filter((s) => s.role === 'model').length);
    expect(k8sExport(plan, facts, OPTIONS).values.servingEngineSpec.modelSpec[0]?.pvcAccessMode).toBeUndefined();
  });

  it("dashboards run the local dashboards' PromQL on series the ServiceMonitor labels as Berth's Prometheus does", () => {
    const facts = host('gpu-server-2x40gb');
    const plan = planStack(facts, DEFAULT_SETTINGS);
    const docs = yamlDocuments(file(k8sExport(plan, facts, OPTIONS), K8S_FILES.monitoring)) as unknown as {
      kind: string;
      metadata: { name: string; labels: Record<string, string> };
      data?: Record<string, string>;
      spec?: { endpoints: { relabelings: { targetLabel: string; sourceLabels?: string[] }[] }[] };
    }[];
    const exprs = (dashboard: object) => JSON.stringify(dashboard).match(/"expr":"(?:[^"\\]|\\.)*"/g);
    for (const service of plan.services.filter((s) => s.role === 'model')) {
      const map = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === `berth-dashboard-${service.name}`);
      expect(map?.metadata.labels.grafana_dashboard).toBe('1');
      const dashboard = JSON.parse(Object.values(map?.data ?? {})[0] ?? '{}');
      expect(exprs(dashboard)).toEqual(exprs(modelDashboard(service.name, service.model?.servedName ?? '')));
    }
    const monitor = docs.find((d) => d.kind === 'ServiceMonitor');
    expect(monitor?.spec?.endpoints[0]?.relabelings).toContainEqual(
      expect.objectContaining({ sourceLabels: ['__meta_kubernetes_pod_label_model'], targetLabel: 'service' }),
    );
  });

  it('Open WebUI talks to the router with the API key from the Secret, as the plan has it talk to litellm', () => {
    const facts = host('macbook-docker-desktop-8cpu-8gib');
    const plan = planStack(facts, DEFAULT_SETTINGS);
    const [pvc, deployment, service] = yamlDocuments(
      file(k8sExport(plan, facts, OPTIONS), K8S_FILES.openWebui),
    ) as unknown as {
      kind: string;
      spec: {
        template?: {
          spec: { containers: { image: string; env: { name: string; value?: string; valueFrom?: unknown }[] }[] };
        };
        type?: string;
      };
    }[];
    expect([pvc?.kind, deployment?.kind, service?.kind]).toEqual(['PersistentVolumeClaim', 'Deployment', 'Service']);
    const container = deployment?.spec.template?.spec.containers[0];
    expect(container?.image).toBe(plan.services.find((s) => s.role === 'webui')?.image);
    expect(container?.env).toContainEqual({ name: 'OPENAI_API_BASE_URL', value: 'http://berth-router-service:80/v1' });
    expect(container?.env).toContainEqual({
      name: 'OPENAI_API_KEY',
      valueFrom: { secretKeyRef: { name: 'berth-secrets', key: 'api-key' } },
    });
    expect(service?.spec.type).toBe('ClusterIP');
  });

  it('refuses, in one line naming the setting, what a cluster cannot run or Kubernetes cannot name', () => {
    const facts = host('workstation-16c32t-2numa');
    const plan = planStack(facts, DEFAULT_SETTINGS);
    const untagged: StackPlan = {
      ...plan,
      services: plan.services.map((s) =>
        s.name === 'vllm-qwen3' ? { ...s, image: 'registry.local/vllm@sha256:abc' } : s,
      ),
    };
    expect(() => k8sExport(untagged, facts, OPTIONS)).toThrow(
      /^images\.vllm-qwen3: "registry.local\/vllm@sha256:abc" has no tag/,
    );
    const built = planStack(facts, SettingsSchema.parse({ vllmSource: '/src/vllm' }));
    expect(() => k8sExport(built, facts, OPTIONS)).toThrow(
      /^images\.vllm-qwen3: this model's image is built from a local vLLM checkout/,
    );
    expect(() => k8sExport(plan, facts, { ...OPTIONS, namespace: 'Bad_Name' })).toThrow(
      /^--namespace: a Kubernetes namespace/,
    );
    expect(() => k8sExport(plan, facts, { ...OPTIONS, replicas: 0 })).toThrow(/^--replicas: /);
    expect(() => k8sExport(plan, facts, { ...OPTIONS, autoscale: { min: 3, max: 2 } })).toThrow(/^--autoscale: /);
    const none = planStack(facts, SettingsSchema.parse({ disabledModels: ['vllm-qwen3', 'vllm-llama3'] }));
    expect(() => k8sExport(none, facts, OPTIONS)).toThrow(/^models: the plan has no model to export/);
  });

  it("a model whose service name Kubernetes refuses (a '.') gets a DNS name, and its series get the plan's name back", () => {
    const facts = host('server-64core');
    const settings = SettingsSchema.parse({
      disabledModels: ['vllm-qwen3', 'vllm-llama3'],
      models: [
        {
          id: 'Qwen/Qwen3-0.6B',
          device: 'cpu',
          layers: 28,
          kvHeads: 8,
          headDim: 128,
          maxModelLen: 40960,
          weightsGiB: 1.5,
        },
      ],
    });
    const plan = planStack(facts, settings);
    const service = plan.services.find((s) => s.role === 'model') as PlannedService;
    expect(service.name).toContain('.');
    const exported = k8sExport(plan, facts, OPTIONS);
    expect(exported.values.servingEngineSpec.modelSpec[0]?.name).toBe(service.name.replace(/\./g, '-'));
    const monitor = yamlDocuments(file(exported, K8S_FILES.monitoring)).find(
      (d) => d.kind === 'ServiceMonitor',
    ) as unknown as { spec: { endpoints: { relabelings: unknown[] }[] } };
    expect(monitor.spec.endpoints[0]?.relabelings).toContainEqual({
      sourceLabels: ['__meta_kubernetes_pod_label_model'],
      regex: service.name.replace(/\./g, '-'),
      targetLabel: 'service',
      replacement: service.name,
      action: 'replace',
    });
    for (const doc of yamlDocuments(file(exported, K8S_FILES.monitoring)))
      expect(() => validateManifest(doc)).not.toThrow();
  });

  it('is pure: the same plan, facts and options give the same files', () => {
    const facts = host('server-64core');
    const plan = planStack(facts, DEFAULT_SETTINGS);
    expect(k8sExport(plan, facts, OPTIONS).files).toEqual(
      k8sExport(structuredClone(plan), structuredClone(facts), { ...OPTIONS }).files,
    );
  });
});
