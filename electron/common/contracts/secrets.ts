import { z } from 'zod';

/** A secret goes into HTTP headers and environment variables: one line of text, no control characters. */
const secretText = z
  .string()
  .max(1024, 'at most 1024 characters')
  .regex(/^[^\p{Cc}]*$/u, 'one line without control characters (no line break, tab or escape): paste the value alone');

export const SecretsSchema = z.object({
  HF_TOKEN: secretText.optional(),
  LITELLM_MASTER_KEY: secretText.startsWith('sk-', 'must start with "sk-"').optional(),
  GRAFANA_ADMIN_PASSWORD: secretText.min(8, 'at least 8 characters').optional(),
});

export type Secrets = z.infer<typeof SecretsSchema>;
export const SECRET_NAMES = ['HF_TOKEN', 'LITELLM_MASTER_KEY', 'GRAFANA_ADMIN_PASSWORD'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
