import type { StackPlan } from '../contracts/stack-plan.js';
import { OVER_PLAN_RATIO, type VllmFigures } from '../contracts/measurement.js';

/**
 * Prometheus rules Berth writes from the plan: its figures and what each model server measured at its last start, as
 * series (recording rules whose value is the figure), so Grafana draws planned beside measured and an alert fires when
 * a start went past its plan. The values change when `berth up` writes the file again.
 */
export const PLAN_SERIES = {
  plannedWeights: 'berth:planned_weights_bytes',
  plannedKvTokens: 'berth:planned_kv_cache_tokens',
  plannedMemory: 'berth:planned_memory_limit_bytes',
  measuredWeights: 'berth:measured_weights_bytes',
  measuredKvTokens: 'berth:measured_kv_cache_tokens',
  measuredPeak: 'berth:measured_peak_memory_bytes',
  measuredOverPlan: 'berth:measured_over_plan_ratio',
} as const;

function rule(record: string, value: number, labels: Record<string, string>): object {
  return { record, expr: `vector(${Number.isFinite(value) ? value : 0})`, labels };
}

/** How far a start went past its plan: the largest of measured ÷ planned over weights, overhead and peak. */
function overPlanRatio(measured: VllmFigures, planned: VllmFigures): number {
  if (measured.oomKilled === true) return 2;
  const ratios = (['weightsBytes', 'overheadBytes', 'peakBytes'] as const).flatMap((key) => {
    const m = measured[key];
    const p = planned[key];
    return typeof m === 'number' && p ? [m / p] : [];
  });
  return Math.max(0, ...ratios);
}

export function planRules(plan: StackPlan): object {
  const rules: object[] = [];
  for (const service of plan.services.filter((s) => s.role === 'model' && s.model)) {
    const model = service.model;
    if (!model?.expected) continue;
    const labels = { service: service.name, model: model.servedName };
    rules.push(rule(PLAN_SERIES.plannedWeights, model.expected.weightsBytes ?? 0, labels));
    rules.push(rule(PLAN_SERIES.plannedKvTokens, model.expected.kvTokens ?? 0, labels));
    if (service.memoryBytes) rules.push(rule(PLAN_SERIES.plannedMemory, service.memoryBytes, labels));
    const measured = model.measured;
    if (!measured) continue;
    if (measured.weightsBytes !== undefined)
      rules.push(rule(PLAN_SERIES.measuredWeights, measured.weightsBytes, labels));
    if (measured.kvTokens !== undefined) rules.push(rule(PLAN_SERIES.measuredKvTokens, measured.kvTokens, labels));
    if (measured.peakBytes !== undefined) rules.push(rule(PLAN_SERIES.measuredPeak, measured.peakBytes, labels));
    rules.push(rule(PLAN_SERIES.measuredOverPlan, overPlanRatio(measured, model.expected), labels));
  }
  return {
    groups: [
      // Evaluated at the configuration's evaluation_interval (5 s), so the figures are there right after a start.
      { name: 'berth-plan', rules },
      {
        name: 'berth-alerts',
        rules: [
          {
            alert: 'BerthModelAboveItsPlan',
            expr: `${PLAN_SERIES.measuredOverPlan} > ${OVER_PLAN_RATIO}`,
            labels: { severity: 'warning' },
            annotations: {
              summary: '{{ $labels.service }} needed more memory than Berth planned',
              description:
                'At its last start {{ $labels.service }} measured {{ $value | printf "%.2f" }}× its plan ' +
                '(killed at its limit counts as 2×). berth up again applies a plan corrected by the ' +
                'measurement.',
            },
          },
        ],
      },
    ],
  };
}
