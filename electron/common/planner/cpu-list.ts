/** "0-3,8,10-11": the list syntax of cpusets and VLLM_CPU_OMP_THREADS_BIND. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}

/** The inverse of formatCpuList. */
export function parseCpuList(list: string): number[] {
  if (list.trim() === '') return [];
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map((n) => Number.parseInt(n, 10));
    if (from === undefined || Number.isNaN(from)) throw new Error(`not a CPU list: "${list}"`);
    if (to === undefined) return [from];
    if (Number.isNaN(to) || to < from) throw new Error(`not a CPU list: "${list}"`);
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}

/**
 * "0-2 (3) +7": the cores a CPU model's OpenMP threads bind, how many, and the other CPUs of its container's cpuset
 * (where vLLM's frontend runs). Undefined for a service without a cpuset.
 */
export function describeCores(service: { cpuset?: string; env: Record<string, string> }): string | undefined {
  if (!service.cpuset) return undefined;
  const bind = parseCpuList(service.env.VLLM_CPU_OMP_THREADS_BIND ?? service.cpuset);
  const extra = parseCpuList(service.cpuset).filter((cpu) => !bind.includes(cpu));
  return `${formatCpuList(bind)} (${bind.length})${extra.length ? ` +${formatCpuList(extra)}` : ''}`;
}
