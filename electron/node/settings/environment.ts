import { z } from 'zod';
import type { Settings, ProfileChoice } from '../../common/contracts/settings.js';
import { parseInput } from '../../common/contracts/errors.js';
import { SettingsSchema } from '../../common/contracts/settings.js';

const EnvironmentProfile = z.enum(['development', 'production'], { error: 'development or production' });

/**
 * LITELLM_URL and LITELLM_ENVIRONMENT, as the reference setup's .env uses them, applied over settings. A LITELLM_URL
 * in the environment of the command the user runs is their own choice, so it counts as confirmed.
 */
export function applyEnvironment(
  settings: Settings,
  env: NodeJS.ProcessEnv,
): { settings: Settings; profile?: { choice: ProfileChoice; source: string } } {
  let result = settings;
  if (env.LITELLM_URL) {
    const url = parseInput(SettingsSchema.shape.litellmUrl, env.LITELLM_URL, 'LITELLM_URL');
    result = { ...settings, litellmUrl: url, trustedLitellmUrl: url };
  }
  if (env.LITELLM_ENVIRONMENT) {
    const choice = parseInput(EnvironmentProfile, env.LITELLM_ENVIRONMENT, 'LITELLM_ENVIRONMENT');
    return { settings: result, profile: { choice, source: 'LITELLM_ENVIRONMENT' } };
  }
  return { settings: result };
}
