import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { PlannedService, StackPlan } from '../../contracts/stack-plan.js';
import { SECRET_REFERENCE } from '../compose.js';
import { containersDashboard, modelDashboard } from '../grafana-dashboards.js';
import { budgetOf } from '../../services/registry.js';
import { GiB } from '../../units.js';
import { CHART, routerServiceName, toQuantity } from './chart.js';
import { SECRET_KEYS, SECRET_NAME } from './model-spec.js';
import { k8sModelName } from './model-names.js';

export type Manifest = IDeployment | IService | IPersistentVolumeClaim | IConfigMap | ISecret | IServiceMonitor;

/**
 * Labels on everything Berth writes for the cluster, so `kubectl get all -l app.kubernetes.io/managed-by=berth` finds
 * it.
 */
const MANAGED = { 'app.kubernetes.io/managed-by': 'berth', 'app.kubernetes.io/part-of': CHART.release };

/**
 * The engine pods' labels (servingEngineSpec.labels): the router discovers engines by them, monitoring.yaml scrapes by
 * them.
 */
export const MODEL_SERVER_LABELS = { environment: CHART.release, release: CHART.release };

export const OPEN_WEBUI = { name: 'open-webui', port: 8080, storage: '5Gi' } as const;

/** The plan's env for a service, with `${SECRET}` references read from the Secret instead. */
function containerEnv(env: Record<string, string>, overrides: Record<string, string>) {
  return Object.entries({ ...env, ...overrides }).map(([name, value]) => {
    const secret = SECRET_REFERENCE.exec(value)?.[1];
    if (secret === 'LITELLM_MASTER_KEY')
      return { name, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: SECRET_KEYS.apiKey } } };
    if (secret === 'HF_TOKEN')
      return { name, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: SECRET_KEYS.hfToken } } };
    return { name, value };
  });
}

/** Open WebUI talking to the router's Service: a Deployment, its Service (ClusterIP) and its data volume. */
export function openWebuiManifests(plan: StackPlan, namespace: string): Manifest[] {
  const webui = plan.services.find((s) => s.role === 'webui') as PlannedService;
  const labels = { 'app.kubernetes.io/name': OPEN_WEBUI.name, ...MANAGED };
  const selector = { 'app.kubernetes.io/name': OPEN_WEBUI.name, 'app.kubernetes.io/part-of': CHART.release };
  const health = webui.health;
  const memory = toQuantity(budgetOf('open-webui') + 0.25 * GiB);
  const probe = {
    httpGet: { path: health?.path ?? '/health', port: OPEN_WEBUI.port },
    periodSeconds: health?.intervalS ?? 5,
    timeoutSeconds: health?.timeoutS ?? 5,
  };
  const pvc: IPersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `${OPEN_WEBUI.name}-data`, namespace, labels },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: OPEN_WEBUI.storage } } },
  };
  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: OPEN_WEBUI.name, namespace, labels },
    spec: {
      replicas: 1,
      // One writer for its SQLite database and a ReadWriteOnce volume: the old pod stops before the new one starts.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: OPEN_WEBUI.name,
              image: webui.image,
              ports: [{ name: 'http', containerPort: OPEN_WEBUI.port }],
              env: containerEnv(webui.env, {
                OPENAI_API_BASE_URL: `http://${routerServiceName}:${CHART.servicePort}/v1`,
              }),
              resources: { requests: { cpu: '250m', memory }, limits: { memory: toQuantity(2 * GiB) } },
              securityContext: { allowPrivilegeEscalation: false },
              volumeMounts: webui.mounts
                .filter((m) => m.kind === 'volume')
                .map((m) => ({ name: 'data', mountPath: m.target })),
              startupProbe: {
                ...probe,
                failureThreshold: Math.ceil((health?.startPeriodS ?? 120) / (health?.intervalS ?? 5)),
              },
              readinessProbe: { ...probe, failureThreshold: health?.retries ?? 3 },
            },
          ],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `${OPEN_WEBUI.name}-data` } }],
        },
      },
    },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: OPEN_WEBUI.name, namespace, labels },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: OPEN_WEBUI.port, targetPort: 'http' }] },
  };
  return [pvc, deployment, service];
}

/**
 * The Secret the values and Open WebUI refer to, with placeholders only: the user fills it in (or creates it with
 * kubectl).
 */
export function secretsExample(namespace: string): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET_NAME, namespace, labels: MANAGED },
    type: 'Opaque',
    stringData: {
      [SECRET_KEYS.hfToken]: '',
      [SECRET_KEYS.apiKey]: 'REPLACE-WITH-A-LONG-RANDOM-KEY',
    },
  };
}

/**
 * How kube-prometheus-stack scrapes the model servers and shows them: a ServiceMonitor whose relabelling gives
 * vLLM's series the `service` and `job` labels Berth's own scrape config gives them, so the dashboards are the local
 * ones, PromQL and all; and one ConfigMap per dashboard, labelled for Grafana's dashboard sidecar.
 */
export function monitoringManifests(plan: StackPlan, namespace: string): Manifest[] {
  const models = plan.services.filter((s) => s.role === 'model' && s.model);
  const monitor: IServiceMonitor = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: `${CHART.release}-vllm`, namespace, labels: { ...MANAGED, release: 'kube-prometheus-stack' } },
    spec: {
      selector: { matchLabels: MODEL_SERVER_LABELS },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [
        {
          port: 'service-port',
          path: '/metrics',
          interval: '15s',
          // The chart labels each model server's pod `model: <name>`; the series get the plan's service name back.
          relabelings: [
            ...models.map((s) => ({
              sourceLabels: ['__meta_kubernetes_pod_label_model'],
              regex: k8sModelName(s.name),
              targetLabel: 'service',
              replacement: s.name,
              action: 'replace' as const,
            })),
            { targetLabel: 'job', replacement: 'vllm', action: 'replace' as const },
          ],
        },
      ],
    },
  };
  const dashboards = [
    ...models.map((s) => ({
      name: k8sModelName(s.name),
      json: modelDashboard(s.name, s.model?.servedName ?? s.name, 'chosen'),
    })),
    { name: 'containers', json: containersDashboard('chosen') },
  ];
  const configMaps: IConfigMap[] = dashboards.map((d) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `${CHART.release}-dashboard-${d.name}`,
      namespace,
      labels: { ...MANAGED, grafana_dashboard: '1' },
    },
    data: { [`${CHART.release}-${d.name}.json`]: JSON.stringify(d.json, null, 2) },
  }));
  return [monitor, ...configMaps];
}
