import { describe, expect, it } from 'vitest';
import { ServerMetricsHistory, quantileBetween, sampleFromText } from './server-metrics.js';

const text = (tokens: number, under50ms: number, total: number) => `# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{model_name="q",engine="0"} ${tokens}
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{model_name="q",engine="0"} 2
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{model_name="q",engine="0"} 0.25
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{model_name="q",engine="0",le="0.05"} ${under50ms}
vllm:time_to_first_token_seconds_bucket{model_name="q",engine="0",le="0.1"} ${total}
vllm:time_to_first_token_seconds_bucket{model_name="q",engine="0",le="+Inf"} ${total}
vllm:time_to_first_token_seconds_sum{model_name="q",engine="0"} 1
vllm:time_to_first_token_seconds_count{model_name="q",engine="0"} ${total}
`;

describe("sparklines from a model server's /metrics, when no Prometheus runs", () => {
  it('turn counters into rates and histograms into quantiles between reads', () => {
    const history = new ServerMetricsHistory();
    history.push('vllm-qwen3', sampleFromText(text(100, 0, 0), 0));
    history.push('vllm-qwen3', sampleFromText(text(150, 2, 4), 5000));
    expect(history.sparklines('vllm-qwen3')).toEqual({
      service: 'vllm-qwen3',
      // Each series once, its values at their times (seconds): 50 tokens in 5 s is 10 tokens/s.
      timeline: {
        generationTokensPerS: [[5, 10]],
        ttftP50Seconds: [[5, 0.05]],
        ttftP95Seconds: [[5, 0.095]],
        running: [
          [0, 2],
          [5, 2],
        ],
        waiting: [
          [0, 0],
          [5, 0],
        ],
        kvCachePercent: [
          [0, 25],
          [5, 25],
        ],
      },
    });
  });

  it('interpolates inside a bucket, as histogram_quantile does', () => {
    expect(
      quantileBetween(
        new Map([
          [0.1, 0],
          [0.2, 0],
          [Infinity, 0],
        ]),
        new Map([
          [0.1, 0],
          [0.2, 10],
          [Infinity, 10],
        ]),
        0.5,
      ),
    ).toBeCloseTo(0.15);
    expect(quantileBetween(new Map(), new Map([[Infinity, 0]]), 0.5)).toBeNull();
  });
});
