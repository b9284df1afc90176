import type { Check } from '../check.js';

export const gpuRuntime: Check = {
  id: 'gpu-runtime',
  title: 'GPU runtime',
  applies: ({ plan, facts }) => plan?.profile === 'production' || facts.gpus.some((g) => /nvidia/i.test(g.vendor)),
  async run({ facts }) {
    if (facts.os.platform === 'darwin')
      return {
        status: 'fail',
        message: 'Docker on macOS cannot reach a GPU',
        fix: 'run the production profile on a Linux host with NVIDIA GPUs and point Open WebUI at it with LITELLM_URL',
      };
    if (!facts.gpus.some((g) => /nvidia/i.test(g.vendor)))
      return {
        status: 'fail',
        message: `no NVIDIA GPU found${facts.gpuProblem ? ` (${facts.gpuProblem})` : ''}`,
        fix: 'install the NVIDIA driver (nvidia-smi must work)',
      };
    if (!facts.engine?.gpuRuntime) {
      return {
        status: 'fail',
        message: 'the engine has no NVIDIA runtime and no CDI devices',
        fix:
          'install the NVIDIA Container Toolkit, run sudo nvidia-ctk runtime configure --runtime=docker and ' +
          'restart Docker',
      };
    }
    return {
      status: 'ok',
      message: `containers can reach ${facts.gpus.filter((g) => /nvidia/i.test(g.vendor)).length} NVIDIA GPU(s)`,
    };
  },
};
