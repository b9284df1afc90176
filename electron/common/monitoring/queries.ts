/** PromQL for one model server, selected by the `service` label Berth's scrape config puts on every series. */
export function modelQueries(service: string) {
  const s = `service="${service}"`;
  const quantile = (q: number, histogram: string) =>
    `histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket{${s}}[1m])))`;
  return {
    promptTokensPerS: `sum(rate(vllm:prompt_tokens_total{${s}}[1m]))`,
    generationTokensPerS: `sum(rate(vllm:generation_tokens_total{${s}}[1m]))`,
    ttftP50: quantile(0.5, 'vllm:time_to_first_token_seconds'),
    ttftP95: quantile(0.95, 'vllm:time_to_first_token_seconds'),
    itlP50: quantile(0.5, 'vllm:inter_token_latency_seconds'),
    itlP95: quantile(0.95, 'vllm:inter_token_latency_seconds'),
    running: `sum(vllm:num_requests_running{${s}})`,
    waiting: `sum(vllm:num_requests_waiting{${s}})`,
    kvCachePercent: `100 * max(vllm:kv_cache_usage_perc{${s}})`,
    preemptionsPerS: `sum(rate(vllm:num_preemptions_total{${s}}[5m]))`,
    successPerS: `sum(rate(vllm:request_success_total{${s}}[5m]))`,
  };
}

