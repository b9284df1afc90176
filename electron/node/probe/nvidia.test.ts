import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmi, queryNvidiaGpus } from './nvidia.js';

const MiB = 2 ** 20;
const SAMPLE = [
  '0, GPU-5a1c2d8e-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 81559, 1, 81080, 0',
  '1, GPU-6b2d3e9f-0000-0000-0000-000000000000, NVIDIA A100-PCIE-40GB, 40960, 35000, 5454, [N/A]',
  '',
].join('\n');

/** A stand-in for nvidia-smi: a shell script that prints, sleeps or fails as told. */
async function fakeNvidiaSmi(body: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-nvsmi-'));
  const file = path.join(dir, 'nvidia-smi');
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('nvidia-smi', () => {
  it('parses the csv,noheader,nounits rows, with [N/A] as null', () => {
    expect(parseNvidiaSmi(SAMPLE)).toEqual([
      {
        index: 0,
        uuid: 'GPU-5a1c2d8e-0000-0000-0000-000000000000',
        name: 'NVIDIA H100 80GB HBM3',
        memoryTotalBytes: 81559 * MiB,
        memoryUsedBytes: MiB,
        memoryFreeBytes: 81080 * MiB,
        utilizationPercent: 0,
      },
      {
        index: 1,
        uuid: 'GPU-6b2d3e9f-0000-0000-0000-000000000000',
        name: 'NVIDIA A100-PCIE-40GB',
        memoryTotalBytes: 40960 * MiB,
        memoryUsedBytes: 35000 * MiB,
        memoryFreeBytes: 5454 * MiB,
        utilizationPercent: null,
      },
    ]);
  });

  it('runs asynchronously and reads what the binary prints', async () => {
    const binary = await fakeNvidiaSmi(
      `case "$*" in *--query-gpu=index,uuid,name,memory.total*) printf '%s' '${SAMPLE}';; *) exit 2;; esac`,
    );
    expect((await queryNvidiaGpus(3000, binary)).gpus.map((g) => g.name)).toEqual([
      'NVIDIA H100 80GB HBM3',
      'NVIDIA A100-PCIE-40GB',
    ]);
  });

  it('gives up after its timeout instead of blocking', async () => {
    const binary = await fakeNvidiaSmi('sleep 5');
    expect(await queryNvidiaGpus(200, binary)).toEqual({
      gpus: [],
      problem: 'nvidia-smi did not answer within 200 ms',
    });
  });

  it('reports a broken driver in one line', async () => {
    const binary = await fakeNvidiaSmi(
      'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2; exit 9',
    );
    expect(await queryNvidiaGpus(3000, binary)).toEqual({
      gpus: [],
      problem: "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    });
  });

  it('means no NVIDIA GPU when there is no nvidia-smi', async () => {
    expect(await queryNvidiaGpus(1000, path.join(os.tmpdir(), 'berth-no-such-nvidia-smi'))).toEqual({ gpus: [] });
  });
});
