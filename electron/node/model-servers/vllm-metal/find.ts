import { execFile } from 'node:child_process';
import { access, constants, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HostEngine, HostFacts } from '../../../common/contracts/host-facts.js';

const run = promisify(execFile);

/**
 * Where vllm-metal's `vllm` is looked for, in order: the path settings give (metal.vllmPath), the environment its
 * install script makes (`~/.venv-vllm-metal`, vllm-project/vllm-metal README: "the `vllm` CLI becomes available"), and
 * Homebrew's prefixes on Apple silicon and Intel, where a tap's formula links its `vllm`.
 */
export function vllmMetalCandidates(home: string, configured: string | undefined): string[] {
  return [
    ...(configured ? [configured] : []),
    path.join(home, '.venv-vllm-metal', 'bin', 'vllm'),
    '/opt/homebrew/bin/vllm',
    '/usr/local/bin/vllm',
  ];
}

async function executable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * The vllm-metal version of the environment a `vllm` belongs to, from its installed package's metadata folder
 * (`<env>/lib/python3.x/site-packages/vllm_metal-<version>.dist-info`), which pip and uv name after the version; null
 * where the `vllm` is not vllm-metal's (plain vLLM, no plugin).
 */
export async function vllmMetalVersion(vllm: string): Promise<string | null | undefined> {
  const env = path.dirname(path.dirname(await realpath(vllm).catch(() => vllm)));
  const lib = path.join(env, 'lib');
  const pythons = (await readdir(lib).catch(() => [] as string[])).filter((d) => /^python3\.\d+$/.test(d));
  for (const python of pythons) {
    const packages = await readdir(path.join(lib, python, 'site-packages')).catch(() => [] as string[]);
    const info = packages.map((p) => /^vllm_metal-(.+)\.dist-info$/.exec(p)).find(Boolean);
    if (info) return info[1] ?? null;
  }
  return pythons.length ? undefined : null;
}

/**
 * vllm-metal where it is installed: the first candidate that is an executable `vllm` whose environment has the
 * vllm-metal package (its version read there), or the configured path even where no version can be read.
 */
export async function findVllmMetal(home: string, configured: string | undefined): Promise<HostEngine | undefined> {
  for (const candidate of vllmMetalCandidates(home, configured)) {
    if (!(await executable(candidate))) continue;
    const version = await vllmMetalVersion(candidate);
    if (version !== undefined || candidate === configured)
      return { kind: 'vllm-metal', version: version ?? null, path: candidate };
  }
  return undefined;
}

/**
 * How much memory Metal lets the GPU wire, as vllm-metal sizes its cache from it: MLX's
 * `device_info()["max_recommended_working_set_size"]` (vllm_metal/v1/cache_policy.py, _metal_limit_bytes), read with
 * the Python of vllm-metal's own environment; else `iogpu.wired_limit_mb` where a user set it (Metal's recommendation
 * follows it: AlexsJones/llmfit#754, antirez/ds4#893). Each has a few seconds; none answers on Linux.
 */
export async function gpuWorkingSet(
  vllm: string | undefined,
): Promise<Pick<HostFacts['memory'], 'gpuWorkingSetBytes' | 'gpuWorkingSetFrom'>> {
  if (vllm) {
    const python = path.join(path.dirname(await realpath(vllm).catch(() => vllm)), 'python3');
    const script = 'import mlx.core as mx; print(int(mx.device_info()["max_recommended_working_set_size"]))';
    const bytes = await run(python, ['-c', script], { timeout: 15_000 }).then(
      ({ stdout }) => Number(stdout.trim()),
      () => NaN,
    );
    if (Number.isSafeInteger(bytes) && bytes > 0) return { gpuWorkingSetBytes: bytes, gpuWorkingSetFrom: 'metal' };
  }
  const mb = await run('sysctl', ['-n', 'iogpu.wired_limit_mb'], { timeout: 2000 }).then(
    ({ stdout }) => Number(stdout.trim()),
    () => NaN,
  );
  if (Number.isSafeInteger(mb) && mb > 0)
    return { gpuWorkingSetBytes: mb * 1024 * 1024, gpuWorkingSetFrom: 'wired-limit' };
  return {};
}
