import type { HostFacts } from '../../contracts/host-facts.js';
import type { PlanWarning } from '../../contracts/stack-plan.js';
import type { ModelSpec } from '../../catalog/models.js';
import { GiB, formatGiB } from '../../units.js';
import { engineProductName } from '../../planner/cpu-memory-words.js';
import type { MacMemory } from './memory.js';

/** Where the models' room on the Mac comes from, in words: "10.7 GiB Metal may wire; 16 GiB less Docker's 8 …". */
export function macRoomWords(mac: MacMemory, facts: HostFacts): string {
  const vm = engineProductName(facts.engine?.kind);
  const limit =
    mac.workingSetFrom === 'wired-limit'
      ? 'iogpu.wired_limit_mb'
      : mac.workingSetFrom === 'metal'
        ? "Metal's working-set limit"
        : "Metal's usual working-set limit (two thirds of the Mac's memory)";
  return (
    `the lesser of ${formatGiB(mac.workingSetBytes)} (${limit}) and the Mac's ${formatGiB(mac.totalBytes)} less ` +
    `${vm}'s ${formatGiB(mac.vmBytes)} and the ${formatGiB(mac.appsRoomBytes)} kept for your apps (metal.appsRoomGiB)`
  );
}

/**
 * The Mac's warnings: a model that does not fit even alone, and a VM that keeps memory the models could use now that
 * they have left it.
 */
export function metalWarnings(
  leftOut: readonly { model: ModelSpec }[],
  mac: MacMemory,
  facts: HostFacts,
  vmNeedsBytes: number,
  leastBytes: (m: ModelSpec) => number,
): PlanWarning[] {
  const warnings: PlanWarning[] = leftOut.map(({ model }) => ({
    code: 'insufficient-memory',
    service: model.service,
    message:
      `${model.service} is left out: on the Mac's GPU it needs ${formatGiB(leastBytes(model))} at its shortest ` +
      `context, and models have ${formatGiB(mac.budgetBytes)}, ${macRoomWords(mac, facts)}. Give Docker less ` +
      'memory, lower metal.appsRoomGiB, or turn a model off.',
  }));
  // Whole GiB, as Docker Desktop's slider takes it, with a GiB to spare.
  const vmEnough = Math.ceil(vmNeedsBytes / GiB + 1) * GiB;
  if (facts.engine && mac.vmBytes > vmEnough) {
    const vm = engineProductName(facts.engine.kind);
    warnings.push({
      code: 'engine-memory-lower',
      message:
        `the models run on the Mac's GPU, outside ${vm}'s VM, whose containers now need about ` +
        `${formatGiB(vmNeedsBytes)}: lower its memory from ${formatGiB(mac.vmBytes)} to ${formatGiB(vmEnough)} ` +
        `and the models get up to ${formatGiB(mac.vmBytes - vmEnough)} more` +
        (facts.engine.kind === 'docker-desktop'
          ? ' (Docker Desktop: Settings → Resources → Memory).'
          : facts.engine.kind === 'colima'
            ? ' (colima stop, then colima start --memory N).'
            : '.'),
    });
  }
  return warnings;
}
