import { about } from '../contracts/stack-plan.js';
import { DEFAULT_IMAGES } from '../catalog/images.js';
import { health, pythonGet } from '../planner/health-checks.js';
import { CONTAINER_PORTS, GENERATED_FILES } from '../planner/services.js';
import { GiB } from '../units.js';
import type { StackServiceDefinition } from './definition.js';

/** litellm: one OpenAI-compatible endpoint for every model, keyed with the master key. */
export const litellm: StackServiceDefinition = {
  name: 'litellm',
  role: 'gateway',
  image: DEFAULT_IMAGES.litellm,
  containerPort: CONTAINER_PORTS.litellm,
  hostPort: 4000,
  budgetBytes: 0.75 * GiB,
  // litellm serves its Prometheus series at /metrics/ (its callbacks: ['prometheus']).
  scrape: { job: 'litellm', path: '/metrics/' },
  link: 'litellm API',
  draft: ({ image, served }) => ({
    name: 'litellm',
    role: 'gateway',
    image,
    command: ['--config', '/app/config.yaml', '--port', String(CONTAINER_PORTS.litellm)],
    env: {
      LITELLM_MASTER_KEY: '${LITELLM_MASTER_KEY}',
      // Offline: the model cost map bundled with litellm, instead of the copy the proxy fetches from GitHub at startup
      // (https://docs.litellm.ai/docs/proxy/model_cost_map); get_model_cost_map reads this variable, as litellm's
      // own tests set it to load the bundled map. Berth prices nothing, so the bundled map loses nothing.
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    },
    dependsOn: [],
    mounts: [{ kind: 'config', source: GENERATED_FILES.litellmConfig, target: '/app/config.yaml', readOnly: true }],
    health: health(
      pythonGet(CONTAINER_PORTS.litellm, '/health/liveliness'),
      CONTAINER_PORTS.litellm,
      '/health/liveliness',
      60,
    ),
    restart: 'unless-stopped',
    reasons: [
      about(
        'role',
        `one OpenAI-compatible endpoint for ${served.length} model${served.length === 1 ? '' : 's'} ` +
          `(${served.map((m) => m.servedName).join(', ') || 'none'}), keyed with LITELLM_MASTER_KEY`,
      ),
      about(
        'start-order',
        'starts without waiting for the models: it routes by name, so the gateway is up while weights load',
      ),
      about(
        'network',
        'offline: its bundled model cost map (LITELLM_LOCAL_MODEL_COST_MAP), so it fetches nothing from GitHub',
      ),
    ],
  }),
};
