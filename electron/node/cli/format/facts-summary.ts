import type { HostFacts } from '../../../common/contracts/host-facts.js';
import { engineProductName } from '../../../common/planner/cpu-memory-words.js';
import { formatGiB } from '../../../common/units.js';

const OS_NAMES = { darwin: 'macOS', linux: 'Linux', win32: 'Windows' } as const;

/** `berth facts` for people: what was found, in three or four lines. */
export function factsSummary(facts: HostFacts): string {
  const cpu = facts.cpu;
  const tiers =
    cpu.performanceCores && cpu.efficiencyCores
      ? ` (${cpu.performanceCores} performance + ${cpu.efficiencyCores} efficiency)`
      : '';
  const lines = [
    `Host     ${OS_NAMES[facts.os.platform]} ${facts.os.arch} · ${cpu.brand}, ${cpu.physical} cores${tiers}, ` +
      `${cpu.logical} threads · ${formatGiB(facts.memory.totalBytes)} memory ` +
      `(${formatGiB(facts.memory.availableBytes)} free)`,
  ];
  const gpus = facts.gpus.map(
    (g) => `${g.index}: ${g.model}${g.memoryBytes ? ` ${formatGiB(g.memoryBytes)}` : ' (shares system memory)'}`,
  );
  lines.push(
    `GPUs     ${gpus.length ? gpus.join(', ') : 'none found'}${facts.gpuProblem ? ` (${facts.gpuProblem})` : ''}`,
  );
  const engine = facts.engine;
  if (engine) {
    const places = engine.cpuTopology ?? [];
    const cores = new Set(places.map((p) => `${p.node}:${p.core}`)).size;
    const nodes = new Set(places.map((p) => p.node)).size;
    const topology = engine.cpuTopology ? ` (${cores} physical cores on ${nodes} NUMA node(s))` : '';
    const gpuAccess = engine.gpuRuntime ? 'containers can reach NVIDIA GPUs' : 'no GPU runtime';
    const product = engineProductName(engine.kind).replace(/^the /, '');
    lines.push(`Docker   ${product} ${engine.version} (${engine.arch}) at ${engine.endpoint}`);
    lines.push(
      `         containers get ${engine.cpus} CPUs${topology} and ${formatGiB(engine.memoryBytes)} · ${gpuAccess}`,
    );
  } else {
    lines.push(`Docker   none answered: ${facts.engineProblem ?? 'unknown reason'}`);
  }
  return lines.join('\n');
}
