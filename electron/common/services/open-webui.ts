import { about } from '../contracts/stack-plan.js';
import { DEFAULT_IMAGES, volumeNames } from '../catalog/images.js';
import { openAiBase, trustedRemoteLitellm } from '../litellm-url.js';
import { health, pythonGet } from '../planner/health-checks.js';
import { CONTAINER_PORTS } from '../planner/services.js';
import { GiB } from '../units.js';
import type { StackServiceDefinition } from './definition.js';

/** Open WebUI: the chat people use, on the stack's litellm (or a remote one the user confirmed). */
export const openWebui: StackServiceDefinition = {
  name: 'open-webui',
  role: 'webui',
  image: DEFAULT_IMAGES.openWebui,
  containerPort: CONTAINER_PORTS.openWebui,
  hostPort: 8080,
  budgetBytes: 0.75 * GiB,
  link: 'Open WebUI',
  draft: ({ image, settings }) => {
    const litellmUrl = trustedRemoteLitellm(settings);
    const base = litellmUrl ? openAiBase(litellmUrl) : `http://litellm:${CONTAINER_PORTS.litellm}/v1`;
    return {
      name: 'open-webui',
      role: 'webui',
      image,
      command: [],
      env: {
        OPENAI_API_BASE_URL: base,
        OPENAI_API_KEY: '${LITELLM_MASTER_KEY}',
        ENABLE_OLLAMA_API: 'false',
        // Without this, the first launch's URL is kept in Open WebUI's database and a later LITELLM_URL is ignored.
        ENABLE_PERSISTENT_CONFIG: 'False',
        // Offline: no version check and no download of embedding, reranking or Whisper models from Hugging Face
        // (https://docs.openwebui.com/tutorials/offline-mode; OFFLINE_MODE is read from the environment on every
        // start: https://docs.openwebui.com/reference/env-configuration). Document search then needs an embedding
        // model already in its data volume, or an embedding endpoint.
        OFFLINE_MODE: 'True',
      },
      dependsOn: litellmUrl ? [] : [{ service: 'litellm', condition: 'healthy' }],
      mounts: [
        { kind: 'volume', source: volumeNames(settings.stack).openWebui, target: '/app/backend/data', readOnly: false },
      ],
      health: health(pythonGet(CONTAINER_PORTS.openWebui, '/health'), CONTAINER_PORTS.openWebui, '/health', 120),
      restart: 'unless-stopped',
      reasons: [
        about(
          'network',
          litellmUrl
            ? `talks to the remote litellm at ${litellmUrl} (LITELLM_URL, confirmed) instead of the local one, ` +
                'and sends it the master key'
            : 'talks to the local litellm over the stack network, after it is healthy',
        ),
        about(
          'network',
          'connection settings come from the environment on every start (ENABLE_PERSISTENT_CONFIG=False), so a ' +
            'changed LITELLM_URL takes effect',
        ),
      ],
    };
  },
};
