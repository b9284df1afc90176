import type { HostEngine, HostFacts } from '../../contracts/host-facts.js';
import type { Settings } from '../../contracts/settings.js';
import type { PlanWarning } from '../../contracts/stack-plan.js';

/** How to get vllm-metal: the install its project documents (its README), into its own Python environment. */
export const VLLM_METAL_INSTALL =
  'curl -fsSL https://raw.githubusercontent.com/vllm-project/vllm-metal/main/install.sh | bash';

/** A Mac on Apple silicon, where vllm-metal runs (macOS 15 or later on Apple silicon: its docs/installation.md). */
export function appleSilicon(facts: HostFacts): boolean {
  return facts.os.platform === 'darwin' && facts.os.arch === 'arm64';
}

/**
 * Whether the development models run on the Mac's GPU: `auto` where vllm-metal was found on a Mac with Apple silicon,
 * `metal` asks for it (a blocking warning where it cannot be), `containers` never. Where it is missing on such a Mac
 * the plan stays in containers and says how to get it.
 */
export function metalPlacement(facts: HostFacts, settings: Settings): { engine?: HostEngine; warning?: PlanWarning } {
  if (settings.modelsOn === 'containers') return {};
  const engine = facts.hostEngines?.find((e) => e.kind === 'vllm-metal');
  if (appleSilicon(facts) && engine) return { engine };
  if (appleSilicon(facts)) {
    return {
      warning: {
        code: 'metal-missing',
        blocking: settings.modelsOn === 'metal',
        message:
          "the models run on CPU cores in Docker's VM: with vllm-metal they run on the Mac's GPU, natively. " +
          `Install it with \`${VLLM_METAL_INSTALL}\` (or set metal.vllmPath to its vllm), then plan again.`,
      },
    };
  }
  if (settings.modelsOn === 'metal') {
    return {
      warning: {
        code: 'metal-missing',
        blocking: true,
        message:
          'modelsOn is "metal", but this is not a Mac with Apple silicon (vllm-metal needs macOS 15 or later on ' +
          'one): set modelsOn to "auto".',
      },
    };
  }
  return {};
}
