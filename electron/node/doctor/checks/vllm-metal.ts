import type { Check } from '../check.js';
import { appleSilicon, VLLM_METAL_INSTALL } from '../../../common/model-servers/vllm-metal/placement.js';
import { VLLM_METAL } from '../../../common/model-servers/vllm-metal/release.js';
import { formatGiB } from '../../../common/units.js';

/** Dev builds are named by their time (`0.3.0.dev20260822182524`): later is newer within a version. */
export function olderThan(version: string, than: string): boolean {
  const parts = (v: string) => v.split(/[.a-z]+/i).map((n) => Number(n) || 0);
  const [a, b] = [parts(version), parts(than)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

/** On a Mac with Apple silicon: whether vllm-metal is there to run the models on its GPU, and which release. */
export const vllmMetal: Check = {
  id: 'vllm-metal',
  title: "Models on the Mac's GPU",
  applies: ({ facts }) => appleSilicon(facts),
  async run({ facts, plan }) {
    const engine = facts.hostEngines?.find((e) => e.kind === 'vllm-metal');
    const install =
      `${VLLM_METAL_INSTALL} (it installs into ~/.venv-vllm-metal, without sudo; Settings → Host installs it ` +
      'with its log), or set metal.vllmPath to its vllm';
    if (!engine)
      return {
        status: 'warn',
        message: "vllm-metal is not installed: the models run on CPU cores in Docker's VM instead of the Mac's GPU",
        fix: install,
      };
    const limit = facts.memory.gpuWorkingSetBytes
      ? `; Metal lets the GPU wire ${formatGiB(facts.memory.gpuWorkingSetBytes)}` +
        (facts.memory.gpuWorkingSetFrom === 'wired-limit' ? ' (iogpu.wired_limit_mb)' : '')
      : '';
    if (!engine.version)
      return {
        status: 'warn',
        message: `${engine.path} runs, but its vllm-metal version could not be read${limit}`,
        fix: `point metal.vllmPath at the vllm of vllm-metal's environment, or reinstall it: ${VLLM_METAL_INSTALL}`,
      };
    if (olderThan(engine.version, VLLM_METAL.version))
      return {
        status: 'warn',
        message: `vllm-metal ${engine.version} is older than the release Berth plans for (${VLLM_METAL.version})`,
        fix: `reinstall it: rm -rf ~/.venv-vllm-metal && ${VLLM_METAL_INSTALL}`,
      };
    const where = plan?.services.some((s) => s.model?.server === 'vllm-metal')
      ? 'the models run on it'
      : 'the models stay in containers (modelsOn)';
    return { status: 'ok', message: `vllm-metal ${engine.version} at ${engine.path}${limit}; ${where}` };
  },
};
