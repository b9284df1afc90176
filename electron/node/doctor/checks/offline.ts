import type { Check } from '../check.js';
import type { PlannedService, StackPlan } from '../../../common/contracts/stack-plan.js';
import { runsOnHost } from '../../../common/model-servers/registry.js';

/** The settings that keep each service of the stack from calling out, by service (docs/upstream.md, README). */
const OFFLINE: Record<string, { env: Record<string, string>; calls: string }> = {
  litellm: { env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True' }, calls: 'fetches its model cost map from GitHub at start' },
  'open-webui': {
    env: { OFFLINE_MODE: 'True' },
    calls: 'checks its version on GitHub and downloads its embedding model from Hugging Face',
  },
  grafana: {
    env: {
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
      GF_PLUGINS_PREINSTALL_DISABLED: 'true',
    },
    calls: 'reports usage to grafana.com, checks for updates there and installs plugins from it',
  },
};

/** Why a service of this plan would call out of the stack once the weights are here, if it would. */
export function callsOut(plan: Pick<StackPlan, 'services'>): { service: string; why: string }[] {
  const out: { service: string; why: string }[] = [];
  for (const s of plan.services) {
    const rule = OFFLINE[s.name];
    if (rule && Object.entries(rule.env).some(([k, v]) => s.env[k]?.toLowerCase() !== v.toLowerCase()))
      out.push({ service: s.name, why: rule.calls });
    if (s.role === 'model' && !runsOnHost(s) && s.env.HF_HUB_OFFLINE !== '1')
      out.push({ service: s.name, why: 'asks huggingface.co for its weights at each start (prefetchWeights is off)' });
    if (s.name === 'open-webui' && !s.dependsOn.some((d) => d.service === 'litellm'))
      out.push({ service: s.name, why: 'talks to the remote litellm of litellmUrl' });
  }
  return out;
}

/** The weights each model downloads before its first start: the one time the stack needs the Hub. */
function downloads(services: readonly PlannedService[]): string[] {
  return services.filter((s) => s.role === 'model' && s.model).map((s) => s.model?.id as string);
}

/** `berth doctor`: which services would call out of the stack once the weights are here, and why. */
export const offline: Check = {
  id: 'offline',
  title: 'Runs without the internet',
  applies: ({ plan }) => plan !== undefined,
  async run({ plan }) {
    if (!plan) return { status: 'ok', message: 'no plan' };
    const calls = callsOut(plan);
    const weights = downloads(plan.services);
    const first = weights.length
      ? `; only the first start of each model needs Hugging Face, for its weights (${weights.join(', ')})`
      : '';
    if (calls.length === 0)
      return { status: 'ok', message: `no service calls out of the stack once the weights are here${first}` };
    return {
      status: 'warn',
      message: `these call out of the stack: ${calls.map((c) => `${c.service} ${c.why}`).join('; ')}`,
      fix:
        'turn prefetchWeights on so models start offline; a service image of your own (images in settings) must ' +
        'honour the same offline settings Berth gives the default one',
    };
  },
};
