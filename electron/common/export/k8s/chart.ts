import { z } from 'zod';

/**
 * vLLM's production-stack Helm chart, which a Kubernetes export hands the stack to. Berth writes values for this
 * version only; the schema below is the part of its values that Berth writes, typed as the chart's values.yaml
 * documents them (https://github.com/vllm-project/production-stack/blob/vllm-stack-0.1.12/helm/values.yaml, chart
 * `vllm-stack` 0.1.12, its newest release: docs/upstream.md) and as its templates read them
 * (helm/templates/deployment-vllm-multi.yaml, extra-objects.yaml, pvc.yaml, _helpers.tpl). Strict: a key the chart does
 * not know is an error here rather than a setting Helm silently ignores. The weekly upstream workflow validates what
 * Berth writes against the chart's own values.schema.json at this version.
 */
export const CHART = {
  name: 'vllm-stack',
  version: '0.1.12',
  repoName: 'vllm',
  repoUrl: 'https://vllm-project.github.io/production-stack',
  /** The Helm release the README installs; the router's Service is `<release>-router-service`. */
  release: 'berth',
  /**
   * The chart's release workflow at this tag (.github/workflows/helm-release.yml) pushes the router image as
   * `lmcache/lmstack-router:v<chart version>` whenever helm/ changes on main; the chart itself defaults to `latest`.
   */
  routerImage: { repository: 'lmcache/lmstack-router', tag: 'v0.1.12' },
  /** servingEngineSpec.servicePort and routerSpec.servicePort: both 80 by default. */
  servicePort: 80,
  /** servingEngineSpec.containerPort: vLLM listens here in every engine pod. */
  containerPort: 8000,
} as const;

/** A size as Kubernetes writes it: whole GiB as Gi, anything else in Mi, rounded up. */
export function toQuantity(bytes: number): string {
  const GiB = 1024 ** 3;
  return bytes % GiB === 0 ? `${bytes / GiB}Gi` : `${Math.ceil(bytes / 1024 ** 2)}Mi`;
}

export const routerServiceName = `${CHART.release}-router-service`;

/** The chart names each model server's pod `<release>-<name>-vllm-stack`: a DNS label, 63 characters at most. */
export const MODEL_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_MODEL_NAME = 63 - `${CHART.release}--${CHART.name}`.length;

const SecretRef = z.strictObject({ secretName: z.string().min(1), secretKey: z.string().min(1) });
/** A Kubernetes quantity as the chart passes it through: "16Gi", "500Mi". */
const Quantity = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|m)?$/);
const EnvVar = z.strictObject({ name: z.string().min(1), value: z.string() });

const Probe = z.strictObject({
  initialDelaySeconds: z.number().int().nonnegative(),
  periodSeconds: z.number().int().positive(),
  failureThreshold: z.number().int().positive(),
  httpGet: z.strictObject({ path: z.string().startsWith('/'), port: z.number().int().positive() }),
});

const NodeSelectorTerm = z.strictObject({
  matchExpressions: z.array(
    z.strictObject({
      key: z.string(),
      operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
      values: z.array(z.string()),
    }),
  ),
});

/**
 * Berth's KEDA ScaledObject for one model server, which the chart renders from `extraObjects`
 * (helm/templates/extra-objects.yaml).
 * The chart's own ScaledObject cannot be used: its values.schema.json types `keda.triggers` as one object, while its
 * template (scaledobject-vllm.yaml) writes the value under `triggers:`, where KEDA wants a list; Helm refuses a list
 * before KEDA could refuse an object. The target is the chart's Deployment, `<release>-<model>-deployment-vllm`.
 */
export const ScaledObjectSchema = z.strictObject({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ScaledObject'),
  metadata: z.strictObject({ name: z.string().min(1), labels: z.record(z.string(), z.string()) }),
  spec: z.strictObject({
    scaleTargetRef: z.strictObject({
      apiVersion: z.literal('apps/v1'),
      kind: z.literal('Deployment'),
      name: z.string().min(1),
    }),
    minReplicaCount: z.number().int().positive(),
    maxReplicaCount: z.number().int().positive(),
    pollingInterval: z.number().int().positive(),
    cooldownPeriod: z.number().int().positive(),
    triggers: z
      .array(
        z.strictObject({
          type: z.literal('prometheus'),
          metadata: z.strictObject({
            serverAddress: z.string().url(),
            query: z.string().min(1),
            threshold: z.string().regex(/^\d+$/),
          }),
        }),
      )
      .min(1),
  }),
});

export const ModelSpecValuesSchema = z.strictObject({
  name: z.string().regex(MODEL_NAME).max(MAX_MODEL_NAME),
  repository: z.string().min(1),
  tag: z.string().min(1),
  modelURL: z.string().min(1),
  replicaCount: z.number().int().positive(),
  requestCPU: z.number().int().positive(),
  requestMemory: Quantity,
  requestGPU: z.number().int().nonnegative(),
  /** HAMi: the card memory the pod gets, in MiB ("Each unit equals to 1M"). */
  requestGPUMem: z.string().regex(/^\d+$/).optional(),
  limitCPU: z.string().regex(/^\d+$/).optional(),
  limitMemory: Quantity.optional(),
  limitGPUMem: z.string().regex(/^\d+$/).optional(),
  pvcStorage: Quantity,
  pvcAccessMode: z.array(z.enum(['ReadWriteOnce', 'ReadWriteMany', 'ReadWriteOncePod'])).optional(),
  shmSize: Quantity,
  runtimeClassName: z.string().optional(),
  vllmConfig: z.strictObject({
    enablePrefixCaching: z.boolean(),
    maxModelLen: z.number().int().positive(),
    dtype: z.string().min(1),
    tensorParallelSize: z.number().int().positive(),
    gpuMemoryUtilization: z.number().positive().max(1).optional(),
    extraArgs: z.array(z.string()),
  }),
  hf_token: SecretRef,
  env: z.array(EnvVar).optional(),
  nodeSelectorTerms: z.array(NodeSelectorTerm).optional(),
});

export const ProductionStackValuesSchema = z.strictObject({
  servingEngineSpec: z.strictObject({
    runtimeClassName: z.string(),
    labels: z.record(z.string(), z.string()),
    vllmApiKey: SecretRef,
    startupProbe: Probe,
    modelSpec: z.array(ModelSpecValuesSchema).min(1),
  }),
  routerSpec: z.strictObject({
    repository: z.string().min(1),
    tag: z.string().min(1),
    serviceDiscovery: z.enum(['k8s', 'static']),
    routingLogic: z.enum(['roundrobin', 'session']),
  }),
  /** Objects the chart renders as they are (helm/templates/extra-objects.yaml): Berth's ScaledObjects. */
  extraObjects: z.array(ScaledObjectSchema).optional(),
});

export type ScaledObject = z.infer<typeof ScaledObjectSchema>;
export type ModelSpecValues = z.infer<typeof ModelSpecValuesSchema>;
export type ProductionStackValues = z.infer<typeof ProductionStackValuesSchema>;
