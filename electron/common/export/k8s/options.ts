/** What `berth export k8s` is asked for, beside the plan. */

export type GpuSharing = 'whole' | 'hami';

export interface K8sOptions {
  namespace: string;
  /** Fixed replicas per model; autoscale replaces it. */
  replicas: number;
  autoscale?: { min: number; max: number };
  gpuSharing: GpuSharing;
  /** The Prometheus KEDA asks for the queue length: kube-prometheus-stack's, by default. */
  prometheusUrl: string;
}
