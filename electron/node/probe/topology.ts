import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CpuPlace } from '../../common/contracts/host-facts.js';
import { parseCpuList } from '../../common/planner/cpu-list.js';

export type ReadText = (file: string) => Promise<string | undefined>;

async function readLocal(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * CPU → physical core → NUMA node from /sys (rooted at `sysRoot` so tests can build one). Core numbers are
 * made unique across sockets. Undefined when /sys does not describe `expectedCpus` online CPUs, as in a VM
 * whose engine sees fewer CPUs than this kernel. `read` reads another machine's files (a remote host over SSH).
 */
export async function readCpuTopology(
  sysRoot = '/sys',
  expectedCpus?: number,
  read: ReadText = readLocal,
): Promise<CpuPlace[] | undefined> {
  const cpuDir = path.join(sysRoot, 'devices', 'system', 'cpu');
  const online = await read(path.join(cpuDir, 'online'));
  if (!online) return undefined;
  const cpus = parseCpuList(online);
  if (expectedCpus !== undefined && cpus.length !== expectedCpus) return undefined;

  const nodeOf = new Map<number, number>();
  const nodeDir = path.join(sysRoot, 'devices', 'system', 'node');
  const nodes = await read(path.join(nodeDir, 'online'));
  for (const node of nodes ? parseCpuList(nodes) : []) {
    const list = await read(path.join(nodeDir, `node${node}`, 'cpulist'));
    for (const cpu of list ? parseCpuList(list) : []) nodeOf.set(cpu, node);
  }

  const coreKeys = new Map<string, number>();
  const places: CpuPlace[] = [];
  for (const cpu of cpus) {
    const topology = path.join(cpuDir, `cpu${cpu}`, 'topology');
    const coreId = (await read(path.join(topology, 'core_id'))) ?? String(cpu);
    const packageId = (await read(path.join(topology, 'physical_package_id'))) ?? '0';
    const key = `${packageId}:${coreId}`;
    if (!coreKeys.has(key)) coreKeys.set(key, coreKeys.size);
    places.push({ cpu, core: coreKeys.get(key) as number, node: nodeOf.get(cpu) ?? 0 });
  }
  return places;
}
