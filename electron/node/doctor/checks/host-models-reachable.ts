import type { Check } from '../check.js';
import { runsOnHost } from '../../../common/model-servers/registry.js';
import { HOST_ALIAS } from '../../../common/planner/services.js';
import { checkHealthOnce } from '../../engine/health.js';
import { listOwned } from '../../engine/owned.js';

/**
 * Whether the stack's containers reach the model servers on the host, asked from inside litellm's container the way
 * litellm reaches them (the host's alias and each model's port): the path Docker Desktop, OrbStack and Colima forward
 * to the Mac's loopback.
 */
export const hostModelsReachable: Check = {
  id: 'host-models-reachable',
  title: "Containers reach the Mac's models",
  applies: ({ plan, docker }) => docker !== undefined && (plan?.services.some(runsOnHost) ?? false),
  async run({ plan, docker }) {
    if (!plan || !docker) return { status: 'ok', message: 'nothing runs on the host' };
    const litellm = (await listOwned(docker, plan.stack)).get('litellm');
    if (!litellm || litellm.state !== 'running')
      return {
        status: 'warn',
        message: 'litellm is not running, so the path from the containers to the Mac could not be tried',
        fix: 'berth up, then berth doctor again',
      };
    const failed: string[] = [];
    for (const service of plan.services.filter(runsOnHost)) {
      const url = `http://${HOST_ALIAS}:${service.ports[0]?.host ?? 0}/health`;
      const test = ['CMD', 'python3', '-c', `import urllib.request; urllib.request.urlopen('${url}', timeout=4)`];
      const health = { test, path: '/health', port: 0, intervalS: 5, timeoutS: 6, retries: 1, startPeriodS: 0 };
      const check = await checkHealthOnce(docker, litellm.id, health);
      if (!check.ok) failed.push(`${service.name} (${url}: ${check.output})`);
    }
    if (failed.length)
      return {
        status: 'fail',
        message: `litellm's container does not reach ${failed.join(', ')}`,
        fix:
          'check that the model runs (berth status) and that the engine forwards host.docker.internal to this ' +
          "Mac (Docker Desktop, OrbStack and Colima do; a remote engine cannot reach this Mac's models)",
      };
    return {
      status: 'ok',
      message: `litellm's container reaches ${plan.services.filter(runsOnHost).length} model(s) on the host`,
    };
  },
};
