import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MiB } from '../../common/units.js';

const run = promisify(execFile);

export interface NvidiaGpu {
  index: number;
  uuid: string;
  name: string;
  memoryTotalBytes: number;
  memoryUsedBytes: number;
  memoryFreeBytes: number;
  utilizationPercent: number | null;
}

export const NVIDIA_QUERY = [
  '--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu',
  '--format=csv,noheader,nounits',
];

function number(text: string | undefined): number | null {
  const value = Number.parseFloat(text ?? '');
  return Number.isFinite(value) ? value : null;
}

/** Parses nvidia-smi's `csv,noheader,nounits` rows; "[N/A]" fields become null, broken rows are skipped. */
export function parseNvidiaSmi(output: string): NvidiaGpu[] {
  return output
    .split('\n')
    .map((line) => line.split(',').map((field) => field.trim()))
    .filter((fields) => fields.length >= 7 && number(fields[0]) !== null)
    .map(([index, uuid, name, total, used, free, util]) => ({
      index: number(index) as number,
      uuid: uuid ?? '',
      name: name ?? 'NVIDIA GPU',
      memoryTotalBytes: (number(total) ?? 0) * MiB,
      memoryUsedBytes: (number(used) ?? 0) * MiB,
      memoryFreeBytes: (number(free) ?? 0) * MiB,
      utilizationPercent: number(util),
    }));
}

export type NvidiaResult = { gpus: NvidiaGpu[]; problem?: string };

/** nvidia-smi run asynchronously under a timeout (systeminformation runs it synchronously). */
export async function queryNvidiaGpus(timeoutMs = 3000, binary = 'nvidia-smi'): Promise<NvidiaResult> {
  try {
    const { stdout } = await run(binary, NVIDIA_QUERY, { timeout: timeoutMs, windowsHide: true });
    return { gpus: parseNvidiaSmi(stdout) };
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { killed?: boolean; stderr?: string };
    if (err.code === 'ENOENT') return { gpus: [] };
    if (err.killed) return { gpus: [], problem: `nvidia-smi did not answer within ${timeoutMs} ms` };
    return { gpus: [], problem: `nvidia-smi failed: ${(err.stderr || err.message).trim().split('\n')[0]}` };
  }
}
