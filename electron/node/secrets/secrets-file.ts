import { randomBytes } from 'node:crypto';
import { lstat, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SECRET_NAMES, SecretsSchema, type Secrets } from '../../common/contracts/secrets.js';
import { InputError } from '../../common/contracts/errors.js';
import { redactWakeKeys } from './wake-key.js';
import { type HomeFileError, readHomeFile } from '../home-file.js';
import { SerialQueue } from '../serial-queue.js';
import { writeJsonFile } from '../json-file.js';

/** Three secrets of at most 1024 characters each, encrypted or not, fit many times over. */
const SECRETS_MAX_BYTES = 256 * 1024;

/**
 * How secrets.json holds its values. The app passes one backed by Electron's safeStorage (the OS keychain);
 * the CLI run by Node has none and reads the plain 0600 file, or the environment.
 */
export interface SecretCipher {
  readonly name: 'none' | 'safeStorage';
  encrypt(value: string): string;
  decrypt(stored: string): string;
}

export const NO_CIPHER: SecretCipher = { name: 'none', encrypt: (value) => value, decrypt: (stored) => stored };

const EncryptedFileSchema = z.object({
  encryptedWith: z.literal('safeStorage'),
  values: z.record(z.string(), z.string()),
});

type StoredFile =
  { encryptedWith: 'none'; values: Secrets } | { encryptedWith: 'safeStorage'; values: Record<string, string> };

function secretsFile(home: string): string {
  return path.join(home, 'secrets.json');
}

export function lockedSecretsError(home: string): InputError {
  return new InputError(
    secretsFile(home),
    "is encrypted with the Berth app's keychain key, which only the app can read: run the `berth` that comes " +
      'inside the app, or set LITELLM_MASTER_KEY and GRAFANA_ADMIN_PASSWORD (and HF_TOKEN for gated models) in ' +
      'the environment',
  );
}

async function readStored(home: string): Promise<StoredFile> {
  const file = secretsFile(home);
  let raw: unknown;
  let text: string;
  try {
    text = await readHomeFile(file, SECRETS_MAX_BYTES);
  } catch (error) {
    const { code, message } = error as HomeFileError;
    const cause = (error as Error & { cause?: NodeJS.ErrnoException }).cause;
    if (code === 'ENOENT') return { encryptedWith: 'none', values: {} };
    if (code === 'FOLDER')
      throw new InputError(file, 'is a folder, not the secrets file: move it away (Berth then generates new keys)');
    if (cause?.code === 'EACCES')
      throw new InputError(file, 'cannot be read by this user: check its owner (it should be yours, mode 600)');
    throw new InputError(file, message.slice(file.length + 1));
  }
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError(file, 'is not valid JSON; fix it or remove it (Berth then generates new keys)');
  }
  const encrypted = EncryptedFileSchema.safeParse(raw);
  if (encrypted.success) return { encryptedWith: 'safeStorage', values: encrypted.data.values };
  const plain = SecretsSchema.safeParse(raw);
  if (!plain.success)
    throw new InputError(
      `${file}: ${plain.error.issues[0]?.path.join('.')}`,
      plain.error.issues[0]?.message ?? 'invalid',
    );
  return { encryptedWith: 'none', values: plain.data };
}

/** The stored values this process can read, or undefined when they are locked in another process's keychain. */
function decrypted(stored: StoredFile, cipher: SecretCipher): Secrets | undefined {
  if (stored.encryptedWith === 'none') return stored.values;
  if (cipher.name !== 'safeStorage') return undefined;
  return Object.fromEntries(
    Object.entries(stored.values).map(([name, value]) => [name, cipher.decrypt(value)]),
  ) as Secrets;
}

/**
 * Writes secrets.json whole, atomically: a new file created 0600 beside it (never through an existing path), then
 * renamed over it, so a symbolic link at secrets.json is replaced, never followed out of BERTH_HOME.
 */
async function writeStored(home: string, secrets: Secrets, cipher: SecretCipher): Promise<void> {
  const body =
    cipher.name === 'none'
      ? secrets
      : {
          encryptedWith: cipher.name,
          values: Object.fromEntries(
            Object.entries(secrets)
              .filter(([, v]) => v)
              .map(([name, value]) => [name, cipher.encrypt(value as string)]),
          ),
        };
  const file = secretsFile(home);
  try {
    await writeJsonFile(file, body, { mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR')
      throw new InputError(file, 'is a folder, not the secrets file: move it away, then save again');
    throw error;
  }
}

/**
 * The stack's secrets: the environment first, then secrets.json in BERTH_HOME (mode 0600, encrypted when a
 * cipher is given). A missing master key and Grafana password are generated once and kept, so clients keep
 * working across restarts; a plain file is encrypted the first time the app reads it.
 */
export function loadSecrets(
  home: string,
  env: NodeJS.ProcessEnv,
  options: { generate?: boolean; cipher?: SecretCipher } = {},
): Promise<Secrets> {
  // One at a time in this process: two first reads at once (an `up` and the wake gateway's start) would each
  // generate a master key, and litellm could get the one the file does not keep.
  return loading.run(() => loadSecretsNow(home, env, options));
}

const loading = new SerialQueue();

async function loadSecretsNow(
  home: string,
  env: NodeJS.ProcessEnv,
  options: { generate?: boolean; cipher?: SecretCipher },
): Promise<Secrets> {
  const cipher = options.cipher ?? NO_CIPHER;
  const fromEnv = Object.fromEntries(
    SECRET_NAMES.filter((name) => env[name]).map((name) => [name, env[name]]),
  ) as Secrets;
  const storedFile = await readStored(home);
  const stored = decrypted(storedFile, cipher);
  const generate = options.generate ?? true;
  if (!stored) {
    // Never generate over keys this process cannot read: the running stack uses them.
    if (generate && !(fromEnv.LITELLM_MASTER_KEY && fromEnv.GRAFANA_ADMIN_PASSWORD)) throw lockedSecretsError(home);
    return checked(fromEnv);
  }
  let changed = cipher.name !== storedFile.encryptedWith && Object.keys(stored).length > 0;
  if (generate && !stored.LITELLM_MASTER_KEY) {
    stored.LITELLM_MASTER_KEY = `sk-${randomBytes(24).toString('base64url')}`;
    changed = true;
  }
  if (generate && !stored.GRAFANA_ADMIN_PASSWORD) {
    stored.GRAFANA_ADMIN_PASSWORD = randomBytes(18).toString('base64url');
    changed = true;
  }
  if (changed) await writeStored(home, stored, cipher);
  return checked({ ...stored, ...fromEnv });
}

function checked(secrets: Secrets): Secrets {
  const result = SecretsSchema.safeParse(secrets);
  if (!result.success)
    throw new InputError(String(result.error.issues[0]?.path[0]), result.error.issues[0]?.message ?? 'invalid');
  return result.data;
}

/**
 * A plan's env with its secret references filled in: a value that is exactly `${NAME}` of a known secret. Any
 * other `${…}` (in a URL or a served name the user typed) is left as it is, so no secret is spliced into what goes
 * elsewhere. An empty secret leaves the variable out.
 */
export function resolveEnv(
  env: Record<string, string>,
  secrets: Secrets,
  derived: Record<string, string | undefined> = {},
): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const reference = /^\$\{([A-Z][A-Z0-9_]*)\}$/.exec(value)?.[1];
    if (reference && ((SECRET_NAMES as readonly string[]).includes(reference) || Object.hasOwn(derived, reference))) {
      const secret = { ...derived, ...(secrets as Record<string, string | undefined>) }[reference];
      if (secret) out.push(`${name}=${secret}`);
      continue;
    }
    out.push(`${name}=${value}`);
  }
  return out;
}

/** Replaces every secret value in a text with its name, for logs and error messages; wake keys too. */
export function redact(text: string, secrets: Secrets): string {
  let out = redactWakeKeys(text);
  for (const [name, value] of Object.entries(secrets))
    if (value && value.length >= 6) out = out.split(value).join(`<${name}>`);
  return out;
}

export interface SecretsFileState {
  exists: boolean;
  encrypted: boolean;
  locked: boolean;
  mode?: number;
  /** Where secrets.json points when it is a symbolic link. */
  linkTo?: string;
}

/**
 * Where secrets.json stands for this process: absent, readable (plain or with its cipher), or locked in the app's
 * keychain; its mode; a link.
 */
export async function secretsFileState(home: string, cipher: SecretCipher = NO_CIPHER): Promise<SecretsFileState> {
  const file = secretsFile(home);
  const link = await lstat(file).then(
    (s) => (s.isSymbolicLink() ? readlink(file) : undefined),
    () => undefined,
  );
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
  if (mode === undefined)
    return { exists: link !== undefined, encrypted: false, locked: false, ...(link ? { linkTo: link } : {}) };
  const stored = await readStored(home);
  return {
    exists: true,
    encrypted: stored.encryptedWith === 'safeStorage',
    locked: decrypted(stored, cipher) === undefined,
    mode,
    ...(link ? { linkTo: link } : {}),
  };
}

/** Every value checked before any is stored: a bad one changes nothing. */
export function checkSecrets(values: Partial<Secrets>): Secrets {
  return checked(values);
}

/**
 * Stores one secret in secrets.json (mode 0600, encrypted with the cipher); the value is never returned to any client.
 */
export async function saveSecret(
  home: string,
  name: keyof Secrets,
  value: string,
  cipher: SecretCipher = NO_CIPHER,
): Promise<void> {
  await saveSecrets(home, { [name]: value }, cipher);
}

/** Stores several secrets in one write: all of them, or (when one is invalid) none. */
export async function saveSecrets(
  home: string,
  values: Partial<Record<keyof Secrets, string>>,
  cipher: SecretCipher = NO_CIPHER,
): Promise<void> {
  const current = decrypted(await readStored(home), cipher);
  if (!current) throw lockedSecretsError(home);
  const next = checked({
    ...current,
    ...Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value || undefined])),
  });
  await writeStored(home, next, cipher);
}
