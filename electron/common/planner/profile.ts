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
  gpuModelsFit: () => boolean,
): ProfileDecision {
  if (choice !== 'auto') return { profile: choice, reason: `${choice}: chosen by ${source}` };
  if (!facts.engine) return { profile: 'development', reason: 'development: no Docker engine answered, and GPUs need one' };
  if (facts.os.platform === 'darwin') return { profile: 'development', reason: 'development: Docker on macOS cannot reach a GPU' };
  if (!facts.gpus.some((g) => /nvidia/i.test(g.vendor))) return { profile: 'development', reason: 'development: no NVIDIA GPU was found' };
  if (!facts.engine.gpuRuntime) {
    return { profile: 'development', reason: 'development: the engine has no NVIDIA runtime or CDI devices, so containers cannot reach the GPUs (install the NVIDIA Container Toolkit)' };
  }
  if (!gpuModelsFit()) return { profile: 'development', reason: "development: the production models do not fit in the GPUs' memory" };
  return { profile: 'production', reason: 'production: the engine reaches NVIDIA GPUs with room for the production models' };
}
