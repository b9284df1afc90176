import { parse as parseDotenv } from 'dotenv';
import { SECRET_NAMES } from '../../common/contracts/secrets.js';
import { type SettingsPatch } from '../../common/contracts/settings-patch.js';
import { InputError } from '../../common/contracts/errors.js';
import { checkSecrets } from '../secrets/secrets-file.js';

export interface EnvImport {
  patch: SettingsPatch;
  secrets: Record<string, string>;
  /** The variables taken, in the order the user reads them back. */
  taken: string[];
}

/**
 * What a reference-setup .env says, checked whole before anything is stored: LITELLM_ENVIRONMENT and LITELLM_URL as
 * settings (the URL unconfirmed: nothing is sent to it until the user confirms it), the secrets as secrets.
 */
export function readEnvImport(text: string): EnvImport {
  const values = parseDotenv(text);
  const patch: SettingsPatch = {};
  if (values.LITELLM_ENVIRONMENT) {
    if (!['development', 'production'].includes(values.LITELLM_ENVIRONMENT))
      throw new InputError('LITELLM_ENVIRONMENT', `"${values.LITELLM_ENVIRONMENT}": development or production`);
    patch.profile = values.LITELLM_ENVIRONMENT as 'development' | 'production';
  }
  if (values.LITELLM_URL) patch.litellmUrl = values.LITELLM_URL;
  const secrets = Object.fromEntries(
    SECRET_NAMES.filter((name) => values[name]).map((name) => [name, values[name] as string]),
  );
  checkSecrets(secrets);
  return {
    patch,
    secrets,
    taken: [
      ...(patch.profile ? ['LITELLM_ENVIRONMENT'] : []),
      ...(patch.litellmUrl ? ['LITELLM_URL'] : []),
      ...Object.keys(secrets),
    ],
  };
}
