import type { PlannedService, StackPlan } from '../../../common/contracts/stack-plan.js';
import { describeCores } from '../../../common/planner/cpu-list.js';
import { formatGiB, formatTokens } from '../../../common/units.js';
import { textTable } from './table.js';
import { plannedBesideMeasured } from '../../../common/planner/vllm-words.js';
import { keepAliveWords, takingTurns } from '../../../common/planner/on-demand.js';

function cores(service: PlannedService): string {
  return describeCores(service) ?? '-';
}

function row(service: PlannedService): string[] {
  return [
    service.name,
    service.model ? service.model.device : service.role,
    cores(service),
    service.kvCacheGiB ? `${service.kvCacheGiB} GiB` : '-',
    service.memoryBytes ? formatGiB(service.memoryBytes) : '-',
    service.model ? formatTokens(service.model.maxModelLen) : '-',
    service.gpus?.length ? `${service.gpuMemoryUtilization ?? ''} of GPU ${service.gpus.join(',')}` : '-',
    service.ports.map((p) => `${p.bind}:${p.host}`).join(', ') || '-',
    service.dependsOn.map((d) => `${d.service} ${d.condition}`).join(', ') || '-',
    service.model ? keepAliveWords(service.model.keepAlive) : '-',
  ];
}

/** `berth plan` for people: the table, then why each number was picked, then what to change. */
export function planReport(plan: StackPlan): string {
  const out = [
    `Profile: ${plan.profileReason}`,
    '',
    textTable(
      ['SERVICE', 'DEVICE', 'CORES', 'KV CACHE', 'MEMORY', 'CONTEXT', 'GPU SHARE', 'PORTS', 'WAITS FOR', 'AWAKE'],
      plan.services.map(row),
    ),
  ];
  const turns = takingTurns(plan.onDemand);
  if (turns) out.push('', turns);
  const models = plan.services.filter((s) => s.model?.expected);
  if (models.length) {
    out.push('', "In vLLM's terms (planned, and measured where a start of the same image on this engine was):");
    for (const service of models) {
      const model = service.model;
      if (!model?.expected) continue;
      const figures = plannedBesideMeasured(model.expected, model.measured, model.maxModelLen);
      const when = model.measured ? ` (measured ${model.measured.at.slice(0, 10)})` : '';
      out.push(`  ${service.name}: ${model.fit?.words ?? ''}; ${figures}${when}`);
    }
  }
  out.push('', 'Why:');
  for (const service of plan.services) {
    out.push(`  ${service.name}`);
    for (const reason of service.reasons) out.push(`    - ${reason.text}`);
  }
  if (plan.warnings.length) {
    out.push('', 'Warnings:');
    for (const warning of plan.warnings)
      out.push(`  ${warning.blocking ? '✗' : '!'} ${warning.code}: ${warning.message}`);
  }
  if (plan.warnings.some((w) => w.blocking))
    out.push('', 'This plan cannot start (✗ above): berth up and berth export refuse it until that is changed.');
  return out.join('\n');
}
