import type { PlannedService } from '../../contracts/stack-plan.js';
import { CHART, type ModelSpecValues, type ScaledObject } from './chart.js';
import type { K8sOptions } from './options.js';
import { modelSpecWords } from './model-spec-words.js';

/** The chart's Deployment for a model (helm/templates/deployment-vllm-multi.yaml): the ScaledObject's target. */
export function modelServerDeploymentName(model: string): string {
  return `${CHART.release}-${model}-deployment-vllm`;
}

/** Replicas for a model: fixed, or KEDA's ScaledObject on the queue length with --autoscale. */
export function scaling(
  service: PlannedService,
  name: string,
  options: K8sOptions,
): { fields: Partial<ModelSpecValues>; scaledObject?: ScaledObject; reason: string } {
  if (options.autoscale) {
    const { min, max } = options.autoscale;
    const query = `sum(vllm:num_requests_waiting{service="${service.name}"})`;
    const scaledObject: ScaledObject = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: {
        name: `${CHART.release}-${name}-scaledobject`,
        labels: { model: name, 'app.kubernetes.io/managed-by': 'berth' },
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: modelServerDeploymentName(name) },
        minReplicaCount: min,
        maxReplicaCount: max,
        // The chart's defaults (values.yaml: keda.pollingInterval 15, cooldownPeriod 360).
        pollingInterval: 15,
        cooldownPeriod: 360,
        triggers: [{ type: 'prometheus', metadata: { serverAddress: options.prometheusUrl, query, threshold: '5' } }],
      },
    };
    return {
      fields: { replicaCount: min, ...(max > 1 ? { pvcAccessMode: ['ReadWriteMany' as const] } : {}) },
      scaledObject,
      reason: modelSpecWords.autoscale(min, max, query, options.prometheusUrl),
    };
  }
  const replicas = options.replicas;
  return {
    fields: { replicaCount: replicas, ...(replicas > 1 ? { pvcAccessMode: ['ReadWriteMany' as const] } : {}) },
    reason: modelSpecWords.replicas(replicas),
  };
}
