import { Document } from 'yaml';
import type { HostFacts } from '../../contracts/host-facts.js';
import { InputError } from '../../contracts/errors.js';
import type { PlannedService, StackPlan } from '../../contracts/stack-plan.js';
import { GENERATED_HEADER } from '../compose.js';
import type { GeneratedFile } from '../files.js';
import { CHART, ProductionStackValuesSchema, type ProductionStackValues } from './chart.js';
import {
  MODEL_SERVER_LABELS,
  monitoringManifests,
  openWebuiManifests,
  secretsExample,
  type Manifest,
} from './manifests.js';
import { SECRET_KEYS, SECRET_NAME, modelSpecFor, type ModelExport } from './model-spec.js';
import type { K8sOptions } from './options.js';
import { k8sReadme } from './readme.js';

/** What --autoscale takes, said once for the CLI's parsing and the export's check. */
export const AUTOSCALE_ALLOWED = 'MIN-MAX replicas per model, 1 ≤ MIN ≤ MAX ≤ 100, e.g. --autoscale 1-4';

export type { K8sOptions, GpuSharing } from './options.js';
export { CHART } from './chart.js';

export const K8S_FILES = {
  values: 'production-stack-values.yaml',
  openWebui: 'open-webui.yaml',
  monitoring: 'monitoring.yaml',
  secrets: 'secrets.example.yaml',
  readme: 'README.md',
} as const;

/** kube-prometheus-stack's Prometheus, as the chart's KEDA trigger addresses it by default. */
export const DEFAULT_PROMETHEUS_URL = 'http://prometheus-operated.monitoring.svc:9090';

/** A Kubernetes namespace: a DNS label. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface K8sExport {
  files: GeneratedFile[];
  values: ProductionStackValues;
  manifests: Record<string, Manifest[]>;
  models: ModelExport[];
}

function yamlDocuments(objects: readonly object[], header: string[]): string {
  return objects
    .map((object, i) => {
      const doc = new Document(object, { aliasDuplicateObjects: false });
      if (i === 0) doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

export function checkK8sOptions(options: K8sOptions): void {
  if (!NAMESPACE.test(options.namespace))
    throw new InputError(
      '--namespace',
      'a Kubernetes namespace: lowercase letters, digits and -, at most 63 characters, e.g. --namespace llm',
    );
  if (!Number.isInteger(options.replicas) || options.replicas < 1 || options.replicas > 100)
    throw new InputError('--replicas', 'a whole number of replicas per model from 1 to 100, e.g. --replicas 2');
  if (options.autoscale) {
    const { min, max } = options.autoscale;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min || max > 100) {
      throw new InputError('--autoscale', AUTOSCALE_ALLOWED);
    }
  }
}

/** Each model's chart entry, refused when there is none or when two would share a name on Kubernetes. */
function exportedModels(plan: StackPlan, facts: HostFacts, options: K8sOptions) {
  const modelServices = plan.services.filter((s) => s.role === 'model' && s.model);
  if (modelServices.length === 0)
    throw new InputError(
      'models',
      'the plan has no model to export: turn one on (disabledModels) or add one to settings',
    );
  const models = modelServices.map((s) => modelSpecFor(s, plan, facts, options));
  const names = models.map((m) => m.spec.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice)
    throw new InputError(
      'models',
      `two models would both be named "${twice}" on Kubernetes: give one of them another service name`,
    );
  return { modelServices, models };
}

/** The chart's values: one model server per model, probes from the plan's health check, the router in front. */
function chartValues(
  modelServices: readonly PlannedService[],
  models: readonly ModelExport[],
  options: K8sOptions,
): ProductionStackValues {
  const gpu = modelServices.some((s) => s.model?.device === 'gpu');
  const health = modelServices[0]?.health;
  const period = 10;
  return ProductionStackValuesSchema.parse({
    servingEngineSpec: {
      runtimeClassName: gpu ? 'nvidia' : '',
      labels: MODEL_SERVER_LABELS,
      vllmApiKey: { secretName: SECRET_NAME, secretKey: SECRET_KEYS.apiKey },
      startupProbe: {
        initialDelaySeconds: 15,
        periodSeconds: period,
        // The plan's start period: the first start downloads the weights.
        failureThreshold: Math.ceil((health?.startPeriodS ?? 1800) / period),
        httpGet: { path: health?.path ?? '/health', port: CHART.containerPort },
      },
      modelSpec: models.map((m) => m.spec),
    },
    routerSpec: {
      repository: CHART.routerImage.repository,
      tag: CHART.routerImage.tag,
      serviceDiscovery: 'k8s',
      routingLogic: 'roundrobin',
    },
    ...(options.autoscale ? { extraObjects: models.flatMap((m) => (m.scaledObject ? [m.scaledObject] : [])) } : {}),
  } satisfies ProductionStackValues);
}

/**
 * The plan as the cluster takes it: values for vLLM's production-stack chart (one model server per model, the router in
 * front), Open WebUI on the router, monitoring for kube-prometheus-stack, the Secret to create and a README. Pure:
 * the same plan, facts and options give the same files.
 */
export function k8sExport(plan: StackPlan, facts: HostFacts, options: K8sOptions): K8sExport {
  checkK8sOptions(options);
  const { modelServices, models } = exportedModels(plan, facts, options);
  const values = chartValues(modelServices, models, options);

  const manifests = {
    [K8S_FILES.openWebui]: openWebuiManifests(plan, options.namespace),
    [K8S_FILES.monitoring]: monitoringManifests(plan, options.namespace),
    [K8S_FILES.secrets]: [secretsExample(options.namespace)],
  };
  const valuesDoc = new Document(values, { aliasDuplicateObjects: false });
  valuesDoc.commentBefore = [
    ` ${GENERATED_HEADER} from the plan (${plan.profile} profile) for vLLM's production-stack chart ${CHART.name}` +
      ` ${CHART.version}; edits are overwritten.`,
    ` helm install ${CHART.release} ${CHART.repoName}/${CHART.name} --version ${CHART.version} ` +
      `-n ${options.namespace} -f ${K8S_FILES.values}`,
    ` README.md says why each number is what it is.`,
  ].join('\n');
  const files: GeneratedFile[] = [
    { path: K8S_FILES.values, content: valuesDoc.toString({ lineWidth: 0 }) },
    {
      path: K8S_FILES.openWebui,
      content: yamlDocuments(manifests[K8S_FILES.openWebui], [
        `${GENERATED_HEADER} from the plan; edits are overwritten.`,
        `Open WebUI on the router: kubectl -n ${options.namespace} apply -f ${K8S_FILES.openWebui}`,
      ]),
    },
    {
      path: K8S_FILES.monitoring,
      content: yamlDocuments(manifests[K8S_FILES.monitoring], [
        `${GENERATED_HEADER} from the plan; edits are overwritten.`,
        `For kube-prometheus-stack: scrapes the model servers and adds Berth's dashboards. ` +
          `kubectl -n ${options.namespace}` +
          ` apply -f ${K8S_FILES.monitoring}`,
      ]),
    },
    {
      path: K8S_FILES.secrets,
      content: yamlDocuments(manifests[K8S_FILES.secrets], [
        `${GENERATED_HEADER}: the Secret the chart and Open WebUI read. Placeholders only: fill them in, then`,
        `kubectl -n ${options.namespace} apply -f ${K8S_FILES.secrets}   (or create it with kubectl, as ` +
          'README.md shows)',
        `${SECRET_KEYS.hfToken}: a Hugging Face token, needed for gated models; ${SECRET_KEYS.apiKey}: the ` +
          'key clients send to the router.',
      ]),
    },
    { path: K8S_FILES.readme, content: k8sReadme({ plan, facts, options, models, values }) },
  ];
  return { files, values, manifests, models };
}
