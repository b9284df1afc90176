import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../common/contracts/errors.js';

const SecretsSchema = z.object({
  HF_TOKEN: z.string().optional(),
  LITELLM_MASTER_KEY: z.string().startsWith('sk-', 'must start with "sk-"').optional(),
  GRAFANA_ADMIN_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
});

export type Secrets = z.infer<typeof SecretsSchema>;
export const SECRET_NAMES = ['HF_TOKEN', 'LITELLM_MASTER_KEY', 'GRAFANA_ADMIN_PASSWORD'] as const;

/**
 * The stack's secrets: the environment first, then secrets.json in BERTH_HOME (mode 0600). A missing master
 * key and Grafana password are generated once and kept, so clients keep working across restarts.
 */
export async function loadSecrets(home: string, env: NodeJS.ProcessEnv, options: { generate?: boolean } = {}): Promise<Secrets> {
  const file = path.join(home, 'secrets.json');
  let stored: Secrets = {};
  try {
    const parsed = SecretsSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) throw new InputError(`${file}: ${parsed.error.issues[0]?.path.join('.')}`, parsed.error.issues[0]?.message ?? 'invalid');
    stored = parsed.data;
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(file, 'is not valid JSON; fix it or remove it (Berth then generates new keys)');
  }
  let changed = false;
  const generate = options.generate ?? true;
  if (generate && !stored.LITELLM_MASTER_KEY) {
    stored.LITELLM_MASTER_KEY = `sk-${randomBytes(24).toString('base64url')}`;
    changed = true;
  }
  if (generate && !stored.GRAFANA_ADMIN_PASSWORD) {
    stored.GRAFANA_ADMIN_PASSWORD = randomBytes(18).toString('base64url');
    changed = true;
  }
  if (changed) {
    await mkdir(home, { recursive: true });
    await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }
  const fromEnv = Object.fromEntries(SECRET_NAMES.filter((name) => env[name]).map((name) => [name, env[name]]));
  const merged = { ...stored, ...fromEnv };
  const checked = SecretsSchema.safeParse(merged);
  if (!checked.success) throw new InputError(String(checked.error.issues[0]?.path[0]), checked.error.issues[0]?.message ?? 'invalid');
  return checked.data;
}

/** `${VAR}` references in a plan's env, filled in; an empty secret leaves the variable out. */
export function resolveEnv(env: Record<string, string>, secrets: Secrets): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const resolved = value.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, key: string) => (secrets as Record<string, string | undefined>)[key] ?? '');
    if (resolved === '' && value !== '') continue;
    out.push(`${name}=${resolved}`);
  }
  return out;
}

/** Replaces every secret value in a text with its name, for logs and error messages. */
export function redact(text: string, secrets: Secrets): string {
  let out = text;
  for (const [name, value] of Object.entries(secrets)) if (value && value.length >= 6) out = out.split(value).join(`<${name}>`);
  return out;
}

/** Stores one secret in secrets.json (mode 0600); the value is never returned to any client. */
export async function saveSecret(home: string, name: keyof Secrets, value: string): Promise<void> {
  const current = await loadSecrets(home, {}, { generate: false });
  const next: Secrets = { ...current, [name]: value || undefined };
  const checked = SecretsSchema.safeParse(next);
  if (!checked.success) throw new InputError(name, checked.error.issues[0]?.message ?? 'invalid');
  await mkdir(home, { recursive: true });
  const file = path.join(home, 'secrets.json');
  await writeFile(file, `${JSON.stringify(checked.data, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
