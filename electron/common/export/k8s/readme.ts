import type { HostFacts } from '../../contracts/host-facts.js';
import { engineCpuCount } from '../../planner/memory-account.js';
import type { StackPlan } from '../../contracts/stack-plan.js';
import { GiB, MiB, formatGiB } from '../../units.js';
import { GENERATED_HEADER } from '../compose.js';
import { CHART, routerServiceName, type ProductionStackValues } from './chart.js';
import { OPEN_WEBUI } from './manifests.js';
import { SECRET_KEYS, SECRET_NAME, type ModelExport } from './model-spec.js';
import type { K8sOptions } from './options.js';
import { engineMemoryBytes } from '../../planner/memory-account.js';

interface ReadmeInput {
  plan: StackPlan;
  facts: HostFacts;
  options: K8sOptions;
  models: ModelExport[];
  values: ProductionStackValues;
}

/** "16Gi" or "8448Mi" in bytes. */
function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) return 0;
  return Number(match[1]) * (match[2] === 'Gi' ? GiB : MiB);
}

function numaNodes(facts: HostFacts): number {
  return new Set(facts.engine?.cpuTopology?.map((p) => p.node) ?? [0]).size;
}

function cell(text: string | number): string {
  return String(text).replace(/\|/g, '\\|');
}

function nodeDescription(facts: HostFacts): string {
  const cpus = engineCpuCount(facts);
  const memory = engineMemoryBytes(facts);
  const gpus = facts.gpus.filter((g) => /nvidia/i.test(g.vendor));
  const cards = gpus.length ? `, ${gpus.length} × ${gpus[0]?.model}` : '';
  return `${cpus} CPUs, ${formatGiB(memory)}${cards}`;
}

/** Whether the model pods fit one node like the one the facts describe, as the plan promises, and what to do if not. */
function fitNote(input: ReadmeInput): string {
  const { facts, values } = input;
  const specs = values.servingEngineSpec.modelSpec;
  const cpus = specs.reduce((sum, s) => sum + s.requestCPU, 0);
  const memory = specs.reduce((sum, s) => sum + quantityBytes(s.requestMemory), 0);
  const nodeCpus = engineCpuCount(facts);
  const nodeMemory = engineMemoryBytes(facts);
  const gpus = specs.reduce((sum, s) => sum + (s.requestGPUMem ? 0 : s.requestGPU), 0);
  const nodeGpus = facts.gpus.filter((g) => /nvidia/i.test(g.vendor)).length;
  const lines = [
    `The model pods request ${cpus} CPUs and ${formatGiB(memory)} together` +
      (gpus ? ` and ${gpus} whole GPU${gpus === 1 ? '' : 's'}` : '') +
      `; the node the plan was made for has ${nodeCpus} CPUs, ${formatGiB(nodeMemory)}` +
      (nodeGpus ? ` and ${nodeGpus} GPU${nodeGpus === 1 ? '' : 's'}` : '') +
      '.',
  ];
  if (cpus > nodeCpus || memory > nodeMemory || gpus > nodeGpus) {
    lines.push(
      'They do not all fit on one such node, so the scheduler spreads them over several; each pod alone fits one.',
    );
  } else {
    lines.push(
      "The kubelet keeps some of a node's CPUs and memory for itself (kube-reserved, system-reserved): where " +
        'less is allocatable than these requests, the scheduler puts a pod on another node.',
    );
  }
  return lines.join(' ');
}

/** How to install it: the namespace, the Secret, the chart, Open WebUI and the monitoring, then the port-forwards. */
function installSection(ns: string): string[] {
  return [
    '## Install',
    '',
    '```sh',
    `kubectl create namespace ${ns}`,
    `# the Secret: fill in ${'`'}secrets.example.yaml${'`'} and apply it, or create it directly:`,
    `kubectl -n ${ns} create secret generic ${SECRET_NAME} --from-literal=${SECRET_KEYS.hfToken}="$HF_TOKEN" ` +
      `--from-literal=${SECRET_KEYS.apiKey}="$(openssl rand -hex 24)"`,
    `helm repo add ${CHART.repoName} ${CHART.repoUrl}`,
    `helm install ${CHART.release} ${CHART.repoName}/${CHART.name} --version ${CHART.version} -n ${ns} -f ` +
      'production-stack-values.yaml',
    `kubectl -n ${ns} apply -f open-webui.yaml`,
    `kubectl -n ${ns} apply -f monitoring.yaml   # where kube-prometheus-stack runs`,
    '```',
    '',
    'Then, from this machine:',
    '',
    '```sh',
    `kubectl -n ${ns} port-forward svc/${OPEN_WEBUI.name} ${OPEN_WEBUI.port}:${OPEN_WEBUI.port}   # Open ` +
      `WebUI on http://127.0.0.1:${OPEN_WEBUI.port}`,
    `kubectl -n ${ns} port-forward svc/${routerServiceName} 30080:${CHART.servicePort}   # the OpenAI API on ` +
      `http://127.0.0.1:30080/v1, with the ${SECRET_KEYS.apiKey} as Bearer token`,
    '```',
    '',
    `The release must be called \`${CHART.release}\`: Open WebUI reaches the router as \`${routerServiceName}` +
      `\`. Nothing is exposed outside the cluster; add an Ingress when you mean to.`,
    '',
  ];
}

/** What each written file is. */
function filesSection(gpu: boolean): string[] {
  return [
    '## Files',
    '',
    '| File | What it is |',
    '| --- | --- |',
    `| production-stack-values.yaml | values for the chart: a modelSpec per model with the plan's image, ` +
      `context, dtype${gpu ? ', GPU share' : ''} and resources; the router; the Secret references |`,
    `| open-webui.yaml | Open WebUI (Deployment, Service, ${OPEN_WEBUI.storage} volume), talking to the ` +
      `router with the ${SECRET_KEYS.apiKey} |`,
    `| monitoring.yaml | a ServiceMonitor for the model servers and Berth's Grafana dashboards as ConfigMaps ` +
      `labelled \`grafana_dashboard: "1"\` |`,
    `| secrets.example.yaml | the Secret \`${SECRET_NAME}\` with placeholders: \`${SECRET_KEYS.hfToken}\` ` +
      `(gated models) and \`${SECRET_KEYS.apiKey}\` (vLLM's --api-key; clients send it) |`,
    '',
  ];
}

/** The plan as a table, one row per model, then the fit on a node and each model's reasons. */
function planSection(input: ReadmeInput, gpu: boolean): string[] {
  const { plan, models, values } = input;
  const specs = values.servingEngineSpec.modelSpec;
  const out: string[] = [
    '## The plan',
    '',
    `| Model | Served as | Image | Context | dtype | ${gpu ? 'GPU | Share | ' : ''}CPU | Memory | Volume | Replicas |`,
    `| --- | --- | --- | --- | --- | ${gpu ? '--- | --- | ' : ''}--- | --- | --- | --- |`,
  ];
  for (const spec of specs) {
    const served = plan.services.find((s) => s.name === spec.name)?.model?.servedName ?? spec.name;
    const cards = spec.requestGPUMem ? `${spec.requestGPU} (HAMi, ${spec.requestGPUMem} MiB)` : spec.requestGPU;
    const gpuCells = gpu ? `${cards} | ${spec.vllmConfig.gpuMemoryUtilization ?? ''} | ` : '';
    const scaled = models.find((m) => m.spec.name === spec.name)?.scaledObject?.spec;
    const replicas = scaled ? `${scaled.minReplicaCount}–${scaled.maxReplicaCount} (KEDA)` : String(spec.replicaCount);
    const image = `${spec.repository}:${spec.tag}`;
    out.push(
      `| ${cell(spec.name)} | ${cell(served)} | ${cell(image)} | ${spec.vllmConfig.maxModelLen}` +
        ` | ${spec.vllmConfig.dtype} | ${gpuCells}${spec.requestCPU} | ${spec.requestMemory} | ${spec.pvcStorage}` +
        ` | ${replicas} |`,
    );
  }
  out.push('', fitNote(input), '');
  for (const model of models) {
    out.push(`### ${model.spec.name}`, '', ...model.reasons.map((r) => `- ${r}`), '');
  }
  return out;
}

/** What a cluster does differently from the plan on one machine: start order, GPUs or CPUs, replicas, monitoring. */
function clusterSection(input: ReadmeInput, gpu: boolean): string[] {
  const { plan, facts, options, values } = input;
  const specs = values.servingEngineSpec.modelSpec;
  const out: string[] = [];
  out.push('## What changes on a cluster', '');
  const order = plan.services.filter(
    (s) =>
      s.role === 'model' && s.dependsOn.some((d) => plan.services.find((t) => t.name === d.service)?.role === 'model'),
  );
  if (order.length) {
    const waits = order.map(
      (s) => `${s.name} starts once ${s.dependsOn.map((d) => d.service).join(' and ')} is healthy`,
    );
    const here =
      options.gpuSharing === 'hami'
        ? 'Here HAMi shows each pod a card of its own size'
        : 'Here each pod has a card of its own';
    out.push(
      `- Start order: in the plan ${waits.join('; ')}, because they share a card and vLLM measures the free memory ` +
        `when it starts. ${here}, so they start together.`,
    );
  }
  if (gpu) {
    out.push(
      '- GPUs: the model servers run with `runtimeClassName: nvidia` and request `nvidia.com/gpu` (the NVIDIA GPU ' +
        "Operator or device plugin provides both). Each gets the plan's --gpu-memory-utilization, so its KV " +
        'cache and context are as planned.',
    );
  } else {
    out.push(
      "- CPUs: each model server is a Guaranteed pod (whole CPUs, requests = limits) for the plan's OpenMP cores. " +
        "With the kubelet's static CPU manager policy (`cpuManagerPolicy: static`, best with " +
        '`full-pcpus-only`) it gets cores of its own and vLLM binds one OpenMP thread to each ' +
        '(`VLLM_CPU_OMP_THREADS_BIND=auto`); under the default `none` policy model servers on one node contend for ' +
        "the node's cores. The plan's unbound cores stay with the node for the kubelet, the router and Open " +
        'WebUI.',
      ...(numaNodes(facts) > 1
        ? [
            "- NUMA: the plan keeps each model server inside one NUMA node; the kubelet's Topology Manager " +
              "(`topologyManagerPolicy: single-numa-node`) does the same for a pod's CPUs.",
          ]
        : []),
      `- KV cache: VLLM_CPU_KVCACHE_SPACE as planned; no GPU request and no runtime class.`,
    );
  }
  const replicas = options.autoscale
    ? `KEDA scales each model server between ${options.autoscale.min} and ${options.autoscale.max} replicas on its ` +
      `waiting requests, read from ${options.prometheusUrl} (install KEDA and apply monitoring.yaml first)`
    : `${options.replicas} per model`;
  const shared = specs.some((s) => s.pvcAccessMode)
    ? '; the weights volumes are ReadWriteMany, which needs a storage class that offers it'
    : '';
  out.push(
    `- Replicas: ${replicas}${shared}.`,
    "- Monitoring: monitoring.yaml relabels the model servers' series with the `service` label Berth's own " +
      'Prometheus gives them, so the dashboards run the same PromQL as the local ones. kube-prometheus-stack ' +
      "picks ServiceMonitors labelled `release: kube-prometheus-stack` by default, and Grafana's sidecar reads " +
      'dashboards from its own namespace unless `sidecar.dashboards.searchNamespace` is `ALL`.',
    '',
  );
  return out;
}

export function k8sReadme(input: ReadmeInput): string {
  const { plan, facts, options, models } = input;
  const gpu = models.some((m) => m.spec.requestGPU > 0);
  const out: string[] = [
    `# The stack on Kubernetes`,
    '',
    `${GENERATED_HEADER} from the plan for a node of ${nodeDescription(facts)} (${plan.profile} profile); ` +
      `edits are overwritten. The models run on vLLM's production-stack Helm chart (${CHART.name} ${CHART.version}` +
      `): one vLLM Deployment per model and the chart's router in front, which plays litellm's part here (one ` +
      `OpenAI-compatible endpoint for every model). Prometheus and Grafana are the cluster's own ` +
      '(kube-prometheus-stack).',
    '',
    ...installSection(options.namespace),
    ...filesSection(gpu),
    ...planSection(input, gpu),
    ...clusterSection(input, gpu),
  ];
  const warnings = plan.warnings.filter((w) => !w.blocking);
  if (warnings.length) out.push('## Warnings of the plan', '', ...warnings.map((w) => `- ${w.code}: ${w.message}`), '');
  return out.join('\n');
}
