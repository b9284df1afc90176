import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCpuTopology } from './topology.js';

async function fakeSys(spec: {
  online: string;
  cpus: { cpu: number; core: number; pkg: number }[];
  nodes?: Record<number, string>;
}): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'berth-sys-'));
  const cpuDir = path.join(root, 'devices', 'system', 'cpu');
  await mkdir(cpuDir, { recursive: true });
  await writeFile(path.join(cpuDir, 'online'), `${spec.online}\n`);
  for (const { cpu, core, pkg } of spec.cpus) {
    const dir = path.join(cpuDir, `cpu${cpu}`, 'topology');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'core_id'), `${core}\n`);
    await writeFile(path.join(dir, 'physical_package_id'), `${pkg}\n`);
  }
  if (spec.nodes) {
    const nodeDir = path.join(root, 'devices', 'system', 'node');
    await mkdir(nodeDir, { recursive: true });
    await writeFile(path.join(nodeDir, 'online'), `0-${Object.keys(spec.nodes).length - 1}\n`);
    for (const [node, list] of Object.entries(spec.nodes)) {
      await mkdir(path.join(nodeDir, `node${node}`), { recursive: true });
      await writeFile(path.join(nodeDir, `node${node}`, 'cpulist'), `${list}\n`);
    }
  }
  return root;
}

describe('CPU topology from /sys', () => {
  it('maps each CPU to a physical core unique across sockets, and to its NUMA node', async () => {
    // Two sockets, two cores each, two threads per core: core ids repeat across sockets.
    const root = await fakeSys({
      online: '0-7',
      cpus: [
        { cpu: 0, core: 0, pkg: 0 },
        { cpu: 1, core: 1, pkg: 0 },
        { cpu: 2, core: 0, pkg: 1 },
        { cpu: 3, core: 1, pkg: 1 },
        { cpu: 4, core: 0, pkg: 0 },
        { cpu: 5, core: 1, pkg: 0 },
        { cpu: 6, core: 0, pkg: 1 },
        { cpu: 7, core: 1, pkg: 1 },
      ],
      nodes: { 0: '0-1,4-5', 1: '2-3,6-7' },
    });
    expect(await readCpuTopology(root, 8)).toEqual([
      { cpu: 0, core: 0, node: 0 },
      { cpu: 1, core: 1, node: 0 },
      { cpu: 2, core: 2, node: 1 },
      { cpu: 3, core: 3, node: 1 },
      { cpu: 4, core: 0, node: 0 },
      { cpu: 5, core: 1, node: 0 },
      { cpu: 6, core: 2, node: 1 },
      { cpu: 7, core: 3, node: 1 },
    ]);
  });

  it('puts every CPU on node 0 where the kernel has no NUMA folder', async () => {
    const root = await fakeSys({
      online: '0-1',
      cpus: [
        { cpu: 0, core: 0, pkg: 0 },
        { cpu: 1, core: 1, pkg: 0 },
      ],
    });
    expect((await readCpuTopology(root))?.map((p) => p.node)).toEqual([0, 0]);
  });

  it('gives up when the engine sees another number of CPUs than this kernel (a VM)', async () => {
    const root = await fakeSys({
      online: '0-1',
      cpus: [
        { cpu: 0, core: 0, pkg: 0 },
        { cpu: 1, core: 1, pkg: 0 },
      ],
    });
    expect(await readCpuTopology(root, 8)).toBeUndefined();
  });

  it('gives up without /sys', async () => {
    expect(await readCpuTopology(path.join(os.tmpdir(), 'berth-no-such-sys'))).toBeUndefined();
  });
});
