/**
 * Metrics the stack's servers export (vLLM's docs/design/metrics.md and vllm/v1/metrics/loggers.py; litellm's
 * docs/proxy/prometheus.md); dashboards and the app query these names only.
 */
export const VLLM_METRICS = [
  'vllm:num_requests_running',
  'vllm:num_requests_waiting',
  'vllm:kv_cache_usage_perc',
  'vllm:prompt_tokens_total',
  'vllm:generation_tokens_total',
  'vllm:request_success_total',
  'vllm:num_preemptions_total',
  'vllm:time_to_first_token_seconds',
  'vllm:inter_token_latency_seconds',
  'vllm:e2e_request_latency_seconds',
  'vllm:request_queue_time_seconds',
] as const;

export const LITELLM_METRICS = ['litellm_proxy_total_requests_metric_total', 'litellm_proxy_failed_requests_metric_total', 'litellm_request_total_latency_metric'] as const;

/** Python's prometheus_client exports these from every vLLM and litellm process: CPU and memory per container. */
export const PROCESS_METRICS = ['process_cpu_seconds_total', 'process_resident_memory_bytes'] as const;

export const KNOWN_METRICS: ReadonlySet<string> = new Set([...VLLM_METRICS, ...LITELLM_METRICS, ...PROCESS_METRICS]);

/** Metric names in a PromQL expression, histogram suffixes removed. */
export function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => (m[1] as string).replace(/_(bucket|sum|count)$/, ''));
}
