import type { HostFacts } from '../contracts/host-facts.js';
import type { ProfileChoice } from '../contracts/settings.js';
import type { Profile } from '../contracts/stack-plan.js';

export interface ProfileDecision {
  profile: Profile;
  reason: string;
}

/** `auto` asks whether the GPU models fit on NVIDIA cards the engine can reach. */
export function chooseProfile(
  choice: ProfileChoice,
  source: string,
  facts: HostFacts,
  gpuModels: () => { fits: boolean; leftOut: readonly string[] },
): ProfileDecision {
  if (choice !== 'auto') return { profile: choice, reason: `${choice}: chosen by ${source}` };
  if (!facts.engine)
    return { profile: 'development', reason: 'development: no Docker engine answered, and GPUs need one' };
  if (facts.os.platform === 'darwin')
    return { profile: 'development', reason: 'development: Docker on macOS cannot reach a GPU' };
  if (!facts.gpus.some((g) => /nvidia/i.test(g.vendor)))
    return { profile: 'development', reason: 'development: no NVIDIA GPU was found' };
  if (!facts.engine.gpuRuntime) {
    return {
      profile: 'development',
      reason:
        'development: the engine has no NVIDIA runtime or CDI devices, so containers cannot reach the GPUs ' +
        '(install the NVIDIA Container Toolkit)',
    };
  }
  const gpu = gpuModels();
  if (!gpu.fits) return { profile: 'development', reason: "development: no production model fits in the GPUs' memory" };
  if (gpu.leftOut.length) {
    return {
      profile: 'production',
      reason:
        'production: the engine reaches NVIDIA GPUs with room for some production models ' +
        `(${gpu.leftOut.join(' and ')} ${gpu.leftOut.length > 1 ? 'do' : 'does'} not fit: see the warnings)`,
    };
  }
  return {
    profile: 'production',
    reason: 'production: the engine reaches NVIDIA GPUs with room for the production models',
  };
}
